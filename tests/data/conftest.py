"""Fixtures shared by the data tests."""

from __future__ import annotations

import shutil

import pytest

from data.store import Store
from tests.conftest import user_of_role

STA, STK = "ST-STA", "ST-STK"


@pytest.fixture(scope="module")
def world(demo_store_root, tmp_path_factory) -> tuple[Store, dict[str, dict]]:
    """A private copy of the demo store (shared by this module's tests) and its users by WHO."""
    root = tmp_path_factory.mktemp("access") / "store"
    shutil.copytree(demo_store_root, root)
    store = Store(root)
    users = {
        "officer": user_of_role(store, "officer", STA), "supervisor": user_of_role(store, "supervisor", STA),
        "commander": user_of_role(store, "commander"), "analyst": user_of_role(store, "analyst"),
        "admin": user_of_role(store, "admin"), "stk_officer": user_of_role(store, "officer", STK),
        "stk_supervisor": user_of_role(store, "supervisor", STK),
    }
    users["inactive"] = {**users["officer"], "active": False}
    assert {u["area_code"] for k, u in users.items() if not k.startswith("stk")} == {STA}
    return store, users
