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
    deck = charts.build_ward_map(wards, overview(fixture_store).by_ward, measure="attendees").deck
    assert isinstance(deck, pdk.Deck)
    assert deck.map_provider is None and deck.map_style is None
    assert [layer.type for layer in deck.layers] == ["GeoJsonLayer", "PathLayer", "ScatterplotLayer"]
    features = deck.layers[0].data["features"]
    assert len(features) == 1  # only W1 has a boundary
    assert features[0]["properties"]["value"] == 12 and features[0]["properties"]["name"] == "Castle"
    assert len(deck.layers[2].data) == 3  # every ward centre
    spec = json.loads(deck.to_json())
    assert "mapProvider" not in spec and "mapStyle" not in spec  # no basemap tiles to fetch


def test_ward_map_with_basemap_points_and_hexbins(fixture_store):
    wards = queries.list_ward_shapes(fixture_store, user=ANALYST)
    points = pd.DataFrame({"lat": [51.75, 51.76], "lon": [-1.25, -1.26]})
    deck = charts.build_ward_map(wards, overview(fixture_store).by_ward, measure="events",
                                 basemap_style="https://tiles.example/style.json", points_df=points).deck
    assert deck.map_style == "https://tiles.example/style.json" and deck.map_provider is not None
    assert deck.layers[-1].type == "ScatterplotLayer"
    hexes = charts.build_ward_map(wards, overview(fixture_store).by_ward, measure="events", points_df=points,
                                  hexbin=True).deck
    assert hexes.layers[-1].type == "HexagonLayer" and hexes.map_provider is None


def test_ward_map_with_no_wards():
    empty = pd.DataFrame(columns=["ward_code", "name", "area_code", "centre_lat", "centre_lon", "geojson"])
    ward_map = charts.build_ward_map(empty, pd.DataFrame(columns=["ward_code", "events"]), measure="events")
    assert ward_map.deck.layers[0].data["features"] == [] and ward_map.deck.map_provider is None
    assert ward_map.deck.layers[1].data == [] and ward_map.figures == {}
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
    deck = _grid_map().deck
    (outlines,) = [layer for layer in deck.layers if layer.id == "area-outlines"]
    assert outlines.type == "PathLayer" and not outlines.pickable
    assert outlines.get_width > 1 and outlines.width_units == "pixels"
    edges: dict[str, set] = {"A1": set(), "A2": set()}
    for path in outlines.data:
        steps = [(round((lon - LON0) / SIDE), round((lat - LAT0) / SIDE)) for lon, lat in path["path"]]
        edges[path["area_code"]] |= {frozenset(pair) for pair in zip(steps, steps[1:], strict=False)}

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
    deck = ward_map.deck
    wards = deck.layers[0]
    assert wards.id == "ward-boundaries" and wards.pickable  # a tap selects the ward (st.pydeck_chart on_select)
    props = {f["properties"]["ward_code"]: f["properties"] for f in wards.data["features"]}
    assert props["W2"]["figure"] == "Patrol hours: 3.5" and props["W3"]["value"] == 0
    # The hover tooltip is text: a ward name is shown, never run as HTML.
    assert deck._tooltip == {"text": "{name}\n{figure}"}


def test_a_ward_map_goes_to_the_browser_as_compact_json():
    deck = _grid_map().deck
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
