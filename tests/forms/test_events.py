"""save_event: a valid booking lands as given; an invalid one names its fields and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from data import reference
from data.store import ValidationError, new_submission_id
from forms.events import FIELDS, booking_defaults, event_form_options, save_event
from tests.conftest import assert_refused, assert_stored_once, count_rows


def _save(store, officer, values, submission_id=None):
    return save_event(store=store, values=values, user=officer, submission_id=submission_id or new_submission_id())


def test_valid_booking_is_stored_with_its_values(store, officer, booking):
    values = booking(lat=52.58, lon=-2.12)
    before = count_rows(store)

    saved = _save(store, officer, values)

    assert count_rows(store) == before + 1
    assert not saved.duplicate and saved.version == 1
    row = store.get("events", saved.record_id)
    assert row["title"] == values["title"]
    assert row["event_type"] == values["event_type"]
    assert row["area_code"] == values["area_code"]
    assert row["ward_code"] == values["ward_code"]
    assert row["place"] == "Market Square"
    assert row["start"] == dt.datetime.combine(values["date"], dt.time(18, 0))
    assert row["end"] == dt.datetime.combine(values["date"], dt.time(19, 30))
    assert row["organiser"] == officer["user_id"]
    assert row["written_by"] == officer["user_id"]
    assert list(row["officers_attending"]) == [officer["user_id"]]
    assert list(row["communities_targeted"]) == values["communities_targeted"]
    assert (row["lat"], row["lon"]) == (52.58, -2.12)
    assert row["status"] == "booked"


def test_text_is_trimmed(store, officer, booking):
    saved = _save(store, officer, booking(title="  Coffee with a copper  "))
    assert store.get("events", saved.record_id)["title"] == "Coffee with a copper"


def _other_area_ward(store, area_code):
    wards = reference.list_wards(store)
    return wards[wards["area_code"] != area_code]["ward_code"].iloc[0]


INVALID = {
    "empty title": (lambda s, o: {"title": ""}, "title", "required"),
    "blank title": (lambda s, o: {"title": "   "}, "title", "required"),
    "title too long": (lambda s, o: {"title": "x" * 201}, "title", "200"),
    "no event type": (lambda s, o: {"event_type": None}, "event_type", "required"),
    "unknown event type": (lambda s, o: {"event_type": "Rave"}, "event_type", "event type list"),
    "no ward": (lambda s, o: {"ward_code": None}, "ward_code", "required"),
    "ward not in area": (lambda s, o: {"ward_code": _other_area_ward(s, o["area_code"])}, "ward_code", "area"),
    "unknown area": (lambda s, o: {"area_code": "NOWHERE"}, "area_code", "known area"),
    "no place": (lambda s, o: {"place": ""}, "place", "required"),
    "end before start": (lambda s, o: {"start_time": dt.time(18), "end_time": dt.time(17)}, "end_time", "after"),
    "end equals start": (lambda s, o: {"start_time": dt.time(18), "end_time": dt.time(18)}, "end_time", "after"),
    "no date": (lambda s, o: {"date": None}, "date", "required"),
    "date not a date": (lambda s, o: {"date": "tomorrow"}, "date", "date"),
    "time not a time": (lambda s, o: {"start_time": "six"}, "start_time", "time"),
    "too far ahead": (lambda s, o: {"date": dt.date.today() + dt.timedelta(days=800)}, "date", "two years"),
    "too long ago": (lambda s, o: {"date": dt.date.today() - dt.timedelta(days=400)}, "date", "year ago"),
    "absurd year": (lambda s, o: {"date": dt.date(2150, 1, 1)}, "date", "2100"),
    "ancient year": (lambda s, o: {"date": dt.date(1900, 1, 1)}, "date", "2000"),
    "negative latitude": (lambda s, o: {"lat": -52.5, "lon": -2.1}, "lat", "greater than"),
    "oversized longitude": (lambda s, o: {"lat": 52.5, "lon": 181.0}, "lon", "less than"),
    "lat without lon": (lambda s, o: {"lat": 52.5, "lon": None}, "lon", "both"),
    "unknown community": (lambda s, o: {"communities_targeted": ["Martians"]}, "communities_targeted", "Martians"),
    "unknown officer": (lambda s, o: {"officers_attending": ["nobody-42"]}, "officers_attending", "nobody-42"),
    "too many officers": (lambda s, o: {"officers_attending": [o["user_id"]] * 51}, "officers_attending", "50"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_booking_names_the_field_and_writes_nothing(store, officer, booking, case):
    overrides, field, words = INVALID[case]
    values = booking(**overrides(store, officer))
    assert_refused(store, lambda: _save(store, officer, values), field=field, words=words)


def test_every_problem_is_reported_at_once(store, officer, booking):
    values = booking(title="", place="", ward_code=None)
    with pytest.raises(ValidationError) as raised:
        _save(store, officer, values)
    assert {"title", "place", "ward_code"} <= set(raised.value.errors)


def test_unknown_form_field_is_refused(store, officer, booking):
    with pytest.raises(ValidationError) as raised:
        _save(store, officer, {**booking(), "status": "completed"})
    assert "status" in raised.value.errors["record"]


def test_same_submission_id_twice_stores_one_record(store, officer, booking):
    assert_stored_once(store, lambda submission_id: _save(store, officer, booking(), submission_id), table="events")


def test_fresh_defaults_start_in_the_users_area(officer):
    defaults = booking_defaults(officer, now=dt.datetime(2025, 3, 4, 9, 20))
    assert set(defaults) == set(FIELDS)
    assert defaults["area_code"] == officer["area_code"]
    assert defaults["officers_attending"] == [officer["user_id"]]
    assert (defaults["date"], defaults["start_time"], defaults["end_time"]) == (
        dt.date(2025, 3, 4), dt.time(10), dt.time(11))


def test_late_evening_defaults_still_end_the_same_day(officer):
    defaults = booking_defaults(officer, now=dt.datetime(2025, 3, 4, 23, 40))
    assert defaults["start_time"] < defaults["end_time"]


def test_form_options_follow_the_area(store, officer):
    options = event_form_options(store, area_code=officer["area_code"], user=officer)
    wards = reference.list_wards(store, area_code=officer["area_code"])
    assert list(options.wards) == list(wards["ward_code"])
    assert officer["user_id"] in options.officers
    assert officer["area_code"] in options.areas
    assert options.event_types == list(reference.picklist(store, "event_types"))


def test_form_options_without_an_area_offer_no_wards(store, officer):
    options = event_form_options(store, area_code=None, user=officer)
    assert options.wards == {}
    assert list(options.officers) == [officer["user_id"]]
