"""What every importer shares: reading files within limits, deterministic ids, one-commit writes, the report.

Reading is where a hostile file would do its harm, so every file is read
within limits applied while it is decompressed and parsed, and anything that
cannot be read becomes an `ImportRefused` (a `ValidationError` whose message
names the file and the problem) before anything is written:

- bytes: MAX_UPLOAD_BYTES as given, MAX_DATA_BYTES once un-gzipped (gzip is
  decompressed a chunk at a time and given up past the limit);
- text: UTF-8 (with or without BOM), or Windows-1252 only where the bytes read
  as plausible Western European text (`text_encoding`); anything else is
  refused rather than stored as mojibake;
- rows, columns, cells and characters per cell (MAX_ROWS, MAX_COLUMNS,
  MAX_CELLS, MAX_CELL_CHARS), checked chunk by chunk as the CSV is parsed;
- Excel: the zip's declared and actual part sizes, no DTD or entity
  declarations, MAX_EXCEL_ROWS rows and MAX_EXCEL_CELLS cells, checked by
  streaming the parts before openpyxl (read-only, through defusedxml) reads
  the sheet a row at a time;
- JSON: nesting depth, containers and values counted before it is parsed;
- wall time: READ_SECONDS per file.
"""

from __future__ import annotations

import codecs
import collections
import csv
import dataclasses
import datetime as dt
import gzip
import hashlib
import io
import json
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
from defusedxml import DefusedXmlException

from data import access, audit, db
from data.arrow_schema import SYSTEM_COLUMNS, arrow_schema, system_columns
from data.store import Store, ValidationError

Progress = Callable[[float, str], None]
Source = str | Path | bytes | IO[bytes]
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

# -- limits: each sized so that real files (a force's monthly data.police.uk file, a Nomis census table, a force's
# ward boundaries, a Microsoft Forms export) import, and a hostile file costs at most a bounded amount of memory
# and time.
MAX_UPLOAD_BYTES = 200 * 2**20
"""A file as given (Streamlit's own upload limit)."""
MAX_DATA_BYTES = 128 * 2**20
"""A file once un-gzipped: ~500,000 crime rows of ~220 bytes (Staffordshire's monthly file: 2 MB, 9,728 rows)."""
MAX_ROWS = 500_000
"""Rows of one CSV file: 50 times Staffordshire's monthly street-level file, several times the largest force's."""
MAX_COLUMNS = 500
"""Columns of a sheet (a census table has ~30, a Forms export rarely 150)."""
MAX_CELLS = 20_000_000
"""Rows times columns of one CSV file."""
MAX_CELL_CHARS = 32_767
"""Characters in one cell: Excel's own limit."""
MAX_EXCEL_ROWS = 200_000
"""Rows of one Excel sheet: openpyxl reads a sheet cell by cell (some 50,000 short rows a second), so larger
exports go through CSV."""
MAX_EXCEL_CELLS = 4_000_000
"""Cells (and shared strings) of one Excel workbook."""
MAX_EXCEL_PART_BYTES = 128 * 2**20
"""Uncompressed size of one part (e.g. a sheet's XML) of an Excel zip, declared and actual."""
MAX_EXCEL_BYTES = 256 * 2**20
"""Uncompressed size of all of an Excel zip's parts together."""
MAX_EXCEL_PARTS = 1_000
"""Parts of an Excel zip (a workbook has ~10 plus one per sheet, image and comment)."""
MAX_XML_RUN_BYTES = MAX_CELL_CHARS * 6
"""Bytes of Excel XML between two tags: a cell's text at most, at up to 6 bytes a character (&amp;)."""
MAX_JSON_BYTES = 64 * 2**20
"""A JSON (GeoJSON) file once un-gzipped (Staffordshire's 211 wards: 0.8 MB; its 687 LSOAs: 1.8 MB)."""
MAX_JSON_DEPTH = 20
"""Nesting of JSON arrays and objects (a GeoJSON MultiPolygon's coordinates sit 7 deep)."""
MAX_JSON_CONTAINERS = 1_000_000
"""JSON arrays and objects in one file (each boundary point is one)."""
MAX_JSON_VALUES = 1_500_000
"""JSON values in one file, i.e. ~750,000 boundary points (Staffordshire's wards have 18,563); parsed, that many
take ~100 MB of memory."""
READ_SECONDS = 120
"""Wall time to read and parse one file."""
INT64_MAX = 2**63 - 1
"""The largest whole number a stored count (int64) holds."""
CHUNK_BYTES = 2**20
MAX_HEADER_BYTES = 2**20
CSV_CHUNK_ROWS = 50_000


