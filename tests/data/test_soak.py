"""The soak: writer processes saving at once, checked against their acks; two processes editing one record."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from data import db, soak_check
from data.__main__ import main
from data.schema import TABLES
from data.soak_plan import KINDS
from data.store import EditConflict, Store, new_submission_id
from tests import azurite as azurite_server
from tests.conftest import upload_store

ROOT = Path(__file__).resolve().parents[2]
WRITERS, SAVES, SHARED = 3, 15, 2
SOAK = ["--writers", str(WRITERS), "--saves", str(SAVES), "--edit-share", "0.3", "--shared", str(SHARED),
        "--maintain-every", "0.5", "--json", "--quiet"]
ACK_KEYS = {"table", "record_id", "version", "submission_id", "outcome", "ms", "writer", "kind"}


def stored_versions(store: Store, tables=("events", "ccrs")) -> int:
    """Every stored row of the tables, every version (compaction keeps them all)."""
    return sum(store.snapshot(t).rows for t in tables)


def soak_rows(store: Store, submission_ids: list[str]) -> list[tuple]:
    """(table, record_id, version, submission_id) of every stored row with one of these submission ids."""
    rows = []
    for table in ("events", "ccrs"):
        files = store.snapshot(table).files
        rows += [(table, *row) for row in db.rows(
            f"SELECT record_id, version, submission_id FROM {db.parquet_scan(files)}"
            " WHERE submission_id IN (SELECT unnest(?::VARCHAR[]))", [submission_ids])]
    return rows


def assert_soak_passed(report: dict, acks_file: Path, store: Store, rows_before: int) -> None:
    """The report says the store passed, and the acks file and the store say the same when counted by hand."""
    lines = acks_file.read_text().splitlines()
    assert len(lines) == WRITERS * SAVES
    acks = [json.loads(line) for line in lines]
    assert all(ack.keys() >= ACK_KEYS for ack in acks)
    outcomes, kinds = Counter(a["outcome"] for a in acks), Counter(a["kind"] for a in acks)
    # the report's counts are the ack lines' counts
    assert report["outcomes"] == {"saved": outcomes["saved"], "duplicate": outcomes["duplicate"],
                                  "refused": outcomes["refused"], "error": outcomes["error"]}
    assert report["refused"] == outcomes["refused"] > 0
    assert report["duplicates_returned"] == outcomes["duplicate"] > 0
    assert report["stale_edits"] == kinds["stale_edit"] >= WRITERS
    assert report["edit_conflicts"] == sum(1 for a in acks if a["kind"] == "edit" and a["outcome"] == "refused")
    assert report["kinds"] == {k: kinds[k] for k in KINDS} and kinds["new"] and kinds["edit"] and kinds["repeat"]
    assert report["ack_lines"] == len(acks) and report["ok"] and report["failures"] == []
    for finding in ("lost", "duplicated", "collisions", "stale_edits_accepted", "errors", "repeat_mismatched"):
        assert report[finding] == 0, finding
    latency = report["latency_ms"]
    assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
    assert latency["max"] == round(max(a["ms"] for a in acks), 1)
    assert report["load_average"]["start"] >= 0 and report["wall_seconds"] > report["writing_seconds"] > 0
    # maintenance ran alongside (a run may fail when saves keep landing: the store's compaction gives way)
    assert report["maintenance"]["runs"] + report["maintenance"]["failed"] >= 1
    # each writer a different officer
    assert {a["writer"] for a in acks} == set(range(WRITERS)) and len({a["user"] for a in acks}) == WRITERS
    # every stale edit refused; every repeat the first save of its submission, some first saved by another writer
    assert {a["outcome"] for a in acks if a["kind"] == "stale_edit"} == {"refused"}
    first = {a["submission_id"]: a for a in acks if a["outcome"] == "saved"}
    repeats = [a for a in acks if a["kind"] == "repeat"]
    assert all(a["outcome"] == "duplicate" for a in repeats)
    assert all((a["record_id"], a["version"]) == (first[a["submission_id"]]["record_id"],
                                                 first[a["submission_id"]]["version"]) for a in repeats)
    assert any(first[a["submission_id"]]["writer"] != a["writer"] for a in repeats)
    # the store, read independently: grown by exactly the saves acked plus the shared records' setup
    # (each saved and edited once), every acked save stored once, no (record, version) twice
    setup = 2 * SHARED * len(report["tables"])
    assert stored_versions(store) - rows_before == outcomes["saved"] + setup
    rows = soak_rows(store, sorted({a["submission_id"] for a in acks}))
    assert Counter(rows).most_common(1)[0][1] == 1
    assert {(a["table"], a["record_id"], a["version"], a["submission_id"]) for a in first.values()} == set(rows)
    shared = {(t, r) for t, ids in report["shared_records"].items() for r in ids}
    edits = [row for row in rows if (row[0], row[1]) in shared]
    assert len(edits) == sum(1 for a in acks if a["kind"] == "edit" and a["outcome"] == "saved") > 0
    assert len({row[:3] for row in edits}) == len(edits)


def test_soak_on_a_local_store(store_root, tmp_path):
    store = Store(store_root)
    before = stored_versions(store)
    acks = tmp_path / "acks.jsonl"
    result = subprocess.run([sys.executable, "-m", "data", "soak", "--store", str(store_root), "--acks", str(acks),
                             *SOAK], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr + result.stdout
    assert_soak_passed(json.loads(result.stdout), acks, Store(store_root), before)


def test_soak_on_azurite(azurite, demo_store_root, tmp_path, monkeypatch, capsys):
    root = azurite.new_root()
    upload_store(demo_store_root, root)
    store = Store(root, storage_options=dict(azurite_server.STORAGE_OPTIONS), cache_dir=tmp_path / "cache")
    before = stored_versions(store)
    monkeypatch.setenv("BEATBOOK_STORAGE_OPTIONS", json.dumps(azurite_server.STORAGE_OPTIONS))
    monkeypatch.setenv("BEATBOOK_CACHE_DIR", str(tmp_path / "soak-cache"))
    acks = tmp_path / "acks.jsonl"
    status = main(["soak", "--store", root, "--acks", str(acks), *SOAK])
    output = capsys.readouterr()
    assert status == 0, output.err + output.out
    assert_soak_passed(json.loads(output.out), acks, store, before)


def _event(**overrides) -> dict:
    values = {"title": "Street meeting", "event_type": "Street meeting", "area_code": "A", "ward_code": "W",
              "place": "Market Square", "start": dt.datetime(2026, 5, 1, 10), "end": dt.datetime(2026, 5, 1, 11),
              "organiser": "u1"}
    return values | overrides


def test_the_check_finds_lost_duplicated_colliding_and_accepted_stale_saves(tmp_path):
    # The soak's verdict comes from this check: each kind of fault, made by hand, is counted.
    store = Store(tmp_path / "store")
    store.create()
    kept = store.save("events", _event(), user="u1", submission_id="kept")
    edit = store.save("events", _event(title="Edited"), user="u1", submission_id="edit", record_id=kept.record_id)
    stale = store.save("events", _event(title="Stale"), user="u1", submission_id="stale",
                       record_id=kept.record_id)

    def ack(kind, outcome, record_id, version, submission_id):
        return {"table": "events", "kind": kind, "outcome": outcome, "record_id": record_id, "version": version,
                "submission_id": submission_id, "ms": 1.0, "writer": 0}

    clean = [ack("new", "saved", kept.record_id, 1, "kept"), ack("edit", "saved", kept.record_id, 2, "edit"),
             ack("repeat", "duplicate", kept.record_id, 1, "kept")]
    assert soak_check.check(store, clean)["lost"] == 0
    faults = [*clean,
              ack("new", "saved", "ghost", 1, "ghost"),  # acked but never stored
              ack("repeat", "duplicate", kept.record_id, 2, "kept"),  # a repeat told another version
              ack("stale_edit", "refused", kept.record_id, None, "stale"),  # refused, yet stored
              ack("edit", "refused", kept.record_id, None, "never")]  # refused and not stored: fine
    found = soak_check.check(store, faults)
    assert (found["lost"], found["repeat_mismatched"], found["refused_but_stored"], found["stale_edits_accepted"],
            found["refused"], found["unacknowledged_rows"]) == (1, 1, 1, 1, 2, 1)
    assert (found["duplicated"], found["collisions"]) == (0, 0)
    # a second row of the edit's submission, at the same record and version: duplicated and a collision
    row = store.history("events", kept.record_id)[1]
    assert (row["version"], row["submission_id"]) == (edit.version, "edit") and stale.version == 3
    store.append_rows("events", [{**row, "written_at": dt.datetime(2026, 5, 2)}], checked=False)
    found = soak_check.check(store, clean)
    assert (found["duplicated"], found["collisions"], found["lost"]) == (1, 1, 0)


@pytest.mark.parametrize(("arguments", "message"), [
    (["--writers", "0"], "--writers must be at least 1"),
    (["--saves", "0"], "--saves must be at least 1"),
    (["--edit-share", "1.5"], "--edit-share must be between 0 and 1"),
    (["--edit-share", "0.9"], "leave no new records"),
    (["--tables", "patrols"], "--tables must name some of events, ccrs"),
])
def test_bad_options_are_refused_with_a_message(demo_store_root, tmp_path, capsys, arguments, message):
    acks = tmp_path / "acks.jsonl"
    assert main(["soak", "--store", str(demo_store_root), "--acks", str(acks), "--quiet", *arguments]) == 1
    assert message in capsys.readouterr().err
    assert not acks.exists()


def test_a_missing_or_empty_store_or_too_few_officers_is_refused(demo_store_root, tmp_path, capsys):
    acks = str(tmp_path / "acks.jsonl")
    assert main(["soak", "--store", str(tmp_path / "nowhere"), "--acks", acks, "--quiet"]) == 1
    assert f"no Beatbook store at {tmp_path / 'nowhere'}" in capsys.readouterr().err
    Store(tmp_path / "empty").create()
    assert main(["soak", "--store", str(tmp_path / "empty"), "--acks", acks, "--quiet"]) == 1
    assert "holds no users, areas, wards, picklists" in capsys.readouterr().err
    rows = stored_versions(Store(demo_store_root))
    assert main(["soak", "--store", str(demo_store_root), "--acks", acks, "--writers", "10000", "--quiet"]) == 1
    assert "--writers must be at most that (got 10000)" in capsys.readouterr().err
    nowhere = tmp_path / "no" / "acks.jsonl"
    assert main(["soak", "--store", str(demo_store_root), "--acks", str(nowhere), "--quiet"]) == 1
    assert f"cannot write the acks file {nowhere}" in capsys.readouterr().err
    assert stored_versions(Store(demo_store_root)) == rows
    assert not Path(acks).exists()


# -- two processes editing one record from the same version ----------------------------------------

ROUNDS = 3


def _edit_in_rounds(root: str, storage_options, cache_dir: str, record_id: str, name: str, barrier, results) -> None:
    store = Store(root, storage_options=storage_options, cache_dir=cache_dir)
    fields = TABLES["events"].model_fields
    for n in range(ROUNDS):
        current = store.get("events", record_id)
        barrier.wait(120)  # both have read the record: both save from the version they read, at once
        values = {k: current[k] for k in fields} | {"title": f"{name} round {n}"}
        try:
            saved = store.save("events", values, user=name, submission_id=new_submission_id(), record_id=record_id,
                               base_version=current["version"])
            results.put((n, name, int(current["version"]), "saved", saved.version, None))
        except EditConflict as conflict:
            results.put((n, name, int(current["version"]), "refused", conflict.version, conflict.changed_by))
        barrier.wait(120)  # both done before the next round reads


def test_two_processes_editing_one_record_from_one_version_save_once(any_store, tmp_path):
    store = any_store
    record_id, start = db.row(
        f"SELECT record_id, version FROM {store.relation('events')} ORDER BY record_id LIMIT 1")
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    editors = [ctx.Process(target=_edit_in_rounds, args=(store.root, store.storage_options, str(tmp_path / name),
                                                         record_id, name, barrier, results))
               for name in ("u-first", "u-second")]
    for editor in editors:
        editor.start()
    outcomes = [results.get(timeout=180) for _ in range(2 * ROUNDS)]
    for editor in editors:
        editor.join(timeout=60)
        assert editor.exitcode == 0
    for n in range(ROUNDS):
        this = sorted((o for o in outcomes if o[0] == n), key=lambda o: o[3], reverse=True)  # saved, then refused
        (_, winner, base, won, version, _), (_, loser, other_base, lost, latest, changed_by) = this
        assert (base, other_base) == (start + n, start + n)  # both made their edit from the same version
        assert (won, lost) == ("saved", "refused")
        assert version == latest == start + n + 1 and changed_by == winner != loser
    history = Store(store.root, storage_options=store.storage_options, cache_dir=tmp_path / "check").history(
        "events", record_id)
    assert [h["version"] for h in history] == list(range(start + ROUNDS, 0, -1))
    winners = {o[0]: o[1] for o in outcomes if o[3] == "saved"}
    assert [h["title"] for h in history[:ROUNDS]] == [f"{winners[n]} round {n}" for n in reversed(range(ROUNDS))]
    stored = db.rows(
        f"SELECT version, count(*) FROM {db.parquet_scan(store.snapshot('events').files)} WHERE record_id = ?"
        " GROUP BY version", [record_id])
    assert sorted(stored) == [(v, 1) for v in range(1, start + ROUNDS + 1)]
