"""Exports: the data behind a chart or table as CSV or Excel bytes, safe to open.

Formula injection: a spreadsheet treats a cell that starts with =, +, - or @
(and, in some programs, a tab or carriage return) as a formula. Every text
cell, and every column header, that starts with one of those is prefixed with
a single quote, in CSV and in Excel alike, so a CCR's free text can never run
as a formula on an analyst's machine. Numbers, dates and times are not text
and are written as they are (a negative number stays a number). List cells
(e.g. a record's issues) are joined with "; " into one text cell first.

Excel: one sheet per frame (names made safe: no []:*?/\\, at most 31
characters, unique), dates and times as real Excel dates, header row frozen.
CSV: UTF-8 with a byte-order mark, so Excel opens accented names correctly;
ISO dates (a column of whole days is written as dates, without 00:00:00).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_MAX = 31
LIST_SEPARATOR = "; "
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FILE_FORBIDDEN = re.compile(r"[^A-Za-z0-9._-]+")


def neutralise(value: Any) -> Any:
    """A text value a spreadsheet would read as a formula, prefixed with a quote; anything else as it is."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def _flatten(value: Any) -> Any:
    if isinstance(value, list | tuple | np.ndarray):
        return LIST_SEPARATOR.join("" if v is None else str(v) for v in value)
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy ready to export: lists joined, text cells and headers neutralised, time zones dropped."""
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            out[column] = values.dt.tz_localize(None)  # Excel has no time zones
        elif pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype):
            out[column] = values.astype(object).map(lambda v: neutralise(_flatten(v)))
    return out.reset_index(drop=True)


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """The frame as CSV (UTF-8 with BOM, ISO dates), every text cell neutralised."""
    safe = _whole_days_as_dates(safe_frame(df))
    # CRLF line ends (RFC 4180) also make the writer quote a text cell holding a bare CR.
    return safe.to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S", lineterminator="\r\n").encode("utf-8-sig")


def to_zip_of_csv_bytes(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """Several frames as one zip of CSV files, named after the frames."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, df in frames.items():
            stem = file_stem(name) or "data"
            candidate, n = stem, 1
            while candidate in used:
                n += 1
                candidate = f"{stem}-{n}"
            used.add(candidate)
            archive.writestr(f"{candidate}.csv", to_csv_bytes(df))
    return buffer.getvalue()


def to_excel_bytes(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per frame; text neutralised, dates kept as dates."""
    buffer = io.BytesIO()
    names = sheet_names(list(frames))
    with pd.ExcelWriter(
        buffer, engine="xlsxwriter", datetime_format="yyyy-mm-dd hh:mm", date_format="yyyy-mm-dd",
        # Belt and braces: even an unneutralised string is never written as a formula or link.
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
    ) as writer:
        for sheet, df in zip(names, frames.values(), strict=True):
            safe = _whole_days_as_dates(safe_frame(df))
            safe.to_excel(writer, sheet_name=sheet, index=False)
            worksheet = writer.sheets[sheet]
            worksheet.freeze_panes(1, 0)
            worksheet.autofit()
        if not frames:
            writer.book.add_worksheet("Empty")
    return buffer.getvalue()


def _whole_days_as_dates(df: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns that hold whole days only become dates, shown in Excel without a time."""
    out = df.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_datetime64_dtype(values.dtype) and len(values.dropna()) \
                and (values.dropna() == values.dropna().dt.normalize()).all():
            out[column] = [None if pd.isna(v) else v.date() for v in values]
    return out


def sheet_names(names: list[str]) -> list[str]:
    """Excel-safe, unique sheet names: forbidden characters replaced, at most 31 characters."""
    result: list[str] = []
    seen: set[str] = set()
    for raw in names:
        base = _SHEET_FORBIDDEN.sub("_", str(raw)).strip().strip("'") or "Sheet"
        candidate, n = base[:SHEET_NAME_MAX], 1
        while candidate.lower() in seen:
            n += 1
            suffix = f" ({n})"
            candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        seen.add(candidate.lower())
        result.append(candidate)
    return result


def file_stem(name: str) -> str:
    """A plain file name stem: letters, digits, dot, dash and underscore only."""
    return _FILE_FORBIDDEN.sub("-", name.strip().lower()).strip("-.")[:80]