@dataclasses.dataclass
class ImportReport:
    """What an import did: counted per row of the source files."""

    table: str
    files: list[str] = dataclasses.field(default_factory=list)
    read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    notes: list[str] = dataclasses.field(default_factory=list)
    rejected_rows: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    def lines(self) -> list[str]:
        """The report as lines of text (what the command line prints)."""
        out = [f"{self.table}: {self.read:,} rows read from {len(self.files)} file(s)",
               f"  imported  {self.imported:>9,}  new records",
               f"  updated   {self.updated:>9,}  new versions of records already stored",
               f"  unchanged {self.unchanged:>9,}  already stored as they are (nothing written)",
               f"  rejected  {self.rejected:>9,}"]
        out += [f"    {count:>9,}  {reason}" for reason, count in self.reasons.most_common()]
        out += [f"  note: {note}" for note in self.notes]
        return out

    def summary(self) -> dict[str, Any]:
        """The counts as a plain dict (for the audit log and JSON)."""
        return {"table": self.table, "files": self.files, "read": self.read, "imported": self.imported,
                "updated": self.updated, "unchanged": self.unchanged, "rejected": self.rejected,
                "reasons": dict(self.reasons.most_common())}


def content_id(*parts: Any) -> str:
    """A stable id (32 hex characters) from values: the same source row always gets the same id."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class ImportRefused(ValidationError):
    """A file Beatbook will not import, and why: `errors` is {"file": "<file name>: <problem>"}.

    Raised before anything is written, so a refused file leaves the store as it was.
    """

    def __init__(self, name: str, problem: str, *, field: str = "file"):
        self.file_name = name
        self.problem = problem
        super().__init__({field: f"{name}: {problem}"})


class Deadline:
    """The wall-time limit of reading one file: `check()` refuses the file once `seconds` have passed."""

    def __init__(self, name: str, seconds: float | None = None):
        self.name = name
        self.seconds = READ_SECONDS if seconds is None else seconds
        self.until = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.until:
            raise ImportRefused(self.name, f"took longer than {self.seconds:.0f} seconds to read; split it into "
                                           "smaller files")


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def source_name(source: Source, name: str | None = None) -> str:
    """The file's name (without folders, at most 120 characters) for reports, messages and the audit log."""
    if name:
        label = Path(name).name
    elif isinstance(source, str | Path):
        label = Path(source).name
    elif isinstance(source, bytes | bytearray):
        label = "the uploaded file"
    else:
        label = Path(str(getattr(source, "name", "") or "the uploaded file")).name
    label = "".join(c if c.isprintable() else "?" for c in label) or "the uploaded file"
    return label if len(label) <= 120 else f"{label[:70]}…{label[-45:]}"


