"""Races that must never store a record twice or lose one: overlapping compactions (the lease bypassed, as if it
had been broken), compactions racing saves, the same submission saved by two processes at the same moment; and
`python -m data check` failing on what such a race would leave."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from deltalake import write_deltalake
from deltalake.exceptions import CommitFailedError

from data import db
from data.compaction import SCRATCH_PREFIX, problems
from data.store import Store
from tests.conftest import point_commands_at
from tests.data.test_store import make_event

ROOT = Path(__file__).resolve().parents[2]
SPAWN = multiprocessing.get_context("spawn")  # deltalake's runtime does not survive fork


def stored_twice(store: Store, table: str) -> list[tuple]:
    """(record_id, version) pairs stored more than once in the table's snapshot, history included."""
    files = store.snapshot(table).files
    if not files:
        return []
    return db.rows(f"SELECT record_id, version, count(*) FROM {db.parquet_scan(files)}"
                               " GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL")


def versions(store: Store, table: str) -> list[tuple]:
    """Every stored (record_id, version, title), history included."""
    files = store.snapshot(table).files
    return db.rows(f"SELECT DISTINCT record_id, version, title FROM {db.parquet_scan(files)}"
                               " ORDER BY ALL")


def current_titles(store: Store) -> dict[str, str]:
    rows = db.rows(f"SELECT record_id, title FROM {store.relation('events')}")
    titles = dict(rows)
    assert len(titles) == len(rows), "a record has more than one current row"
    return titles


def with_work(store: Store, records: int = 30, edits: int = 6) -> None:
    """Small files and edits awaiting compaction."""
    for i in range(records):
        store.save("events", make_event(title=f"e{i}"), user="u1", submission_id=f"e{i}")
    for i in range(edits):
        store.save("events", make_event(title=f"e{i} edited"), user="u1", submission_id=f"edit-{i}",
                   record_id=f"e{i}", base_version=1)


# -- two compactions at once -------------------------------------------------------


def _compact_in_step(root: str, barrier, results, retrying: bool) -> None:
    """Compact `events` bypassing the lease; wait for the other compactor once the snapshot is read, so both
    work from the same snapshot and commit as close together as they can."""
    store = Store(root)
    rewritten = store._rewritten

    def in_step(*args, **kwargs):
        barrier.wait(timeout=60)
        return rewritten(*args, **kwargs)

    store._rewritten = in_step
    try:
        report = store._compact_retrying("events", 5) if retrying else store._compact_one("events")
        results.put(("done", report["files_after"]))
    except CommitFailedError as gave_up:
        results.put(("gave up", str(gave_up)))


@pytest.mark.parametrize("retrying", [False, True], ids=["once", "retrying"])
def test_two_compactions_at_once_store_every_row_once(tmp_path, retrying):
    store = Store(tmp_path / "store")
    store.create()
    with_work(store)
    before_versions, before_current = versions(store, "events"), current_titles(store)
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    compactors = [SPAWN.Process(target=_compact_in_step, args=(store.root, barrier, results, retrying))
                  for _ in range(2)]
    for process in compactors:
        process.start()
    for process in compactors:
        process.join(timeout=120)
        assert process.exitcode == 0
    outcomes = sorted(results.get(timeout=5)[0] for _ in compactors)
    # Both read the same snapshot: one commits; the other finds its files replaced and commits nothing
    # (retrying, it reads again and finds nothing left to do).
    assert outcomes == (["done", "done"] if retrying else ["done", "gave up"])
    after = Store(store.root)
    assert stored_twice(after, "events") == []
    assert versions(after, "events") == before_versions
    assert current_titles(after) == before_current
    assert after.check()["events"]["edits_awaiting_compaction"] == 0
    assert problems(after.check()) == []
    # The compaction that gave up left no files behind: the one scratch folder is the one committed.
    scratch = sorted(p.name for p in Path(store.uri("events")).glob(f"{SCRATCH_PREFIX}*"))
    assert len(scratch) == 1 and all(f.startswith(scratch[0]) for f in after._paths(after._table("events"))
                                     if f.startswith(SCRATCH_PREFIX))


def _compact_until(root: str, stop) -> None:
    store = Store(root)  # compacting bypassing the lease, as two maintenance runs that overlapped would
    while not stop.is_set():
        with contextlib.suppress(CommitFailedError):  # gave way to the other compactor: nothing committed
            store._compact_retrying("events", 3)
        time.sleep(0.02)


def _save_and_acknowledge(root: str, worker: int, count: int, acks) -> None:
    store = Store(root)
    for i in range(count):
        if i % 4 == 3:  # an edit of a shared record, from its version just read
            record_id = f"seed-{(worker + i) % 5}"
            current = store.get("events", record_id)
            try:
                saved = store.save("events", make_event(title=f"w{worker} edit {i}"), user=f"u{worker}",
                                   submission_id=f"w{worker}-{i}", record_id=record_id,
                                   base_version=current["version"])
            except Exception as refused:  # another writer edited it first: refused, nothing written
                acks.put((worker, i, None, type(refused).__name__))
                continue
        else:
            saved = store.save("events", make_event(title=f"w{worker} #{i}"), user=f"u{worker}",
                               submission_id=f"w{worker}-{i}")
        acks.put((worker, i, saved.record_id, saved.version))


