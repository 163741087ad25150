"""Excel workbooks read within the limits: the zip's parts checked before openpyxl reads the sheet."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from defusedxml import DefusedXmlException

from data.imports.limits import (
    CHUNK_BYTES,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_EXCEL_BYTES,
    MAX_EXCEL_CELLS,
    MAX_EXCEL_PART_BYTES,
    MAX_EXCEL_PARTS,
    MAX_EXCEL_ROWS,
    MAX_ROWS,
    MAX_XML_RUN_BYTES,
    Deadline,
    ImportRefused,
    mib,
)

_XML_PARTS = (".xml", ".rels", ".vml")


def read_excel(data: bytes, label: str, *, sheet: str | int = 0, max_rows: int = MAX_EXCEL_ROWS,
               deadline: Deadline | None = None) -> pd.DataFrame:
    """An Excel workbook's sheet as text cells (the first row is the header), read within the limits.

    Before openpyxl parses anything, every part of the zip is checked: its
    declared and actual uncompressed size (MAX_EXCEL_PART_BYTES each,
    MAX_EXCEL_BYTES in all), no DTD or entity declaration (Excel never writes
    one: it is how a "billion laughs" entity bomb starts), UTF-8 XML, no text
    run longer than a cell may be, and no more rows, cells or shared strings
    than the limits. openpyxl then reads the sheet a row at a time (read-only
    mode, through defusedxml), stopping at the limits.
    """
    deadline = deadline or Deadline(label)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ImportRefused(label, "is not an Excel workbook (.xlsx): it is not a readable zip file") from None
    with archive:
        _check_workbook_parts(archive, label, max_rows=max_rows, deadline=deadline)
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged workbook
            raise _unreadable(label, exc) from None
    try:
        try:
            worksheet = book.worksheets[sheet] if isinstance(sheet, int) else book[sheet]
        except (IndexError, KeyError):
            raise ImportRefused(label, f"has no sheet {sheet!r}") from None
        if not hasattr(worksheet, "reset_dimensions"):
            raise ImportRefused(label, f"sheet {worksheet.title!r} is a chart, not a table")
        worksheet.reset_dimensions()  # the file's own <dimension> may claim any size: size rows by their cells
        rows = _excel_rows(worksheet, label, max_rows=max_rows, deadline=deadline)
    except ImportRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged workbook
        raise _unreadable(label, exc) from None
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()  # trailing empty rows, as pandas drops them
    if not rows:
        raise ImportRefused(label, "is empty: its first sheet has no rows")
    width = max(len(r) for r in rows)
    header = [c or f"Unnamed: {i}" for i, c in enumerate(rows[0] + [""] * (width - len(rows[0])))]
    seen: dict[str, int] = {}
    for i, heading in enumerate(header):  # repeated headings get .1, .2, as pandas names them
        if heading in seen:
            seen[heading] += 1
            header[i] = f"{heading}.{seen[heading]}"
        else:
            seen[heading] = 0
    body = [r + [""] * (width - len(r)) for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=object)


def _unreadable(label: str, exc: BaseException) -> ImportRefused:
    """What openpyxl's exception means for the file: defusedxml's refusal (however wrapped), or damage."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return ImportRefused(label, "declares XML entities (a DTD), which an Excel workbook never has")
        cause = cause.__cause__ or cause.__context__
    return ImportRefused(label, f"is not an Excel workbook Beatbook can read ({type(exc).__name__})")


def _excel_rows(worksheet: Any, label: str, *, max_rows: int, deadline: Deadline) -> list[list[str]]:
    rows: list[list[str]] = []
    cells = 0
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if number > max_rows + 1:  # the header is one more row
            raise ImportRefused(label, f"has more than {max_rows:,} rows; split it, or save it as CSV UTF-8 "
                                       f"(up to {MAX_ROWS:,} rows)")
        if len(values) > MAX_COLUMNS:
            raise ImportRefused(label, f"row {number:,} has a cell beyond column {MAX_COLUMNS:,}")
        cells += len(values)
        if cells > MAX_EXCEL_CELLS:
            raise ImportRefused(label, f"has more than {MAX_EXCEL_CELLS:,} cells; split it into smaller files")
        row = [_cell_text(v) for v in values]
        for column, text in enumerate(row):
            if len(text) > MAX_CELL_CHARS:
                raise ImportRefused(label, f"row {number:,}, column {column + 1}: a cell holds more than "
                                           f"{MAX_CELL_CHARS:,} characters")
        rows.append(row)
        if number % 1000 == 0:
            deadline.check()
    return rows


