"""Fixtures shared by the form tests: the tiny stores of tests/officer_store.py and tests/quality_store.py,
built once per module, and a private copy of one for each test."""

from __future__ import annotations

import pytest

from data.store import Store
from tests.officer_store import build_officer_store, copy_store
from tests.quality_store import build_quality_store


@pytest.fixture(scope="module")
def officer_store_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("officer") / "store"
    build_officer_store(root)
    return root


@pytest.fixture
def officer_store(officer_store_root, tmp_path) -> Store:
    """A private copy of the officer store for one test."""
    return copy_store(officer_store_root, tmp_path / "store")


@pytest.fixture(scope="module")
def quality_store_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("dip") / "store"
    build_quality_store(root)
    return root


@pytest.fixture
def quality_store(quality_store_root, tmp_path) -> Store:
    """A private copy of the quality store for one test."""
    return copy_store(quality_store_root, tmp_path / "store")
