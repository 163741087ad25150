"""save_abstraction: officer, area and team are the user's; bad dates and hours write nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from data.store import ValidationError, new_submission_id
from forms.abstractions import FIELDS, abstraction_defaults, save_abstraction
from tests.conftest import assert_refused, assert_stored_once, count_rows
from tests.forms.factories import make_abstraction


def _save(store, user, values, submission_id=None):
    return save_abstraction(store=store, values=values, user=user,
                            submission_id=submission_id or new_submission_id())


def test_valid_abstraction_is_stored_with_exact_values(store, officer):
    values = make_abstraction(store, hours=7.5, duty_taken_to="  Custody cover  ")
    before = count_rows(store, "abstractions")

    saved = _save(store, officer, values)

    assert count_rows(store, "abstractions") == before + 1
    row = store.get("abstractions", saved.record_id)
    assert {k: row[k] for k in ("officer_id", "area_code", "team", "date", "hours", "reason", "duty_taken_to",
                                "written_by")} == {
        "officer_id": officer["user_id"], "area_code": officer["area_code"], "team": officer["area_code"],
        "date": values["date"], "hours": 7.5, "reason": "Response cover", "duty_taken_to": "Custody cover",
        "written_by": officer["user_id"],
    }


def test_today_is_fine(store, officer):
    saved = _save(store, officer, make_abstraction(store, date=dt.date.today(), hours=24))
    assert store.get("abstractions", saved.record_id)["hours"] == 24.0


INVALID = {
    "no hours": ({"hours": None}, "hours", "required"),
    "zero hours": ({"hours": 0}, "hours", "more than 0"),
    "negative hours": ({"hours": -3}, "hours", "more than 0"),
    "over a day": ({"hours": 25}, "hours", "at most 24"),
    "hours not a number": ({"hours": "eight"}, "hours", "number"),
    "hours not a number (nan)": ({"hours": float("nan")}, "hours", "number"),
    "tomorrow": ({"date": 1}, "date", "future"),
    "over a year ago": ({"date": -400}, "date", "year"),
    "date not a date": ({"date": "2026-01-01"}, "date", "date"),
    "no reason": ({"reason": None}, "reason", "required"),
    "unknown reason": ({"reason": "Golf"}, "reason", "list"),
    "no duty": ({"duty_taken_to": " "}, "duty_taken_to", "required"),
    "duty too long": ({"duty_taken_to": "x" * 201}, "duty_taken_to", "200"),
    "unknown field": ({"officer_id": "u0002"}, "record", "officer_id"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_abstraction_names_the_field_and_writes_nothing(store, officer, case):
    overrides, field, words = INVALID[case]
    if isinstance(overrides.get("date"), int):  # days from today, worked out when the test runs
        overrides = {"date": dt.date.today() + dt.timedelta(days=overrides["date"])}
    assert_refused(store, lambda: _save(store, officer, make_abstraction(store, **overrides)), field=field,
                   words=words, table="abstractions")


def test_a_user_without_a_team_cannot_log_one(store, officer):
    with pytest.raises(ValidationError) as raised:
        _save(store, {**officer, "area_code": None}, make_abstraction(store))
    assert "team" in raised.value.errors["record"]


def test_same_submission_id_twice_stores_one_abstraction(store, officer):
    assert_stored_once(store, lambda sid: _save(store, officer, make_abstraction(store), sid), table="abstractions")


def test_defaults_are_today():
    assert abstraction_defaults(today=dt.date(2026, 3, 4)) == {
        "date": dt.date(2026, 3, 4), "hours": None, "reason": None, "duty_taken_to": ""}
    assert set(abstraction_defaults()) == set(FIELDS)
