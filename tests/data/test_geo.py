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
