"""Hostile and broken files: each is refused with a message naming the file and the problem, nothing is written,
and the resource attacks (gzip and zip bombs, a huge cell, millions of rows, an outsized boundary) stay within
bounded memory and time.

Every bad file is made here, by the test; none is committed. The resource cases run in a child process started
with the 'spawn' context (deltalake does not survive fork), which measures its own peak RSS growth and wall time.
"""

from __future__ import annotations

import gc
import gzip
import io
import json
import math
import multiprocessing
import random
import re
import resource
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from defusedxml import DefusedXmlException
from streamlit.testing.v1 import AppTest

from data import db, geo
from data.imports import limits
from data.imports.boundaries import MAX_WARD_VERTICES, SIMPLIFY_METRES, load_boundaries, read_features
from data.imports.census import import_census
from data.imports.crime import import_crime
from data.imports.limits import ImportRefused
from data.imports.reading import read_sheet
from data.imports.spreadsheet import import_spreadsheet, suggest_mapping
from data.store import Store, ValidationError
from forms.identity import USER_KEY
from forms.ui.widgets import user_text
from tests.imports_fixture import ANALYST, CRIME_HEADER, crime_csv, crime_row, make_store
from tests.pages.test_ccr_dashboards import user_with_role
from tests.pages.test_pages import ROOT, open_page

TABLES = ("crimes", "census_population", "events", "ccrs", "wards", "areas", "audit")
MAX_GROWTH_MB = 300
MAX_SECONDS = 60  # generous: the machine is shared; the refusals themselves take a second or two


def versions(store: Store) -> dict[str, int]:
    """Each table's Delta version: any write at all (rows or an audit entry) moves one."""
    return {table: store.version(table) for table in TABLES}


def refused(action, *, store: Store, name: str, problem: str) -> str:
    """Run an import that must be refused: the message names the file and the problem, and nothing is written."""
    before = versions(store)
    with pytest.raises(ImportRefused) as caught:
        action()
    message = caught.value.errors["file"]
    assert message.startswith(f"{name}: "), message
    assert problem in message, message
    assert isinstance(caught.value, ValidationError)  # what the page and the command line already catch
    assert versions(store) == before, "a refused file wrote something"
    return message


@pytest.fixture
def store(tmp_path) -> Store:
    return make_store(tmp_path / "store")


def crime_import(store: Store, data: bytes, name: str):
    return lambda: import_crime(store, [data], user=ANALYST, names=[name])


def sheet_import(store: Store, data: bytes, name: str):
    return lambda: import_spreadsheet(store, "events", data, mapping={"title": "Event name"}, user=ANALYST, name=name)


# -- Excel workbooks, written part by part (so a part can be anything) ------------------------------------------------

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
                 'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+'
                 'xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.spreadsheetml.worksheet+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_START = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               'spreadsheetml/2006/main"><sheetData>')
SHEET_END = "</sheetData></worksheet>"


def workbook(sheet: Iterable[str | bytes]) -> bytes:
    """An .xlsx whose one sheet's XML is the given pieces, streamed into the zip (compressed fast)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for piece in sheet:
                part.write(piece if isinstance(piece, bytes) else piece.encode())
    return out.getvalue()


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_rows(rows: int, *, compact: bool = False) -> Iterator[str]:
    """A header ("Event name") and `rows` rows; `compact` rows carry no references (~25 bytes each)."""
    yield SHEET_START + '<row r="1">' + cell("A1", "Event name") + "</row>"
    if compact:
        yield "<row><c><v>1</v></c></row>" * rows
    else:
        for begin in range(2, rows + 2, 100_000):
            yield "".join(f'<row r="{i}">{cell(f"A{i}", "x")}</row>' for i in range(begin, min(begin + 100_000,
                                                                                               rows + 2)))
    yield SHEET_END


def giant_cell(mib: int) -> Iterator[str | bytes]:
    """A sheet whose one cell holds `mib` MiB of text."""
    yield SHEET_START + '<row r="1"><c r="A1" t="inlineStr"><is><t>'
    block = b"A" * 2**20
    for _ in range(mib):
        yield block
    yield "</t></is></c></row>" + SHEET_END


BILLION_LAUGHS = ('<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
                  + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
                  + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                  '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')


def gzip_bomb(gib: int = 1) -> bytes:
    """Zeros, gzipped fast: ~4.5 MB that expand to `gib` GiB."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    block = bytes(2**20)
    return b"".join([*(packer.compress(block) for _ in range(gib * 1024)), packer.flush()])


# -- GeoJSON --------------------------------------------------------------------------------------------------------


def ring(points: int, *, jagged: bool, radius: float = 0.01, lon0: float = -1.25, lat0: float = 51.75) -> np.ndarray:
    """A closed ring around (lon0, lat0) of about 1.1 km radius; `jagged` moves every other point 55 m out, the
    others 55 m in (so no simplification within 5 m can drop them)."""
    angles = np.linspace(0, 2 * np.pi, points, endpoint=False)
    r = radius + (np.where(np.arange(points) % 2 == 0, 0.0005, -0.0005) if jagged else 0.0)
    xy = np.column_stack([lon0 + r * np.cos(angles) / math.cos(math.radians(lat0)), lat0 + r * np.sin(angles)])
    return np.vstack([xy, xy[:1]])


