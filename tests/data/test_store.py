"""The store: round trip, versions, current view, deletion, idempotency, concurrency, crashes."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow as pa
import pytest

from data import db, delta
from data import store as store_module
from data.arrow_schema import arrow_schema
from data.store import Store, ValidationError

ROOT = Path(__file__).resolve().parents[2]


def make_event(**overrides) -> dict:
    values = {
        "title": "Street meeting at the market",
        "event_type": "Street meeting",
        "area_code": "ST-STA",
        "ward_code": "W001",
        "place": "Gloucester Green",
        "start": dt.datetime(2026, 5, 1, 10, 0),
        "end": dt.datetime(2026, 5, 1, 11, 30),
        "organiser": "u0001",
    }
    values.update(overrides)
    return values


def current(store: Store, table: str, columns: str = "*") -> list[tuple]:
    return db.rows(f"SELECT {columns} FROM {store.relation(table)} ORDER BY ALL")


def data_files(store: Store, table: str) -> list[str]:
    """The Parquet files stored under a table, referenced or not (in its folder, or under its prefix remotely)."""
    if store.remote is not None:
        return sorted(k for k in store.remote.list(f"{table}/") if k.endswith(".parquet") and "_delta_log" not in k)
    folder = Path(store.uri(table))
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.parquet") if "_delta_log" not in p.parts)


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    store.create()
    return store


def test_round_trip_keeps_every_value(any_empty_store):
    store = any_empty_store
    values = make_event(officers_attending=["u0001", "u0002"], communities_targeted=["Elderly"], lat=51.75, lon=-1.26)
    saved = store.save("events", values, user="u0001", submission_id="s1")
    row = store.get("events", saved.record_id)
    assert (saved.record_id, saved.version) == ("s1", 1)
    for key, value in values.items():
        assert row[key] == value, key
    assert row["status"] == "booked" and row["attendees"] is None
    assert row["written_by"] == "u0001" and row["deleted"] is False
    assert row["written_at"] <= dt.datetime.now(dt.UTC).replace(tzinfo=None)


def test_an_edit_is_a_new_version_and_the_current_view_shows_the_latest(any_empty_store):
    store = any_empty_store
    first = store.save("events", make_event(), user="u0001", submission_id="s1")
    completed = make_event(status="completed", attendees=23, officers_involved=2, quality_rating=4)
    second = store.save("events", completed, user="u0002", submission_id="s2", record_id=first.record_id)
    assert second.version == 2
    assert current(store, "events", "record_id, version, status, attendees") == [("s1", 2, "completed", 23)]
    history = store.history("events", "s1")
    assert [(h["version"], h["status"], h["written_by"]) for h in history] == [
        (2, "completed", "u0002"),
        (1, "booked", "u0001"),
    ]


def test_delete_hides_the_record_but_keeps_its_history(any_empty_store):
    store = any_empty_store
    store.save("events", make_event(title="Keep me"), user="u1", submission_id="keep")
    store.save("events", make_event(title="Withdraw me"), user="u1", submission_id="gone")
    deleted = store.delete("events", "gone", user="u1", submission_id="del-1")
    assert deleted.version == 2
    assert current(store, "events", "title") == [("Keep me",)]
    assert store.get("events", "gone") is None
    assert [h["deleted"] for h in store.history("events", "gone")] == [True, False]


def test_the_same_submission_saved_twice_gives_one_record(any_empty_store):
    store = any_empty_store
    first = store.save("events", make_event(), user="u1", submission_id="tap")
    again = store.save("events", make_event(), user="u1", submission_id="tap")
    assert again == type(first)(first.record_id, 1, duplicate=True, reference=first.reference)
    edit = make_event(title="Renamed")
    e1 = store.save("events", edit, user="u1", submission_id="edit-tap", record_id="tap")
    e2 = store.save("events", edit, user="u1", submission_id="edit-tap", record_id="tap")
    assert (e1.version, e2.version, e2.duplicate) == (2, 2, True)
    assert store.snapshot("events").rows == 2
    assert current(store, "events", "record_id, version, title") == [("tap", 2, "Renamed")]


def test_a_resubmit_after_compaction_is_still_one_record(any_empty_store):
    store = any_empty_store
    store.save("events", make_event(), user="u1", submission_id="late")
    store.compact("events")
    assert store.save("events", make_event(), user="u1", submission_id="late").duplicate
    assert store.snapshot("events").rows == 1


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"title": ""}, "title", "at least 1 character"),
        ({"end": dt.datetime(2026, 5, 1, 9)}, "end", "end must be after start"),
        ({"start": dt.datetime(1900, 5, 1, 9)}, "start", "between 2000 and 2100"),
        ({"lat": 12.0}, "lat", "greater than or equal to 49.8"),
        ({"status": "completed"}, "attendees", "attendees is required"),
        ({"status": "completed", "attendees": -3, "officers_involved": 1, "quality_rating": 3}, "attendees", ">= 0"),
        ({"colour": "blue"}, "colour", "Extra inputs are not permitted"),
    ],
)
def test_a_bad_record_names_the_field_and_writes_nothing(store, overrides, field, words):
    with pytest.raises(ValidationError) as caught:
        store.save("events", make_event(**overrides), user="u1", submission_id="bad")
    assert field in caught.value.errors
    assert words.replace(">= 0", "greater than or equal to 0") in caught.value.errors[field]
    assert store.snapshot("events").rows == 0
    assert store.version("events") == 0


def test_diversity_answers_need_consent(store):
    ccr = {
        "contact_at": dt.datetime(2026, 5, 1, 14),
        "area_code": "ST-STA",
        "ward_code": "W001",
        "officer_id": "u0001",
        "contact_method": "Face to face",
        "ethnicity": "W1",
        "age_band": "25-34",
    }
    with pytest.raises(ValidationError) as caught:
        store.save("ccrs", ccr, user="u0001", submission_id="c1")
    assert "ethnicity" in caught.value.errors or "age_band" in caught.value.errors
    assert store.snapshot("ccrs").rows == 0
    store.save("ccrs", {**ccr, "diversity_consent": True}, user="u0001", submission_id="c2")
    assert current(store, "ccrs", "ethnicity, age_band") == [("W1", "25-34")]


def test_compaction_keeps_every_version_and_the_same_current_view(any_empty_store):
    store = any_empty_store
    for i in range(6):
        store.save("events", make_event(title=f"Event {i}"), user="u1", submission_id=f"e{i}")
    store.save("events", make_event(title="Event 2 renamed"), user="u1", submission_id="x", record_id="e2")
    store.delete("events", "e4", user="u1", submission_id="y")
    before = current(store, "events", "record_id, version, title")
    assert store.check()["events"]["edits_awaiting_compaction"] == 2
    report = store.compact("events")["events"]
    assert report["files_before"] == 8 and report["files_after"] == 1
    assert current(store, "events", "record_id, version, title") == before
    assert store.snapshot("events").rows == 8
    assert store.snapshot("events").touched == ()
    assert store.check()["events"] == {"delta_version": store.version("events"), "current_rows": 5,
                                       "stored_versions": 8, "files": 1, "small_files": 1,
                                       "edits_awaiting_compaction": 0, "versions_stored_twice": 0,
                                       "records_current_twice": 0, "duplicate_record_ids": []}
    flags = db.rows(
        f"SELECT record_id, version, superseded FROM read_parquet({list(store.snapshot('events').files)})"
        " WHERE record_id IN ('e2', 'e4') ORDER BY ALL"
    )
    assert flags == [("e2", 1, True), ("e2", 2, False), ("e4", 1, True), ("e4", 2, False)]
    # a later edit of a compacted record still wins
    store.save("events", make_event(title="Event 2 again"), user="u1", submission_id="z", record_id="e2")
    assert ("e2", 3, "Event 2 again") in current(store, "events", "record_id, version, title")
    assert len(current(store, "events")) == 5


def test_vacuum_removes_files_no_longer_referenced(any_empty_store):
    store = any_empty_store
    for i in range(3):
        store.save("events", make_event(), user="u1", submission_id=f"v{i}")
    store.compact("events")
    assert len(data_files(store, "events")) == 4
    removed = store.vacuum(retention_hours=0)
    assert removed["events"] == 3
    assert len(data_files(store, "events")) == 1
    assert len(current(store, "events")) == 3


def test_bulk_append_rows_are_read_as_compacted(any_empty_store):
    store = any_empty_store
    rows = []
    for i in range(3):
        row = make_event(title=f"Bulk {i}")
        row.update(record_id=f"b{i}", version=1, deleted=False, written_by="import",
                   written_at=dt.datetime(2026, 5, 2), submission_id=f"b{i}", superseded=False)
        rows.append(row)
    assert store.append_rows("events", pa.Table.from_pylist(rows, schema=arrow_schema("events"))) == 3
    snap = store.snapshot("events")
    assert snap.touched == () and len(snap.files) == 1
    assert [r[0] for r in current(store, "events", "title")] == ["Bulk 0", "Bulk 1", "Bulk 2"]


def test_bulk_rows_never_store_a_record_version_twice(store):
    def row(record_id, version, title):
        values = make_event(title=title)
        values.update(record_id=record_id, version=version, deleted=False, written_by="import",
                      written_at=dt.datetime(2026, 5, 2), submission_id=f"{record_id}-{version}-{title}",
                      superseded=False if version == 1 else None)
        return values

    store.append_rows("events", [row("a", 1, "A"), row("b", 1, "B")])
    saved = store.save("events", make_event(title="A edited by an officer"), user="u1", submission_id="e1",
                       record_id="a", base_version=1)
    assert saved.version == 2
    stored = store.snapshot("events").rows
    # An import that computed version 2 of `a` before the officer's edit landed: refused whole.
    with pytest.raises(store_module.DuplicateVersions, match="1 of the rows for events .* already stored"):
        store.append_rows("events", [row("a", 2, "A corrected by import"), row("c", 1, "C")])
    with pytest.raises(store_module.DuplicateVersions, match="among the rows given"):
        store.append_rows("events", [row("d", 1, "D"), row("d", 1, "D again")])
    assert store.snapshot("events").rows == stored
    assert store.get("events", "a")["title"] == "A edited by an officer"
    assert store.get("events", "c") is None and store.get("events", "d") is None


def _save_many(root: str, worker: int, count: int, pause: float = 0.0) -> None:
    store = Store(root)
    for i in range(count):
        store.save("events", make_event(title=f"w{worker} #{i}"), user=f"u{worker}", submission_id=f"w{worker}-{i}")
        time.sleep(pause)


def test_four_processes_saving_at_once_lose_nothing(store):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_save_many, args=(store.root, w, 100)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
        assert w.exitcode == 0
    assert db.row(f"SELECT count(*), count(DISTINCT record_id) FROM {store.relation('events')}") == (400, 400)
    assert store.snapshot("events").rows == 400


def _edit_many(root: str, count: int, pause: float) -> None:
    store = Store(root)
    for i in range(count):
        store.save("events", make_event(title=f"edited #{i}"), user="u8", submission_id=f"edit-{i}",
                   record_id=f"seed-{i % 10}")
        time.sleep(pause)


def test_compaction_alongside_writers_loses_nothing(store):
    from deltalake.exceptions import CommitFailedError

    for i in range(10):
        store.save("events", make_event(title=f"seed {i}"), user="u1", submission_id=f"seed-{i}")
    ctx = multiprocessing.get_context("spawn")
    writers = [
        ctx.Process(target=_save_many, args=(store.root, 9, 150, 0.02)),
        ctx.Process(target=_edit_many, args=(store.root, 40, 0.1)),
    ]
    for w in writers:
        w.start()
    outcomes = []
    while any(w.is_alive() for w in writers):
        try:
            store.compact("events", attempts=1)
            outcomes.append("done")
        except CommitFailedError:  # gave way to a save: nothing changed, nothing lost
            outcomes.append("retry")
        time.sleep(0.05)
    for w in writers:
        w.join()
        assert w.exitcode == 0
    # Compaction's commit reads nothing, so saves landing while it runs never make it give way.
    assert outcomes and set(outcomes) == {"done"}
    titles = dict(current(store, "events", "record_id, title"))
    assert len(titles) == 160
    assert {titles[f"seed-{i}"] for i in range(10)} == {f"edited #{30 + i}" for i in range(10)}
    store.compact("events")
    assert dict(current(store, "events", "record_id, title")) == titles
    assert store.snapshot("events").touched == ()
    assert store.snapshot("events").rows == 200


KILLED_WRITER = textwrap.dedent(
    """
    import datetime as dt, sys
    from data.store import Store
    store = Store(sys.argv[1])
    for i in range(100000):
        values = {"title": f"k{i}", "event_type": "Street meeting", "area_code": "A", "ward_code": "W",
                  "place": "P", "start": dt.datetime(2026, 5, 1, 10), "end": dt.datetime(2026, 5, 1, 11),
                  "organiser": "u1"}
        saved = store.save("events", values, user="u1", submission_id=f"k{i}")
        print(saved.record_id, flush=True)
    """
)


def test_a_writer_killed_mid_stream_keeps_every_acknowledged_save(store):
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, store.root], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    acknowledged = []
    while len(acknowledged) < 40:
        line = child.stdout.readline()
        assert line, "writer stopped early"
        acknowledged.append(line.strip())
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    stored = {r[0] for r in current(Store(store.root), "events", "record_id")}
    assert set(acknowledged) <= stored
    assert len(stored) >= 40
    assert Store(store.root).check()["events"]["current_rows"] == len(stored)


def test_files_holding_only_replaced_versions_are_not_read_for_current_rows(any_empty_store):
    store = any_empty_store
    def row(record_id, version, title, superseded):
        values = make_event(title=title)
        values.update(record_id=record_id, version=version, deleted=False, written_by="import",
                      written_at=dt.datetime(2026, 5, version), submission_id=f"{record_id}-{version}",
                      superseded=superseded)
        return values

    store.append_rows("events", [row("a", 2, "A now", False), row("b", 1, "B", False)])
    store.append_rows("events", [row("a", 1, "A before", True)])
    snap = store.snapshot("events")
    assert len(snap.files) == 2 and len(snap.live_files) == 1
    assert current(store, "events", "record_id, title") == [("a", "A now"), ("b", "B")]
    assert [h["title"] for h in store.history("events", "a")] == ["A now", "A before"]


def test_the_delta_log_keeps_no_statistics_of_diversity_answers_or_free_text(tmp_path):
    store = Store(tmp_path)
    store.create()
    contact = {"contact_at": dt.datetime(2026, 1, 1, 10), "area_code": "A", "ward_code": "W", "officer_id": "u1",
               "contact_method": "street", "diversity_consent": True, "ethnicity": "W3", "age_band": "25-34",
               "religion": "Buddhist", "issues_text": "Zebra crossing outside number 7"}
    store.save("ccrs", contact, user="u1", submission_id="s1")
    log = "".join(path.read_text() for path in (tmp_path / "ccrs" / "_delta_log").glob("*.json"))
    assert "minValues" in log and "street" in log  # codes still have statistics for skipping files
    for answer in ("W3", "25-34", "Buddhist", "Zebra"):
        assert answer not in log


def test_an_older_table_gains_the_statistics_setting_when_the_store_opens(tmp_path):
    from deltalake import DeltaTable

    from data.delta import STATS_COLUMNS

    DeltaTable.create(str(tmp_path / "ccrs"), arrow_schema("ccrs"))
    assert STATS_COLUMNS not in DeltaTable(str(tmp_path / "ccrs")).metadata().configuration
    Store(tmp_path).create()
    columns = DeltaTable(str(tmp_path / "ccrs")).metadata().configuration[STATS_COLUMNS].split(",")
    assert "contact_at" in columns and "ethnicity" not in columns and "issues_text" not in columns


def test_row_groups_are_sized_by_table(store, monkeypatch):
    # Wide rows get small row groups, so date-range reads skip to what they need: here 2 rows
    # per group for events, so 5 events make groups of 2, 2 and 1, each covering only its own dates.
    monkeypatch.setitem(delta.ROW_GROUP_ROWS_BY_TABLE, "events", 2)
    rows = []
    for i in range(5):
        row = make_event(title=f"Bulk {i}", start=dt.datetime(2026, 5, 1 + i, 10), end=dt.datetime(2026, 5, 1 + i, 11))
        row.update(record_id=f"b{i}", version=1, deleted=False, written_by="import",
                   written_at=dt.datetime(2026, 5, 2), submission_id=f"b{i}", superseded=False)
        rows.append(row)
    store.append_rows("events", pa.Table.from_pylist(rows, schema=arrow_schema("events")))
    (path,) = store.snapshot("events").files
    groups = db.rows(
        "SELECT row_group_num_rows, stats_min, stats_max FROM parquet_metadata(?) WHERE path_in_schema = 'start'"
        " ORDER BY row_group_id", [path])
    assert [g[0] for g in groups] == [2, 2, 1]
    assert [g[1][:10] for g in groups] == ["2026-05-01", "2026-05-03", "2026-05-05"]


@pytest.mark.parametrize(("any_empty_store", "seed"), [("local", 0), ("local", 1), ("local", 2), ("local", 3),
                                                      ("azurite", 0)], indirect=["any_empty_store"])
def test_the_current_view_matches_a_model_through_saves_edits_withdrawals_and_compactions(any_empty_store, seed):
    # A random mix of operations; after each, the current rows are the latest version of every
    # record not withdrawn, whether its versions sit in compacted files, recent files or both.
    store = any_empty_store
    rng = random.Random(seed)
    model: dict[str, str | None] = {}  # record id -> current title (None once withdrawn)
    for step in range(36):
        live = [r for r, title in model.items() if title is not None]
        action = rng.choice(["new", "new", "edit", "edit", "withdraw", "compact"]) if live else "new"
        if action == "new":
            saved = store.save("events", make_event(title=f"s{step}"), user="u", submission_id=f"{seed}-{step}")
            model[saved.record_id] = f"s{step}"
        elif action == "edit":
            record_id = rng.choice(live)
            store.save("events", make_event(title=f"e{step}"), user="u", submission_id=f"{seed}-{step}",
                       record_id=record_id)
            model[record_id] = f"e{step}"
        elif action == "withdraw":
            record_id = rng.choice(live)
            store.delete("events", record_id, user="u", submission_id=f"{seed}-{step}")
            model[record_id] = None
        else:
            store.compact("events")
        expected = sorted((r, t) for r, t in model.items() if t is not None)
        assert current(store, "events", "record_id, title") == expected, (seed, step, action)
