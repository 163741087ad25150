"""The demo force's generation: the same seed gives the same data, and a store is filled once however many
processes or servers start on it at the same moment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from data import demo
from data.schema import TABLES
from data.store import Store
from tests.azurite import STORAGE_OPTIONS
from tests.conftest import open_azurite_store
from tests.data.test_demo import REPO, TODAY, current, fingerprint, one

# -- determinism --------------------------------------------------------------------------------------------------


def test_same_seed_same_data(tmp_path):
    first, second, other = (Store(tmp_path / name) for name in ("a", "b", "c"))
    demo.generate(first, scale=2000, seed=3, today=TODAY)
    demo.generate(second, scale=2000, seed=3, today=TODAY)
    demo.generate(other, scale=2000, seed=4, today=TODAY)
    assert fingerprint(first) == fingerprint(second)
    assert fingerprint(first) != fingerprint(other)
    for table in ("crimes", "census_population"):
        assert one(f"SELECT count(*) FROM {current(first, table)}")[0] > 0, table
        only = tuple(set(TABLES) - {table})
        assert fingerprint(first, skip=only) == fingerprint(second, skip=only), table
        assert fingerprint(first, skip=only) != fingerprint(other, skip=only), table


def test_chunks_change_commits_not_data(tmp_path, monkeypatch):
    whole, chunked = Store(tmp_path / "whole"), Store(tmp_path / "chunked")
    demo.generate(whole, scale=2000, seed=3, today=TODAY)
    monkeypatch.setattr(demo, "CHUNK_ROWS", 150)
    demo.generate(chunked, scale=2000, seed=3, today=TODAY)
    assert chunked.version("ccrs") > 3 and whole.version("ccrs") == 1
    assert fingerprint(whole) == fingerprint(chunked)
    # each chunk holds whole records in date order: current versions in one file, replaced ones in another
    snap = chunked.snapshot("events")
    spans = sorted(one("SELECT min(start), max(start) FROM read_parquet(?)", [p]) for p in snap.live_files
                   if not one("SELECT bool_or(event_type = 'Beat meeting') FROM read_parquet(?)", [p])[0])
    assert len(spans) > 3 and all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    for path in set(snap.files) - set(snap.live_files):
        assert one("SELECT bool_and(superseded AND version = 1) FROM read_parquet(?)", [path])[0]


# -- ensure_demo --------------------------------------------------------------------------------------------------


def test_ensure_demo_is_idempotent(tmp_path, demo_store_root):
    filled = tmp_path / "filled"
    shutil.copytree(demo_store_root, filled)
    assert demo.ensure_demo(Store(filled)) is False
    fresh = Store(tmp_path / "fresh")
    seen = []
    assert demo.ensure_demo(fresh, scale=300, progress=lambda f, m: seen.append(f)) is True
    assert demo.ensure_demo(fresh, scale=300) is False
    assert one(f"SELECT count(*) FROM {current(fresh, 'users')}")[0] == 120
    assert seen[-1] == 1.0 and seen == sorted(seen)
    with fresh.compaction_lock(wait=False) as held:
        assert held, "the lease was given back"


def test_two_processes_generate_once(tmp_path):
    root = tmp_path / "shared"
    code = ("import sys; from data.demo import ensure_demo; from data.store import Store; "
            "print(ensure_demo(Store(sys.argv[1]), scale=300))")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(root)], cwd=REPO, stdout=subprocess.PIPE, text=True)
            for _ in range(2)]
    answers = sorted(run.communicate(timeout=120)[0].strip() for run in runs)
    assert answers == ["False", "True"]
    store = Store(root)
    assert one(f"SELECT count(*) FROM {current(store, 'users')}")[0] == 120
    assert one(f"SELECT count(*) FROM {current(store, 'ccrs')}")[0] == demo.activity_counts(300)["ccrs"]


def test_two_app_servers_on_an_empty_object_store_generate_once(azurite, tmp_path):
    # Both find no users; the maintenance lease lets one generate, and the other, once it has the
    # lease, finds the users there.
    root = azurite.new_root()
    code = ("import json, sys; from data.demo import ensure_demo; from data.store import Store; "
            "print(ensure_demo(Store(sys.argv[1], storage_options=json.loads(sys.argv[2])), scale=300))")
    env = {**os.environ, **azurite.environment, "BEATBOOK_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.Popen([sys.executable, "-c", code, root, json.dumps(STORAGE_OPTIONS)], cwd=REPO, env=env,
                             stdout=subprocess.PIPE, text=True) for _ in range(2)]
    answers = sorted(run.communicate(timeout=300)[0].strip() for run in runs)
    assert answers == ["False", "True"]
    store = open_azurite_store(root, tmp_path)
    assert one(f"SELECT count(*) FROM {current(store, 'users')}")[0] == 120
    assert one(f"SELECT count(*) FROM {current(store, 'ccrs')}")[0] == demo.activity_counts(300)["ccrs"]
    assert store.remote.get_with_tag(store.compaction_lock(wait=False).NAME) is None, "the lease was given back"


def test_a_lease_left_by_a_dead_process_does_not_block(tmp_path):
    store = Store(tmp_path / "s")
    store.create()
    lease = tmp_path / "s" / store.compaction_lock(wait=False).NAME
    lease.write_text("host:12345:dead")
    assert demo.ensure_demo(store, scale=100, timeout=5) is True


def test_a_live_lease_makes_others_wait(tmp_path):
    store = Store(tmp_path / "s")
    store.create()
    with Store(tmp_path / "s").compaction_lock() as held:
        assert held
        with pytest.raises(TimeoutError):
            demo.ensure_demo(store, scale=100, timeout=0.5)
    assert one(f"SELECT count(*) FROM {current(store, 'users')}")[0] == 0
