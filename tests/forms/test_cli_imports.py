"""`python -m forms import ...` (and `python -m analytics export` after it), run as an analyst would."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from tests.imports_fixture import crime_csv, crime_row, make_store, square

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, module: str = "forms") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def counts(stdout: str) -> dict[str, int]:
    """The report's counts: `imported  12  new records` -> {"imported": 12}."""
    out = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("imported", "updated", "unchanged", "rejected") \
                and parts[1].replace(",", "").isdigit():
            out[parts[0]] = int(parts[1].replace(",", ""))
    return out


def test_import_boundaries_then_crime_then_export(tmp_path):
    store = tmp_path / "store"
    wards = tmp_path / "wards.geojson"
    wards.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"WD19CD": "E05000001", "WD19NM": "Riverside", "LAD19CD": "E07000901",
                                           "LAD19NM": "Northshire"}, "geometry": square(-1.3)},
        {"type": "Feature", "properties": {"WD19CD": "E05000002", "WD19NM": "Hilltop", "LAD19CD": "E07000901",
                                           "LAD19NM": "Northshire"}, "geometry": square(-1.2)}]}))
    result = run("import", "boundaries", str(wards), "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert counts(result.stdout) == {"imported": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert "new areas: E07000901 (Northshire)" in result.stdout

    march, april = tmp_path / "2025-03-test-street.csv", tmp_path / "2025-04-test-street.csv"
    march.write_bytes(crime_csv(crime_row(crime_id="a", lon="-1.25", lat="51.75"),
                                crime_row(crime_id="b", month="2025-13"),
                                crime_row(crime_id="c")))
    april.write_bytes(crime_csv(crime_row(crime_id="d", month="2025-04", lon="-1.15", lat="51.75")))
    rejected = tmp_path / "rejected.csv"
    result = run("import", "crime", str(march), str(april), "--store", str(store), "--rejected", str(rejected))
    assert result.returncode == 0, result.stderr
    assert "crimes: 4 rows read from 2 file(s)" in result.stdout
    assert counts(result.stdout) == {"imported": 3, "updated": 0, "unchanged": 0, "rejected": 1}
    assert "Month is not a month (YYYY-MM)" in result.stdout
    with open(rejected, newline="", encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["Crime ID"], row["reason"]) == ("b", "Month is not a month (YYYY-MM)")

    again = run("import", "crime", str(march), str(april), "--store", str(store))
    assert counts(again.stdout)["imported"] == 0 and counts(again.stdout)["unchanged"] == 3

    out = tmp_path / "export"
    result = run("export", "--store", str(store), "--out", str(out), "--start", "2025-04-01", "--end", "2025-04-30",
                 module="analytics")
    assert result.returncode == 0, result.stderr
    crimes = pq.read_table(out / "crimes.parquet").to_pandas()
    assert list(crimes["crime_id"]) == ["d"] and crimes["ward_code"].iloc[0] == "E05000002"
    workbook = pd.read_excel(out / "beatbook-export.xlsx", sheet_name=None)
    assert list(workbook["crimes"]["crime_id"]) == ["d"]
    assert len(workbook["events"]) == 0


def test_import_spreadsheet_with_a_mapping_and_a_default(tmp_path):
    make_store(tmp_path / "store")
    sheet = tmp_path / "contacts.csv"
    sheet.write_text("When,Where,How\n03/03/2025 11:00,W1,Face to face\n04/03/2025 12:00,Mars,Face to face\n")
    result = run("import", "ccrs", str(sheet), "--store", str(tmp_path / "store"), "--map", "ward_code=Where",
                 "--map", "contact_method=How", "--default", "officer_id=P1", "--user", "N1")
    assert result.returncode == 0, result.stderr
    assert counts(result.stdout) == {"imported": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert "ward_code: '…' is not a ward" in result.stdout


def test_an_officer_may_not_import_from_the_command_line(tmp_path):
    make_store(tmp_path / "store")
    sheet = tmp_path / "contacts.csv"
    sheet.write_text("When,Ward,Method,Officer\n03/03/2025 11:00,W1,Face to face,P1\n")
    result = run("import", "ccrs", str(sheet), "--store", str(tmp_path / "store"), "--user", "P1")
    assert result.returncode == 1
    assert "nothing imported" in result.stderr and "may not import" in result.stderr
