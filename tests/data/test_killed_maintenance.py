"""Maintenance killed (SIGKILL) at every named point leaves nothing behind and stores nothing twice.

Each test runs `python -m data retention` or `python -m data compact` with BEATBOOK_CRASH_AT naming a point
inside it (`data.compaction.crash_point`), so the process kills itself there; then runs maintenance and retention
again and checks every Parquet file on disk (referenced or not), the tables' log retention, and the records.
The store is the retention test's: its old CCR answers and old feedback must go.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from deltalake import DeltaTable

from data import db, retention
from data.compaction import CRASH_AT, SCRATCH_PREFIX, problems
from data.purge import LOG_RETENTION, LOG_RETENTION_KEY
from data.schema import TABLES
from data.store import Store
from tests.data.test_retention import CUTOFF, TODAY, _fill, _on_disk

ROOT = Path(__file__).resolve().parents[2]
HELD = " OR ".join(f"{c} IS NOT NULL" for c in retention.CCR_FIELDS)
OLD_ANSWERS = f"SELECT count(*) FROM t WHERE contact_at < TIMESTAMP '{CUTOFF}' AND ({HELD})"
RETENTION_POINTS = ("retention:marked", "retention:rewritten", "purge:vacuumed", "purge:files-deleted",
                    "purge:log-retention-zero", "purge:log-cleaned", "purge:log-retention-restored")
COMPACTION_POINTS = ("compact:scratch-written", "compact:committed", "compact:scratch-log-dropped")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("killed") / "store"
    _fill(Store(root))
    return root


@pytest.fixture
def root(template, tmp_path) -> str:
    copy = tmp_path / "store"
    shutil.copytree(template, copy)
    return str(copy)


def killed_at(point: str, *args: str) -> None:
    """Run `python -m data ARGS...` and have it killed at `point`; fail if it got there no way or ended otherwise."""
    result = subprocess.run([sys.executable, "-m", "data", *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT), CRASH_AT: point})
    assert result.returncode == -signal.SIGKILL, f"not killed at {point}: {result.returncode} {result.stderr[-2000:]}"


def ccr_view(store: Store) -> list[tuple]:
    """The current CCRs without the columns retention empties (nor `superseded`, which compaction fills in)."""
    dropped = ", ".join(["superseded", *retention.CCR_FIELDS])
    return db.rows(f"SELECT * EXCLUDE ({dropped}) FROM {store.relation('ccrs')} ORDER BY ALL")


def log_retention(store: Store, table: str) -> str | None:
    return DeltaTable(store.uri(table)).metadata().configuration.get(LOG_RETENTION_KEY)


def assert_sound(store: Store) -> None:
    """No record version stored twice in any file on disk, no record with two current rows, no pending purge,
    and no table left without its log. (Files a compaction replaced stay for time travel until vacuumed: they
    go first, so every file left on disk is one the table uses, or one nothing names.)"""
    store.vacuum(retention_hours=0)
    for table in ("ccrs", "app_feedback", "events"):
        twice = _on_disk(store, table, "SELECT count(*) - count(DISTINCT (record_id, version)) FROM t") \
            if any(Path(store.uri(table)).rglob("*.parquet")) else [(0,)]
        assert twice == [(0,)], table
    assert problems(store.check()) == []
    assert store.pending_purges() == []
    assert [t for t in TABLES if log_retention(store, t) not in (None, LOG_RETENTION)] == []


def assert_retention_done(store: Store, before: list[tuple], version_before: int) -> None:
    """Nothing retention removes is in any Parquet file under its table, nor readable by time travel."""
    assert _on_disk(store, "ccrs", OLD_ANSWERS) == [(0,)]
    assert _on_disk(store, "ccrs", "SELECT count(*) FROM t WHERE ethnicity IN ('W4', 'O1')") == [(0,)]
    assert _on_disk(store, "app_feedback", "SELECT DISTINCT record_id FROM t") == [("F2",)]
    assert log_retention(store, "ccrs") == LOG_RETENTION
    with pytest.raises(Exception):  # noqa: B017 (whichever error deltalake raises for a version it has no log of)
        DeltaTable(store.uri("ccrs"), version=version_before).to_pyarrow_table()
    assert ccr_view(store) == before  # every CCR is there once, the rest of it as it was
    kept = db.row(f"SELECT count(*) FILTER (WHERE ethnicity IS NOT NULL), count(*)"
                               f" FROM {store.relation('ccrs')}")
    assert kept == (2, 5)  # C and E keep their answers


@pytest.mark.parametrize("point", RETENTION_POINTS)
def test_a_retention_run_killed_at_any_point_is_finished_by_the_next_maintenance_pass_and_run(root, point):
    store = Store(root)
    before, version_before = ccr_view(store), store.version("ccrs")
    killed_at(point, "retention", "--store", root, "--today", TODAY)
    store = Store(root)
    assert store.pending_purges() == ["ccrs"], "a killed run leaves its marker"
    if point == "purge:log-retention-zero":
        assert log_retention(store, "ccrs") == "interval 0 seconds"  # as a killed purge always used to leave it
    # The next maintenance pass (an app server's worker, or `python -m data maintain`) finishes the purge.
    report = store.maintain(wait=True)
    assert set(report["purged"]) == {"ccrs"}
    assert store.pending_purges() == []
    assert log_retention(store, "ccrs") == LOG_RETENTION
    if point != "retention:marked":  # the rewrite was committed: its purge leaves no old answer on disk
        assert _on_disk(store, "ccrs", OLD_ANSWERS) == [(0,)]
        assert retention.run(Store(root), today=dt.date(2025, 6, 15), dry_run=True)["rules"]["ccr_diversity"][
            "rows"] == 0
    # The next run does what is left (the rules the killed run never reached).
    report = retention.run(Store(root), today=dt.date(2025, 6, 15))
    assert "resumed" not in report  # maintenance had finished the purge already
    healed = Store(root)
    assert_retention_done(healed, before, version_before)
    assert_sound(healed)


def test_a_killed_run_is_finished_by_the_next_retention_run_too(root):
    store = Store(root)
    before, version_before = ccr_view(store), store.version("ccrs")
    killed_at("purge:log-retention-zero", "retention", "--store", root, "--today", TODAY)
    report = retention.run(Store(root), today=dt.date(2025, 6, 15))
    assert set(report["resumed"]) == {"ccrs"}
    assert report["rules"]["ccr_diversity"]["rows"] == 0  # the killed run had rewritten them
    assert report["rules"]["app_feedback"]["rows"] == 3
    healed = Store(root)
    assert_retention_done(healed, before, version_before)
    assert_sound(healed)
    entries = db.rows(f"SELECT detail FROM {healed.relation('audit')} WHERE action = 'retention'"
                                  )
    assert len(entries) == 1 and '"resumed_purges": ["ccrs"]' in entries[0][0]


def test_a_log_retention_left_at_zero_by_an_older_killed_run_is_put_back(root):
    store = Store(root)
    for table in ("ccrs", "events"):  # as a purge killed before this fix left it, with no marker
        store._table(table).alter.set_table_properties({LOG_RETENTION_KEY: "interval 0 seconds"})
    assert store.maintain(wait=True)["purged"] == {t: {"files_removed": 0, "log_entries_removed": 0}
                                                   for t in ("events", "ccrs")}
    assert [log_retention(store, t) for t in ("ccrs", "events")] == [LOG_RETENTION] * 2
    # and a purge puts back the configured retention, whatever it read
    store._table("ccrs").alter.set_table_properties({LOG_RETENTION_KEY: "interval 0 seconds"})
    retention.run(store, today=dt.date(2025, 6, 15))
    assert log_retention(Store(root), "ccrs") == LOG_RETENTION


@pytest.mark.parametrize("point", COMPACTION_POINTS)
def test_a_compaction_killed_at_any_point_leaves_no_copy_once_retention_has_run(root, point):
    store = Store(root)
    before, version_before = ccr_view(store), store.version("ccrs")
    assert store.check()["ccrs"]["edits_awaiting_compaction"] == 1  # C's edit: compaction has work
    killed_at(point, "compact", "--store", root, "--table", "ccrs")
    store = Store(root)
    assert ccr_view(store) == before
    assert problems(store.check()) == []
    scratch = list(Path(store.uri("ccrs")).glob(f"{SCRATCH_PREFIX}*"))
    assert scratch, "the killed compaction left its new files"
    if point == "compact:scratch-written":  # never committed: its files are copies of the old answers
        assert _on_disk(store, "ccrs", OLD_ANSWERS)[0][0] > 0
    retention.run(store, today=dt.date(2025, 6, 15))
    healed = Store(root)
    assert_retention_done(healed, before, version_before)
    # No scratch folder the table does not use, and no scratch log, is left.
    used = {p.split("/")[0] for p in healed._paths(healed._table("ccrs")) if p.startswith(SCRATCH_PREFIX)}
    assert {p.name for p in Path(healed.uri("ccrs")).glob(f"{SCRATCH_PREFIX}*")} == used
    assert not list(Path(healed.uri("ccrs")).glob(f"{SCRATCH_PREFIX}*/_delta_log"))
    healed.maintain(wait=True)  # and the next compaction completes
    assert healed.check()["ccrs"]["edits_awaiting_compaction"] == 0
    assert ccr_view(Store(root)) == before
    assert_sound(Store(root))
