"""Hostile and broken files: each is refused with a message naming the file and the problem, nothing is written,
and the resource attacks (gzip and zip bombs, a huge cell, millions of rows, an outsized boundary) stay within
bounded memory and time.

Every bad file is made here, by the test; none is committed. The resource cases run in a child process started
with the 'spawn' context (deltalake does not survive fork), which measures its own peak RSS growth and wall time.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import random
import time

import numpy as np
import openpyxl
import pytest
from defusedxml import DefusedXmlException

from data import db, geo
from data.imports import limits
from data.imports.boundaries import SIMPLIFY_METRES, load_boundaries
from data.imports.census import import_census
from data.imports.crime import import_crime
from data.imports.reading import read_sheet
from data.imports.spreadsheet import import_spreadsheet, suggest_mapping
from data.store import Store
from tests.hostile_files import (
    BILLION_LAUGHS,
    SHEET_END,
    SHEET_START,
    cell,
    crime_import,
    feature,
    giant_cell,
    one_ward,
    refused,
    ring,
    sheet_import,
    workbook,
)
from tests.imports_fixture import ANALYST, CRIME_HEADER, crime_csv, crime_row, make_store


@pytest.fixture
def store(tmp_path) -> Store:
    """An empty store of the import tests' areas and wards."""
    return make_store(tmp_path / "store")


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_refused(store):
    data = crime_csv(crime_row(crime_id="c1")) + b"\x81\x8d\x8f\x90\x9d,\xff\xfe\n"
    refused(crime_import(store, data, "2025-03-force-street.csv"), store=store, name="2025-03-force-street.csv",
            problem="is not UTF-8 or Windows-1252 text")


@pytest.mark.parametrize("text", ["日本語", "警察の報告書です、テスト"])
def test_shift_jis_is_refused_not_stored_as_mojibake(store, text):
    row = crime_row(crime_id="c1", lon="-1.25", lat="51.75").replace("High Street", text)
    assert text in row
    data = (CRIME_HEADER + "\n" + row + "\n").encode("shift_jis")
    if text == "日本語":
        assert data.decode("cp1252")  # these bytes do read as Windows-1252: "“ú–{Œê", mojibake
    refused(crime_import(store, data, "sjis.csv"), store=store, name="sjis.csv", problem="e.g. Shift-JIS")
    refused(sheet_import(store, data, "sjis.csv"), store=store, name="sjis.csv", problem="save it as 'CSV UTF-8'")


@pytest.mark.parametrize("encoding", ["cp1251", "gbk"])
def test_other_encodings_read_as_windows_1252_are_refused(store, encoding):
    text = {"cp1251": "Привет мир", "gbk": "中文测试"}[encoding]
    data = f"Event name\n{text}\n".encode(encoding)
    refused(sheet_import(store, data, "events.csv"), store=store, name="events.csv", problem="is not UTF-8")


def test_real_windows_1252_text_still_imports_as_the_text_it_is(store):
    place = "Café £5 – “Größe” façade…"
    data = (CRIME_HEADER + "\n" + crime_row(crime_id="c1", lon="-1.25", lat="51.75").replace("High Street", place)
            + "\n").encode("cp1252")
    report = import_crime(store, [data], user=ANALYST, names=["excel-export.csv"])
    assert report.imported == 1
    (location,) = db.row(f"SELECT location FROM {store.relation('crimes')}")
    assert location == f"On or near {place}"


def test_utf16_and_binary_files_are_refused(store):
    refused(sheet_import(store, "Event name\nTea\n".encode("utf-16"), "unicode.txt"), store=store,
            name="unicode.txt", problem="is UTF-16 text")
    refused(sheet_import(store, b"Event name\x00\x01\x02\n", "binary.csv"), store=store, name="binary.csv",
            problem="holds NUL bytes")


# -- broken files -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "problem"), [(b"", "is empty"), (b"\n\n", "is empty: it has no header row")])
def test_an_empty_csv_is_refused(store, data, problem):
    refused(crime_import(store, data, "empty.csv"), store=store, name="empty.csv", problem=problem)


