"""Ward boundaries from GeoJSON: codes, names, areas from properties or a lookup, centres, shapes."""

from __future__ import annotations

import csv
import json

import pytest

from data import access, db, reference
from data.imports.boundaries import load_boundaries
from tests.imports_fixture import ADMIN, ANALYST, OFFICER, REALDATA, make_store, square

WARDS_FILE = REALDATA / "boundaries" / "staffordshire_wards_2013.geojson"
LOOKUP = REALDATA / "demographics" / "lad_csp_pfa_lookup_2016.csv"


def feature(code, name, area, geometry):
    return {"type": "Feature", "properties": {"WD19CD": code, "WD19NM": name, "LAD19CD": area},
            "geometry": geometry}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def test_wards_are_loaded_with_their_area_centre_and_shape(any_empty_store):
    store = make_store(any_empty_store, wards=False)
    report = load_boundaries(store, collection(
        feature("E05000001", "Riverside", "A1", square(-1.3)),
        feature("E05000002", "Hilltop", "E07000999", square(-1.2)),
        feature("E05000003", "", "A1", square(-1.1)),                      # no name
        feature("E05000001", "Riverside again", "A1", square(-1.0)),       # repeated code
        feature("E05000004", "Nowhere", "A1", {"type": "Point", "coordinates": [-1, 51]}),
    ), user=ADMIN)
    assert (report.read, report.imported, report.rejected) == (5, 2, 3)
    assert set(report.reasons) == {"no ward name", "ward code appears twice in the file", "geometry is not a polygon"}
    wards = reference.list_wards(store).set_index("ward_code")
    assert wards.loc["E05000001", "area_code"] == "A1"
    assert (wards.loc["E05000001", "centre_lat"], wards.loc["E05000001", "centre_lon"]) == pytest.approx((51.75, -1.25))
    shape = json.loads(db.row(f"SELECT geojson FROM {store.relation('wards')} WHERE ward_code = ?",
                                           ["E05000002"])[0])
    assert shape["geometry"] == square(-1.2)
    areas = reference.area_names(store)
    assert areas["E07000999"] == "E07000999"  # a new area, named by its code when nothing names it
    assert any("new areas: E07000999" in n for n in report.notes)


def test_a_lookup_names_the_areas_and_keeps_one_force(tmp_path):
    store = make_store(tmp_path / "store", wards=False)
    lookup = b"LAD19CD,LAD19NM,PFA19NM\nE07000901,Northshire,Test Force\nE07000902,Southshire,Other Force\n"
    report = load_boundaries(store, json.dumps(collection(
        feature("E05000011", "Northgate", "E07000901", square(-1.3)),
        feature("E05000012", "Southgate", "E07000902", square(-1.2)),
    )).encode(), user=ANALYST, area_lookup=lookup, force="Test Force", name="wards.geojson")
    assert (report.read, report.imported) == (2, 1)
    assert any("1 features outside Test Force" in n for n in report.notes)
    assert reference.area_names(store)["E07000901"] == "Northshire"
    assert list(reference.list_wards(store)["ward_code"]) == ["E05000011"]


def test_reloading_changes_only_what_changed(tmp_path):
    store = make_store(tmp_path / "store", wards=False)
    first = collection(feature("E05000001", "Riverside", "A1", square(-1.3)),
                       feature("E05000002", "Hilltop", "A1", square(-1.2)))
    load_boundaries(store, first, user=ADMIN)
    renamed = collection(feature("E05000001", "Riverside and Docks", "A1", square(-1.3)),
                         feature("E05000002", "Hilltop", "A1", square(-1.2)))
    report = load_boundaries(store, renamed, user=ADMIN)
    assert (report.imported, report.updated, report.unchanged) == (0, 1, 1)
    assert reference.ward_names(store)["E05000001"] == "Riverside and Docks"
    assert len(reference.list_wards(store)) == 2


def test_an_officer_may_not_load_boundaries(tmp_path):
    store = make_store(tmp_path / "store", wards=False)
    with pytest.raises(access.NotAllowed):
        load_boundaries(store, collection(feature("E05000001", "Riverside", "A1", square(-1.3))), user=OFFICER)
    assert reference.list_wards(store).empty


def test_real_staffordshire_wards_load_with_their_codes_and_local_authorities(tmp_path):
    if not WARDS_FILE.exists():
        pytest.skip(f"real boundaries not available ({WARDS_FILE} is missing)")
    features = json.loads(WARDS_FILE.read_text())["features"]
    expected = {f["properties"]["WD13CD"]: (f["properties"]["WD13NM"], f["properties"]["LAD_CD"]) for f in features}
    store = make_store(tmp_path / "store", wards=False)
    report = load_boundaries(store, WARDS_FILE, user=ADMIN, area_lookup=LOOKUP, force="Staffordshire")
    assert (report.read, report.imported, report.rejected) == (211, 211, 0)
    wards = reference.list_wards(store)
    assert {c: (n, a) for c, n, a in zip(wards["ward_code"], wards["name"], wards["area_code"], strict=True)} \
        == expected
    with open(LOOKUP, newline="", encoding="utf-8-sig") as handle:
        lads = {r["LAD16CD"]: r["LAD16NM"] for r in csv.DictReader(handle) if r["PFA16NM"] == "Staffordshire"}
    names = reference.area_names(store)
    assert {code: names[code] for code in lads} == lads
    assert len(lads) == 9
    again = load_boundaries(store, WARDS_FILE, user=ADMIN, area_lookup=LOOKUP, force="Staffordshire")
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 211)


def test_a_file_without_areas_updates_known_wards_and_rejects_grid_coordinates(tmp_path):
    store = make_store(tmp_path / "store")  # W1 in A1, W2 in A1, W3 in A2
    grid = {"type": "Polygon", "coordinates": [[[440000, 210000], [441000, 210000], [441000, 211000],
                                                [440000, 210000]]]}
    report = load_boundaries(store, collection(
        {"type": "Feature", "properties": {"WD19CD": "W3", "WD19NM": "South Three"}, "geometry": square(-1.05)},
        {"type": "Feature", "properties": {"WD19CD": "W9", "WD19NM": "Gridded"}, "geometry": grid},
    ), user=ANALYST)
    assert (report.read, report.updated, report.rejected) == (2, 1, 1)
    assert any("British National Grid" in reason for reason in report.reasons)
    wards = reference.list_wards(store).set_index("ward_code")
    assert wards.loc["W3", "area_code"] == "A2"  # kept: the file gives no area
    assert wards.loc["W3", "centre_lon"] == pytest.approx(-1.0)
    assert "W9" not in wards.index
