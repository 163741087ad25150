"""complete_event, cancel_event, update_event: each a new version; finished events stay finished."""

from __future__ import annotations

import datetime as dt

import pytest

from data.store import ValidationError, new_submission_id
from forms.events import cancel_event, complete_event, completion_defaults, get_event, update_event
from tests.conftest import assert_refused, count_rows, make_booking
from tests.forms.factories import book_event, make_completion


def _shown(store, record_id):
    """The version of the event an open form shows now."""
    return store.get("events", record_id)["version"]


def _complete(store, user, record_id, values, submission_id=None, base_version=None, **kwargs):
    return complete_event(store=store, record_id=record_id, values=values, user=user,
                          submission_id=submission_id or new_submission_id(),
                          base_version=_shown(store, record_id) if base_version is None else base_version, **kwargs)


def _cancel(store, user, record_id, reason="Venue flooded", submission_id=None, base_version=None):
    return cancel_event(store=store, record_id=record_id, values={"cancel_reason": reason}, user=user,
                        submission_id=submission_id or new_submission_id(),
                        base_version=_shown(store, record_id) if base_version is None else base_version)


def test_completing_writes_a_new_version_with_what_happened(store, officer):
    event_id = book_event(store, officer, days_ago=1)
    booked = get_event(store, event_id, user=officer)
    before = count_rows(store)

    saved = _complete(store, officer, event_id, make_completion(store, officer))

    assert count_rows(store) == before + 1
    assert (saved.record_id, saved.version) == (event_id, 2)
    row = store.get("events", event_id)
    assert {k: row[k] for k in ("status", "attendees", "officers_involved", "quality_rating", "quality_note",
                                "public_feedback", "issues_text", "intel_submissions", "suitable_for_publishing",
                                "value_gained", "cancel_reason", "title", "start", "organiser")} == {
        "status": "completed", "attendees": 23, "officers_involved": 1, "quality_rating": 4,
        "quality_note": "Good turnout, open questions", "public_feedback": "Residents glad to see officers on foot",
        "issues_text": "Speeding outside the school", "intel_submissions": 2, "suitable_for_publishing": True,
        "value_gained": "Two new contacts for the ward panel", "cancel_reason": None,
        "title": booked["title"], "start": booked["start"], "organiser": officer["user_id"],
    }
    assert list(row["officers_attending"]) == [officer["user_id"]]
    assert list(row["communities_supported"]) == ["General public"]
    assert list(row["issues"]) == ["Anti-social behaviour"]
    assert [v["status"] for v in store.history("events", event_id)] == ["completed", "booked"]


def test_officers_involved_counts_the_officers_chosen(store, officer):
    from data import reference

    team = list(reference.list_users(store, area_code=officer["area_code"])["user_id"][:3])
    event_id = book_event(store, officer)
    _complete(store, officer, event_id, make_completion(store, officer, officers_involved=team))
    row = store.get("events", event_id)
    assert row["officers_involved"] == 3 and list(row["officers_attending"]) == team


def test_cancelling_writes_a_new_version_with_the_reason(store, officer):
    event_id = book_event(store, officer, days_ago=-3)
    saved = _cancel(store, officer, event_id, "  Venue flooded  ")
    row = store.get("events", event_id)
    assert (saved.version, row["status"], row["cancel_reason"]) == (2, "cancelled", "Venue flooded")


def test_an_event_not_started_cannot_be_completed(store, officer):
    event_id = book_event(store, officer, days_ago=-2)
    before = count_rows(store)
    with pytest.raises(ValidationError) as raised:
        _complete(store, officer, event_id, make_completion(store, officer))
    assert "not started" in raised.value.errors["record"]
    assert count_rows(store) == before


def test_an_event_started_an_hour_ago_can_be_completed(store, officer):
    now = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(11))
    event_id = book_event(store, officer, days_ago=1, start=dt.time(10), end=dt.time(12))
    assert _complete(store, officer, event_id, make_completion(store, officer), now=now).version == 2


@pytest.mark.parametrize("first", ["complete", "cancel"])
@pytest.mark.parametrize("then", ["complete", "cancel"])
def test_a_finished_event_cannot_be_completed_or_cancelled_again(store, officer, first, then):
    event_id = book_event(store, officer)
    act = {"complete": lambda: _complete(store, officer, event_id, make_completion(store, officer)),
           "cancel": lambda: _cancel(store, officer, event_id)}
    act[first]()
    before = count_rows(store)
    with pytest.raises(ValidationError) as raised:
        act[then]()
    assert f"already {first}" in raised.value.errors["record"]
    assert count_rows(store) == before


