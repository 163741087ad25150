"""The demo force's shipped ward boundaries: small, valid, real, and with their licence beside them."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from data import geo
from data.demo import geography
from tests.imports_fixture import REALDATA

REAL_WARDS = REALDATA / "boundaries" / "staffordshire_wards_2013.geojson"
MAX_BYTES = 300_000


def _real() -> dict:
    if not REAL_WARDS.exists():
        pytest.skip(f"real boundaries not available ({REAL_WARDS} is missing)")
    return json.loads(REAL_WARDS.read_text())


def test_the_shipped_file_is_small_and_every_ward_a_valid_polygon():
    assert geography.WARDS_FILE.stat().st_size < MAX_BYTES
    collection = json.loads(geography.WARDS_FILE.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 211
    codes = [f["properties"]["WD13CD"] for f in collection["features"]]
    assert len(set(codes)) == len(codes) == 211 and codes == sorted(codes)
    for feature in collection["features"]:
        assert feature["geometry"]["type"] == "Polygon"
        assert all(geo.valid_ring(ring) for ring in feature["geometry"]["coordinates"]), feature["properties"]
        assert all(len(str(x).split(".")[-1]) <= 5 and len(str(y).split(".")[-1]) <= 5
                   for ring in feature["geometry"]["coordinates"] for x, y in ring)
    lads = Counter(f["properties"]["LAD13NM"] for f in collection["features"])
    assert len(lads) == 9 and lads["Stoke-on-Trent"] == 37 and lads["Tamworth"] == 10


def test_neighbouring_wards_still_meet_exactly():
    """Shared borders were simplified once, so a border position of one ward is one of its neighbour's too."""
    seen: dict[tuple[float, float], set[str]] = {}
    for ward in geography.load_wards():
        for x, y in ward["geometry"]["coordinates"][0][:-1]:
            seen.setdefault((x, y), set()).add(ward["ward_code"])
    shared = sum(len(codes) > 1 for codes in seen.values())
    assert shared > 0.6 * len(seen)


def test_the_licence_note_is_beside_the_file():
    note = (geography.WARDS_FILE.parent / "LICENCE.md").read_text(encoding="utf-8")
    assert "Open Government Licence v3.0" in note
    assert "Contains OS data © Crown copyright and database right" in note
    assert geography.WARDS_FILE.name in note
    collection = json.loads(geography.WARDS_FILE.read_text(encoding="utf-8"))
    assert "Contains OS data © Crown copyright and database right" in collection["attribution"]


def test_the_shipped_wards_are_the_real_ones():
    real = {f["properties"]["WD13CD"]: f for f in _real()["features"]}
    shipped = geography.load_wards()
    assert {w["ward_code"] for w in shipped} == set(real)
    polygons = geo.build_polygons(list(real), [f["geometry"] for f in real.values()])
    codes = list(real)
    for ward in shipped:
        source = real[ward["ward_code"]]
        assert (ward["name"], ward["lad_code"], ward["lad_name"]) == (
            source["properties"]["WD13NM"], source["properties"]["LAD_CD"], source["properties"]["LAD_NM"])
        # Douglas-Peucker keeps positions of the boundary as published (rounded), and a point inside the
        # shipped ward is inside the real one.
        published = {(round(x, 5), round(y, 5)) for x, y in source["geometry"]["coordinates"][0]}
        assert {(x, y) for x, y in ward["geometry"]["coordinates"][0]} <= published
        lat, lon = geo.inner_point(ward["geometry"])
        assert codes[geo.locate([lon], [lat], polygons)[0]] == ward["ward_code"]


def test_the_shipped_file_is_what_build_wards_makes_of_the_published_boundaries(tmp_path):
    target = tmp_path / "wards.geojson"
    geography.write_wards(geography.build_wards(_real()), target)
    assert target.read_bytes() == geography.WARDS_FILE.read_bytes()
