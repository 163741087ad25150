"""Maintenance off the officers' path, and self-healing: the lease, killed runs, the background worker."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from data import db, maintenance, objects
from data.store import Store
from tests.azurite import STORAGE_OPTIONS
from tests.data.test_store import make_event

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("events", "ccrs", "ysywd")


def view(store: Store) -> dict[str, list[tuple]]:
    """The current view of the busiest tables, in a fixed order: every column but `superseded`, which
    compaction fills in."""
    return {t: db.rows(f"SELECT * EXCLUDE (superseded) FROM {store.relation(t)} ORDER BY record_id") for t in TABLES}


def with_pending_work(store: Store) -> None:
    """Small files and edits awaiting compaction, as a live store has between maintenance rounds."""
    events = db.rows(f"SELECT record_id, version FROM {store.relation('events')} ORDER BY record_id"
                                 " LIMIT 6")
    for i in range(12):
        store.save("events", make_event(title=f"new {i}"), user="u1", submission_id=f"pending-{i}")
    for i, (record_id, version) in enumerate(events):
        store.save("events", make_event(title=f"edited {i}"), user="u1", submission_id=f"edit-{i}",
                   record_id=record_id, base_version=version)
    for table in ("ccrs", "ysywd"):  # withdrawals: edits awaiting compaction in more tables
        for record_id, version in db.rows(
                f"SELECT record_id, version FROM {store.relation(table)} ORDER BY record_id LIMIT 4"):
            store.delete(table, record_id, user="u1", submission_id=f"withdraw-{record_id}", base_version=version)


def lease_held(root: str) -> bool:
    """Whether some process holds the local store's maintenance lease (a flock on its lease file)."""
    path = Path(root) / objects.Lease.NAME
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock taken here
    return False


