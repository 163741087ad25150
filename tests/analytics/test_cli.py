"""`python -m analytics summary` prints what `summary()` returns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from analytics import queries
from analytics.filters import Filters
from tests.analytics.conftest import MARCH

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
