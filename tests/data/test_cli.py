"""`python -m data`: demo, check, compact and vacuum, run as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from data import demo
from data.schema import TABLES

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def beat_meetings_in(path: str) -> int:
    from data import db
    from data.store import Store

    events = Store(path).relation("events")
    return db.row(f"SELECT count(*) FROM {events} WHERE event_type = 'Beat meeting'")[0]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "store")
    result = run("demo", "--store", path, "--scale", "2000", "--today", "2026-11-26", "--seed", "5")
    assert result.returncode == 0, result.stderr
    assert "Demo data ready" in result.stderr
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["users"].strip() == "120"
    assert lines["total"].endswith(" s")
    return path


def test_check_reports_every_table(store_path):
    result = run("check", "--store", store_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == set(TABLES)
    counts = demo.activity_counts(2000)
    for table in ("ccrs", "patrols", "abstractions", "ysywd"):
        assert report[table]["current_rows"] == counts[table]
        assert report[table]["stored_versions"] == counts[table]
    beat_meetings = beat_meetings_in(store_path)  # the Guarantee's, written after the demo's events
    assert beat_meetings > 0
    assert report["events"]["current_rows"] == counts["events"] + beat_meetings
    assert report["events"]["stored_versions"] > counts["events"] + beat_meetings
    assert report["users"]["current_rows"] == 120
    # one commit and file per table; events add one more for the replaced (booked) versions, and the beat
    # meetings two more commits and files of the same kind
    expected_files = {t: 4 if t == "events" else 1 for t in demo.DEMO_COUNTS}
    assert {t: (report[t]["files"], report[t]["delta_version"]) for t in demo.DEMO_COUNTS} == {
        t: (n, n) for t, n in expected_files.items()
    }
    assert report["audit"] == {**report["audit"], "delta_version": 0, "current_rows": 0, "files": 0}


def test_demo_refuses_a_store_with_data(store_path):
    result = run("demo", "--store", store_path, "--quiet")
    assert result.returncode == 1
    assert "already holds" in result.stderr


def test_compact_then_vacuum(store_path):
    result = run("compact", "--store", store_path, "--vacuum", "--retention-hours", "0")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report["tables"]) == set(TABLES)
    assert report["tables"]["events"]["files_after"] == 1
    assert report["seconds"] >= 0
    assert report["vacuum"]["retention_hours"] == 0
    result = run("vacuum", "--store", store_path, "--retention-hours", "0")
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)["files_removed"]) == set(TABLES)
    after = json.loads(run("check", "--store", store_path).stdout)
    assert after["ccrs"]["current_rows"] == demo.activity_counts(2000)["ccrs"]


def test_check_of_a_missing_store_fails(tmp_path):
    result = run("check", "--store", str(tmp_path / "nothing"))
    assert result.returncode == 1
    assert "no Beatbook store" in result.stderr
    assert not (tmp_path / "nothing").exists()


def test_unknown_scale_is_a_usage_error(tmp_path):
    result = run("demo", "--store", str(tmp_path / "s"), "--scale", "galactic")
    assert result.returncode == 2
    assert "unknown scale" in result.stderr
