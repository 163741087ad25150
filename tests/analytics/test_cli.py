"""`python -m analytics`: `summary` prints what `summary()` returns; `export` writes a period's records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from analytics import queries
from analytics.filters import Filters
from data import db
from tests.analytics.conftest import MARCH
from tests.conftest import point_commands_at
from tests.imports_fixture import make_store

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "analytics", "summary", *args], cwd=REPO,
                          capture_output=True, text=True, check=True, timeout=120)
    return done.stdout


def test_summary_json_equals_the_function(fixture_store):
    out = run_cli("--store", str(fixture_store.root), "--start", "2025-03-01", "--end", "2025-03-31",
                  "--area", "A1", "--json")
    expected = queries.summary(fixture_store, Filters(start=MARCH[0], end=MARCH[1], areas=("A1",)))
    assert json.loads(out) == expected


def test_summary_table_is_readable(fixture_store):
    out = run_cli("--store", str(fixture_store.root), "--start", "2025-03-01", "--end", "2025-03-31")
    assert "Events booked" in out and "People engaged" in out
    assert "1. Speeding (4)" in out


def run_export(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", "export", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def test_export_excludes_diversity_answers(any_empty_store, tmp_path, monkeypatch):
    store = make_store(any_empty_store)
    point_commands_at(store, monkeypatch, tmp_path)
    for n, day in enumerate((3, 4, 20)):
        store.save("ccrs", {"contact_at": f"2025-03-{day:02}T11:00", "area_code": "A1", "ward_code": "W1",
                            "officer_id": "P1", "contact_method": "Face to face", "diversity_consent": True,
                            "ethnicity": "W1"}, user="P1", submission_id=f"c{n}")
    store.delete("ccrs", "c1", user="P1", submission_id="withdrawn")
    out = tmp_path / "export"
    result = run_export("--store", store.root, "--out", str(out), "--tables", "ccrs", "--end", "2025-03-10")
    assert result.returncode == 0, result.stderr
    exported = pq.read_table(out / "ccrs.parquet")
    assert "ethnicity" not in exported.column_names and "age_band" not in exported.column_names
    assert exported.column("record_id").to_pylist() == ["c0"]  # c1 is withdrawn, c2 after the period
    assert list(pd.read_excel(out / "beatbook-export.xlsx", sheet_name="ccrs")["record_id"]) == ["c0"]
    (entry,) = db.rows(f"SELECT user_id, detail FROM {store.relation('audit')}"
                                   " WHERE action = 'export'")
    assert entry[0] == "cli" and "rows {'ccrs': 1}" in entry[1]
