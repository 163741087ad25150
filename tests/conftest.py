"""Fixtures shared by the form, page and browser tests.

One small demo store is generated per test session; each test that writes
gets its own copy of it (a Delta table is a folder with relative paths, so
a copy is a complete, independent store).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import streamlit

from data import demo, reference
from data.store import Store, ValidationError, new_submission_id
from tests import azurite as azurite_server

# App servers started by the tests run no background maintenance: tests compact when they mean to.
os.environ.setdefault("BEATBOOK_MAINTENANCE_SECONDS", "0")

DEMO_SCALE = 600
DEMO_SEED = 1


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Put back `sys.modules["__main__"]` after each test: an AppTest run replaces it with the script it ran,
    and a later `multiprocessing` spawn would run that script again in its child processes."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture
def downloads(monkeypatch):
    """The `data` makers of every download button drawn: clicking one in a browser calls its maker."""
    made: dict[str, object] = {}
    original = streamlit.download_button

    def capture(label, data, *args, **kwargs):
        made[kwargs.get("key") or label] = data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", capture)
    return made


@pytest.fixture(scope="session")
def demo_store_root(tmp_path_factory) -> Path:
    """A generated demo store, made once per session. Do not write to it: copy it (`store_root`)."""
    root = tmp_path_factory.mktemp("demo") / "store"
    store = Store(root)
    store.create()
    demo.generate(store, scale=DEMO_SCALE, seed=DEMO_SEED)
    return root


@pytest.fixture
def store_root(demo_store_root, tmp_path) -> Path:
    """A private copy of the demo store for one test."""
    root = tmp_path / "store"
    shutil.copytree(demo_store_root, root)
    return root


@pytest.fixture
def store(store_root) -> Store:
    return Store(store_root)


@pytest.fixture(scope="session")
def azurite(tmp_path_factory):
    """A real Azure Blob Storage server (azurite) for the session; this process's clients point at it."""
    if azurite_server.executable() is None:
        pytest.skip("azurite-blob is not installed (`npm install --prefix .ci/node azurite`, as .ci/run does)")
    server = azurite_server.Azurite(tmp_path_factory.mktemp("azurite"))
    azurite_server.use(server)
    yield server
    server.stop()


def upload_store(local_root: Path, root: str) -> None:
    """Copy a local store folder, file by file, to a store URI on azurite (Delta paths are relative)."""
    import obstore
    from obstore.store import from_url

    target = from_url(root, **azurite_server.STORAGE_OPTIONS)
    for path in sorted(Path(local_root).rglob("*")):
        if path.is_file() and not path.name.startswith("_maintenance"):
            obstore.put(target, str(path.relative_to(local_root)), path.read_bytes())


def open_azurite_store(root: str, tmp_path: Path) -> Store:
    return Store(root, storage_options=dict(azurite_server.STORAGE_OPTIONS), cache_dir=tmp_path / "cache")


@pytest.fixture(params=["local", "azurite"])
def any_store(request, demo_store_root, tmp_path) -> Store:
    """A private copy of the demo store, on a local folder and (a second run) on azurite."""
    if request.param == "local":
        root = tmp_path / "store"
        shutil.copytree(demo_store_root, root)
        return Store(root)
    server = request.getfixturevalue("azurite")
    root = server.new_root()
    upload_store(demo_store_root, root)
    return open_azurite_store(root, tmp_path)


def point_commands_at(store: Store, monkeypatch, tmp_path: Path) -> None:
    """Let commands run from a test (in its process or as child processes) open `store` by its URI:
    its storage options in BEATBOOK_STORAGE_OPTIONS, and a file cache of their own under `tmp_path`."""
    if store.remote is not None:
        monkeypatch.setenv("BEATBOOK_STORAGE_OPTIONS", json.dumps(store.storage_options))
        monkeypatch.setenv("BEATBOOK_CACHE_DIR", str(tmp_path / "command-cache"))


@pytest.fixture(params=["local", "azurite"])
def any_empty_store(request, tmp_path) -> Store:
    """A new store with its tables created and nothing in them, on a local folder and (a second run) on azurite."""
    if request.param == "local":
        store = Store(tmp_path / "store")
    else:
        store = open_azurite_store(request.getfixturevalue("azurite").new_root(), tmp_path)
    store.create()
    return store


