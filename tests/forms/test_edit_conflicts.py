"""A change made from a version that is no longer the record's latest is refused, naming who changed it and when.

Each use-case family: the first user opens the record at version v, another user saves version v+1, then the
first user's change from v is refused with `EditConflict`, its message names the other user's name (not their
id) and the time, and nothing is stored (no row, no audit entry).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from analytics.admin import find_record
from data import reference
from data.schema import TABLES
from data.store import EditConflict, ValidationError, new_submission_id
from forms import admin
from forms.activity import edit_record, withdraw_record
from forms.events import cancel_event, complete_event, get_event, update_event
from forms.useful_info import save_useful_info
from forms.ysywd import add_action, add_feedback, link_source, move_status, raise_item, set_publishable, withdraw_item
from tests.conftest import count_rows, make_booking
from tests.forms.factories import book_event, first_ward, make_completion
from tests.officer_store import user

WHEN = re.compile(r"at \d\d:\d\d UTC on \d\d [A-Z][a-z]{2} \d{4} \(version \d+\)")


def _refused(raised: pytest.ExceptionInfo, name: str, user_id: str, version: int) -> str:
    """The refusal's message, checked: the other user's name (not only their id), when, and the version."""
    conflict = raised.value
    message = conflict.errors["record"]
    assert name in message, message
    assert user_id not in message.replace(name, ""), "the person is named, not their id"
    assert WHEN.search(message) and f"(version {version})" in message, message
    assert (conflict.changed_by, conflict.version) == (user_id, version)
    return message


# -- My activity: edit and withdraw ------------------------------------------------------


@pytest.fixture
def small(officer_store):
    return officer_store


def test_an_edit_from_my_activity_after_a_colleagues_edit_is_refused(small):
    assert small.get("useful_info", "u1")["version"] == 1  # P1 opens the entry at version 1
    edit_record(store=small, table="useful_info", record_id="u1", changes={"body": "Verger, 01234 222222"},
                user=user("P3"), submission_id="p3-edit", base_version=1)
    before = count_rows(small, "useful_info")
    with pytest.raises(EditConflict) as raised:
        edit_record(store=small, table="useful_info", record_id="u1", changes={"body": "Verger, 01234 333333"},
                    user=user("P1"), submission_id="p1-edit", base_version=1)
    message = _refused(raised, "Alex Three", "P3", 2)
    assert "changed this record" in message
    assert count_rows(small, "useful_info") == before
    assert small.get("useful_info", "u1")["body"] == "Verger, 01234 222222"


def test_an_edit_of_my_record_changed_underneath_is_refused(small):
    fields = {k: v for k, v in small.get("patrols", "p1").items() if k in TABLES["patrols"].model_fields}
    small.save("patrols", {**fields, "outcomes": "Corrected by the sergeant"}, user="S1", submission_id="s1-fix",
               record_id="p1", base_version=1)
    before = count_rows(small, "patrols")
    with pytest.raises(EditConflict) as raised:
        edit_record(store=small, table="patrols", record_id="p1", changes={"outcomes": "Two groups moved on"},
                    user=user("P1"), submission_id="p1-stale", base_version=1)
    _refused(raised, "Sgt Sue", "S1", 2)
    assert count_rows(small, "patrols") == before
    assert small.get("patrols", "p1")["outcomes"] == "Corrected by the sergeant"


def test_a_withdrawal_after_a_colleagues_edit_is_refused(small):
    edit_record(store=small, table="useful_info", record_id="u1", changes={"title": "Church keyholder (new)"},
                user=user("P3"), submission_id="p3-edit", base_version=1)
    before = count_rows(small, "useful_info")
    with pytest.raises(EditConflict) as raised:
        withdraw_record(store=small, table="useful_info", record_id="u1", user=user("S1"),
                        submission_id="s1-withdraw", base_version=1)
    _refused(raised, "Alex Three", "P3", 2)
    assert count_rows(small, "useful_info") == before
    assert small.get("useful_info", "u1")["title"] == "Church keyholder (new)"


def test_an_edit_of_an_entry_withdrawn_since_names_who_withdrew_it(small):
    withdraw_record(store=small, table="useful_info", record_id="u1", user=user("S1"), submission_id="s1-wd",
                    base_version=1)
    before = count_rows(small, "useful_info")
    with pytest.raises(EditConflict) as raised:
        edit_record(store=small, table="useful_info", record_id="u1", changes={"body": "Verger"}, user=user("P1"),
                    submission_id="p1-late", base_version=1)
    assert raised.value.withdrawn
    assert "withdrew this record" in _refused(raised, "Sgt Sue", "S1", 2)
    with pytest.raises(EditConflict):
        save_useful_info(store=small, values={"title": "Church keyholder", "folder": "Keyholders", "body": "Verger",
                                              "area_code": "A1"},
                         user=user("P3"), submission_id="p3-late", record_id="u1", base_version=1)
    assert count_rows(small, "useful_info") == before


def test_useful_information_edited_on_its_page_from_an_old_version_is_refused(small):
    values = {"title": "Church keyholder", "folder": "Keyholders", "body": "Verger, 01234 444444", "area_code": "A1"}
    save_useful_info(store=small, values=values, user=user("P3"), submission_id="p3", record_id="u1", base_version=1)
    before = count_rows(small, "useful_info")
    with pytest.raises(EditConflict) as raised:
        save_useful_info(store=small, values={**values, "body": "Verger, 01234 555555"}, user=user("P1"),
                         submission_id="p1", record_id="u1", base_version=1)
    _refused(raised, "Alex Three", "P3", 2)
    assert count_rows(small, "useful_info") == before


def test_an_edit_that_names_no_version_is_refused_on_the_useful_information_page(small):
    before = count_rows(small, "useful_info")
    with pytest.raises(ValidationError) as raised:
        save_useful_info(store=small, values={"title": "Church keyholder", "folder": "Keyholders", "body": "Verger",
                                              "area_code": "A1"}, user=user("P3"), submission_id="p3", record_id="u1")
    assert "version" in raised.value.errors["record"]
    assert count_rows(small, "useful_info") == before


# -- events: update, complete, cancel ---------------------------------------------------------


@pytest.fixture
def colleague(store, officer) -> dict:
    """Another active officer of the same area."""
    team = reference.list_users(store, area_code=officer["area_code"])
    team = team[team["active"] & team["role"].isin(["officer", "supervisor"]) & (team["user_id"] != officer["user_id"])]
    return team.iloc[0].to_dict()


@pytest.mark.parametrize("change", ["update", "complete", "cancel"])
def test_an_event_changed_by_a_colleague_since_the_form_opened_is_not_changed_again(store, officer, colleague,
                                                                                      change):
    event_id = book_event(store, officer, days_ago=1, start=dt.time(9), end=dt.time(10))
    opened = get_event(store, event_id, user=officer)["version"]  # the officer's form opens at version 1
    update_event(store=store, record_id=event_id, user=colleague, submission_id=new_submission_id(),
                 values=make_booking(store, officer, title="Moved to the library",
                                     date=dt.date.today() - dt.timedelta(days=1), start_time=dt.time(9),
                                     end_time=dt.time(10)),
                 base_version=opened)
    before = count_rows(store)
    stale = {
        "update": lambda: update_event(store=store, record_id=event_id, user=officer,
                                       submission_id=new_submission_id(), base_version=opened,
                                       values=make_booking(store, officer, title="Street meeting, renamed",
                                                           date=dt.date.today() - dt.timedelta(days=1),
                                                           start_time=dt.time(9), end_time=dt.time(10))),
        "complete": lambda: complete_event(store=store, record_id=event_id, user=officer,
                                           submission_id=new_submission_id(), base_version=opened,
                                           values=make_completion(store, officer)),
        "cancel": lambda: cancel_event(store=store, record_id=event_id, user=officer,
                                       submission_id=new_submission_id(), base_version=opened,
                                       values={"cancel_reason": "Venue flooded"}),
    }
    with pytest.raises(EditConflict) as raised:
        stale[change]()
    _refused(raised, colleague["name"], colleague["user_id"], opened + 1)
    assert count_rows(store) == before
    row = store.get("events", event_id)
    assert (row["title"], row["status"], row["version"]) == ("Moved to the library", "booked", 2)


def test_an_event_update_from_the_latest_version_is_saved(store, officer, colleague):
    event_id = book_event(store, officer, days_ago=-3)
    update_event(store=store, record_id=event_id, user=colleague, submission_id=new_submission_id(),
                 values=make_booking(store, officer, title="Moved"), base_version=1)
    saved = update_event(store=store, record_id=event_id, user=officer, submission_id=new_submission_id(),
                         values=make_booking(store, officer, title="Moved again"), base_version=2)
    assert (saved.version, store.get("events", event_id)["title"]) == (3, "Moved again")


# -- "You said, we did": every change to an item ---------------------------------------------


def _item(store, officer) -> str:
    values = {"issue_category": "Speeding", "issue_text": "Cars racing down Cowley Road at night", "source": "meeting",
              "area_code": officer["area_code"], "ward_code": first_ward(store, officer["area_code"]),
              "raised_on": dt.date.today() - dt.timedelta(days=10), "publishable": False}
    return raise_item(store=store, values=values, user=officer, submission_id=new_submission_id()).record_id


def _action() -> dict:
    return {"action_type": "Patrol plan", "text": "Speed checks twice a week",
            "date": dt.date.today() - dt.timedelta(days=3)}


def _told() -> dict:
    return {"date": dt.date.today() - dt.timedelta(days=1), "channel": "Community messaging",
            "text": "We ran speed checks"}
ITEM_CHANGES = {
    "add an action": lambda s, u, rid, v: add_action(store=s, record_id=rid, values=_action(), user=u,
                                                     submission_id=new_submission_id(), base_version=v),
    "tell back": lambda s, u, rid, v: add_feedback(store=s, record_id=rid, values=_told(), user=u,
                                                   submission_id=new_submission_id(), base_version=v),
    "move it on": lambda s, u, rid, v: move_status(store=s, record_id=rid, status="closed", user=u,
                                                   submission_id=new_submission_id(), base_version=v),
    "mark it publishable": lambda s, u, rid, v: set_publishable(store=s, record_id=rid, publishable=True, user=u,
                                                                submission_id=new_submission_id(), base_version=v),
}


@pytest.mark.parametrize("change", list(ITEM_CHANGES))
def test_an_item_changed_by_a_colleague_since_the_page_showed_it_is_not_changed_again(store, officer, change):
    sergeant = reference.get_user(store, "u0003")
    record_id = _item(store, officer)
    ITEM_CHANGES["add an action"](store, officer, record_id, 1)
    ITEM_CHANGES["tell back"](store, officer, record_id, 2)
    shown = store.get("ysywd", record_id)["version"]  # the officer's page shows version 3, told back
    set_publishable(store=store, record_id=record_id, publishable=True, user=sergeant,
                    submission_id=new_submission_id(), base_version=shown)
    before = count_rows(store, "ysywd")
    with pytest.raises(EditConflict) as raised:
        ITEM_CHANGES[change](store, officer, record_id, shown)
    _refused(raised, sergeant["name"], sergeant["user_id"], shown + 1)
    assert count_rows(store, "ysywd") == before
    item = store.get("ysywd", record_id)
    assert (item["version"], item["status"], len(item["actions"]), len(item["feedback"])) == (
        shown + 1, "feedback_given", 1, 1)


def test_linking_and_withdrawing_an_item_changed_since_are_refused(store, officer):
    sergeant = reference.get_user(store, "u0003")
    record_id = _item(store, officer)
    event_id = book_event(store, officer, days_ago=2)
    complete_event(store=store, record_id=event_id, user=officer, submission_id=new_submission_id(),
                   values=make_completion(store, officer, issues=["Speeding"]), base_version=1)
    set_publishable(store=store, record_id=record_id, publishable=True, user=officer,
                    submission_id=new_submission_id(), base_version=1)
    before = count_rows(store, "ysywd")
    with pytest.raises(EditConflict) as raised:
        link_source(store=store, record_id=record_id, table="events", source_id=event_id, user=sergeant,
                    submission_id=new_submission_id(), base_version=1)
    _refused(raised, officer["name"], officer["user_id"], 2)
    with pytest.raises(EditConflict):
        withdraw_item(store=store, record_id=record_id, user=sergeant, submission_id=new_submission_id(),
                      base_version=1)
    assert count_rows(store, "ysywd") == before
    assert store.get("ysywd", record_id) is not None


# -- admin: users, places, settings, news, pick-lists ------------------------------------------


@pytest.fixture
def admins(store) -> tuple[dict, dict]:
    users = reference.list_users(store, role="admin")
    users = users[users["active"]]
    return users.iloc[0].to_dict(), users.iloc[1].to_dict()


def _audit_rows(store) -> int:
    return count_rows(store, "audit")


def _version(store, admin_user, table, column, value) -> int:
    return int(find_record(store, table=table, column=column, value=value, user=admin_user)["version"])


ADMIN_CHANGES = {
    # name: (table, column, value, the change from version v)
    "user": ("users", "user_id", "u0001", lambda s, u, v, text: admin.update_user(
        store=s, user_id="u0001", values={"rank": text}, user=u, submission_id=new_submission_id(),
        base_version=v)),
    "deactivate": ("users", "user_id", "u0001", lambda s, u, v, text: admin.deactivate_user(
        store=s, user_id="u0001", user=u, submission_id=new_submission_id(), base_version=v)),
    "area": ("areas", "area_code", "ST-STA", lambda s, u, v, text: admin.update_area(
        store=s, area_code="ST-STA", values={"name": text}, user=u, submission_id=new_submission_id(),
        base_version=v)),
    "ward": ("wards", "ward_code", "E05008714", lambda s, u, v, text: admin.update_ward(
        store=s, ward_code="E05008714", values={"name": text}, user=u, submission_id=new_submission_id(),
        base_version=v)),
    "setting": ("settings", "key", "retention.app_feedback_months", lambda s, u, v, text: admin.save_setting(
        store=s, key="retention.app_feedback_months", value=str(len(text)), user=u,
        submission_id=new_submission_id(), base_version=v)),
}


@pytest.mark.parametrize("change", list(ADMIN_CHANGES))
def test_an_admin_change_from_an_old_version_is_refused_and_not_audited(store, admins, change):
    first, second = admins
    table, column, value, act = ADMIN_CHANGES[change]
    if table == "settings":  # stored first, so both admins open a stored record
        admin.save_setting(store=store, key=value, value="24", user=first, submission_id=new_submission_id(),
                           base_version=0)
    opened = _version(store, first, table, column, value)
    act(store, second, opened, "Changed by the second admin" if change != "user" else "Sgt")
    rows, audits = count_rows(store, table), _audit_rows(store)
    with pytest.raises(EditConflict) as raised:
        act(store, first, opened, "Changed by the first admin" if change != "user" else "Insp")
    _refused(raised, second["name"], second["user_id"], opened + 1)
    assert count_rows(store, table) == rows
    assert _audit_rows(store) == audits, "no audit entry claims the refused change"


def test_a_setting_shown_as_not_set_and_set_since_is_refused(store, admins):
    first, second = admins
    key = "retention.ccr_diversity_months"
    assert find_record(store, table="settings", column="key", value=key, user=first) is None
    admin.save_setting(store=store, key=key, value="36", user=second, submission_id=new_submission_id(),
                       base_version=0)
    rows = count_rows(store, "settings")
    with pytest.raises(EditConflict) as raised:
        admin.save_setting(store=store, key=key, value="12", user=first, submission_id=new_submission_id(),
                           base_version=0)
    _refused(raised, second["name"], second["user_id"], 1)
    assert count_rows(store, "settings") == rows
    assert reference.get_setting(store, key) == "36"


def test_withdrawing_news_changed_or_withdrawn_since_is_refused(store, admins):
    first, second = admins
    saved = admin.post_news(store=store, values={"title": "New vans", "body": "Two new vans.",
                                                 "published_on": dt.date.today()},
                            user=first, submission_id=new_submission_id())
    admin.withdraw_news(store=store, record_id=saved.record_id, user=second, submission_id=new_submission_id(),
                        base_version=saved.version)
    rows, audits = count_rows(store, "news"), _audit_rows(store)
    with pytest.raises(EditConflict) as raised:
        admin.withdraw_news(store=store, record_id=saved.record_id, user=first, submission_id=new_submission_id(),
                            base_version=saved.version)
    assert "withdrew this record" in _refused(raised, second["name"], second["user_id"], 2)
    assert (count_rows(store, "news"), _audit_rows(store)) == (rows, audits)


def _shown(store, admin_user, list_name: str) -> dict[str, int]:
    return {v["value"]: int(v["version"]) for v in admin.list_picklist(store, list_name=list_name, user=admin_user)}


def test_a_pick_list_reorder_from_an_old_list_writes_none_of_its_rows(store, admins):
    """The reorder saves several values in one commit (`save_many`): one of them changed since refuses them all."""
    first, second = admins
    shown = _shown(store, first, "event_types")  # the first admin's page
    names = list(shown)
    assert all(shown.values()), "the demo store holds the list (not its built-in defaults)"
    b, c = names[1], names[2]
    admin.set_picklist_value_active(store=store, list_name="event_types", value=b, active=False, user=second,
                                    submission_id=new_submission_id(), base_version=shown[b])
    rows, audits = count_rows(store, "picklists"), _audit_rows(store)
    # Moving b down renumbers c (unchanged, saved first) and b (retired since): neither is written.
    with pytest.raises(EditConflict) as raised:
        admin.move_picklist_value(store=store, list_name="event_types", value=b, offset=1, user=first,
                                  submission_id=new_submission_id(), base_versions=shown)
    _refused(raised, second["name"], second["user_id"], shown[b] + 1)
    assert count_rows(store, "picklists") == rows
    assert _audit_rows(store) == audits
    after = _shown(store, first, "event_types")
    assert after[c] == shown[c], "the row that had not changed was not written either"
    assert [v["value"] for v in admin.list_picklist(store, list_name="event_types", user=first)] == names


def test_a_pick_list_value_retired_from_an_old_list_is_refused(store, admins):
    first, second = admins
    shown = _shown(store, first, "event_types")
    names = list(shown)
    admin.move_picklist_value(store=store, list_name="event_types", value=names[0], offset=1, user=second,
                              submission_id=new_submission_id(), base_versions=shown)
    rows = count_rows(store, "picklists")
    with pytest.raises(EditConflict) as raised:
        admin.set_picklist_value_active(store=store, list_name="event_types", value=names[0], active=False,
                                        user=first, submission_id=new_submission_id(), base_version=shown[names[0]])
    _refused(raised, second["name"], second["user_id"], shown[names[0]] + 1)
    assert count_rows(store, "picklists") == rows
