"""The "You said, we did" loop as records: raise, link, act, tell back, close; every change a version."""

from __future__ import annotations

import datetime as dt

import pytest

from data import reference
from data.access import NotAllowed
from data.store import ValidationError, new_submission_id, validate
from forms.events import complete_event
from forms.ysywd import (
    add_action,
    add_feedback,
    allowed_moves,
    get_item,
    item_history,
    link_source,
    move_status,
    publish_summary,
    raise_from_source,
    raise_item,
    set_publishable,
    withdraw_item,
)
from tests.conftest import count_rows
from tests.forms.factories import book_event, first_ward, make_completion


def _user(store, user_id: str) -> dict:
    return reference.get_user(store, user_id)


def _raise(store, user, **overrides) -> str:
    values = {"issue_category": "Speeding", "issue_text": "Cars racing down Cowley Road at night",
              "source": "meeting", "area_code": user["area_code"], "ward_code": first_ward(store, user["area_code"]),
              "raised_on": dt.date.today() - dt.timedelta(days=10), "publishable": True}
    values.update(overrides)
    return raise_item(store=store, values=values, user=user, submission_id=new_submission_id()).record_id


def _shown(store, record_id) -> int:
    """The item's version as a page would show it now (what a change names as its base)."""
    return store.get("ysywd", record_id)["version"]


def _act(store, user, record_id, days_ago=5, **overrides):
    values = {"action_type": "Patrol plan", "text": "Speed checks twice a week for a month",
              "date": dt.date.today() - dt.timedelta(days=days_ago)}
    values.update(overrides)
    return add_action(store=store, record_id=record_id, values=values, user=user, submission_id=new_submission_id(),
                      base_version=_shown(store, record_id))


def _tell(store, user, record_id, days_ago=2, **overrides):
    values = {"date": dt.date.today() - dt.timedelta(days=days_ago), "channel": "Community messaging",
              "text": "We ran speed checks and issued 14 tickets"}
    values.update(overrides)
    return add_feedback(store=store, record_id=record_id, values=values, user=user,
                        submission_id=new_submission_id(), base_version=_shown(store, record_id))


def _move(store, user, record_id, status):
    return move_status(store=store, record_id=record_id, status=status, user=user, submission_id=new_submission_id(),
                       base_version=_shown(store, record_id))


def test_the_whole_loop_is_a_chain_of_versions(store, officer):
    sergeant = _user(store, "u0003")
    record_id = _raise(store, officer)
    assert get_item(store, record_id, user=officer)["status"] == "open"
    _move(store, officer, record_id, "in_progress")
    _act(store, officer, record_id)
    assert get_item(store, record_id, user=officer)["status"] == "action_taken"
    _tell(store, sergeant, record_id)
    assert get_item(store, record_id, user=officer)["status"] == "feedback_given"
    _move(store, sergeant, record_id, "closed")

    item = get_item(store, record_id, user=officer)
    assert item["status"] == "closed" and item["version"] == 5
    assert [(a["action_type"], a["officer_id"]) for a in item["actions"]] == [("Patrol plan", officer["user_id"])]
    assert [f["channel"] for f in item["feedback"]] == ["Community messaging"]
    history = item_history(store, record_id, user=officer)
    assert [(h["version"], h["status"], h["written_by"]) for h in history] == [
        (5, "closed", "u0003"), (4, "feedback_given", "u0003"), (3, "action_taken", officer["user_id"]),
        (2, "in_progress", officer["user_id"]), (1, "open", officer["user_id"])]


def test_no_feedback_without_an_action(store, officer):
    record_id = _raise(store, officer)
    before = count_rows(store, "ysywd")
    with pytest.raises(ValidationError) as exc:
        _tell(store, officer, record_id)
    assert "add an action first" in exc.value.errors["record"]
    assert count_rows(store, "ysywd") == before


def test_the_schema_refuses_feedback_given_without_an_action_and_feedback_without_action():
    base = {"issue_category": "Speeding", "issue_text": "x", "source": "manual", "area_code": "A",
            "raised_on": dt.date(2026, 1, 10)}
    told = [{"date": dt.date(2026, 1, 12), "channel": "Website", "text": "y"}]
    did = [{"action_type": "Patrol plan", "text": "p", "date": dt.date(2026, 1, 11), "officer_id": "u1"}]
    with pytest.raises(ValidationError, match="needs at least one action"):
        validate("ysywd", {**base, "status": "feedback_given"})
    with pytest.raises(ValidationError, match="feedback needs an action"):
        validate("ysywd", {**base, "status": "feedback_given", "feedback": told})
    with pytest.raises(ValidationError, match="feedback needs an action"):
        validate("ysywd", {**base, "status": "in_progress", "feedback": told})
    with pytest.raises(ValidationError, match="status open cannot have actions"):
        validate("ysywd", {**base, "status": "open", "actions": did})
    with pytest.raises(ValidationError, match="before raised_on"):
        validate("ysywd", {**base, "status": "action_taken", "actions": [{**did[0], "date": dt.date(2026, 1, 9)}]})
    with pytest.raises(ValidationError, match="before the first action"):
        validate("ysywd", {**base, "status": "feedback_given", "actions": did,
                           "feedback": [{**told[0], "date": dt.date(2026, 1, 10)}]})
    assert validate("ysywd", {**base, "status": "feedback_given", "actions": did, "feedback": told}).status == \
        "feedback_given"


