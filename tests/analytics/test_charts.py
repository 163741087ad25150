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


def _layers(spec: dict) -> dict[str, dict]:
    """The map spec's layers by what they draw."""
    names = {("geoshape", True): "wards", ("geoshape", False): "outlines", ("circle", True): "centres",
             ("square", False): "cells", ("circle", False): "points"}
    kind = {"geoshape": lambda layer: layer["mark"].get("filled", True), "circle": lambda layer: "params" in layer,
            "square": lambda layer: False}
    return {names[(layer["mark"]["type"], kind[layer["mark"]["type"]](layer))]: layer for layer in spec["layer"]}


def test_ward_map_draws_offline_as_a_valid_vega_lite_spec(fixture_store):
    wards = queries.list_ward_shapes(fixture_store, user=ANALYST)
    ward_map = charts.build_ward_map(wards, overview(fixture_store).by_ward, measure="attendees")
    assert ward_map.deck is None  # no basemap configured: no WebGL, no tiles
    alt.LayerChart.from_dict(ward_map.spec, validate=True)  # raises if Vega-Lite would refuse it
    assert "http" not in json.dumps(ward_map.spec)  # nothing to fetch
    layers = _layers(ward_map.spec)
    assert list(layers) == ["wards", "outlines", "centres"]
    rows = layers["wards"]["data"]["values"]
    assert len(rows) == 1  # only W1 has a boundary
    assert rows[0]["name"] == "Castle" and rows[0]["value"] == 12
    assert rows[0]["description"] == "Castle · People engaged: 12"  # what a screen reader reads for the shape
    assert len(layers["centres"]["data"]["values"]) == 3  # every ward centre


def test_ward_map_with_basemap_points_and_hexbins(fixture_store):
    wards = queries.list_ward_shapes(fixture_store, user=ANALYST)
    points = pd.DataFrame({"lat": [51.75, 51.76, 51.7502], "lon": [-1.25, -1.26, -1.2501]})
    by_ward = overview(fixture_store).by_ward
    deck = charts.build_ward_map(wards, by_ward, measure="events",
                                 basemap_style="https://tiles.example/style.json", points_df=points).deck
    assert deck.map_style == "https://tiles.example/style.json" and deck.map_provider is not None
    assert [layer.type for layer in deck.layers] == ["GeoJsonLayer", "PathLayer", "ScatterplotLayer",
                                                     "ScatterplotLayer"]
    hexes = charts.build_ward_map(wards, by_ward, measure="events", basemap_style="https://tiles.example/s.json",
                                  points_df=points, hexbin=True).deck
    assert hexes.layers[-1].type == "HexagonLayer"
    # Without a basemap, points are drawn as dots, or counted in grid cells of GRID_DEGREES.
    dots = _layers(charts.build_ward_map(wards, by_ward, measure="events", points_df=points).spec)["points"]
    assert len(dots["data"]["values"]) == 3
    cells = _layers(charts.build_ward_map(wards, by_ward, measure="events", points_df=points,
                                          hexbin=True).spec)["cells"]
    # 51.75 and 51.7502 round to the same 0.005-degree cell (51.75, -1.25); 51.76, -1.26 is a cell of its own.
    assert sorted((c["lat"], c["lon"], c["points"]) for c in cells["data"]["values"]) == [
        (51.75, -1.25, 2), (51.76, -1.26, 1)]


def test_ward_map_with_no_wards():
    empty = pd.DataFrame(columns=["ward_code", "name", "area_code", "centre_lat", "centre_lon", "geojson"])
    ward_map = charts.build_ward_map(empty, pd.DataFrame(columns=["ward_code", "events"]), measure="events")
    assert list(_layers(ward_map.spec)) == ["wards"] and ward_map.spec["layer"][0]["data"]["values"] == []
    assert ward_map.deck is None and ward_map.figures == {}
    assert (ward_map.legend.low, ward_map.legend.high) == (0, 0)


# -- maps people can read: four square wards, two in each area ---------------------------------------------------

LON0, LAT0, SIDE = -2.0, 52.8, 0.01


def _square(x: int, y: int) -> str:
    corners = [(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1), (x, y)]
    return json.dumps({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [
        [[round(LON0 + SIDE * cx, 5), round(LAT0 + SIDE * cy, 5)] for cx, cy in corners]]}})


GRID = pd.DataFrame([
    # ward, name, area, square (column, row): A1 is the west column, A2 the east.
    ("W1", "Forebridge", "A1", 0, 0), ("W2", "Coton <b>&</b>", "A1", 0, 1),
    ("W3", "Baswich", "A2", 1, 0), ("W4", "Milford", "A2", 1, 1),
], columns=["ward_code", "name", "area_code", "x", "y"])
GRID_WARDS = GRID.assign(centre_lat=LAT0 + SIDE * (GRID["y"] + 0.5), centre_lon=LON0 + SIDE * (GRID["x"] + 0.5),
                         geojson=[_square(x, y) for x, y in zip(GRID["x"], GRID["y"], strict=True)])
GRID_COUNTS = pd.DataFrame({"ward_code": ["W1", "W2", "W4"], "hours": [12, 3.5, 42]})


def _grid_map() -> charts.WardMap:
    return charts.build_ward_map(GRID_WARDS, GRID_COUNTS, measure="hours")