def read_bytes(source: Source, *, name: str | None = None, limit: int | None = None,
               deadline: Deadline | None = None) -> bytes:
    """The whole file, un-gzipped if it is gzip (by its magic bytes, whatever its name).

    Refused (ImportRefused) when empty, larger than MAX_UPLOAD_BYTES as given,
    or larger than `limit` (MAX_DATA_BYTES) once un-gzipped: a gzip file is
    decompressed a chunk at a time and given up as soon as it passes the limit,
    so a small file that expands to gigabytes costs no more than the limit.
    """
    label = source_name(source, name)
    limit = MAX_DATA_BYTES if limit is None else limit
    deadline = deadline or Deadline(label)
    too_large = (f"is larger than {_mib(MAX_UPLOAD_BYTES)}, too large to import in one go; split it "
                 "(e.g. by month)")
    try:
        if isinstance(source, bytes | bytearray):
            data = bytes(source)
        elif isinstance(source, str | Path):
            path = Path(source)
            if path.stat().st_size > MAX_UPLOAD_BYTES:
                raise ImportRefused(label, too_large)
            data = path.read_bytes()
        else:
            data = source.read(MAX_UPLOAD_BYTES + 1)
    except OSError as exc:
        raise ImportRefused(label, f"could not be read ({exc.strerror or type(exc).__name__})") from None
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRefused(label, too_large)
    if not data:
        raise ImportRefused(label, "is empty")
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, label, limit, deadline)
        if not data:
            raise ImportRefused(label, "is empty once un-gzipped")
    elif len(data) > limit:
        raise ImportRefused(label, f"is larger than {_mib(limit)}, too large to import in one go; split it "
                                   "(e.g. by month)")
    return data


