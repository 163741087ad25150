"""Fixtures shared by the form tests: private copies of the tiny stores of tests/officer_store.py and
tests/quality_store.py, each built at most once per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.store import Store
from tests.officer_store import build_officer_store, copy_store
from tests.quality_store import build_quality_store

BUILDERS = {"officer": build_officer_store, "quality": build_quality_store}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The module's tiny stores by name, each built the first time a test of the module asks for it."""
    roots: dict[str, Path] = {}

    def root(name: str) -> Path:
        if name not in roots:
            roots[name] = tmp_path_factory.mktemp(name) / "store"
            BUILDERS[name](roots[name])
        return roots[name]
    return root


@pytest.fixture
def officer_store(built, tmp_path) -> Store:
    """A private copy of the officer store for one test."""
    return copy_store(built("officer"), tmp_path / "store")


@pytest.fixture
def quality_store(built, tmp_path) -> Store:
    """A private copy of the quality store for one test."""
    return copy_store(built("quality"), tmp_path / "store")
