"""save_patrol: a valid patrol lands as given; bad times, places and types write nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from data.store import new_submission_id
from forms.checks import FUTURE_TOLERANCE
from forms.patrols import FIELDS, patrol_defaults, save_patrol
from tests.conftest import assert_refused, assert_stored_once, count_rows
from tests.forms.factories import make_patrol, now_minute, other_area_ward


def _save(store, officer, values, submission_id=None):
    return save_patrol(store=store, values=values, user=officer, submission_id=submission_id or new_submission_id())


def test_valid_patrol_is_stored_with_exact_values(store, officer):
    end = now_minute() - dt.timedelta(minutes=5)
    values = make_patrol(store, officer, end=end, places="  Recreation ground  ", outcomes="")
    before = count_rows(store, "patrols")

    saved = _save(store, officer, values)

    assert count_rows(store, "patrols") == before + 1
    row = store.get("patrols", saved.record_id)
    assert {k: row[k] for k in ("officer_id", "patrol_type", "start", "end", "area_code", "ward_code", "places",
                                "tasking", "outcomes", "lat", "lon", "written_by")} == {
        "officer_id": officer["user_id"], "patrol_type": "Hotspot patrol", "start": end - dt.timedelta(minutes=90),
        "end": end, "area_code": officer["area_code"], "ward_code": values["ward_code"],
        "places": "Recreation ground", "tasking": "ASB hotspot from the ward panel", "outcomes": None,
        "lat": None, "lon": None, "written_by": officer["user_id"],
    }


def test_a_patrol_over_midnight_is_fine(store, officer):
    end = dt.datetime.combine(dt.date.today(), dt.time(1, 0))
    if end > dt.datetime.now():
        end -= dt.timedelta(days=1)
    saved = _save(store, officer, make_patrol(store, officer, end=end))
    row = store.get("patrols", saved.record_id)
    assert (row["start"], row["end"]) == (end - dt.timedelta(minutes=90), end)


def _shift(**times):
    """Overrides moving the start or end by the given timedeltas from the default patrol."""
    def overrides(store, officer):
        values = make_patrol(store, officer)
        out = {}
        for end, delta in times.items():
            moment = dt.datetime.combine(values[f"{end}_date"], values[f"{end}_time"]) + delta
            out |= {f"{end}_date": moment.date(), f"{end}_time": moment.time()}
        return out
    return overrides


def _future(end: str):
    """The field that names a moment in the future: its date once that is after today (late in the evening,
    two hours on is tomorrow; today as the form has it, allowing for clock drift), else its time."""
    return lambda values: (f"{end}_date" if values[f"{end}_date"] > (dt.datetime.now() + FUTURE_TOLERANCE).date()
                           else f"{end}_time")


INVALID = {
    "no type": (lambda s, o: {"patrol_type": None}, "patrol_type", "required"),
    "unknown type": (lambda s, o: {"patrol_type": "Jetpack patrol"}, "patrol_type", "list"),
    "no ward": (lambda s, o: {"ward_code": None}, "ward_code", "required"),
    "ward outside the area": (lambda s, o: {"ward_code": other_area_ward(s, o["area_code"])}, "ward_code", "area"),
    "unknown area": (lambda s, o: {"area_code": "NOWHERE"}, "area_code", "known area"),
    "end before start": (_shift(end=dt.timedelta(hours=-2)), "end_time", "after the start"),
    "end equals start": (_shift(end=dt.timedelta(minutes=-90)), "end_time", "after the start"),
    "over sixteen hours": (_shift(start=dt.timedelta(hours=-16)), "end_time", "16 hours"),
    "ends in the future": (_shift(end=dt.timedelta(hours=2)), _future("end"), "future"),
    "starts in the future": (_shift(start=dt.timedelta(hours=3), end=dt.timedelta(hours=4)), _future("start"),
                             "future"),
    "over a year ago": (_shift(start=dt.timedelta(days=-400), end=dt.timedelta(days=-400)), "start_date", "year"),
    "absurd year": (lambda s, o: {"start_date": dt.date(2150, 1, 1), "end_date": dt.date(2150, 1, 1)},
                    "start_date", "future"),
    "no start date": (lambda s, o: {"start_date": None}, "start_date", "required"),
    "date not a date": (lambda s, o: {"end_date": "today"}, "end_date", "date"),
    "time not a time": (lambda s, o: {"start_time": "09:00"}, "start_time", "time"),
    "places too long": (lambda s, o: {"places": "x" * 4001}, "places", "4,000"),
    "outcomes not text": (lambda s, o: {"outcomes": 42}, "outcomes", "text"),
    "unknown field": (lambda s, o: {"officer_id": "u9999"}, "record", "officer_id"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_patrol_names_the_field_and_writes_nothing(store, officer, case):
    overrides, field, words = INVALID[case]
    values = make_patrol(store, officer, **overrides(store, officer))
    field = field(values) if callable(field) else field
    assert_refused(store, lambda: _save(store, officer, values), field=field, words=words, table="patrols")


def test_same_submission_id_twice_stores_one_patrol(store, officer):
    assert_stored_once(store, lambda sid: _save(store, officer, make_patrol(store, officer), sid), table="patrols")


def test_defaults_are_the_last_hour_in_my_area(officer):
    defaults = patrol_defaults(officer, now=dt.datetime(2026, 3, 4, 0, 23, 40))
    assert set(defaults) == set(FIELDS)
    assert (defaults["start_date"], defaults["start_time"]) == (dt.date(2026, 3, 3), dt.time(23, 20))
    assert (defaults["end_date"], defaults["end_time"]) == (dt.date(2026, 3, 4), dt.time(0, 20))
    assert defaults["area_code"] == officer["area_code"]