def test_a_ragged_csv_is_refused_naming_the_line(store):
    refused(sheet_import(store, b"Event name,Venue\nTea,Hall\nA,B,C,D,E\n", "ragged.csv"), store=store,
            name="ragged.csv", problem="Expected 2 fields in line 3, saw 5")


@pytest.mark.parametrize(("cut", "problem"), [
    (lambda data: data[:-12], "is not a readable gzip file: it is cut short"),
    (lambda data: data[:10] + bytes(len(data) - 10), "is not a readable gzip file: its compressed data is damaged"),
    (lambda data: b"\x1f\x8b" + b"not gzip at all", "is not a readable gzip file"),
])
def test_a_truncated_or_damaged_gzip_is_refused(store, cut, problem):
    data = cut(gzip.compress(crime_csv(*[crime_row(crime_id=f"c{i}") for i in range(200)])))
    refused(crime_import(store, data, "2025-03-force-street.csv.gz"), store=store,
            name="2025-03-force-street.csv.gz", problem=problem)


@pytest.mark.parametrize(("data", "problem"), [
    (random.Random(7).randbytes(5000), "is not an Excel workbook (.xlsx): it is not a readable zip file"),
    (b"", "is empty"),
    (b"PK\x03\x04" + bytes(100), "is not an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "is not an Excel workbook (.xlsx)"),
])
def test_a_garbage_or_empty_xlsx_is_refused(store, data, problem):
    refused(sheet_import(store, data, "events.xlsx"), store=store, name="events.xlsx", problem=problem)


def test_an_old_xls_workbook_is_refused_with_what_to_do(store):
    refused(sheet_import(store, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "events.xls"), store=store,
            name="events.xls", problem="old-style Excel workbook (.xls): save it as .xlsx")


def test_a_billion_laughs_xlsx_is_refused_before_any_entity_is_expanded(store):
    data = workbook([BILLION_LAUGHS])
    started = time.perf_counter()
    refused(sheet_import(store, data, "laughs.xlsx"), store=store, name="laughs.xlsx",
            problem="declares XML entities (a DTD)")
    assert time.perf_counter() - started < 5
    # openpyxl itself parses through defusedxml (pinned in requirements.txt): a second wall behind the scan.
    assert openpyxl.DEFUSEDXML
    with pytest.raises(ValueError) as caught:
        openpyxl.load_workbook(io.BytesIO(data))
    assert isinstance(caught.value.__cause__ or caught.value.__context__, DefusedXmlException)


def test_a_cell_past_excels_limit_is_refused_naming_the_file(store):
    refused(sheet_import(store, workbook(giant_cell(1)), "long.xlsx"), store=store, name="long.xlsx",
            problem="a cell or value holds more than 32,767 characters")
    csv = ("Event name\nTea\n" + "x" * 40_000 + "\n").encode()
    refused(sheet_import(store, csv, "long.csv"), store=store, name="long.csv",
            problem="row 3, column 'Event name': a cell holds more than 32,767 characters")


def test_a_workbook_cell_far_to_the_right_or_down_is_refused(store):
    right = workbook([SHEET_START, '<row r="1">' + cell("XFD1", "x") + "</row>", SHEET_END])
    refused(sheet_import(store, right, "wide.xlsx"), store=store, name="wide.xlsx",
            problem="row 1 has a cell beyond column 500")
    down = workbook([SHEET_START, '<row r="1048576">' + cell("A1048576", "x") + "</row>", SHEET_END])
    refused(sheet_import(store, down, "tall.xlsx"), store=store, name="tall.xlsx",
            problem="has more than 200,000 rows")


def test_too_many_columns_or_rows_in_a_csv_are_refused(store):
    refused(sheet_import(store, ("," * 600 + "\n").encode(), "wide.csv"), store=store, name="wide.csv",
            problem="has more than 500 columns")
    rows = crime_csv(*[crime_row(crime_id="c", lon="-1.25", lat="51.75")] * (limits.MAX_ROWS + 1))
    refused(crime_import(store, rows, "tall.csv"), store=store, name="tall.csv", problem="has more than 500,000 rows")


def test_a_file_that_takes_too_long_to_read_is_refused(store, monkeypatch):
    monkeypatch.setattr(limits, "READ_SECONDS", 0)
    refused(crime_import(store, crime_csv(crime_row(crime_id="c1")), "slow.csv"), store=store, name="slow.csv",
            problem="took longer than 0 seconds to read")


# -- numbers that do not fit ------------------------------------------------------------------------------------------

CENSUS_HEADER = ('"date","geography","geography code","Ethnic Group: All categories: Ethnic group; measures: Value",'
                 '"Ethnic Group: White: English/Welsh/Scottish/Northern Irish/British; measures: Value",'
                 '"Ethnic Group: Asian/Asian British: Pakistani; measures: Value"')


@pytest.mark.parametrize("count", ["99999999999999999999", "9223372036854775808", "1e30", "inf"])
def test_a_census_count_over_int64_is_refused_naming_the_row_and_column(store, count):
    table = "\n".join([CENSUS_HEADER, '"2011","North","E07000901",100,90,10', f'"2011","Big","E07000999",1,1,{count}'])
    report = import_census(store, table.encode(), user=ANALYST, name="qs201.csv")
    assert (report.read, report.imported, report.rejected) == (2, 1, 1)
    (reason,) = report.reasons
    assert reason.startswith("row 3, column 'Ethnic Group: Asian/Asian British: Pakistani; measures: Value'")
    assert "too large to store" in reason
    assert list(report.rejected_rows["row"]) == [3]
    stored = db.rows(f"SELECT DISTINCT geography_code FROM {store.relation('census_population')}")
    assert [code for (code,) in stored] == ["E07000901"]


def test_a_census_table_of_only_an_overflowing_row_writes_no_counts(store):
    before = store.version("census_population")
    table = "\n".join([CENSUS_HEADER, '"2011","Big","E07000999",1,1,99999999999999999999'])
    report = import_census(store, table.encode(), user=ANALYST, name="qs201.csv")
    assert (report.imported, report.rejected) == (0, 1)
    assert store.version("census_population") == before


def test_a_spreadsheet_number_that_does_not_fit_is_a_rejected_row(store):
    data = (b"Event name,Type of event,Ward,Venue,Date of event,Time from,Time to,Email,Attendance,"
            b"Officers involved,Quality\n"
            b"Tea,Street meeting,W1,Hall,14/03/2025,18:00,19:00,P1,12,2,4\n"
            b"Big,Street meeting,W1,Hall,15/03/2025,18:00,19:00,P1,1e999,2,4\n"
            b"Bigger,Street meeting,W1,Hall,16/03/2025,18:00,19:00,P1,99999999999999999999999,2,4\n")
    frame = read_sheet(data, name="events.csv")
    report = import_spreadsheet(store, "events", frame, mapping=suggest_mapping("events", frame.columns),
                                user=ANALYST, name="events.csv")
    assert (report.imported, report.rejected) == (1, 2)
    rejected = report.rejected_rows.set_index("row")["reason"]
    assert "attendees: '1e999' is not a whole number" in rejected[3]
    assert rejected[4].startswith("attendees:")


# -- ward boundaries --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("geometry", "reason"), [
    ([[-1.3, 51.7], [-1.2, 51.7], [-1.2, 51.8]], "geometry is not a GeoJSON geometry object"),
    ({"type": "Polygon", "coordinates": [[[-1.3, 51.7], [-1.2, "x"], [-1.2, 51.8], [-1.3, 51.7]]]},
     "polygon coordinates are not valid GeoJSON"),
    ({"type": "Polygon", "coordinates": [[-1.3, 51.7]]}, "polygon coordinates are not valid GeoJSON"),
    ({"type": "MultiPolygon", "coordinates": {"a": 1}}, "polygon coordinates are not valid GeoJSON"),
    ({"type": "Polygon", "coordinates": [[[-1.3, 51.7], [-1.2], [-1.2, 51.8], [-1.3, 51.7]]]},
     "polygon coordinates are not valid GeoJSON"),
])
def test_a_geometry_that_is_not_a_polygon_object_is_a_rejected_ward(store, geometry, reason):
    before = store.version("wards")
    report = load_boundaries(store, json.dumps({"type": "FeatureCollection", "features": [feature(geometry)]})
                             .encode(), user=ANALYST, name="wards.geojson")
    assert (report.read, report.imported, report.rejected) == (1, 0, 1)
    (why,) = report.reasons
    assert why.startswith(reason)
    assert store.version("wards") == before


