"""The filter bar's state <-> URL <-> Filters conversions."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.filters import Filters
from forms.filter_bar import DEFAULT_PERIOD, PERIODS, FilterState, state_from_query_params

TODAY = dt.date(2025, 6, 15)


def test_an_empty_url_means_the_default_period():
    state = state_from_query_params({}, today=TODAY)
    assert state == FilterState(period=DEFAULT_PERIOD)
    filters = state.to_filters(today=TODAY)
    assert (filters.start, filters.end) == (dt.date(2025, 5, 19), TODAY)
    assert filters.areas == ()


@pytest.mark.parametrize(("period", "start"), [
    ("last_7", dt.date(2025, 6, 9)),
    ("last_28", dt.date(2025, 5, 19)),
    ("last_90", dt.date(2025, 3, 18)),
    ("this_year", dt.date(2025, 1, 1)),
])
def test_presets_end_today(period, start):
    filters = state_from_query_params({"period": period}, today=TODAY).to_filters(today=TODAY)
    assert (filters.start, filters.end) == (start, TODAY)


def test_a_preset_stays_relative_in_the_url():
    state = FilterState(period="last_7", areas=("TV-AYV", "TV-MKN"))
    assert state.to_query_params(today=TODAY) == {"period": "last_7", "area": ["TV-AYV", "TV-MKN"]}


def test_a_custom_range_keeps_its_dates_in_the_url():
    state = FilterState(period="custom", dates=(dt.date(2025, 2, 1), dt.date(2025, 2, 28)))
    assert state.to_query_params(today=TODAY) == {"period": "custom", "start": "2025-02-01", "end": "2025-02-28"}


@pytest.mark.parametrize("state", [
    FilterState(period="last_90", areas=("TV-AYV",)),
    FilterState(period="custom", dates=(dt.date(2024, 12, 1), dt.date(2025, 1, 31)), areas=("TV-MKN",)),
    FilterState(period="this_year", passthrough=Filters(wards=("E05000001",), event_types=("School visit",))),
])
def test_url_round_trip(state):
    params = state.to_query_params(today=TODAY)
    assert state_from_query_params(params, today=TODAY) == state


def test_dates_without_a_period_are_a_custom_range():
    state = state_from_query_params({"start": "2025-01-10", "end": "2025-01-20"}, today=TODAY)
    assert state.period == "custom"
    assert state.dates == (dt.date(2025, 1, 10), dt.date(2025, 1, 20))


def test_a_start_alone_runs_to_today():
    state = state_from_query_params({"period": "custom", "start": "2025-04-01"}, today=TODAY)
    assert state.to_filters(today=TODAY).end == TODAY


def test_a_half_picked_range_is_one_day():
    state = FilterState(period="custom", dates=(dt.date(2025, 3, 3),))
    filters = state.to_filters(today=TODAY)
    assert filters.start == filters.end == dt.date(2025, 3, 3)


@pytest.mark.parametrize("junk", [{"period": "forever"}, {"period": ["", "x"]}, {"start": "not-a-date"}])
def test_junk_in_the_url_falls_back_to_the_default(junk):
    assert state_from_query_params(junk, today=TODAY).period == DEFAULT_PERIOD


def test_the_last_repeated_period_wins():
    assert state_from_query_params({"period": ["last_7", "last_90"]}, today=TODAY).period == "last_90"


def test_codes_the_bar_has_no_widget_for_pass_through():
    params = {"period": "last_7", "ward": ["W1", "W2"], "type": "School visit", "officer": "u0001"}
    filters = state_from_query_params(params, today=TODAY).to_filters(today=TODAY)
    assert filters.wards == ("W1", "W2")
    assert filters.event_types == ("School visit",)
    assert filters.officers == ("u0001",)


def test_every_preset_has_a_label():
    assert list(PERIODS)[-1] == "custom" and DEFAULT_PERIOD in PERIODS