def _check_workbook_parts(archive: zipfile.ZipFile, label: str, *, max_rows: int, deadline: Deadline) -> None:
    """Check a workbook's zip parts, streaming each XML part once, before openpyxl opens it."""
    parts = archive.infolist()
    if len(parts) > MAX_EXCEL_PARTS:
        raise ImportRefused(label, f"is not an Excel workbook Beatbook imports: it holds {len(parts):,} parts")
    declared = 0
    for part in parts:
        declared += part.file_size
        if part.flag_bits & 0x1:
            raise ImportRefused(label, "is password-protected: save an unprotected copy")
        if part.file_size > MAX_EXCEL_PART_BYTES or declared > MAX_EXCEL_BYTES:
            raise ImportRefused(label, f"unpacks to more than {mib(min(MAX_EXCEL_BYTES, MAX_EXCEL_PART_BYTES))}"
                                       " (a zip bomb, or too large to import in one go)")
    if "xl/workbook.xml" not in archive.namelist():
        raise ImportRefused(label, "is not an Excel workbook (.xlsx): it has no xl/workbook.xml")
    for part in parts:
        if part.filename.lower().endswith(_XML_PARTS):
            _check_xml_part(archive, part, label, max_rows=max_rows, deadline=deadline)


def _check_xml_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, label: str, *, max_rows: int,
                    deadline: Deadline) -> None:
    """Stream one XML part: its actual size, no DTD, UTF-8, text runs, and its rows, cells or strings counted."""
    name = part.filename
    sheet = name.startswith("xl/worksheets/")
    if sheet:
        counted = (b"<row ", b"<row>"), max_rows + 1, f"has more than {max_rows:,} rows"
    elif name == "xl/sharedStrings.xml":
        counted = (b"<si>", b"<si "), MAX_EXCEL_CELLS, f"has more than {MAX_EXCEL_CELLS:,} shared strings"
    else:
        counted = None
    cell_tags = (b"<c ", b"<c>") if sheet else ()
    size = count = cells = run = longest = 0
    tail = b""
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                size += len(chunk)
                if size > MAX_EXCEL_PART_BYTES:
                    raise ImportRefused(label, f"unpacks to more than {mib(MAX_EXCEL_PART_BYTES)} (a zip bomb, or "
                                               "too large to import in one go)")
                if size == len(chunk) and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    raise ImportRefused(label, f"part {name} is not UTF-8 XML")
                if b"\x00" in chunk:
                    raise ImportRefused(label, f"part {name} is not UTF-8 XML")
                joined = tail + chunk
                if b"<!DOCTYPE" in joined or b"<!ENTITY" in joined:
                    raise ImportRefused(label, "declares XML entities (a DTD), which an Excel workbook never has")
                if counted:
                    tags, limit, problem = counted
                    count += sum(joined.count(t) - tail.count(t) for t in tags)
                    if count > limit:
                        raise ImportRefused(label, f"{problem}; split it, or save it as CSV UTF-8 (up to "
                                                   f"{MAX_ROWS:,} rows)")
                if cell_tags:
                    cells += sum(joined.count(t) - tail.count(t) for t in cell_tags)
                    if cells > MAX_EXCEL_CELLS:
                        raise ImportRefused(label, f"has more than {MAX_EXCEL_CELLS:,} cells; split it into "
                                                   "smaller files")
                run, longest = _longest_run(chunk, run, longest)
                if longest > MAX_XML_RUN_BYTES:
                    raise ImportRefused(label, f"a cell or value holds more than {MAX_CELL_CHARS:,} characters")
                tail = chunk[-16:]
                deadline.check()
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise ImportRefused(label, f"is not a readable Excel workbook: part {name} is damaged "
                                   f"({type(exc).__name__})") from None
    if size != part.file_size:
        raise ImportRefused(label, f"is not a readable Excel workbook: part {name} is not the size it declares")


def _longest_run(chunk: bytes, run: int, longest: int) -> tuple[int, int]:
    """The run of bytes without "<" going on at the end of `chunk` (given the one before it), and the longest yet."""
    marks = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == ord("<"))
    if not len(marks):
        run += len(chunk)
        return run, max(longest, run)
    longest = max(longest, run + int(marks[0]))
    if len(marks) > 1:
        longest = max(longest, int(np.diff(marks).max()) - 1)
    return len(chunk) - int(marks[-1]) - 1, longest


def _cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV export would hold."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.isoformat(sep=" ") if (value.hour or value.minute or value.second) else value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
