"""Reading an import's file (CSV, Excel or JSON, plain or gzipped) within the limits of `data.imports.limits`.

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
import csv
import gzip
import io
import json
import re
import zlib
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from data.imports.excel import read_excel
from data.imports.limits import (
    CHUNK_BYTES,
    CSV_CHUNK_ROWS,
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_DATA_BYTES,
    MAX_EXCEL_ROWS,
    MAX_HEADER_BYTES,
    MAX_JSON_BYTES,
    MAX_JSON_CONTAINERS,
    MAX_JSON_DEPTH,
    MAX_JSON_VALUES,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    Deadline,
    ImportRefused,
    mib,
)

Source = str | Path | bytes | IO[bytes]
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


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
    too_large = (f"is larger than {mib(MAX_UPLOAD_BYTES)}, too large to import in one go; split it "
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
        raise ImportRefused(label, f"is larger than {mib(limit)}, too large to import in one go; split it "
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
                    raise ImportRefused(label, f"expands to more than {mib(limit)} when un-gzipped, too large "
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
