"""Edit and withdraw from My activity: only my own records, each a new version."""

from __future__ import annotations

import pytest

from analytics.activity import list_my_activity
from data.store import ValidationError
from forms.activity import (
    EDITABLE,
    describe_record,
    edit_record,
    editable_values,
    is_mine,
    withdraw_record,
    withdraw_submission_id,
)
from forms.rules import NotAllowed
from tests.conftest import count_rows
from tests.officer_store import user


@pytest.fixture
def store(officer_store):
    return officer_store


def _shown(store, table, record_id):
    """The version of the record an open form shows now."""
    return store.get(table, record_id)["version"]


def test_editing_my_record_writes_a_new_version(store):
    saved = edit_record(store=store, table="patrols", record_id="p1", changes={"outcomes": "Two groups moved on"},
                        user=user("P1"), submission_id="edit-p1", base_version=_shown(store, "patrols", "p1"))
    assert (saved.record_id, saved.version) == ("p1", 2)
    row = store.get("patrols", "p1")
    assert row["outcomes"] == "Two groups moved on"
    assert row["places"] == "High Street", "fields not edited are kept"
    assert [v["version"] for v in store.history("patrols", "p1")] == [2, 1]


def test_a_blank_optional_field_is_cleared_and_a_blank_required_one_refused(store):
    edit_record(store=store, table="ccrs", record_id="c1", changes={"place": "  "}, user=user("P1"),
                submission_id="edit-c1", base_version=_shown(store, "ccrs", "c1"))
    assert store.get("ccrs", "c1")["place"] is None
    before = count_rows(store, "good_practice")
    with pytest.raises(ValidationError) as raised:
        edit_record(store=store, table="good_practice", record_id="g1", changes={"result": ""}, user=user("P1"),
                    submission_id="edit-g1", base_version=_shown(store, "good_practice", "g1"))
    assert raised.value.errors == {"result": "is required"}
    assert count_rows(store, "good_practice") == before


def test_an_edit_is_checked_against_the_schema(store):
    with pytest.raises(ValidationError) as raised:
        edit_record(store=store, table="abstractions", record_id="a1", changes={"hours": 30.0}, user=user("P1"),
                    submission_id="edit-a1", base_version=_shown(store, "abstractions", "a1"))
    assert "hours" in raised.value.errors
    assert store.get("abstractions", "a1")["hours"] == 7.5


def test_editing_a_returned_record_takes_it_off_the_returned_list(store):
    assert list_my_activity(store, user=user("P1"))["returned"].iloc[0]
    edit_record(store=store, table="ccrs", record_id="c1", changes={"place": "Market Square, by the fountain"},
                user=user("P1"), submission_id="fix-c1", base_version=_shown(store, "ccrs", "c1"))
    activity = list_my_activity(store, user=user("P1"))
    assert not activity["returned"].any()
    assert activity.set_index("record_id").loc["c1", "version"] == 2


@pytest.mark.parametrize(("table", "record_id", "changes"), [
    ("events", "e2", {"title": "Mine now"}),  # P2 organised it; P1 only attended
    ("ccrs", "c2", {"place": "Elsewhere"}),
    ("good_practice", "g2", {"title": "Mine now"}),
    ("app_feedback", "f2", {"text": "Mine now"}),
    ("useful_info", "u2", {"title": "Mine now"}),  # another area's entry
])
def test_editing_someone_elses_record_is_refused(store, table, record_id, changes):
    before = count_rows(store, table)
    with pytest.raises(NotAllowed):
        edit_record(store=store, table=table, record_id=record_id, changes=changes, user=user("P1"),
                    submission_id=f"steal-{record_id}", base_version=_shown(store, table, record_id))
    assert count_rows(store, table) == before


def test_fields_outside_the_edit_list_are_refused(store):
    with pytest.raises(NotAllowed):
        edit_record(store=store, table="ccrs", record_id="c1", changes={"officer_id": "P2"}, user=user("P1"),
                    submission_id="move-c1", base_version=_shown(store, "ccrs", "c1"))
    with pytest.raises(NotAllowed):
        edit_record(store=store, table="users", record_id="P1", changes={"role": "admin"}, user=user("P1"),
                    submission_id="promote", base_version=1)


def test_withdrawing_my_record_keeps_its_history(store):
    saved = withdraw_record(store=store, table="events", record_id="e1", user=user("P1"),
                            submission_id=withdraw_submission_id("events", "e1", 1), base_version=1)
    assert saved.version == 2
    assert store.get("events", "e1") is None
    history = store.history("events", "e1")
    assert [(v["version"], v["deleted"]) for v in history] == [(2, True), (1, False)]
    assert "e1" not in set(list_my_activity(store, user=user("P1"))["record_id"])


def test_a_double_tap_on_withdraw_stores_one_withdrawal(store):
    before = count_rows(store, "patrols")
    sid = withdraw_submission_id("patrols", "p1", 1)
    withdraw_record(store=store, table="patrols", record_id="p1", user=user("P1"), submission_id=sid, base_version=1)
    again = withdraw_record(store=store, table="patrols", record_id="p1", user=user("P1"), submission_id=sid,
                            base_version=1)
    assert again.duplicate
    assert count_rows(store, "patrols") == before + 1


@pytest.mark.parametrize(("table", "record_id"), [("events", "e2"), ("ccrs", "c2"), ("good_practice", "g2"),
                                                  ("useful_info", "u1"), ("app_feedback", "f2")])
def test_withdrawing_someone_elses_record_is_refused(store, table, record_id):
    before = count_rows(store, table)
    with pytest.raises(NotAllowed):
        withdraw_record(store=store, table=table, record_id=record_id, user=user("P1"),
                        submission_id=f"withdraw-{record_id}", base_version=_shown(store, table, record_id))
    assert count_rows(store, table) == before


def test_the_area_team_edits_useful_information_and_its_supervisor_withdraws_it(store):
    edit_record(store=store, table="useful_info", record_id="u1", changes={"body": "Verger, 01234 111111"},
                user=user("P3"), submission_id="team-edit", base_version=_shown(store, "useful_info", "u1"))
    assert store.get("useful_info", "u1")["body"] == "Verger, 01234 111111"
    withdraw_record(store=store, table="useful_info", record_id="u1", user=user("S1"), submission_id="sgt-withdraw",
                    base_version=_shown(store, "useful_info", "u1"))
    assert store.get("useful_info", "u1") is None


def test_whose_record_it_is(store):
    assert is_mine(store, "events", store.get("events", "e1"), "P1")
    assert not is_mine(store, "events", store.get("events", "e2"), "P1")
    assert is_mine(store, "good_practice", store.get("good_practice", "g1"), "P1")
    assert not is_mine(store, "useful_info", store.get("useful_info", "u1"), "P1")


def test_editable_values_start_from_the_record(store):
    assert editable_values(store.get("ccrs", "c1"), "ccrs") == {
        "place": "Market", "issues_text": "Drug dealing by the park", "info_text": ""}
    assert set(EDITABLE["abstractions"]) == set(editable_values(store.get("abstractions", "a1"), "abstractions"))


def test_describe_record_names_codes_and_skips_blanks(store):
    record = {"title": "Meeting", "area_code": "A1", "officers_attending": ["P1", "P2"], "place": " ",
              "lat": 51.7, "suitable_for_publishing": True, "issues": []}
    names = {"area": {"A1": "North"}, "user": {"P1": "Pat One"}}
    assert describe_record("events", record, names=names) == [
        ("Title", "Meeting"), ("Area", "North"), ("Officers attending", "Pat One, P2"),
        ("Suitable for publishing", "yes")]