def command(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "data", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def kill_while_holding_lease(root: str, args: list[str], delay: float) -> None:
    """Start a maintenance command and SIGKILL it `delay` seconds after it took the lease."""
    child = command(*args)
    deadline = time.monotonic() + 60
    while not lease_held(root):
        if child.poll() is not None:
            raise AssertionError(f"{args[0]} ended before it was killed: {child.stderr.read()[-2000:]}")
        assert time.monotonic() < deadline, "the command never took the lease"
        time.sleep(0.01)
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()


@pytest.fixture(scope="module")
def pending_root(demo_store_root, tmp_path_factory) -> tuple[Path, float]:
    """A demo store with work awaiting compaction, and how long an uninterrupted compaction of it holds the lease."""
    root = tmp_path_factory.mktemp("pending") / "store"
    shutil.copytree(demo_store_root, root)
    with_pending_work(Store(root))
    trial = tmp_path_factory.mktemp("trial") / "store"
    shutil.copytree(root, trial)
    run = command("compact", "--store", str(trial))
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    return root, json.loads(out)["seconds"]


@pytest.mark.parametrize("point", [0.0, 0.2, 0.4, 0.6, 0.8])
def test_a_compaction_killed_at_any_point_leaves_the_view_unchanged_and_the_next_one_completes(
        pending_root, tmp_path, point):
    source, seconds = pending_root
    root = str(tmp_path / "store")
    shutil.copytree(source, root)
    before = view(Store(root))
    kill_while_holding_lease(root, ["compact", "--store", root], point * seconds)
    assert not lease_held(root), "the killed process's lease must go with it"
    assert view(Store(root)) == before
    began = time.monotonic()
    again = command("compact", "--store", root)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert time.monotonic() - began < 60
    assert set(json.loads(out)["tables"]) >= set(TABLES)
    healed = Store(root)
    assert view(healed) == before
    assert healed.check()["events"]["edits_awaiting_compaction"] == 0


def test_killed_vacuum_and_retention_runs_heal(store):
    with_pending_work(store)
    store.compact()
    before = view(store)
    kill_while_holding_lease(store.root, ["vacuum", "--store", store.root, "--retention-hours", "0"], 0.2)
    assert view(Store(store.root)) == before
    kill_while_holding_lease(store.root, ["retention", "--store", store.root, "--today", "2030-01-01"], 0.3)
    # Retention empties old diversity answers: the view may have lost them, but nothing else.
    after = Store(store.root)
    assert {t: len(rows) for t, rows in view(after).items()} == {t: len(rows) for t, rows in before.items()}
    for args in (["vacuum", "--store", store.root, "--retention-hours", "0"],
                 ["retention", "--store", store.root, "--today", "2030-01-01"]):
        run = command(*args)
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    healed = Store(store.root)
    assert view(healed)["events"] == before["events"]
    consenting = db.row(f"SELECT count(*) FROM {healed.relation('ccrs')} WHERE age_band IS NOT NULL"
                                     )[0]
    assert consenting == 0  # every contact is over 12 months before 2030: every answer emptied


def test_a_busy_lease_makes_compact_wait_then_say_so_instead_of_crashing(store):
    holder = textwrap.dedent("""
        import sys, time
        from data.store import Store
        with Store(sys.argv[1]).compaction_lock():
            print("held", flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", holder, store.root], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert child.stdout.readline().strip() == "held"
        with store.compaction_lock(wait=False) as held:
            assert not held
        with pytest.raises(objects.LeaseBusy, match="another maintenance run holds"), \
                store.compaction_lock(wait=True, timeout=0.5):
            pass
        assert store.compact(wait=False) == {}
        assert store.maintain()["skipped"]
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    with store.compaction_lock(wait=False) as held:  # the kill released it at once
        assert held


def test_saves_never_compact_and_the_worker_does(store):
    for i in range(60):
        store.save("events", make_event(title=f"s{i}"), user="u1", submission_id=f"s-{i}")
    assert store.snapshot("events").small_files >= 60  # no save compacted in the officer's request
    before = view(store)
    worker = maintenance.start(store, 0.2)
    try:
        deadline = time.monotonic() + 60
        while not worker.runs or not any(r.get("compacted") for r in worker.runs):
            assert time.monotonic() < deadline, "the worker never compacted"
            time.sleep(0.1)
    finally:
        worker.stop()
        worker.join()
    assert store.snapshot("events").small_files <= 1
    assert view(store) == before
    assert maintenance.start(store, 0) is None


LEASE_HOLDER = textwrap.dedent("""
    import json, os, sys, time
    from data.store import Store
    store = Store(sys.argv[1], storage_options=json.loads(sys.argv[2]))
    with store.compaction_lock():
        print("held", flush=True)
        time.sleep(600)
""")


def test_on_object_storage_a_killed_holders_lease_expires_and_is_taken_over(azurite, tmp_path, monkeypatch):
    monkeypatch.setattr(objects.Lease, "SECONDS", 3.0)
    root = azurite.new_root()
    store = Store(root, storage_options=dict(STORAGE_OPTIONS), cache_dir=tmp_path / "cache")
    store.create()
    child = subprocess.Popen([sys.executable, "-c", LEASE_HOLDER, root, json.dumps(STORAGE_OPTIONS)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT), "BEATBOOK_LEASE_SECONDS": "3"})
    assert child.stdout.readline().strip() == "held"
    time.sleep(4)  # past one lease period: the live holder has renewed it
    with store.compaction_lock(wait=False) as held:
        assert not held
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    began = time.monotonic()
    with store.compaction_lock(wait=True, timeout=30) as held:
        assert held
        waited = time.monotonic() - began
    assert waited < 10
    with store.compaction_lock(wait=False) as held:  # released on leaving: free at once
        assert held


def test_vacuum_clears_what_a_killed_compaction_left(store):
    """A compaction killed after writing its new files, before its commit, leaves them unnamed by any commit."""
    from deltalake import write_deltalake

    from data.compaction import SCRATCH_PREFIX

    before = view(store)
    left = Path(store.uri("events")) / f"{SCRATCH_PREFIX}killed"
    write_deltalake(str(left), db.arrow(f"SELECT * FROM {store.relation('events')} LIMIT 3"))
    hours_ago = time.time() - 2 * 3600
    for path in left.rglob("*"):
        os.utime(path, (hours_ago, hours_ago))
    left_files = sorted(p for p in left.rglob("*") if p.is_file())
    assert len(left_files) >= 2  # a data file and the scratch log
    removed = store.vacuum(retention_hours=1)
    assert removed["events"] >= len(left_files)
    assert not [p for p in left.rglob("*") if p.is_file()]
    assert view(Store(store.root)) == before


def test_on_object_storage_a_holder_whose_lease_was_taken_over_commits_nothing(azurite, tmp_path, monkeypatch):
    from data.compaction import SCRATCH_PREFIX

    monkeypatch.setattr(objects.Lease, "SECONDS", 2.0)
    root = azurite.new_root()
    store = Store(root, storage_options=dict(STORAGE_OPTIONS), cache_dir=tmp_path / "stalled")
    store.create()
    for i in range(3):
        store.save("events", make_event(title=f"e{i}"), user="u1", submission_id=f"e{i}")
    other = Store(root, storage_options=dict(STORAGE_OPTIONS), cache_dir=tmp_path / "other")
    lease = store.compaction_lock(wait=False)
    with lease as held:
        assert held
        lease._stop.set()  # the holder stalls: its lease is no longer renewed
        lease._renewer.join()
        time.sleep(2.5)
        with other.compaction_lock(wait=False) as taken:
            assert taken  # expired, and taken over
            version = other.version("events")
            with pytest.raises(objects.LeaseLost, match="taken over"):
                store._compact_one("events")  # the stalled holder wakes and carries on: it stops before its commit
            assert other.version("events") == version
            assert not [k for k in store.remote.list("events/") if SCRATCH_PREFIX in k]  # its new files are gone
        assert store.check()["events"]["current_rows"] == 3


def test_one_file_lock_excludes_another_and_is_free_once_released(tmp_path):
    path = tmp_path / "demo.lock"
    holder = objects.FileLock(path)
    assert holder.acquire(wait=False)
    other = objects.FileLock(path)
    assert not other.acquire(wait=False), "a second lock on the same file, even in one process, must wait"
    with pytest.raises(TimeoutError, match="waited 0 s"), objects.file_lock(path, timeout=0):
        pass
    holder.close()
    with objects.file_lock(path, timeout=1):
        assert not other.acquire(wait=False)
    assert other.acquire(wait=False)
    other.close()