def test_same_submission_id_twice_writes_one_version(store, officer):
    event_id, submission_id = book_event(store, officer), new_submission_id()
    before = count_rows(store)
    first = _complete(store, officer, event_id, make_completion(store, officer), submission_id, base_version=1)
    second = _complete(store, officer, event_id, make_completion(store, officer), submission_id, base_version=1)
    assert count_rows(store) == before + 1
    assert second.duplicate and (second.record_id, second.version) == (first.record_id, first.version)


INVALID = {
    "no attendance": ({"attendees": None}, "attendees", "required"),
    "negative attendance": ({"attendees": -1}, "attendees", "negative"),
    "fractional attendance": ({"attendees": 2.5}, "attendees", "whole number"),
    "attendance not a number": ({"attendees": "lots"}, "attendees", "whole number"),
    "huge attendance": ({"attendees": 10**9}, "attendees", "at most"),
    "negative intelligence": ({"intel_submissions": -2}, "intel_submissions", "negative"),
    "no rating": ({"quality_rating": None}, "quality_rating", "required"),
    "rating out of range": ({"quality_rating": 6}, "quality_rating", "1 to 5"),
    "no officers": ({"officers_involved": []}, "officers_involved", "at least one"),
    "unknown officer": ({"officers_involved": ["nobody-7"]}, "officers_involved", "nobody-7"),
    "unknown community": ({"communities_supported": ["Martians"]}, "communities_supported", "Martians"),
    "unknown issue": ({"issues": ["Dragons"]}, "issues", "Dragons"),
    "feedback too long": ({"public_feedback": "x" * 4001}, "public_feedback", "4,000"),
    "publishing not yes or no": ({"suitable_for_publishing": "maybe"}, "suitable_for_publishing", "yes or no"),
    "unknown field": ({"status": "booked"}, "record", "status"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_completion_names_the_field_and_writes_nothing(store, officer, case):
    overrides, field, words = INVALID[case]
    event_id = book_event(store, officer)
    assert_refused(store, lambda: _complete(store, officer, event_id, make_completion(store, officer, **overrides)),
                   field=field, words=words)
    assert store.get("events", event_id)["status"] == "booked"


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 4001])
def test_cancelling_needs_a_reason_of_sensible_length(store, officer, reason):
    event_id = book_event(store, officer)
    before = count_rows(store)
    with pytest.raises(ValidationError) as raised:
        _cancel(store, officer, event_id, reason)
    assert "cancel_reason" in raised.value.errors
    assert count_rows(store) == before


def test_an_unknown_event_is_refused(store, officer):
    with pytest.raises(ValidationError) as raised:
        _complete(store, officer, "no-such-event", make_completion(store, officer), base_version=1)
    assert "no such event" in raised.value.errors["record"]


def test_update_changes_the_details_and_keeps_the_organiser(store, officer):
    event_id = book_event(store, officer, days_ago=-5)
    values = make_booking(store, officer, title="Moved to the library", place="Central Library",
                          date=dt.date.today() + dt.timedelta(days=6))
    saved = update_event(store=store, record_id=event_id, values=values, user=officer,
                         submission_id=new_submission_id(), base_version=1)
    row = store.get("events", event_id)
    assert (saved.version, row["title"], row["place"], row["status"]) == (2, "Moved to the library",
                                                                          "Central Library", "booked")
    assert row["start"] == dt.datetime.combine(values["date"], values["start_time"])
    assert row["organiser"] == officer["user_id"]


def test_update_with_bad_details_writes_nothing(store, officer):
    event_id = book_event(store, officer, days_ago=-5)
    before = count_rows(store)
    with pytest.raises(ValidationError) as raised:
        update_event(store=store, record_id=event_id, values=make_booking(store, officer, title=""),
                     user=officer, submission_id=new_submission_id(), base_version=1)
    assert "title" in raised.value.errors
    assert count_rows(store) == before


def test_completion_defaults_start_from_the_booking(store, officer):
    event = get_event(store, book_event(store, officer), user=officer)
    defaults = completion_defaults(event)
    assert defaults["officers_involved"] == event["officers_attending"]
    assert defaults["communities_supported"] == event["communities_targeted"]
    assert defaults["attendees"] is None and defaults["intel_submissions"] == 0