def test_properties_that_are_not_an_object_do_not_break_the_load(store):
    text = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": ["WD19CD", "E05000001"], "geometry": None}]})
    refused(lambda: load_boundaries(store, text.encode(), user=ANALYST, name="odd.geojson"), store=store,
            name="odd.geojson", problem="no ward code or name property")


@pytest.mark.parametrize(("data", "problem"), [
    (b"[" * 100_000 + b"]" * 100_000, "nests arrays or objects more than 20 deep"),
    (b'{"type": "FeatureCollection", "features": ' + b'{"a":' * 50 + b"1" + b"}" * 50 + b"}",
     "nests arrays or objects more than 20 deep"),
    (b'{"type": "FeatureCollection", "features": [], "x": NaN}', "is not a GeoJSON (JSON) file (NaN"),
    (b'{"type": "Polygon", "coordinates": [[[-1.3, 51.7], [-1.2, Infinity], [-1.2, 51.8], [-1.3, 51.7]]]}',
     "is not a GeoJSON (JSON) file (Infinity"),
    (b'{"type": "FeatureCollection", "features": [', "is not a GeoJSON (JSON) file"),
    (b'{"type": "Topology"}', "must be a GeoJSON FeatureCollection"),
    ('{"name": "東京"}'.encode("shift_jis"), "its text is not UTF-8"),
])
def test_deeply_nested_or_broken_json_is_refused(store, data, problem):
    refused(lambda: load_boundaries(store, data, user=ANALYST, name="wards.geojson"), store=store,
            name="wards.geojson", problem=problem)