def one_ward(xy: np.ndarray, *, decimals: int = 12) -> bytes:
    """A FeatureCollection of one ward (area A1) whose boundary is `xy`, written without building it in memory."""
    body = ",".join(f"[{x:.{decimals}f},{y:.{decimals}f}]" for x, y in xy.tolist())
    return ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"WD19CD":"E05099999",'
            '"WD19NM":"Outsized","LAD19CD":"A1"},"geometry":{"type":"Polygon","coordinates":[['
            + body + "]]}}]}").encode()


def feature(geometry) -> dict:
    return {"type": "Feature", "properties": {"WD19CD": "E05000009", "WD19NM": "Odd", "LAD19CD": "A1"},
            "geometry": geometry}


# -- text that is not UTF-8 -----------------------------------------------------------------------------------------


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


# -- resource attacks, each in a fresh 'spawn' child that measures itself ---------------------------------------------


def _status_kib(field: str) -> int | None:
    try:
        return int(re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M).group(1))
    except (OSError, AttributeError):
        return None


def _reset_peak() -> int:
    """Reset this process's peak RSS to its current RSS (Linux: /proc/self/clear_refs), and return that in KiB.

    A spawned child's `ru_maxrss` starts at its parent's size (it is counted from before the exec), which would
    hide any growth below it; where the peak cannot be reset, that high-water mark is the (stricter) baseline."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kib("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kib() -> int:
    return _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _attack(kind: str, path: str, store_root: str) -> dict:
    """In a child process: read the file, then run its import, measuring peak RSS growth and wall time."""
    store = make_store(Path(store_root), wards=kind != "boundaries")
    data = Path(path).read_bytes()
    name = Path(path).name
    before = versions(store)
    gc.collect()
    baseline = _reset_peak()
    started = time.perf_counter()
    message, report = None, None
    try:
        if kind == "crime":
            report = import_crime(store, [data], user=ANALYST, names=[name])
        elif kind == "sheet":
            report = import_spreadsheet(store, "events", data, mapping={"title": "Event name"}, user=ANALYST,
                                        name=name)
        else:
            report = load_boundaries(store, data, user=ANALYST, name=name)
    except ValidationError as exc:
        message = exc.errors.get("file")
    seconds = time.perf_counter() - started
    growth_mb = (_peak_kib() - baseline) / 1024
    return {"message": message, "seconds": seconds, "growth_mb": growth_mb, "size_mb": len(data) / 2**20,
            "reasons": dict(report.reasons) if report else {}, "imported": report.imported if report else 0,
            "wrote": {t: v for t, v in versions(store).items() if v != before[t]}}


def attack(tmp_path: Path, kind: str, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    del data
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        result = pool.apply_async(_attack, (kind, str(path), str(tmp_path / "store"))).get(timeout=300)
    assert result["growth_mb"] < MAX_GROWTH_MB, result
    assert result["seconds"] < MAX_SECONDS, result
    return result


def test_a_gzip_bomb_is_given_up_while_it_decompresses(tmp_path):
    bomb = gzip_bomb(1)
    assert len(bomb) < 6 * 2**20  # ~4.5 MB that expand to 1 GiB
    result = attack(tmp_path, "crime", "2025-03-force-street.csv.gz", bomb)
    assert result["message"] == ("2025-03-force-street.csv.gz: expands to more than 128 MiB when un-gzipped, too "
                                 "large to import in one go (or not a real data file)")
    assert result["wrote"] == {}


def test_an_xlsx_with_a_512_mib_cell_is_refused_by_its_declared_size(tmp_path):
    data = workbook(giant_cell(512))
    assert len(data) < 4 * 2**20
    result = attack(tmp_path, "sheet", "cell.xlsx", data)
    assert result["message"] == ("cell.xlsx: unpacks to more than 128 MiB (a zip bomb, or too large to import in "
                                 "one go)")
    assert result["wrote"] == {}


def test_an_xlsx_of_two_million_rows_is_refused_fast(tmp_path):
    data = workbook(sheet_rows(2_000_000))  # ~10 MB, 140 MB of sheet XML
    result = attack(tmp_path, "sheet", "rows.xlsx", data)
    assert result["message"].startswith("rows.xlsx: unpacks to more than 128 MiB")
    assert result["wrote"] == {}
    compact = workbook(sheet_rows(2_000_000, compact=True))  # 50 MB of sheet XML: counted before it is parsed
    result = attack(tmp_path, "sheet", "compact.xlsx", compact)
    assert result["message"].startswith("compact.xlsx: has more than 200,000 rows; split it")
    assert result["seconds"] < 10 and result["wrote"] == {}


def test_a_40_mb_single_ward_of_a_million_points_is_refused_before_it_is_parsed(tmp_path):
    data = one_ward(ring(1_000_000, jagged=True), decimals=15)
    assert len(data) > 36 * 2**20  # ~40 MB
    result = attack(tmp_path, "boundaries", "ward.geojson", data)
    assert result["message"].startswith("ward.geojson: holds more than 1,500,000 values")
    assert result["wrote"] == {}


def test_a_ward_too_detailed_even_simplified_is_rejected_within_bounds(tmp_path):
    result = attack(tmp_path, "boundaries", "jagged.geojson", one_ward(ring(300_000, jagged=True)))
    assert result["message"] is None and result["imported"] == 0
    assert result["reasons"] == {f"boundary is too detailed: more than {MAX_WARD_VERTICES:,} points even "
                                 f"simplified to {SIMPLIFY_METRES:g} m; use a generalised (simplified) boundary "
                                 "file": 1}
    assert "wards" not in result["wrote"] and "areas" not in result["wrote"]  # only the import's audit entry


# -- the import page -------------------------------------------------------------------------------------------------

IMPORT_PAGE = "pages/import_data.py"


def import_page(user_id: str) -> AppTest:
    """The import page run on its own, as a signed-in user (under app.py's navigation AppTest does not deliver
    this page's button clicks; uploads it does, see the test below)."""
    at = AppTest.from_file(str(ROOT / IMPORT_PAGE), default_timeout=60)
    at.session_state[USER_KEY] = user_id
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_import_page_shows_a_bad_file_as_a_clear_error_never_a_traceback(app_store):
    analyst = user_with_role(app_store, "analyst")
    before = versions(app_store)
    at = open_page(IMPORT_PAGE, analyst)  # through the app, as a user opens it
    sjis = "Event name,Venue\n日本語の会合,公民館\n".encode("shift_jis")
    at.file_uploader(key="import.sheet_file").set_value(("past-events.csv", sjis, "text/csv")).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [user_text(  # shown as text: a file name is what the user typed
        "past-events.csv: is not UTF-8 or Windows-1252 text (it looks like another encoding, e.g. Shift-JIS, or a "
        "binary file); save it as 'CSV UTF-8' and import that")]
    assert not at.dataframe, "nothing of the file is previewed"
    at = import_page(analyst)
    cut = gzip.compress(crime_csv(*[crime_row(crime_id=f"c{i}") for i in range(50)]))[:-12]
    at.file_uploader(key="import.crime_files").set_value([("2025-03-force-street.csv.gz", cut, "application/gzip")])
    at.run()
    at.button(key="import.crime_go").click().run()
    assert not at.exception, at.exception
    cut_short = "2025-03-force-street.csv.gz: is not a readable gzip file: it is cut short"
    assert [e.value for e in at.error] == [user_text(cut_short)]
    assert not at.metric, "no report for a refused file"
    assert versions(app_store) == before


def test_the_rejected_rows_download_is_audited_as_an_export(app_store, downloads):
    analyst = user_with_role(app_store, "analyst")
    at = import_page(analyst)
    data = crime_csv(crime_row(crime_id="good1", month="2025-03", lon="-1.25", lat="51.75"),
                     crime_row(crime_id="bad1", month="March"))
    at.file_uploader(key="import.crime_files").set_value([("2025-03-force-street.csv", data, "text/csv")]).run()
    at.button(key="import.crime_go").click().run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Rejected"] == "1"

    def exports() -> list[tuple]:
        return db.rows(f"SELECT user_id, table_name, detail FROM {app_store.relation('audit')}"
                                   " WHERE action = 'export'")

    assert exports() == [], "drawing the button exports nothing"
    make = downloads["import.crime.rejected"]
    assert callable(make), "the file is made when it is downloaded, not before"
    rows = make().decode("utf-8-sig")
    assert "bad1" in rows and "Month is not a month" in rows and "good1" not in rows
    ((user_id, table, detail),) = exports()
    assert (user_id, table) == (analyst, "crimes")
    assert detail.startswith("2025-03-force-street-rejected.csv: rejected rows (1 rows)")
    assert "rejected rows of the import of 2025-03-force-street.csv" in detail


def test_the_limits_fit_the_real_files():
    """The real files these limits were sized by, as SOURCES.md describes them, are well inside each limit."""
    real = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
    wards = real / "boundaries" / "staffordshire_wards_2013.geojson"
    if not wards.exists():
        pytest.skip(f"real data not available ({wards} is missing)")
    features = read_features(wards)
    assert max(geo.vertices(f["geometry"]) for f in features) * 10 < MAX_WARD_VERTICES
    crime = real / "police_uk_street_crime" / "2019-01-staffordshire-street.csv"
    assert len(read_sheet(crime)) * 10 < limits.MAX_ROWS and crime.stat().st_size * 10 < limits.MAX_DATA_BYTES
