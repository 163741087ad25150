"""Point in polygon and polygon centres, on shapes whose answers are known by hand."""

from __future__ import annotations

import csv
import json
import time

import numpy as np
import pytest

from data import geo
from tests.imports_fixture import REALDATA, square

RING_WITH_HOLE = {"type": "Polygon", "coordinates": [
    [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
    [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
]}
TWO_PARTS = {"type": "MultiPolygon", "coordinates": [
    [[[20, 0], [22, 0], [22, 2], [20, 2], [20, 0]]],
    [[[30, 0], [32, 0], [31, 3], [30, 0]]],  # a triangle
]}


def test_points_are_placed_in_the_polygon_that_holds_them():
    polygons = geo.build_polygons(["hole", "parts"], [RING_WITH_HOLE, json.dumps(TWO_PARTS)])
    lon = np.array([1, 5, 9.5, 21, 31, 31.9, 25, np.nan, -1])
    lat = np.array([1, 5, 9.5, 1, 1, 2.9, 1, 1, 5])
    # (1,1) in the ring; (5,5) in its hole; (9.5,9.5) in the ring; (21,1) first part; (31,1) the triangle;
    # (31.9,2.9) beside the triangle's slope, outside; (25,1) between the parts; NaN; (-1,5) left of all.
    assert geo.locate(lon, lat, polygons).tolist() == [0, -1, 0, 1, 1, -1, -1, -1, -1]


def test_a_point_on_a_shared_border_goes_to_one_polygon_only():
    polygons = geo.build_polygons(["west", "east"], [square(-1.3), square(-1.2)])
    found = geo.locate(np.array([-1.25, -1.15, -1.2]), np.array([51.75, 51.75, 51.75]), polygons)
    assert found[:2].tolist() == [0, 1]
    assert found[2] in (0, 1)


def test_empty_geometries_match_nothing():
    polygons = geo.build_polygons(["none", "square"], [None, square(0.0, 0.0, 1.0)])
    assert geo.locate(np.array([0.5]), np.array([0.5]), polygons).tolist() == [1]


def test_centre_of_a_square_and_of_two_equal_squares():
    assert geo.centre(square(0.0, 0.0, 2.0)) == pytest.approx((1.0, 1.0))
    both = {"type": "MultiPolygon", "coordinates": [square(0.0, 0.0, 2.0)["coordinates"],
                                                    square(4.0, 0.0, 2.0)["coordinates"]]}
    assert geo.centre(both) == pytest.approx((1.0, 3.0))
    clockwise = {"type": "Polygon", "coordinates": [list(reversed(square(0.0, 0.0, 2.0)["coordinates"][0]))]}
    assert geo.centre(clockwise) == pytest.approx((1.0, 1.0))


def _wards():
    path = REALDATA / "boundaries" / "staffordshire_wards_2013.geojson"
    if not path.exists():
        pytest.skip(f"real boundaries not available ({path} is missing)")
    return json.loads(path.read_text())["features"]


def test_ward_centres_match_the_published_centroids():
    features = _wards()
    with open(REALDATA / "boundaries" / "ward_centroids_staffs_tvp.csv", newline="") as handle:
        published = {r["ward_code"]: (float(r["centroid_lat"]), float(r["centroid_lon"]))
                     for r in csv.DictReader(handle)}
    for feature in features:
        code = feature["properties"]["WD13CD"]
        assert geo.centre(feature["geometry"]) == pytest.approx(published[code], abs=2e-6), code


def test_fifty_thousand_points_in_211_wards_take_well_under_a_few_seconds():
    features = _wards()
    polygons = geo.build_polygons([f["properties"]["WD13CD"] for f in features], [f["geometry"] for f in features])
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(-2.5, -1.6, 50_000), rng.uniform(52.4, 53.3, 50_000)
    started = time.perf_counter()
    found = geo.locate(lon, lat, polygons)
    assert time.perf_counter() - started < 3.0
    assert (found >= 0).sum() > 20_000  # most of that box is Staffordshire


# -- shapes for maps ------------------------------------------------------------------------------------------------

# Two wards sharing a wiggly border (x = 1, with a 1 m kink at y = 0.5): west is [0,1] x [0,1], east [1,2] x [0,1]
# (in degrees of a 0.001-degree grid near 52.8 N, so about 70 m by 110 m a cell).
K = 0.001


def _pair() -> list[dict]:
    border = [[1, 0], [1, 0.25], [1.0001, 0.5], [1, 0.75], [1, 1]]  # the kink is 0.0001 x 67 m: under 7 m
    west = [[0, 0], *border, [0, 1], [0, 0]]
    east = [*reversed(border), [2, 0], [2, 1], [1, 1]]  # along the border the other way round
    return [{"type": "Polygon", "coordinates": [[[-2 + K * x, 52.8 + K * y] for x, y in ring]]}
            for ring in (west, east)]


def test_shared_borders_are_simplified_once_so_neighbours_still_meet():
    west, east = geo.simplify_shared(_pair(), 10.0)
    share = {tuple(p) for p in west["coordinates"][0]} & {tuple(p) for p in east["coordinates"][0]}
    # The kink (under 10 m off the line) is gone from both, and the border is the same two positions in both.
    assert share == {(-2 + K, 52.8), (-2 + K, 52.8 + K)}
    assert len(west["coordinates"][0]) == len(east["coordinates"][0]) == 5  # four corners, closed
    assert all(geo.valid_ring(g["coordinates"][0]) for g in (west, east))
    # With no tolerance every position stays (a ring may start elsewhere: at a point where borders meet).
    assert [{tuple(p) for p in g["coordinates"][0]} for g in geo.simplify_shared(_pair(), 0.0)] == \
        [{tuple(p) for p in g["coordinates"][0]} for g in _pair()]


def test_a_ring_that_would_collapse_keeps_more_positions_and_its_neighbours_the_same():
    # A lens-shaped ward between an upper and a lower one, meeting both where all three meet, (0, 0) and (4, 0):
    # simplified as far as 100 km, each of its two borders would be the straight line between those points.
    lens = [[0, 0], [2, 0.5], [4, 0], [2, -0.5], [0, 0]]
    upper = [[0, 0], [0, 2], [4, 2], [4, 0], [2, 0.5], [0, 0]]
    lower = [[0, 0], [2, -0.5], [4, 0], [4, -2], [0, -2], [0, 0]]
    shapes = [{"type": "Polygon", "coordinates": [ring]} for ring in (lens, upper, lower)]
    kept_lens, kept_upper, kept_lower = geo.simplify_shared(shapes, 100_000.0)
    assert all(geo.valid_ring(s["coordinates"][0]) for s in (kept_lens, kept_upper, kept_lower))
    positions = {tuple(p) for p in kept_lens["coordinates"][0]}
    assert positions == {(0, 0), (2, 0.5), (4, 0), (2, -0.5)}
    assert (2, 0.5) in {tuple(p) for p in kept_upper["coordinates"][0]}
    assert (2, -0.5) in {tuple(p) for p in kept_lower["coordinates"][0]}


def test_valid_rings():
    assert geo.valid_ring([[0, 0], [1, 0], [1, 1], [0, 0]])
    assert not geo.valid_ring([[0, 0], [1, 0], [1, 1]])  # not closed
    assert not geo.valid_ring([[0, 0], [1, 0], [0, 0]])  # too short
    assert not geo.valid_ring([[0, 0], [1, 0], [2, 0], [0, 0]])  # no area
    assert not geo.valid_ring([[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]])  # a bow tie crosses itself
    assert not geo.valid_ring([[0, 0], [2, 0], [2, 2], [1, 0], [0, 2], [0, 0]])  # touches itself at (1, 0)


def test_a_point_inside_a_bent_ward():
    bent = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [9, 10], [9, 1], [1, 1], [1, 10],
                                                [0, 10], [0, 0]]]}  # a U: its centroid is in the gap
    lat, lon = geo.centre(bent)
    assert geo.locate([lon], [lat], geo.build_polygons(["u"], [bent]))[0] == -1
    lat, lon = geo.inner_point(bent)
    assert geo.locate([lon], [lat], geo.build_polygons(["u"], [bent]))[0] == 0
    assert geo.inner_point(square(0.0, 0.0, 2.0)) == pytest.approx((1.0, 1.0))
    assert geo.inner_point({"type": "Polygon", "coordinates": []}) is None


def test_border_paths_outline_groups_even_where_neighbours_do_not_meet_exactly():
    west, east = _pair()  # the kink: the two wards' borders differ by up to 7 m
    lone = {"type": "Polygon", "coordinates": [[[-2 + K * x, 52.8 + K * y] for x, y in
                                                 [[0, 1], [1, 1], [1, 2], [0, 2], [0, 1]]]]}
    same = geo.border_paths([west, east, lone], ["A", "A", "A"])
    # One group: only the outside edges, never the border between west and east (x = 1, y in 0..1).
    drawn = [p for _, path in same for p in path]
    assert not any(abs(x - (-2 + K)) < K / 100 and 52.8 < y < 52.8 + K for x, y in drawn)
    assert {group for group, _ in same} == {"A"}
    apart = geo.border_paths([west, east], ["A", "B"])
    assert any(abs(x - (-2 + K)) < K / 100 and 52.8 < y < 52.8 + K for _, path in apart for x, y in path)
    assert geo.border_paths([], []) == []
