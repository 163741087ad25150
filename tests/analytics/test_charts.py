"""Chart and map builders return the objects pages render."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import pydeck as pdk

from analytics import charts, queries
from analytics.filters import Filters
from tests.analytics.conftest import MARCH
from tests.conftest import ANALYST


def overview(store):
    return queries.events_overview(store, Filters(start=MARCH[0], end=MARCH[1]), user=ANALYST)


def test_events_by_week_chart_stacks_by_status_and_has_a_selection(fixture_store):
    chart = charts.build_events_by_week_chart(overview(fixture_store).by_week)
    assert isinstance(chart, alt.Chart)
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "week"
    assert spec["encoding"]["y"]["aggregate"] == "sum" and spec["encoding"]["y"]["stack"] == "zero"
    assert spec["encoding"]["color"]["field"] == "status"
    assert [p["name"] for p in spec["params"]] == ["pick"]
    assert spec["params"][0]["select"]["fields"] == ["week", "status"]


def test_type_and_area_charts(fixture_store):
    data = overview(fixture_store)
    by_type = charts.build_events_by_type_chart(data.by_type).to_dict()
    assert by_type["encoding"]["y"]["field"] == "event_type" and by_type["encoding"]["x"]["field"] == "events"
    by_area = charts.build_area_bar_chart(data.by_area, measure="attendees").to_dict()
    assert by_area["encoding"]["y"]["field"] == "area" and by_area["encoding"]["x"]["field"] == "attendees"
    assert {t["field"] for t in by_area["encoding"]["tooltip"]} >= {"area", "attendees", "events"}
    assert by_area["params"][0]["name"] == "pick"


def test_ward_map_draws_offline(fixture_store):
    wards = queries.list_ward_shapes(fixture_store, user=ANALYST)
    deck = charts.build_ward_map(wards, overview(fixture_store).by_ward, measure="attendees")
    assert isinstance(deck, pdk.Deck)
    assert deck.map_provider is None and deck.map_style is None
    assert [layer.type for layer in deck.layers] == ["GeoJsonLayer", "ScatterplotLayer"]
    features = deck.layers[0].data["features"]
    assert len(features) == 1  # only W1 has a boundary
    assert features[0]["properties"]["value"] == 12 and features[0]["properties"]["name"] == "Castle"
    assert len(deck.layers[1].data) == 3  # every ward centre
    assert "{name}" in deck._tooltip["html"]
    spec = json.loads(deck.to_json())
    assert "mapProvider" not in spec and "mapStyle" not in spec  # no basemap tiles to fetch


def test_ward_map_with_basemap_points_and_hexbins(fixture_store):
    wards = queries.list_ward_shapes(fixture_store, user=ANALYST)
    points = pd.DataFrame({"lat": [51.75, 51.76], "lon": [-1.25, -1.26]})
    deck = charts.build_ward_map(wards, overview(fixture_store).by_ward, measure="events",
                                 basemap_style="https://tiles.example/style.json", points_df=points)
    assert deck.map_style == "https://tiles.example/style.json" and deck.map_provider is not None
    assert deck.layers[-1].type == "ScatterplotLayer"
    hexes = charts.build_ward_map(wards, overview(fixture_store).by_ward, measure="events", points_df=points,
                                  hexbin=True)
    assert hexes.layers[-1].type == "HexagonLayer" and hexes.map_provider is None


def test_ward_map_with_no_wards():
    empty = pd.DataFrame(columns=["ward_code", "name", "centre_lat", "centre_lon", "geojson"])
    deck = charts.build_ward_map(empty, pd.DataFrame(columns=["ward_code", "events"]), measure="events")
    assert deck.layers[0].data["features"] == [] and deck.map_provider is None
