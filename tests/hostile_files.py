"""Hostile files made by the tests (none is committed): broken and oversized workbooks, gzip bombs, ward
boundaries of any shape; and how a refused import is checked (nothing written, the problem named)."""

from __future__ import annotations

import io
import math
import zipfile
import zlib
from collections.abc import Iterable, Iterator

import numpy as np
import pytest

from data.imports.crime import import_crime
from data.imports.limits import ImportRefused
from data.imports.spreadsheet import import_spreadsheet
from data.store import Store, ValidationError
from tests.imports_fixture import ANALYST

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
