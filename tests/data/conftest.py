"""Fixtures shared by the data tests."""

from __future__ import annotations

import shutil

import pytest

from data.store import Store
from tests.conftest import user_of_role

OXF, RDG = "TV-OXF", "TV-RDG"


@pytest.fixture(scope="module")
def world(demo_store_root, tmp_path_factory) -> tuple[Store, dict[str, dict]]:
    """A private copy of the demo store (shared by this module's tests) and its users by WHO."""
    root = tmp_path_factory.mktemp("access") / "store"
    shutil.copytree(demo_store_root, root)
    store = Store(root)
    users = {
        "officer": user_of_role(store, "officer", OXF), "supervisor": user_of_role(store, "supervisor", OXF),
        "commander": user_of_role(store, "commander"), "analyst": user_of_role(store, "analyst"),
        "admin": user_of_role(store, "admin"), "rdg_officer": user_of_role(store, "officer", RDG),
        "rdg_supervisor": user_of_role(store, "supervisor", RDG),
    }
    users["inactive"] = {**users["officer"], "active": False}
    assert {u["area_code"] for k, u in users.items() if not k.startswith("rdg")} == {OXF}
    return store, users