def test_two_compactions_racing_saves_lose_and_duplicate_nothing(tmp_path):
    store = Store(tmp_path / "store")
    store.create()
    for i in range(5):
        store.save("events", make_event(title=f"seed {i}"), user="u1", submission_id=f"seed-{i}")
    stop, acks = SPAWN.Event(), SPAWN.Queue()
    compactors = [SPAWN.Process(target=_compact_until, args=(store.root, stop)) for _ in range(2)]
    writers = [SPAWN.Process(target=_save_and_acknowledge, args=(store.root, w, 60, acks)) for w in range(2)]
    for process in compactors + writers:
        process.start()
    for process in writers:
        process.join(timeout=240)
        assert process.exitcode == 0
    stop.set()
    for process in compactors:
        process.join(timeout=120)
        assert process.exitcode == 0
    acknowledged = [acks.get(timeout=5) for _ in range(120)]
    after = Store(store.root)
    after.compact("events")
    assert stored_twice(after, "events") == []
    assert problems(after.check()) == []
    stored = {(r, v) for r, v, _ in versions(after, "events")}
    saved = {(record_id, version) for _, _, record_id, version in acknowledged if record_id is not None}
    assert saved <= stored, "an acknowledged save was lost"
    new = {f"w{w}-{i}" for w, i, record_id, _ in acknowledged if record_id == f"w{w}-{i}"}
    assert len(new) == 90
    titles = current_titles(after)
    assert set(titles) == new | {f"seed-{i}" for i in range(5)}
    for i in range(5):  # each shared record shows its latest acknowledged edit
        edits = [(v, w, n) for w, n, r, v in acknowledged if r == f"seed-{i}"]
        if edits:
            _, w, n = max(edits)
            assert titles[f"seed-{i}"] == f"w{w} edit {n}"


# -- the same submission from two processes --------------------------------------------


def _save_in_step(root: str, worker: int, trials: int, barrier, results, one_machine: bool) -> None:
    store = Store(root)
    if not one_machine:  # as on two servers: no turn-taking on this machine, only the checked commit
        store._host_lock = lambda table: contextlib.nullcontext()
    for trial in range(trials):
        barrier.wait(timeout=60)
        saved = store.save("events", make_event(title=f"trial {trial} from {worker}"), user=f"u{worker}",
                           submission_id=f"race-{trial}")
        results.put((trial, worker, saved.record_id, saved.version, saved.duplicate))


@pytest.mark.parametrize("one_machine", [True, False], ids=["one-machine", "two-machines"])
def test_the_same_submission_saved_by_two_processes_at_once_is_one_record(tmp_path, one_machine):
    trials = 15
    store = Store(tmp_path / "store")
    store.create()
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    workers = [SPAWN.Process(target=_save_in_step, args=(store.root, w, trials, barrier, results, one_machine))
               for w in range(2)]
    began = time.monotonic()
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
        assert process.exitcode == 0
    assert time.monotonic() - began < 60
    outcomes: dict[int, list[tuple]] = {}
    for _ in range(2 * trials):
        trial, worker, record_id, version, duplicate = results.get(timeout=5)
        outcomes.setdefault(trial, []).append((record_id, version, duplicate))
    after = Store(store.root)
    rows = db.rows(f"SELECT submission_id, count(*) FROM {after.relation('events')} GROUP BY 1"
                               " ORDER BY 1")
    assert rows == sorted((f"race-{t}", 1) for t in range(trials)), "a submission was stored twice"
    for trial, pair in outcomes.items():
        assert {(r, v) for r, v, _ in pair} == {(f"race-{trial}", 1)}  # both told of the one record
        assert sorted(d for _, _, d in pair) == [False, True]  # one wrote it, the other found it
    assert after.snapshot("events").rows == trials
    assert problems(after.check()) == []


# -- check ---------------------------------------------------------------------------------


def test_check_fails_naming_the_table_and_records_stored_twice(any_store, monkeypatch, tmp_path):
    store = any_store
    point_commands_at(store, monkeypatch, tmp_path)
    clean = subprocess.run([sys.executable, "-m", "data", "check", "--store", store.root], cwd=ROOT,
                           capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert clean.returncode == 0, clean.stderr
    # Written behind the store's back, as a broken lock once let two maintenance runs do: one CCR's current
    # row stored again, and another CCR given a second current version.
    twice, other = db.arrow(f"SELECT * FROM {store.relation('ccrs')} ORDER BY record_id LIMIT 2").to_pylist()
    copies = [twice, {**other, "version": other["version"] + 1, "written_at": dt.datetime(2026, 1, 1),
                      "submission_id": "behind-the-back", "superseded": False}]
    import pyarrow as pa

    from data.arrow_schema import arrow_schema

    write_deltalake(store.uri("ccrs"), pa.Table.from_pylist(copies, schema=arrow_schema("ccrs")), mode="append",
                    storage_options=store.storage_options)
    result = subprocess.run([sys.executable, "-m", "data", "check", "--store", store.root], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert "check failed: ccrs:" in result.stderr
    assert twice["record_id"] in result.stderr and other["record_id"] in result.stderr
    assert "1 (record_id, version) pairs stored more than once, 2 records with more than one current row" \
        in result.stderr
    assert "events" not in result.stderr  # only the table with duplicates is named
    report = Store(store.root, storage_options=store.storage_options,
                   cache_dir=tmp_path / "check-cache").check()["ccrs"]
    assert (report["versions_stored_twice"], report["records_current_twice"]) == (1, 2)
    assert report["duplicate_record_ids"] == sorted([twice["record_id"], other["record_id"]])