def _gunzip(data: bytes, label: str, limit: int, deadline: Deadline) -> bytes:
    """Decompress gzip a chunk at a time, refusing it as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise ImportRefused(label, f"expands to more than {_mib(limit)} when un-gzipped, too large "
                                               "to import in one go (or not a real data file)")
                chunks.append(chunk)
                deadline.check()
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError; a cut-short file is an EOFError
        reason = "it is cut short" if isinstance(exc, EOFError) else "its compressed data is damaged"
        raise ImportRefused(label, f"is not a readable gzip file: {reason}") from None
    return b"".join(chunks)


def read_sheet(source: Source, *, name: str | None = None, sheet: str | int = 0,
               max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """A CSV (plain or gzipped; UTF-8 with or without BOM, or Windows-1252) or Excel file, every cell as text.

    Anything that cannot be read is refused (ImportRefused, naming the file and
    the problem), and the limits are applied while the file is read: its size
    un-gzipped, `max_rows` rows, MAX_COLUMNS columns, MAX_CELLS cells,
    MAX_CELL_CHARS characters in a cell and READ_SECONDS of wall time.
    """
    label = source_name(source, name)
    deadline = Deadline(label)
    data = read_bytes(source, name=label, deadline=deadline)
    if label.lower().endswith(EXCEL_SUFFIXES) or data[:4] == b"PK\x03\x04":
        frame = read_excel(data, label, sheet=sheet, max_rows=min(max_rows, MAX_EXCEL_ROWS), deadline=deadline)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRefused(label, "is an old-style Excel workbook (.xls): save it as .xlsx or CSV UTF-8")
    else:
        encoding = text_encoding(data, label, deadline=deadline)
        frame = _read_csv(data, label, encoding, max_rows=max_rows, deadline=deadline)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.fillna("")


# -- text ---------------------------------------------------------------------------------------------------------

_RARE_CP1252 = "ƒ„†‡ˆ‰Š‹ŒŽ˜š›œžŸ"
"""Windows-1252 characters (bytes 0x80-0x9F) that Western European text hardly uses, but that other encodings'
bytes (Shift-JIS, GBK, EUC-KR) turn into when read as Windows-1252."""
_NOT_WESTERN = re.compile(f"[^\\x00-\\x7f]{{3,}}|[{_RARE_CP1252}]|[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]")
"""Three or more non-ASCII characters in a row, a rare character, or a control character."""
_NOT_ENCODING = ("is not UTF-8 or Windows-1252 text (it looks like another encoding, e.g. Shift-JIS, or a binary "
                 "file); save it as 'CSV UTF-8' and import that")


def text_encoding(data: bytes, label: str, *, deadline: Deadline | None = None) -> str:
    """The encoding to read the bytes with: "utf-8-sig" or "utf-8" when they are UTF-8, else "cp1252" when they
    are plausibly Windows-1252 text; anything else is refused rather than stored as mojibake.

    Windows-1252 decodes nearly any bytes, so it is accepted only when the
    decoded text looks Western European: every byte defined, no control
    characters, no run of three or more non-ASCII characters (text in
    English, French or German has accented letters between plain ones, while
    a multi-byte encoding read as Windows-1252 makes runs of them: Shift-JIS
    "日本語" becomes "“ú–{Œê") and none of the characters such text hardly uses
    (ƒ „ † ‡ ˆ ‰ Š ‹ Œ Ž ˜ š › œ ž Ÿ).
    """
    deadline = deadline or Deadline(label)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ImportRefused(label, "is UTF-16 text (Excel's 'Unicode text'); save it as 'CSV UTF-8' and import "
                                   "that")
    if b"\x00" in data:
        raise ImportRefused(label, "holds NUL bytes: it is not a text (CSV) file")
    encoding = "utf-8-sig" if data[:3] == b"\xef\xbb\xbf" else "utf-8"
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for start in range(0, len(data), CHUNK_BYTES):
            decoder.decode(data[start:start + CHUNK_BYTES], final=start + CHUNK_BYTES >= len(data))
            deadline.check()
        return encoding
    except UnicodeDecodeError:
        if encoding == "utf-8-sig":  # a UTF-8 byte order mark, then bytes that are not UTF-8
            raise ImportRefused(label, _NOT_ENCODING) from None
    for start in range(0, len(data), CHUNK_BYTES):
        try:  # single-byte: a chunk is whole characters; two bytes of overlap catch a run across chunks
            text = data[max(start - 2, 0):start + CHUNK_BYTES].decode("cp1252")
        except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90 and 0x9D are not Windows-1252
            raise ImportRefused(label, _NOT_ENCODING) from None
        if _NOT_WESTERN.search(text):
            raise ImportRefused(label, _NOT_ENCODING)
        deadline.check()
    return "cp1252"


def _read_csv(data: bytes, label: str, encoding: str, *, max_rows: int, deadline: Deadline) -> pd.DataFrame:
    """Parse CSV bytes in chunks of rows, checking the limits after each chunk."""
    header = data[:data.find(b"\n", 0, MAX_HEADER_BYTES)] if b"\n" in data[:MAX_HEADER_BYTES] \
        else data[:MAX_HEADER_BYTES]
    if header.count(b",") + 1 > MAX_COLUMNS:
        raise ImportRefused(label, f"has more than {MAX_COLUMNS:,} columns")
    chunks = []
    rows = 0
    try:
        reader = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[], encoding=encoding,
                             chunksize=CSV_CHUNK_ROWS, low_memory=True)
        for chunk in reader:
            if len(chunk.columns) > MAX_COLUMNS:
                raise ImportRefused(label, f"has more than {MAX_COLUMNS:,} columns")
            _check_cells(chunk, label, first_row=rows + 2)
            rows += len(chunk)
            if rows > max_rows:
                raise ImportRefused(label, f"has more than {max_rows:,} rows; split it into smaller files")
            if rows * len(chunk.columns) > MAX_CELLS:
                raise ImportRefused(label, f"has more than {MAX_CELLS:,} cells; split it into smaller files")
            chunks.append(chunk)
            deadline.check()
    except ImportRefused:
        raise
    except pd.errors.EmptyDataError:
        raise ImportRefused(label, "is empty: it has no header row") from None
    except pd.errors.ParserError as exc:
        detail = re.sub(r"^Error tokenizing data\. C error: ", "", str(exc).strip().splitlines()[0])[:200]
        raise ImportRefused(label, f"is not a readable CSV file ({detail})") from None
    except (ValueError, UnicodeError, csv.Error) as exc:
        raise ImportRefused(label, f"is not a readable CSV file ({type(exc).__name__})") from None
    if not chunks:
        raise ImportRefused(label, "is empty: it has no header row")
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def _check_cells(frame: pd.DataFrame, label: str, *, first_row: int) -> None:
    """Refuse the file if a cell of `frame` holds more than MAX_CELL_CHARS characters (naming the row)."""
    long = [str(c) for c in frame.columns if len(str(c)) > MAX_CELL_CHARS]
    if long:
        raise ImportRefused(label, f"a column heading is longer than {MAX_CELL_CHARS:,} characters")
    for position, column in enumerate(frame.columns):
        lengths = frame.iloc[:, position].str.len()
        if len(lengths) and lengths.max() > MAX_CELL_CHARS:
            row = first_row + int(lengths.to_numpy().argmax())
            raise ImportRefused(label, f"row {row:,}, column '{str(column)[:60]}': a cell holds more than "
                                       f"{MAX_CELL_CHARS:,} characters")


# -- Excel --------------------------------------------------------------------------------------------------------

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
            raise ImportRefused(label, f"unpacks to more than {_mib(min(MAX_EXCEL_BYTES, MAX_EXCEL_PART_BYTES))}"
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
                    raise ImportRefused(label, f"unpacks to more than {_mib(MAX_EXCEL_PART_BYTES)} (a zip bomb, or "
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


# -- JSON ---------------------------------------------------------------------------------------------------------

_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', flags=re.DOTALL)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b"[]{},")


def read_json(source: Source, *, name: str | None = None, limit: int | None = None, what: str = "JSON") -> Any:
    """A JSON file (UTF-8, plain or gzipped) as Python values, within the limits.

    Before `json` parses it, the text is scanned (strings blanked, then only
    brackets and commas kept) for its nesting depth (MAX_JSON_DEPTH), the
    number of arrays and objects (MAX_JSON_CONTAINERS) and of values
    (MAX_JSON_VALUES), so that what it would build in memory is bounded by
    the limits, not by what the file claims. NaN and Infinity are refused.
    """
    label = source_name(source, name)
    deadline = Deadline(label)
    data = read_bytes(source, name=label, limit=MAX_JSON_BYTES if limit is None else limit, deadline=deadline)
    structure = _JSON_STRING.sub(b'""', data).translate(None, delete=_NOT_STRUCTURE)
    deadline.check()
    marks = np.frombuffer(structure, dtype=np.uint8)
    opens = (marks == ord("[")) | (marks == ord("{"))
    closes = (marks == ord("]")) | (marks == ord("}"))
    depth = int(np.cumsum(opens.astype(np.int32) - closes.astype(np.int32)).max()) if len(marks) else 0
    if depth > MAX_JSON_DEPTH:
        raise ImportRefused(label, f"nests arrays or objects more than {MAX_JSON_DEPTH} deep (GeoJSON needs 7 at "
                                   "most)")
    if int(opens.sum()) > MAX_JSON_CONTAINERS or int((marks == ord(",")).sum()) + 1 > MAX_JSON_VALUES:
        raise ImportRefused(label, f"holds more than {MAX_JSON_VALUES:,} values (coordinates count two each); "
                                   "use a generalised (simplified) boundary file, or split it")
    del structure, marks, opens, closes
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(label, f"is not a {what} file: its text is not UTF-8, as JSON's must be") from None
    del data

    def refuse_constant(value: str) -> Any:
        raise ValueError(f"{value} is not a JSON number")

    try:
        return json.loads(text, parse_constant=refuse_constant)
    except RecursionError:
        raise ImportRefused(label, f"nests arrays or objects more than {MAX_JSON_DEPTH} deep") from None
    except ValueError as exc:
        raise ImportRefused(label, f"is not a {what} file ({str(exc)[:120]})") from None


def _cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV export would hold."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.isoformat(sep=" ") if (value.hour or value.minute or value.second) else value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def begin(store: Store, user: Mapping[str, Any] | None, capability: str = "import") -> str:
    """Check the acting user may import; their id (written as `written_by`)."""
    return access.require(user, capability)


def write_records(store: Store, table: str, rows: pa.Table, *, user_id: str, report: ImportReport | None = None
                  ) -> list[str]:
    """Append rows keyed by `record_id`, versioned by content (`submission_id`), in one commit.

    `rows` holds the table's fields plus `record_id` and `submission_id`. A row
    whose submission id is already stored is left out (unchanged); a row whose
    record id is stored with other content becomes its next version (updated);
    the rest are new records (imported). Repeats within `rows` count once.
    Adds the counts to `report`; returns each row's outcome ("imported", "updated", "unchanged").
    """
    report = report or ImportReport(table)
    if not rows.num_rows:
        return []
    snap = store.snapshot(table)
    if snap.files:
        scan = db.parquet_scan(snap.files)
        known = db.rows(
            "WITH wanted AS (SELECT DISTINCT record_id FROM incoming),"
            f" stored AS (SELECT s.record_id, s.version, s.submission_id FROM {scan} s"
            "  JOIN wanted USING (record_id))"
            " SELECT record_id, max(version) AS version, list(submission_id) AS submissions"
            " FROM stored GROUP BY record_id", tables={"incoming": rows.select(["record_id", "submission_id"])})
    else:
        known = []
    latest = {record_id: version for record_id, version, _ in known}
    seen = {s for _, _, submissions in known for s in submissions}
    keep, versions, outcomes = [], [], []
    ids = rows.column("record_id").to_pylist()
    subs = rows.column("submission_id").to_pylist()
    for i, (record_id, submission) in enumerate(zip(ids, subs, strict=True)):
        if submission in seen:
            report.unchanged += 1
            outcomes.append("unchanged")
            continue
        seen.add(submission)
        version = latest.get(record_id, 0) + 1
        latest[record_id] = version
        keep.append(i)
        versions.append(version)
        outcomes.append("imported" if version == 1 else "updated")
        if version == 1:
            report.imported += 1
        else:
            report.updated += 1
    if not keep:
        return outcomes
    data = rows.take(pa.array(keep, type=pa.int64()))
    n = data.num_rows
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    system = system_columns(record_id=data.column("record_id"), submission_id=data.column("submission_id"),
                            version=versions, written_at=now, written_by=user_id, rows=n)
    schema = arrow_schema(table)
    columns = []
    for field in schema:
        if field.name in system:
            columns.append(system[field.name])
        elif field.name in data.column_names:
            columns.append(data.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(n, field.type))
    store.append_rows(table, pa.Table.from_arrays(columns, schema=schema))
    return outcomes


def record_table(table: str, rows: list[dict]) -> pa.Table:
    """Rows of a table's fields plus `record_id` and `submission_id`, typed as the table stores them."""
    schema = arrow_schema(table)
    skip = set(SYSTEM_COLUMNS) - {"record_id", "submission_id", "reference"}
    fields = [f for f in schema if f.name not in skip]
    return pa.Table.from_pylist([{f.name: r.get(f.name) for f in fields} for r in rows], schema=pa.schema(fields))


def finish(store: Store, user: Mapping[str, Any], report: ImportReport, *, detail: str = "",
           action: str = "import", target_ids: Iterable[str] = ()) -> ImportReport:
    """Log the import in the audit log (as `action`, naming `target_ids`) and hand the report back."""
    counts = report.summary()
    text = (f"{', '.join(report.files)}: read {counts['read']}, imported {counts['imported']}, updated "
            f"{counts['updated']}, unchanged {counts['unchanged']}, rejected {counts['rejected']}")
    audit.log(store, user, action, table=report.table, target_ids=target_ids,
              detail=(text + (f"; {detail}" if detail else ""))[:4000])
    return report


def rejected_frame(source: pd.DataFrame, rows: Iterable[int], reasons: Iterable[str]) -> pd.DataFrame:
    """The rejected source rows as they were, with the file row number and the reason first."""
    positions = list(rows)
    out = source.iloc[positions].copy()
    out.insert(0, "reason", list(reasons))
    out.insert(0, "row", [p + 2 for p in positions])  # the header is row 1, as a spreadsheet numbers it
    return out.reset_index(drop=True)