def test_a_ward_map_has_a_legend_naming_its_measure_and_numbers():
    legend = _grid_map().legend
    assert legend.title == "Patrol hours per ward"
    assert (legend.low, legend.high) == (0, 42) and legend.ticks() == ["0", "21", "42"]
    assert legend.colours == ("rgb(233, 242, 250)", "rgb(90, 117, 156)")  # LOW and HIGH at the fill's opacity
    assert legend.text() == "Patrol hours per ward: lightest 0, darkest 42."
    odd = charts.MapLegend("Events per ward", 0, 3, legend.colours)
    assert odd.ticks() == ["0", "3"] and charts.MapLegend("Events per ward", 0, 0, legend.colours).ticks() == ["0"]
    assert any("Thick lines: area boundaries" in note for note in legend.notes)
    page = charts.build_map_legend_html(legend)
    assert "<strong>Patrol hours per ward</strong>" in page
    assert "linear-gradient(to right, rgb(233, 242, 250), rgb(90, 117, 156))" in page
    assert "<span>0</span><span>21</span><span>42</span>" in page
    assert 'aria-label="Patrol hours per ward: lightest 0, darkest 42."' in page


def test_a_ward_map_outlines_each_area_along_its_wards_outer_edges():
    outlines = _layers(_grid_map().spec)["outlines"]
    assert "params" not in outlines and outlines["mark"]["strokeWidth"] > 1
    paths = [row["geo"]["geometry"]["coordinates"] for row in outlines["data"]["values"]]
    # Which area a path outlines: the column of squares its points lie on (A1: x 0-1, A2: x 1-2).
    edges: dict[str, set] = {"A1": set(), "A2": set()}
    for path in paths:
        steps = [(round((lon - LON0) / SIDE), round((lat - LAT0) / SIDE)) for lon, lat in path]
        area = "A1" if min(x for x, _ in steps) == 0 else "A2"
        edges[area] |= {frozenset(pair) for pair in zip(steps, steps[1:], strict=False)}

    def unit(a, b):
        return frozenset({a, b})

    west = {unit((0, 0), (1, 0)), unit((1, 0), (1, 1)), unit((1, 1), (1, 2)), unit((1, 2), (0, 2)),
            unit((0, 2), (0, 1)), unit((0, 1), (0, 0))}
    east = {unit((1, 0), (2, 0)), unit((2, 0), (2, 1)), unit((2, 1), (2, 2)), unit((2, 2), (1, 2)),
            unit((1, 2), (1, 1)), unit((1, 1), (1, 0))}
    # Each area's six outer unit edges; never the edge between its own two wards (y = 1).
    assert edges == {"A1": west, "A2": east}


def test_a_tapped_ward_has_its_name_and_figure_as_text():
    ward_map = _grid_map()
    assert ward_map.figures == {"W1": "Forebridge · Patrol hours: 12", "W2": "Coton <b>&</b> · Patrol hours: 3.5",
                                "W3": "Baswich · Patrol hours: 0", "W4": "Milford · Patrol hours: 42"}
    assert ward_map.figure("W4") == "Milford · Patrol hours: 42" and ward_map.figure(None) is None
    layers = _layers(ward_map.spec)
    # A tap on a ward's shape or its centre dot selects its code (the chart's on_select).
    for layer, name in ((layers["wards"], "ward"), (layers["centres"], "ward_centre")):
        assert layer["params"] == [{"name": name, "select": {"type": "point", "fields": ["ward_code"],
                                                             "on": "click"}}]
    assert charts.MAP_SELECTIONS == ("ward", "ward_centre")
    rows = {row["ward_code"]: row for row in layers["wards"]["data"]["values"]}
    assert rows["W2"]["value"] == 3.5 and rows["W3"]["value"] == 0
    assert rows["W2"]["description"] == ward_map.figure("W2")
    assert rows["W2"]["name"] == "Coton <b>&</b>"  # the data as typed: the tooltip shows it as text
    assert rows["W4"]["fill"] == "rgb(90, 117, 156)" and rows["W3"]["fill"] == "rgb(233, 242, 250)"
    assert [(t["field"], t["title"]) for t in layers["wards"]["encoding"]["tooltip"]] == [
        ("name", "Ward"), ("value", "Patrol hours")]


def test_a_map_over_a_basemap_goes_to_the_browser_as_compact_json():
    deck = charts.build_ward_map(GRID_WARDS, GRID_COUNTS, measure="hours", basemap_style="https://t.example/s").deck
    text = deck.to_json()
    assert "\n" not in text and len(text) < len(pdk.Deck.to_json(deck)) / 2  # pydeck's own is indented
    assert json.loads(text)["layers"][1]["@@type"] == "PathLayer"


def test_a_count_bar_chart_has_whole_number_ticks():
    import pandas as pd

    from analytics.charts import build_count_bar_chart

    spec = build_count_bar_chart(pd.DataFrame({"event_type": ["Surgery", "Walkabout"], "completed": [1, 3]}),
                                 category="event_type", measure="completed", title="Type").to_dict()
    axis = spec["encoding"]["x"]["axis"]
    assert axis["tickMinStep"] == 1 and axis["format"] == ",d"
