"""Drill-down: selections -> filters, levels and the breadcrumb, without Streamlit."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from analytics.filters import Filters
from forms.ui.drill import (
    breadcrumb,
    breadcrumb_text,
    chart_key,
    drill_frame,
    level_of,
    narrow,
    next_level,
    picked_from_chart,
    picked_from_map,
    picked_from_table,
    up_to,
)

MARCH = Filters(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31), event_types=("School visit",))
WARD_AREAS = {"W1": "A1", "W2": "A1", "W3": "A2"}
NAMES = {"force_name": "Staffordshire", "area_names": {"A1": "Stafford", "A2": "Stoke-on-Trent"},
         "ward_names": {"W1": "Forebridge", "W3": "Abbey Hulton and Townsend"}, "officer_names": {"P1": "PC Smith"}}


def test_levels_go_force_area_ward_officer():
    assert [level_of(f) for f in (MARCH, Filters(areas=("A1",)), Filters(areas=("A1",), wards=("W1",)),
                                  Filters(officers=("P1",)))] == ["force", "area", "ward", "officer"]
    assert next_level(MARCH) == "area"
    assert next_level(Filters(areas=("A1",))) == "ward"
    assert next_level(Filters(wards=("W1",))) == "officer"
    assert next_level(Filters(officers=("P1",))) is None


def test_each_click_narrows_one_level_and_keeps_dates_and_types():
    area = narrow(MARCH, level="area", code="A1")
    assert area == Filters(start=MARCH.start, end=MARCH.end, event_types=("School visit",), areas=("A1",))
    ward = narrow(area, level="ward", code="W1", ward_areas=WARD_AREAS)
    assert (ward.areas, ward.wards, ward.officers) == (("A1",), ("W1",), ())
    officer = narrow(ward, level="officer", code="P1")
    assert (officer.areas, officer.wards, officer.officers) == (("A1",), ("W1",), ("P1",))
    assert (officer.start, officer.end, officer.event_types) == (MARCH.start, MARCH.end, ("School visit",))


def test_clicking_a_ward_on_the_force_map_picks_its_area_too():
    assert narrow(MARCH, level="ward", code="W3", ward_areas=WARD_AREAS).areas == ("A2",)
    assert narrow(Filters(areas=("A1", "A2")), level="ward", code="W9", ward_areas=WARD_AREAS).areas == ("A1", "A2")


def test_clicking_an_area_replaces_the_places_below():
    deep = Filters(areas=("A1",), wards=("W1",), officers=("P1",))
    assert narrow(deep, level="area", code="A2") == Filters(areas=("A2",))


def test_an_unknown_level_is_refused():
    with pytest.raises(ValueError):
        narrow(MARCH, level="street", code="x")


def test_going_back_up_clears_the_levels_below():
    deep = dataclasses.replace(MARCH, areas=("A1",), wards=("W1",), officers=("P1",))
    assert up_to(deep, "force") == MARCH
    assert up_to(deep, "area") == dataclasses.replace(MARCH, areas=("A1",))
    assert up_to(deep, "ward") == dataclasses.replace(MARCH, areas=("A1",), wards=("W1",))
    assert up_to(deep, "officer") == deep


# -- selection events, shaped as Streamlit returns them ------------------------------


def test_a_bar_click_gives_its_code():
    event = {"selection": {"pick": [{"area_code": "A1"}]}}
    assert picked_from_chart(event, field="area_code") == "A1"
    assert picked_from_chart({"selection": {"pick": []}}, field="area_code") is None
    assert picked_from_chart({"selection": {}}, field="area_code") is None
    assert picked_from_chart(None, field="area_code") is None


def test_a_table_row_click_gives_that_rows_code():
    frame = pd.DataFrame({"officer_id": ["P2", "P1"], "events": [3, 2]})
    assert picked_from_table({"selection": {"rows": [1], "columns": []}}, frame, column="officer_id") == "P1"
    assert picked_from_table({"selection": {"rows": []}}, frame, column="officer_id") is None
    assert picked_from_table({"selection": {"rows": [5]}}, frame, column="officer_id") is None, "a stale row"


def test_a_map_click_gives_the_ward_of_a_boundary_or_a_centre():
    # The Vega-Lite map (no basemap): a tap fills the "ward" or "ward_centre" selection parameter.
    assert picked_from_map({"selection": {"ward": [{"ward_code": "W2"}], "ward_centre": []}}) == "W2"
    assert picked_from_map({"selection": {"ward": [], "ward_centre": [{"ward_code": "W4"}]}}) == "W4"
    assert picked_from_map({"selection": {"ward": [], "ward_centre": []}}) is None
    assert picked_from_map({"selection": {}}) is None and picked_from_map(None) is None
    # The pydeck map (over a configured basemap): the picked objects.
    boundary = {"selection": {"indices": {"ward-boundaries": [0]},
                              "objects": {"ward-boundaries": [{"type": "Feature",
                                                               "properties": {"ward_code": "W3"}}]}}}
    centre = {"selection": {"indices": {"ward-centres": [2]}, "objects": {"ward-centres": [{"ward_code": "W1"}]}}}
    assert picked_from_map(boundary) == "W3"
    assert picked_from_map(centre) == "W1"
    assert picked_from_map({"selection": {"indices": {}, "objects": {}}}) is None


def test_a_selection_then_narrow_is_the_whole_drill_step():
    event = {"selection": {"objects": {"ward-boundaries": [{"properties": {"ward_code": "W1"}}]}}}
    narrowed = narrow(MARCH, level="ward", code=picked_from_map(event), ward_areas=WARD_AREAS)
    assert (narrowed.areas, narrowed.wards) == (("A1",), ("W1",))


# -- breadcrumb -------------------------------------------------------------------


def test_the_breadcrumb_names_each_level_and_goes_back_up():
    deep = dataclasses.replace(MARCH, areas=("A1",), wards=("W1",), officers=("P1",))
    crumbs = breadcrumb(deep, **NAMES)
    assert breadcrumb_text(crumbs) == "Staffordshire › Stafford › Forebridge › PC Smith"
    assert [c.level for c in crumbs] == ["force", "area", "ward", "officer"]
    assert [c.current for c in crumbs] == [False, False, False, True]
    assert crumbs[0].filters == MARCH
    assert crumbs[1].filters == dataclasses.replace(MARCH, areas=("A1",))


def test_the_breadcrumb_at_force_level_is_one_part():
    (crumb,) = breadcrumb(MARCH, **NAMES)
    assert (crumb.label, crumb.current) == ("Staffordshire", True)


def test_several_areas_and_unknown_codes_read_sensibly():
    crumbs = breadcrumb(Filters(areas=("A1", "A2"), wards=("W9",)), **NAMES)
    assert breadcrumb_text(crumbs) == "Staffordshire › 2 areas › W9"


def test_the_drill_chart_shows_the_next_level_down():
    frames = {"by_area": "areas", "by_ward": "wards", "by_officer": "officers"}
    assert drill_frame("area", frames) == ("areas", "area_code", "name", "Area")
    assert drill_frame("ward", frames)[:2] == ("wards", "ward_code")
    assert drill_frame(None, frames)[:2] == ("officers", "officer_id")


def test_a_chart_key_changes_with_the_level():
    keys = {chart_key("p", "drill", f) for f in (MARCH, Filters(areas=("A1",)), Filters(areas=("A2",)),
                                                   Filters(areas=("A1",), wards=("W1",)))}
    assert len(keys) == 4
