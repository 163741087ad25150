"""Reference reads on a tiny hand-made store, with exact expected answers."""

from __future__ import annotations

import itertools

import pytest

from data import picklists, reference
from data.store import Store

_ids = (f"sub{n:04d}" for n in itertools.count())


def save(store: Store, table: str, *, record_id: str | None = None, **values) -> str:
    return store.save(table, values, user="u0006", submission_id=next(_ids), record_id=record_id).record_id


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    store.create()
    save(store, "areas", area_code="ST-STK", name="Stoke-on-Trent", centre_lat=53.015, centre_lon=-2.178)
    save(store, "areas", area_code="ST-MOR", name="Staffordshire Moorlands", centre_lat=53.08, centre_lon=-1.98)
    save(store, "wards", ward_code="E05000003", name="Hanley Park and Shelton", area_code="ST-STK", centre_lat=53.02,
         centre_lon=-2.18, geojson='{"type":"Feature"}')
    save(store, "wards", ward_code="E05000001", name="Abbey Hulton and Townsend", area_code="ST-STK", centre_lat=53.03,
         centre_lon=-2.14)
    save(store, "wards", ward_code="E05000002", name="Biddulph North", area_code="ST-MOR", centre_lat=53.13,
         centre_lon=-2.17)
    save(store, "users", user_id="u0002", name="Priya Shah", email="u0002@example.police.uk", role="officer",
         rank="PCSO", area_code="ST-STK")
    save(store, "users", user_id="u0001", name="Tom Reid", email="u0001@example.police.uk", role="officer",
         rank="PC", area_code="ST-MOR")
    save(store, "users", user_id="u0003", name="Kate Hill", email="u0003@example.police.uk", role="supervisor",
         rank="Sergeant", area_code="ST-STK", active=False)
    save(store, "users", user_id="u0006", name="Sam Grant", email="u0006@example.police.uk", role="admin",
         rank="Staff")
    save(store, "picklists", list_name="event_types", value="Surgery", position=2)
    save(store, "picklists", list_name="event_types", value="Street meeting", position=0)
    save(store, "picklists", list_name="event_types", value="Old type", position=1, active=False)
    save(store, "picklists", list_name="event_types", value="Ward panel", position=1)
    save(store, "settings", key="force_name", value="Staffordshire Police")
    return store


def test_list_areas_by_name(store):
    areas = reference.list_areas(store)
    assert list(areas.columns) == ["area_code", "name", "centre_lat", "centre_lon"]
    assert areas.to_dict("records") == [
        {"area_code": "ST-MOR", "name": "Staffordshire Moorlands", "centre_lat": 53.08, "centre_lon": -1.98},
        {"area_code": "ST-STK", "name": "Stoke-on-Trent", "centre_lat": 53.015, "centre_lon": -2.178},
    ]
    assert reference.area_names(store) == {"ST-MOR": "Staffordshire Moorlands", "ST-STK": "Stoke-on-Trent"}


def test_list_wards_all_and_by_area(store):
    wards = reference.list_wards(store)
    assert list(wards.columns) == ["ward_code", "name", "area_code", "centre_lat", "centre_lon", "geojson"]
    assert list(wards["name"]) == ["Abbey Hulton and Townsend", "Biddulph North", "Hanley Park and Shelton"]
    stoke = reference.list_wards(store, area_code="ST-STK")
    assert list(stoke["ward_code"]) == ["E05000001", "E05000003"]
    assert stoke["geojson"].iloc[1] == '{"type":"Feature"}'
    assert reference.list_wards(store, area_code="ST-NONE").empty
    assert reference.ward_names(store, area_code="ST-MOR") == {"E05000002": "Biddulph North"}


def test_ward_in_area(store):
    assert reference.ward_in_area(store, ward_code="E05000001", area_code="ST-STK") is True
    assert reference.ward_in_area(store, ward_code="E05000001", area_code="ST-MOR") is False
    assert reference.ward_in_area(store, ward_code="E05999999", area_code="ST-STK") is False


def test_list_users_filters(store):
    users = reference.list_users(store)
    assert list(users.columns) == ["user_id", "name", "email", "role", "rank", "area_code", "active"]
    assert list(users["user_id"]) == ["u0001", "u0002", "u0003", "u0006"]
    assert list(reference.list_users(store, role="officer")["user_id"]) == ["u0001", "u0002"]
    assert list(reference.list_users(store, area_code="ST-STK")["user_id"]) == ["u0002", "u0003"]
    assert list(reference.list_users(store, role="officer", area_code="ST-STK")["user_id"]) == ["u0002"]
    assert reference.list_users(store, role="commander").empty


def test_get_user(store):
    assert reference.get_user(store, "u0003") == {
        "user_id": "u0003", "name": "Kate Hill", "email": "u0003@example.police.uk", "role": "supervisor",
        "rank": "Sergeant", "area_code": "ST-STK", "active": False,
    }
    assert reference.get_user(store, "u0006")["area_code"] is None
    assert reference.get_user(store, "nobody") is None


def test_picklist_from_the_table_in_position_order(store):
    assert reference.picklist(store, "event_types") == ["Street meeting", "Ward panel", "Surgery"]


def test_picklist_falls_back_to_defaults(store):
    assert reference.picklist(store, "patrol_types") == list(picklists.PATROL_TYPES)
    with pytest.raises(KeyError):
        reference.picklist(store, "no_such_list")


def test_get_setting(store):
    assert reference.get_setting(store, "force_name") == "Staffordshire Police"
    assert reference.get_setting(store, "missing") is None
    assert reference.get_setting(store, "missing", "fallback") == "fallback"


def test_a_write_is_seen_on_the_next_read(store):
    assert len(reference.list_areas(store)) == 2
    save(store, "areas", area_code="ST-TAM", name="Tamworth", centre_lat=52.63, centre_lon=-1.69)
    assert list(reference.list_areas(store)["area_code"]) == ["ST-MOR", "ST-STK", "ST-TAM"]
    # An edit is a new version of the record: the new value shows.
    first = save(store, "settings", key="quick_link", value="https://intranet.example/one")
    save(store, "settings", record_id=first, key="quick_link", value="https://intranet.example/two")
    assert reference.get_setting(store, "quick_link") == "https://intranet.example/two"


def test_callers_cannot_change_what_others_read(store):
    areas = reference.list_areas(store)
    areas.loc[0, "name"] = "Changed"
    assert reference.list_areas(store)["name"].iloc[0] == "Staffordshire Moorlands"
