"""The commands on object storage (azurite), run as a force's operations team would, and checked against
the demo's own counts and the same figures taken from a local copy of the same store."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from analytics import queries
from analytics.filters import Filters
from data import db, demo, retention
from data.schema import TABLES
from data.store import Store
from tests.azurite import STORAGE_OPTIONS
from tests.conftest import open_azurite_store

REPO = Path(__file__).resolve().parents[2]
SCALE = 300
TODAY = "2026-11-26"


def as_json(value) -> dict:
    """A report as a command prints it with --json."""
    return json.loads(json.dumps(value, default=str))


def download(root: str, target: Path) -> None:
    """Copy every object under a store URI on azurite to a local folder (Delta paths are relative)."""
    import obstore
    from obstore.store import from_url

    source = from_url(root, **STORAGE_OPTIONS)
    for batch in obstore.list(source):
        for item in batch:
            if item["path"].startswith("_maintenance"):
                continue
            path = target / item["path"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(bytes(obstore.get(source, item["path"]).bytes()))


def test_every_command_runs_on_object_storage(azurite, tmp_path):
    root = azurite.new_root()
    cache = tmp_path / "command-cache"  # the commands' file cache (this test's store has its own)
    env = {**os.environ, **azurite.environment, "BEATBOOK_STORAGE_OPTIONS": json.dumps(STORAGE_OPTIONS),
           "BEATBOOK_CACHE_DIR": str(cache)}

    def run(module: str, *args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, (args, done.stderr)
        return done

    def data(*args: str, store: str = root) -> subprocess.CompletedProcess:
        return run("data", *args, "--store", store)

    made = data("demo", "--scale", str(SCALE), "--seed", "5", "--today", TODAY)
    assert "Demo data ready" in made.stderr
    written = {line.split()[0]: line.split()[1] for line in made.stdout.splitlines()}
    assert written["users"] == "120"
    counts = demo.activity_counts(SCALE)

    # The figures and the report are those of a local copy of the same store, and the demo's own counts.
    local = tmp_path / "local"
    download(root, local)
    summary = json.loads(run("analytics", "summary", "--store", root, "--json").stdout)
    assert summary == as_json(queries.summary(Store(local), Filters()))
    assert summary["ccrs"] == counts["ccrs"]
    check = json.loads(data("check").stdout)
    assert check == as_json(Store(local).check())
    assert {t: check[t]["current_rows"] for t in ("ccrs", "patrols", "abstractions", "users")} == {
        "ccrs": counts["ccrs"], "patrols": counts["patrols"], "abstractions": counts["abstractions"], "users": 120}

    # A withdrawal awaits compaction; compact packs each table into one file and keeps the current view.
    store = open_azurite_store(root, tmp_path)
    (ccr,) = db.row(f"SELECT min(record_id) FROM {store.relation('ccrs')}")
    store.delete("ccrs", ccr, user="u0001", submission_id="withdrawn-on-azurite")
    events_before = check["events"]
    check = json.loads(data("check").stdout)
    assert check["ccrs"]["current_rows"] == counts["ccrs"] - 1
    assert check["ccrs"]["edits_awaiting_compaction"] == 1
    assert check["events"] == events_before
    compacted = json.loads(data("compact").stdout)
    assert set(compacted["tables"]) == set(TABLES)
    assert compacted["tables"]["ccrs"]["files_before"] == 2 and compacted["tables"]["ccrs"]["files_after"] == 1
    assert compacted["tables"]["events"]["files_after"] == 1

    # Vacuum deletes the replaced files from object storage.
    removed = json.loads(data("vacuum", "--retention-hours", "0").stdout)["files_removed"]
    # every file compaction replaced (the demo's events, then its beat meetings, are written in several)
    assert removed["events"] == compacted["tables"]["events"]["files_before"] >= 2 and removed["ccrs"] >= 2
    for table in ("events", "ccrs"):
        assert len([k for k in store.remote.list(f"{table}/") if k.endswith(".parquet") and "_delta_log" not in k]) \
            == 1, table

    # Export (no period given): every current record, as local files.
    out = tmp_path / "export"
    exported = run("analytics", "export", "--store", root, "--out", str(out), "--tables", "ccrs,patrols")
    assert pq.read_table(out / "ccrs.parquet").num_rows == counts["ccrs"] - 1
    assert pq.read_table(out / "patrols.parquet").num_rows == counts["patrols"]
    assert f"workbook: {out / 'beatbook-export.xlsx'}" in exported.stdout

    # Retention: a dry run counts what the same dry run counts on a local copy; the real run changes those
    # rows and leaves none of the answers it removed in the remote files or in the local file cache.
    local = tmp_path / "local-now"
    download(root, local)
    dry = json.loads(data("retention", "--dry-run", "--today", TODAY).stdout)
    assert dry == as_json(retention.run(Store(local), today=dt.date.fromisoformat(TODAY), dry_run=True))
    answers = dry["rules"]["ccr_diversity"]
    assert answers["cutoff"] == "2025-11-26" and answers["rows"] > 0
    held = " OR ".join(f"{column} IS NOT NULL" for column in retention.CCR_FIELDS)
    old = f"SELECT count(*) FROM read_parquet(?) WHERE contact_at < TIMESTAMP '2025-11-26' AND ({held})"
    cached = lambda: sorted(str(p) for p in cache.rglob("ccrs/*.parquet"))  # noqa: E731
    assert duckdb.execute(old, [cached()]).fetchone()[0] >= answers["rows"]  # the commands' copies hold them
    real = json.loads(data("retention", "--today", TODAY).stdout)
    assert real["rules"]["ccr_diversity"]["rows_rewritten"] == answers["rows"]
    after = tmp_path / "after"
    download(root, after)
    stored = sorted(str(p) for p in (after / "ccrs").glob("*.parquet"))
    assert stored and cached()
    assert duckdb.execute(old, [stored]).fetchone() == (0,)
    assert duckdb.execute(old, [cached()]).fetchone() == (0,)