def test_a_detailed_ward_is_stored_simplified_within_the_tolerance(store):
    original = ring(200_000, jagged=False)  # a smooth 1.1 km circle: 200,000 points, 3 cm apart
    report = load_boundaries(store, one_ward(original), user=ANALYST, name="detailed.geojson")
    assert (report.imported, report.rejected) == (1, 0)
    (text, lat, lon) = db.row(f"SELECT geojson, centre_lat, centre_lon FROM {store.relation('wards')}"
                                           " WHERE ward_code = 'E05099999'")
    kept = np.asarray(json.loads(text)["geometry"]["coordinates"][0])
    assert 4 <= len(kept) <= 500 and len(text) < 20_000
    assert (lat, lon) == pytest.approx((51.75, -1.25), abs=1e-6)  # the centre comes from the boundary as given
    # Every original point lies within SIMPLIFY_METRES of the stored boundary (in local metres).
    scale = np.array([geo.METRES_PER_DEGREE_LON * math.cos(math.radians(51.75)), geo.METRES_PER_DEGREE_LAT])
    points, ends = original[::7] * scale, kept * scale
    start, stop = ends[:-1], ends[1:]
    along = stop - start
    t = np.clip(((points[:, None, :] - start) * along).sum(-1) / (along * along).sum(-1), 0, 1)
    nearest = np.hypot(*(points[:, None, :] - (start + t[..., None] * along)).transpose(2, 0, 1)).min(axis=1)
    assert nearest.max() <= SIMPLIFY_METRES + 1e-6


def test_a_tiny_ward_keeps_a_triangle_not_a_line(store):
    metre = 1 / geo.METRES_PER_DEGREE_LAT
    square = np.array([[-1.25, 51.75], [-1.25 + 2 * metre, 51.75], [-1.25 + 2 * metre, 51.75 + 2 * metre],
                       [-1.25, 51.75 + 2 * metre], [-1.25, 51.75]])  # 2 m across: all of it within 5 m
    report = load_boundaries(store, one_ward(square), user=ANALYST, name="tiny.geojson")
    assert report.imported == 1
    (text,) = db.row(f"SELECT geojson FROM {store.relation('wards')} WHERE ward_code = 'E05099999'"
                                  )
    kept = json.loads(text)["geometry"]
    assert len(kept["coordinates"][0]) == 4 and geo.centre(kept) is not None  # closed, and it has an area
