"""Filters: URL round trip, presets, and the WHERE clauses they bind."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.filters import Filters, preset_range, where_clause

FULL = Filters(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31), areas=("A1", "A2"), wards=("W1",),
               event_types=("Street meeting", "Surgery / drop-in"), officers=("P1",))


def test_query_params_round_trip():
    params = FULL.to_query_params()
    assert params == {"start": "2025-03-01", "end": "2025-03-31", "area": ["A1", "A2"], "ward": ["W1"],
                      "type": ["Street meeting", "Surgery / drop-in"], "officer": ["P1"]}
    assert Filters.from_query_params(params) == FULL
    assert Filters.from_query_params(Filters().to_query_params()) == Filters()


def test_query_params_from_something_with_get_all():
    class QueryParams(dict):  # the shape of st.query_params: get_all gives every value of a key
        def get_all(self, key):
            value = self.get(key)
            return [] if value is None else [value] if isinstance(value, str) else list(value)

    assert Filters.from_query_params(QueryParams(FULL.to_query_params())) == FULL


@pytest.mark.parametrize("params, expected", [
    ({"start": "yesterday", "end": "2025-13-01"}, Filters()),
    ({"start": "1999-12-31"}, Filters()),
    ({"start": "2025-03-31", "end": "2025-03-01"}, Filters(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31))),
    ({"area": ["A1", "", "  ", "A1", "x" * 41, "A2\n"]}, Filters(areas=("A1", "A2"))),
    ({"area": 7, "ward": None, "type": {"a": 1}}, Filters()),
    ({"unknown": "x", "officer": " P1 "}, Filters(officers=("P1",))),
])
def test_bad_query_params_are_ignored(params, expected):
    assert Filters.from_query_params(params) == expected


def test_presets():
    today = dt.date(2025, 3, 31)
    assert preset_range("last_7", today) == (dt.date(2025, 3, 25), today)  # 7 days including today
    assert preset_range("last_28", today) == (dt.date(2025, 3, 4), today)
    assert preset_range("last_90", today) == (dt.date(2025, 1, 1), today)
    assert preset_range("this_year", today) == (dt.date(2025, 1, 1), today)
    with pytest.raises(ValueError):
        preset_range("forever", today)


def test_where_clause_for_events_binds_every_value():
    sql, params = where_clause(FULL, table="events")
    assert sql == ("start >= ? AND start < ? AND area_code IN (?, ?) AND ward_code IN (?)"
                   " AND event_type IN (?, ?) AND (list_has_any(officers_attending, ?::VARCHAR[]) OR organiser IN (?))")
    assert params == [dt.datetime(2025, 3, 1), dt.datetime(2025, 4, 1), "A1", "A2", "W1",
                      "Street meeting", "Surgery / drop-in", ["P1"], "P1"]


def test_where_clause_per_table():
    sql, params = where_clause(FULL, table="ccrs")  # no event types; officer is officer_id
    assert sql == ("contact_at >= ? AND contact_at < ? AND area_code IN (?, ?) AND ward_code IN (?)"
                   " AND (officer_id IN (?))")
    sql, params = where_clause(FULL, table="ysywd")  # dates, not timestamps; no officer
    assert sql == "raised_on >= ? AND raised_on < ? AND area_code IN (?, ?) AND ward_code IN (?)"
    assert params[:2] == [dt.date(2025, 3, 1), dt.date(2025, 4, 1)]
    assert where_clause(Filters(), table="events") == ("TRUE", [])


def test_a_hostile_value_is_only_ever_a_parameter():
    hostile = "A1') OR 1=1 --"
    sql, params = where_clause(Filters(areas=(hostile,)), table="events")
    assert hostile not in sql and params == [hostile]