def test_dates_cannot_be_before_the_raise_date_nor_in_the_future(store, officer):
    record_id = _raise(store, officer)
    before = count_rows(store, "ysywd")
    with pytest.raises(ValidationError) as exc:
        _act(store, officer, record_id, days_ago=11)
    assert "before the date raised" in exc.value.errors["date"]
    with pytest.raises(ValidationError) as exc:
        _act(store, officer, record_id, days_ago=-1)
    assert exc.value.errors["date"] == "cannot be in the future"
    _act(store, officer, record_id, days_ago=5)
    with pytest.raises(ValidationError) as exc:
        _tell(store, officer, record_id, days_ago=6)  # before the first action
    assert "before the date raised" in exc.value.errors["date"]
    with pytest.raises(ValidationError) as exc:
        _raise(store, officer, raised_on=dt.date.today() + dt.timedelta(days=1))
    assert exc.value.errors["raised_on"] == "cannot be in the future"
    assert count_rows(store, "ysywd") == before + 1


def test_closing_needs_feedback_and_only_a_supervisor_reopens(store, officer):
    sergeant = _user(store, "u0003")
    record_id = _raise(store, officer)
    with pytest.raises(ValidationError) as exc:
        _move(store, officer, record_id, "closed")
    assert "feedback given" in exc.value.errors["status"]
    _act(store, officer, record_id)
    with pytest.raises(ValidationError):
        _move(store, officer, record_id, "closed")
    _tell(store, officer, record_id)
    _move(store, officer, record_id, "closed")
    item = get_item(store, record_id, user=officer)
    assert allowed_moves(item, officer) == () and allowed_moves(item, sergeant) == ("in_progress",)
    with pytest.raises(ValidationError) as exc:
        _move(store, officer, record_id, "in_progress")
    assert "only a supervisor" in exc.value.errors["status"]
    with pytest.raises(ValidationError, match="closed"):
        _act(store, officer, record_id)
    _move(store, sergeant, record_id, "in_progress")
    _act(store, officer, record_id, days_ago=0, action_type="Enforcement")
    item = get_item(store, record_id, user=officer)
    assert item["status"] == "action_taken"  # the new action is not yet told back
    assert [a["action_type"] for a in item["actions"]] == ["Patrol plan", "Enforcement"]


def test_officers_edit_only_their_own_area_and_commanders_not_at_all(store, officer):
    stoke_officer, commander = _user(store, "u0002"), _user(store, "u0004")
    record_id = _raise(store, officer)
    before = count_rows(store, "ysywd")
    with pytest.raises(NotAllowed, match="outside your area"):
        _act(store, stoke_officer, record_id)
    with pytest.raises(NotAllowed, match="may not"):
        _act(store, commander, record_id)
    with pytest.raises(NotAllowed):
        _raise(store, stoke_officer, area_code=officer["area_code"], ward_code=None)
    assert count_rows(store, "ysywd") == before


def test_raising_checks_every_field(store, officer):
    before = count_rows(store, "ysywd")
    with pytest.raises(ValidationError) as exc:
        _raise(store, officer, issue_category="Aliens", issue_text=" ", ward_code="E05999999", source="import")
    assert set(exc.value.errors) == {"issue_category", "issue_text", "ward_code", "source"}
    assert count_rows(store, "ysywd") == before


