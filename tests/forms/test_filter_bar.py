"""The filter bar's state <-> URL <-> Filters conversions."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.filters import Filters
from forms.ui.filter_bar import (
    DEFAULT_PERIOD,
    PERIODS,
    FilterState,
    keep_options,
    seed_params,
    state_from_query_params,
    wards_in_areas,
)

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
    state = FilterState(period="last_7", areas=("ST-MOR", "ST-NUL"))
    assert state.to_query_params(today=TODAY) == {"period": "last_7", "area": ["ST-MOR", "ST-NUL"]}


def test_a_custom_range_keeps_its_dates_in_the_url():
    state = FilterState(period="custom", dates=(dt.date(2025, 2, 1), dt.date(2025, 2, 28)))
    assert state.to_query_params(today=TODAY) == {"period": "custom", "start": "2025-02-01", "end": "2025-02-28"}


@pytest.mark.parametrize("state", [
    FilterState(period="last_90", areas=("ST-MOR",)),
    FilterState(period="custom", dates=(dt.date(2024, 12, 1), dt.date(2025, 1, 31)), areas=("ST-NUL",)),
    FilterState(period="this_year", wards=("E05000001",), event_types=("School visit",)),
    FilterState(period="last_28", areas=("ST-MOR",), wards=("W1", "W2"), event_types=("School visit", "Surgery"),
                officers=("u0001",)),
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


def test_wards_types_and_officers_come_from_the_url():
    params = {"period": "last_7", "ward": ["W1", "W2"], "type": "School visit", "officer": "u0001"}
    filters = state_from_query_params(params, today=TODAY).to_filters(today=TODAY)
    assert filters.wards == ("W1", "W2")
    assert filters.event_types == ("School visit",)
    assert filters.officers == ("u0001",)


def test_every_preset_has_a_label():
    assert list(PERIODS)[-1] == "custom" and DEFAULT_PERIOD in PERIODS


def test_wards_types_and_officers_go_into_the_url_and_the_filters():
    state = FilterState(period="last_7", areas=("A1",), wards=("W1",), event_types=("School visit",),
                        officers=("P1", "P2"))
    assert state.to_query_params(today=TODAY) == {"period": "last_7", "area": ["A1"], "ward": ["W1"],
                                                  "type": ["School visit"], "officer": ["P1", "P2"]}
    assert state.to_filters(today=TODAY) == Filters(start=dt.date(2025, 6, 9), end=TODAY, areas=("A1",),
                                                    wards=("W1",), event_types=("School visit",),
                                                    officers=("P1", "P2"))


def test_a_drill_step_changes_places_and_keeps_the_period_and_types():
    state = FilterState(period="this_year", areas=("A1",), event_types=("School visit",))
    narrowed = state.with_places(Filters(areas=("A1",), wards=("W2",), officers=("P1",)))
    assert narrowed == FilterState(period="this_year", areas=("A1",), wards=("W2",),
                                   event_types=("School visit",), officers=("P1",))


def test_a_shared_link_wins_over_the_view_carried_from_another_page():
    carried = {"period": "last_90", "area": ["A1"]}
    assert seed_params({"period": "last_7", "ward": "W3"}, carried) == {"period": "last_7", "ward": "W3"}


def test_a_bare_url_takes_the_view_carried_from_another_page():
    carried = {"period": "custom", "start": "2025-03-01", "end": "2025-03-31", "officer": ["P1"]}
    assert seed_params({}, carried) == carried
    assert seed_params({"tab": "x"}, carried) == carried, "other pages' parameters are not filters"
    assert seed_params({}, None) == {}
    state = state_from_query_params(seed_params({}, carried), today=TODAY)
    assert state.to_filters(today=TODAY).officers == ("P1",)


def test_ward_choices_follow_the_chosen_areas():
    ward_areas = {"W1": "A1", "W2": "A1", "W3": "A2"}
    assert wards_in_areas(ward_areas, ()) == ["W1", "W2", "W3"]
    assert wards_in_areas(ward_areas, ("A2",)) == ["W3"]
    assert keep_options(["W3", "W1"], wards_in_areas(ward_areas, ("A1",))) == ["W1"]
