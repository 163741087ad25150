"""Exports: dangerous text is neutralised in CSV and Excel; numbers and dates survive."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from analytics.export import (
    neutralise,
    sheet_names,
    to_csv_bytes,
    to_excel_bytes,
    to_zip_of_csv_bytes,
)

DANGEROUS = ["=1+2", "+44 1234", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def sample() -> pd.DataFrame:
    n = len(DANGEROUS) + 1
    return pd.DataFrame({
        "note": [*DANGEROUS, "plain text"],
        "count": [-3, 0, 1, 2, 3, 4, 5],
        "rate": [0.25] * n,
        "contact_at": pd.to_datetime(["2025-03-03 10:30"] * n),
        "week": pd.to_datetime(["2025-03-03"] * n),
        "day": [dt.date(2025, 3, 4)] * n,
        "issues": [["=HYPERLINK(x)", "Speeding"]] + [["Speeding"]] * (n - 1),
    })


def read_csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_sheet(data: bytes, index: int = 0) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    # The file escapes a carriage return as _x000D_ (Excel shows it as CR); openpyxl leaves it escaped.
    return [tuple(v.replace("_x000D_", "\r") if isinstance(v, str) else v for v in row)
            for row in book.worksheets[index].iter_rows(values_only=True)]


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_each_dangerous_start(text):
    assert neutralise(text) == "'" + text


def test_neutralise_leaves_safe_values():
    assert neutralise("Speeding") == "Speeding"
    assert neutralise("a=b") == "a=b"
    assert neutralise(-3) == -3
    assert neutralise(None) is None


def test_csv_neutralises_every_dangerous_cell():
    rows = read_csv_rows(to_csv_bytes(sample()))
    assert rows[0] == ["note", "count", "rate", "contact_at", "week", "day", "issues"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in DANGEROUS] + ["plain text"]
    assert rows[1][6] == "'=HYPERLINK(x); Speeding"  # a list becomes one text cell, then is neutralised


def test_csv_keeps_numbers_and_dates():
    rows = read_csv_rows(to_csv_bytes(sample()))
    assert [r[1] for r in rows[1:]] == ["-3", "0", "1", "2", "3", "4", "5"]  # a negative number is not text
    assert rows[1][2:6] == ["0.25", "2025-03-03 10:30:00", "2025-03-03", "2025-03-04"]


def test_csv_neutralises_headers():
    rows = read_csv_rows(to_csv_bytes(pd.DataFrame({"=cmd": [1]})))
    assert rows[0] == ["'=cmd"]


def test_excel_neutralises_every_dangerous_cell():
    rows = read_sheet(to_excel_bytes({"CCRs": sample()}))
    assert [r[0] for r in rows[1:]] == ["'" + t for t in DANGEROUS] + ["plain text"]
    assert rows[1][6] == "'=HYPERLINK(x); Speeding"
    book = openpyxl.load_workbook(io.BytesIO(to_excel_bytes({"CCRs": sample()})))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere


def test_excel_keeps_numbers_and_dates():
    book = openpyxl.load_workbook(io.BytesIO(to_excel_bytes({"CCRs": sample()})))
    sheet = book.worksheets[0]
    assert [sheet.cell(row=r, column=2).value for r in range(2, 9)] == [-3, 0, 1, 2, 3, 4, 5]
    assert sheet["C2"].value == 0.25
    assert sheet["D2"].value == dt.datetime(2025, 3, 3, 10, 30)
    assert sheet["D2"].is_date and sheet["D2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["E2"].value == dt.datetime(2025, 3, 3) and sheet["E2"].number_format == "yyyy-mm-dd"
    assert sheet["F2"].value == dt.datetime(2025, 3, 4) and sheet["F2"].is_date


def test_excel_has_one_sheet_per_frame_with_safe_names():
    frames = {"By age band": pd.DataFrame({"n": [1]}), "a/b:c*d?[e]" + "x" * 40: pd.DataFrame({"n": [2]}),
              "by age band": pd.DataFrame({"n": [3]})}
    book = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(frames)))
    assert book.sheetnames == ["By age band", ("a_b_c_d__e_" + "x" * 40)[:31], "by age band (2)"]
    assert [ws["A2"].value for ws in book.worksheets] == [1, 2, 3]


def test_sheet_names_are_at_most_31_characters_and_unique():
    names = sheet_names(["x" * 40, "x" * 40, "", "'quoted'"])
    assert names == ["x" * 31, "x" * 27 + " (2)", "Sheet", "quoted"]
    assert all(len(n) <= 31 for n in names)


def test_empty_frame_and_empty_workbook_export():
    assert read_csv_rows(to_csv_bytes(pd.DataFrame({"a": []}))) == [["a"]]
    assert openpyxl.load_workbook(io.BytesIO(to_excel_bytes({}))).sheetnames == ["Empty"]


def test_zip_holds_one_neutralised_csv_per_frame():
    data = to_zip_of_csv_bytes({"By area": pd.DataFrame({"area": ["=North"]}), "by area": pd.DataFrame({"n": [1]})})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["by-area.csv", "by-area-2.csv"]
        assert read_csv_rows(archive.read("by-area.csv")) == [["area"], ["'=North"]]
