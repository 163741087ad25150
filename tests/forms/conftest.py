"""Fixtures the form tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.store import Store
from tests.officer_store import build_officer_store, copy_store


@pytest.fixture(scope="module")
def built_officer_store(tmp_path_factory) -> Store:
    """The small officer store, built once for each test module that asks for it (tests write to a copy)."""
    return build_officer_store(tmp_path_factory.mktemp("officer") / "store")


@pytest.fixture
def officer_store(built_officer_store, tmp_path) -> Store:
    """A private, writable copy of the small officer store for one test."""
    return copy_store(Path(built_officer_store.root), tmp_path / "store")