@pytest.fixture(params=["local", "azurite"])
def any_app_store(request, store_root, tmp_path, monkeypatch) -> Store:
    """As `app_store`, on a local folder and (a second run) on azurite: `app.py` opens it by
    BEATBOOK_STORE (a URI) and BEATBOOK_STORAGE_OPTIONS, as a force's app server would."""
    monkeypatch.delenv("BEATBOOK_DEMO_USER", raising=False)
    if request.param == "local":
        monkeypatch.setenv("BEATBOOK_STORE", str(store_root))
        return Store(store_root)
    root = request.getfixturevalue("azurite").new_root()
    upload_store(store_root, root)
    monkeypatch.setenv("BEATBOOK_STORE", root)
    monkeypatch.setenv("BEATBOOK_STORAGE_OPTIONS", json.dumps(azurite_server.STORAGE_OPTIONS))
    monkeypatch.setenv("BEATBOOK_CACHE_DIR", str(tmp_path / "app-cache"))
    return open_azurite_store(root, tmp_path)


@pytest.fixture
def app_store(store_root, monkeypatch) -> Store:
    """A private store that `app.py` opens (BEATBOOK_STORE points at it)."""
    monkeypatch.setenv("BEATBOOK_STORE", str(store_root))
    monkeypatch.delenv("BEATBOOK_DEMO_USER", raising=False)
    return Store(store_root)


ANALYST = {"user_id": "analyst-under-test", "role": "analyst", "area_code": None, "active": True}
"""A force-wide reader for dashboard queries (their scope is tested in tests/data/test_access.py)."""


def user_of_role(store: Store, role: str, area_code: str | None = None) -> dict:
    """The first active user of `role` (in `area_code`, if given) in the store, as the app passes users."""
    users = reference.list_users(store, role=role)
    users = users[users["area_code"].notna() & users["active"]]
    if area_code is not None:
        users = users[users["area_code"] == area_code]
    return users.iloc[0].to_dict()


def _user_of_role_fixture(role: str, doc: str):
    """A fixture named `role`: the first active user of that role in `store` (`user_of_role`)."""
    def fixture(store) -> dict:
        return user_of_role(store, role)
    fixture.__doc__ = doc
    return pytest.fixture(fixture, name=role)


officer = _user_of_role_fixture("officer", "An active officer who belongs to an area.")
supervisor = _user_of_role_fixture("supervisor", "An active supervisor (sergeant or inspector) of an area.")
commander = _user_of_role_fixture("commander", "An active commander (force-wide).")
analyst = _user_of_role_fixture("analyst", "An active analyst (force-wide).")
admin = _user_of_role_fixture("admin", "An active admin.")


def make_booking(store: Store, user: dict, **overrides) -> dict:
    """Valid booking-form values in the user's area; override any field."""
    area = user["area_code"]
    wards = reference.list_wards(store, area_code=area)
    values = {
        "title": "Street meeting on Market Square",
        "event_type": reference.picklist(store, "event_types")[0],
        "area_code": area,
        "ward_code": wards["ward_code"].iloc[0],
        "place": "Market Square",
        "date": dt.date.today() + dt.timedelta(days=3),
        "start_time": dt.time(18, 0),
        "end_time": dt.time(19, 30),
        "officers_attending": [user["user_id"]],
        "communities_targeted": reference.picklist(store, "communities")[:2],
        "lat": None,
        "lon": None,
    }
    values.update(overrides)
    return values


def count_rows(store: Store, table: str = "events") -> int:
    """Every stored row of a table, current or not: a write of any kind changes it."""
    return store.snapshot(table).rows


def assert_stored_once(store: Store, save, *, table: str) -> None:
    """`save(submission_id)` twice with one submission id (a second tap) stores one record in `table`, and the
    second save says it is that record again."""
    submission_id, before = new_submission_id(), count_rows(store, table)
    first = save(submission_id)
    second = save(submission_id)
    assert count_rows(store, table) == before + 1
    assert second.duplicate and second.record_id == first.record_id and not first.duplicate


def assert_refused(store: Store, save, *, field: str, words: str, table: str = "events") -> None:
    """`save()` raises a ValidationError whose message for `field` says `words` (in any case), and `table` gains
    no row."""
    before = count_rows(store, table)
    with pytest.raises(ValidationError) as raised:
        save()
    assert field in raised.value.errors, raised.value.errors
    assert words.lower() in raised.value.errors[field].lower()
    assert count_rows(store, table) == before


@pytest.fixture
def booking(store, officer):
    """A factory of valid booking-form values for `officer`: `booking(title="...")`."""
    return lambda **overrides: make_booking(store, officer, **overrides)
