"""The Admin pages: admins change users, places, lists and settings through them; others are turned away."""

from __future__ import annotations

import json
import re

import pytest

from data import reference
from tests.pages.test_pages import open_app, open_page

USERS, PLACES, LISTS = "pages/admin_users.py", "pages/admin_places.py", "pages/admin_lists.py"


@pytest.fixture
def admin_id(app_store) -> str:
    users = reference.list_users(app_store, role="admin")
    return users[users["active"]]["user_id"].iloc[0]


def _submit(at, key: str):
    at.button(key=key).click()
    at.run()
    assert not at.exception, at.exception
    return at


def _flash(at) -> list[str]:
    """The confirmations as read on the page (what they name is escaped, so it shows as typed)."""
    return [re.sub(r"\\(.)", r"\1", s.value) for s in at.success]


@pytest.mark.parametrize("page", [USERS, PLACES, LISTS])
def test_admin_pages_run_for_an_admin(app_store, admin_id, page):
    at = open_page(page, admin_id)
    assert at.title and not at.error


@pytest.mark.parametrize("role", ["officer", "supervisor", "commander", "analyst"])
def test_navigation_offers_admin_pages_to_admins_only(app_store, role):
    other = reference.list_users(app_store, role=role)["user_id"].iloc[0]
    at = open_app(other)
    for page in (USERS, PLACES, LISTS):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_add_a_user_then_change_their_role(app_store, admin_id):
    at = open_page(USERS, admin_id)
    at.text_input(key="admin_users.add.user_id").input("x9001")
    at.text_input(key="admin_users.add.name").input("Priya Shah")
    at.text_input(key="admin_users.add.email").input("x9001@example.police.uk")
    at.selectbox(key="admin_users.add.role").set_value("officer")
    at.text_input(key="admin_users.add.rank").input("PCSO")
    at.selectbox(key="admin_users.add.area_code").set_value("ST-STA")
    _submit(at, "admin_users.add.submit")
    assert _flash(at) == ["Added x9001."]
    assert reference.get_user(app_store, "x9001")["area_code"] == "ST-STA"

    at.selectbox(key="admin_users.pick").set_value("x9001").run()
    (key,) = {w.key.rsplit(".", 1)[0] for w in at.selectbox if w.key and w.key.startswith("admin_users.edit.")
              and w.key.endswith(".role")}
    at.selectbox(key=f"{key}.role").set_value("supervisor")
    _submit(at, f"{key}.submit")
    assert _flash(at) == ["Saved x9001."]
    assert reference.get_user(app_store, "x9001")["role"] == "supervisor"
    history = at.dataframe[-1].value
    assert list(history["version"]) == [2, 1] and list(history["role"]) == ["supervisor", "officer"]


def test_a_refused_user_shows_the_errors_and_saves_nothing(app_store, admin_id):
    at = open_page(USERS, admin_id)
    at.text_input(key="admin_users.add.user_id").input("x9002")
    at.text_input(key="admin_users.add.email").input("not-an-email")
    _submit(at, "admin_users.add.submit")
    assert at.error and "Sign-in email" in at.error[0].value and "Name" in at.error[0].value
    assert reference.get_user(app_store, "x9002") is None


def test_rename_an_area_and_load_a_pasted_boundary(app_store, admin_id):
    at = open_page(PLACES, admin_id)
    at.selectbox(key="admin_places.area").set_value("ST-STA").run()
    (key,) = {w.key.rsplit(".", 1)[0] for w in at.text_input if w.key.startswith("admin_places.area_form.")}
    at.text_input(key=f"{key}.name").input("Stafford Borough")
    _submit(at, f"{key}.submit")
    assert _flash(at) == ["Saved area ST-STA."]
    assert reference.area_names(app_store)["ST-STA"] == "Stafford Borough"

    square = [[-1.3, 51.7], [-1.2, 51.7], [-1.2, 51.8], [-1.3, 51.8], [-1.3, 51.7]]
    geojson = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "WD13CD": "E05999990", "WD13NM": "Carfax"}, "geometry": {"type": "Polygon", "coordinates": [square]}}]}
    at.text_area(key="admin_places.pasted").input(json.dumps(geojson)).run()
    assert at.selectbox(key="admin_places.load.code").value == "WD13CD"
    assert at.selectbox(key="admin_places.load.name").value == "WD13NM"
    at.selectbox(key="admin_places.load.area").set_value("ST-STA")
    _submit(at, "admin_places.load.submit")
    assert _flash(at) == ["Boundaries loaded: 1 wards added, 0 updated, 0 unchanged."]
    ward = reference.list_wards(app_store, area_code="ST-STA").set_index("ward_code").loc["E05999990"]
    assert (ward["name"], ward["centre_lat"], ward["centre_lon"]) == ("Carfax", 51.75, -1.25)


def test_pick_list_value_added_and_moved_and_a_setting_saved(app_store, admin_id):
    before = reference.picklist(app_store, "event_types")
    at = open_page(LISTS, admin_id)
    at.selectbox(key="admin_lists.list").set_value("event_types").run()
    at.text_input(key="admin_lists.add.event_types.value").input("Fun run")
    _submit(at, "admin_lists.add.event_types.submit")
    assert reference.picklist(app_store, "event_types") == [*before, "Fun run"]
    at.selectbox(key="admin_lists.value.event_types").set_value("Fun run").run()
    (up,) = [b for b in at.button if b.key.endswith(".-1.submit")]
    _submit(at, up.key)
    assert reference.picklist(app_store, "event_types") == [*before[:-1], "Fun run", before[-1]]

    at.selectbox(key="admin_lists.setting").set_value("retention.app_feedback_months").run()
    (value,) = [w for w in at.text_input if w.key.startswith("admin_lists.setting.") and w.key.endswith(".value")]
    value.input("18")
    _submit(at, value.key.removesuffix(".value") + ".submit")
    assert reference.get_setting(app_store, "retention.app_feedback_months") == "18"
    at.toggle(key="admin_lists.preview").set_value(True).run()
    rules = at.dataframe[-1].value.set_index("rule")
    assert rules.loc["app_feedback", "period"] == 18