def test_one_tap_from_a_completed_event_links_it(store, officer):
    event_id = book_event(store, officer, days_ago=3)
    complete_event(store=store, record_id=event_id, user=officer, submission_id=new_submission_id(), base_version=1,
                   values=make_completion(store, officer, issues=["Speeding", "Parking"]))
    saved = raise_from_source(store=store, table="events", record_id=event_id, issue_category="Parking",
                              user=officer, submission_id=new_submission_id())
    item = get_item(store, saved.record_id, user=officer)
    event = store.get("events", event_id)
    assert (item["issue_category"], item["source"], item["ward_code"], item["raised_on"], item["linked_events"],
            item["issue_text"]) == ("Parking", "event", event["ward_code"], event["start"].date(), [event_id],
                                    "Speeding outside the school")
    with pytest.raises(ValidationError, match="was not raised there"):
        raise_from_source(store=store, table="events", record_id=event_id, issue_category="Drugs", user=officer,
                          submission_id=new_submission_id())
    booked = book_event(store, officer, days_ago=-2)
    with pytest.raises(ValidationError, match="completed"):
        raise_from_source(store=store, table="events", record_id=booked, issue_category="Speeding", user=officer,
                          submission_id=new_submission_id())
    other = book_event(store, officer, days_ago=2)
    complete_event(store=store, record_id=other, user=officer, submission_id=new_submission_id(), base_version=1,
                   values=make_completion(store, officer, issues=["Parking"]))
    link_source(store=store, record_id=saved.record_id, table="events", source_id=other, user=officer,
                submission_id=new_submission_id(), base_version=1)
    assert get_item(store, saved.record_id, user=officer)["linked_events"] == [event_id, other]
    with pytest.raises(ValidationError, match="already linked"):
        link_source(store=store, record_id=saved.record_id, table="events", source_id=other, user=officer,
                    submission_id=new_submission_id(), base_version=2)


def test_the_same_tap_twice_stores_one_item(store, officer):
    values = {"issue_category": "Parking", "issue_text": "Vans on the pavement", "source": "online",
              "area_code": officer["area_code"], "ward_code": None, "raised_on": dt.date.today(), "publishable": False}
    submission = new_submission_id()
    before = count_rows(store, "ysywd")
    first = raise_item(store=store, values=values, user=officer, submission_id=submission)
    again = raise_item(store=store, values=values, user=officer, submission_id=submission)
    assert again.duplicate and again.record_id == first.record_id
    assert count_rows(store, "ysywd") == before + 1


def test_publishable_is_a_new_version(store, officer):
    record_id = _raise(store, officer, publishable=False)
    set_publishable(store=store, record_id=record_id, publishable=True, user=officer,
                    submission_id=new_submission_id(), base_version=1)
    item = get_item(store, record_id, user=officer)
    assert item["publishable"] is True and item["version"] == 2


def test_publishing_needs_the_capability_in_scope_and_is_audited(store, officer):
    sergeant, stoke_sergeant = _user(store, "u0003"), {**_user(store, "u0003"), "area_code": "ST-STK"}
    _raise(store, officer)
    today = dt.date.today()
    audits = count_rows(store, "audit")
    with pytest.raises(NotAllowed, match="may not"):
        publish_summary(store=store, user=officer, area_code="ST-STA", start=today - dt.timedelta(days=30), end=today)
    with pytest.raises(NotAllowed, match="outside your area"):
        publish_summary(store=store, user=stoke_sergeant, area_code="ST-STA", start=today, end=today)
    with pytest.raises(ValidationError) as exc:
        publish_summary(store=store, user=sergeant, area_code="ST-STA", start=today, end=today - dt.timedelta(days=1))
    assert "before the start" in exc.value.errors["period"]
    assert count_rows(store, "audit") == audits
    items, priorities = publish_summary(store=store, user=sergeant, area_code="ST-STA",
                                        start=today - dt.timedelta(days=30), end=today)
    assert "Cars racing down Cowley Road at night" in [p.issue for p in priorities]
    assert len(items) == len(priorities) and count_rows(store, "audit") == audits + 1


def test_only_a_supervisor_withdraws_and_only_before_any_action(store, officer):
    sergeant = _user(store, "u0003")
    record_id = _raise(store, officer)
    with pytest.raises(NotAllowed, match="only a supervisor"):
        withdraw_item(store=store, record_id=record_id, user=officer, submission_id=new_submission_id(),
                      base_version=1)
    acted = _raise(store, officer)
    _act(store, officer, acted)
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        withdraw_item(store=store, record_id=acted, user=sergeant, submission_id=new_submission_id(), base_version=2)
    withdraw_item(store=store, record_id=record_id, user=sergeant, submission_id=new_submission_id(), base_version=1)
    assert get_item(store, record_id, user=officer) is None
    assert [v["deleted"] for v in store.history("ysywd", record_id)] == [True, False]


def test_another_areas_item_is_not_readable_by_a_team_role(store, officer):
    record_id = _raise(store, officer)
    with pytest.raises(NotAllowed, match="outside your area"):
        get_item(store, record_id, user=_user(store, "u0002"))
    with pytest.raises(NotAllowed, match="outside your area"):
        item_history(store, record_id, user=_user(store, "u0002"))
    assert get_item(store, record_id, user=_user(store, "u0004"))["record_id"] == record_id  # a commander


def test_every_status_has_its_hand_moves():
    from data.picklists import YSYWD_STATUSES
    from forms.ysywd import MOVES

    assert set(MOVES) == set(YSYWD_STATUSES)
    assert all(set(targets) <= set(YSYWD_STATUSES) for targets in MOVES.values())
