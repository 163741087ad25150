"""The save path: one read of the Delta log per save, and the recent submission ids' index (`data.submissions`)
agreeing with the table's files across servers, compaction, retention and restarts."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from pathlib import Path

import pyarrow.parquet as pq

from data import db, snapshots, submissions
from data import store as store_module
from data.snapshots import kept_rows, stored_submissions
from data.store import Store, new_submission_id
from tests.data.test_store import make_event


def server(store: Store, tmp_path: Path, name: str) -> Store:
    """Another app server (its own process state and file cache) on the same store."""
    cache = tmp_path / f"cache-{name}" if store.remote is not None else None
    return Store(store.root, storage_options=store.storage_options, cache_dir=cache)


def opened_ago(ago: dt.timedelta) -> str:
    """A submission id as `new_submission_id` makes it, for a form opened `ago`."""
    millis = int((time.time() - ago.total_seconds()) * 1000)
    return f"{millis << 80 | 0x7 << 76 | secrets.randbits(12) << 64 | 0b10 << 62 | secrets.randbits(62):032x}"


def index_answers(store: Store, ids: list[str]) -> dict:
    """What the store's index says of `ids` at the table's latest version, checked against the files."""
    index = store._index("events", store._table("events"))
    found, unknown = store._recent["events"].find(index, ids)
    assert unknown == []
    assert found == stored_submissions(index, ids)
    return found


def test_each_save_reads_the_delta_log_once(any_empty_store, tmp_path, monkeypatch):
    store, other = server(any_empty_store, tmp_path, "a"), server(any_empty_store, tmp_path, "b")
    first, again = new_submission_id(), new_submission_id()

    def edit():
        record = store.get("events", first)
        return store.save("events", make_event(title="Moved"), user="u1", submission_id=new_submission_id(),
                          record_id=first, base_version=record["version"])

    saves = [
        lambda: store.save("events", make_event(), user="u1", submission_id=first),  # loads the handle
        lambda: store.save("events", make_event(), user="u1", submission_id=new_submission_id()),
        lambda: store.save("events", make_event(), user="u1", submission_id=first),  # a double tap
        lambda: store.save_many("events", [(make_event(), None, None)] * 3, user="u1", submission_id=again),
        lambda: store.save_many("events", [(make_event(), None, None)] * 3, user="u1", submission_id=again),
        lambda: (other.save("events", make_event(), user="u2", submission_id=new_submission_id()),
                 store.save("events", make_event(), user="u1", submission_id=new_submission_id())),
        lambda: (other.compact("events"), store.save("events", make_event(), user="u1",
                                                     submission_id=new_submission_id())),
        lambda: store.delete("events", first, user="u1", submission_id=new_submission_id()),
    ]
    for n, save in enumerate(saves):
        before = store.log_reads["events"]
        save()
        assert store.log_reads["events"] - before == 1, f"save {n}"
    monkeypatch.setattr(store_module, "WRITER_RELOAD_VERSIONS", 2)  # the handle is loaded afresh instead
    for _ in range(3):
        before = store.log_reads["events"]
        store.save("events", make_event(), user="u1", submission_id=new_submission_id())
        assert store.log_reads["events"] - before == 1
    assert set(store.log_reads) == {"events"}
    assert store.snapshot("events").rows == 2 + 3 + 2 + 1 + 1 + 3
    assert store.check()["events"]["versions_stored_twice"] == 0


def test_a_save_made_on_one_server_is_found_on_another(any_empty_store, tmp_path):
    one, two = server(any_empty_store, tmp_path, "one"), server(any_empty_store, tmp_path, "two")
    two.save("events", make_event(), user="u2", submission_id=new_submission_id())  # its index is made
    read = two._recent["events"].files_read
    sid = new_submission_id()
    saved = one.save("events", make_event(), user="u1", submission_id=sid)
    assert two.find_submission("events", sid) == store_module.Saved(saved.record_id, 1, duplicate=True,
                                                                    reference=saved.reference)
    assert two._recent["events"].files_read == read + 1  # the new file only, read from the log's latest version
    assert two.save("events", make_event(), user="u2", submission_id=sid).duplicate
    for _ in range(3):  # its own saves go into its index as they are committed, unread
        two.save("events", make_event(), user="u2", submission_id=new_submission_id())
    assert two._recent["events"].files_read == read + 1
    restarted = server(any_empty_store, tmp_path, "three")
    assert restarted.save("events", make_event(), user="u3", submission_id=sid).duplicate
    assert restarted.snapshot("events").rows == 5


def test_the_index_agrees_with_the_files_through_compaction_retention_and_restarts(tmp_path):
    store = Store(tmp_path / "store")
    store.create()
    other = server(store, tmp_path, "other")
    ids = [new_submission_id() for _ in range(6)]
    for sid in ids[:3]:
        store.save("events", make_event(), user="u1", submission_id=sid)
    other.save("events", make_event(), user="u2", submission_id=ids[3])
    other.save_many("events", [(make_event(), None, None)] * 2, user="u2", submission_id=ids[4])
    many = [f"{ids[4]}:0", f"{ids[4]}:1"]
    every = [*ids, *many]
    assert set(index_answers(store, every)) == {*ids[:4], *many}
    store.save("events", make_event(title="Edited"), user="u1", submission_id=ids[5], record_id=ids[0])
    assert index_answers(store, every)[ids[5]] == (ids[0], 2, 1)
    other.compact("events")  # every file replaced by one: the index reads it and drops the old ones
    assert set(index_answers(store, every)) == set(every) - {ids[4]}
    assert store.snapshot("events").files == store.snapshot("events").files[:1]
    other.delete_rows("events", predicate=f"record_id = '{ids[1]}'")  # as retention removes a record
    found = index_answers(store, every)
    assert ids[1] not in found and ids[2] in found
    restarted = server(store, tmp_path, "again")
    assert index_answers(restarted, every) == found
    recent = store._recent["events"]
    recent.horizon -= 3 * submissions.RECENT  # an old index moves its horizon on when next brought forward
    store.save("events", make_event(), user="u1", submission_id=new_submission_id())
    assert recent.horizon > dt.datetime.now(dt.UTC).replace(tzinfo=None) - submissions.RECENT - dt.timedelta(minutes=1)
    assert set(index_answers(store, every)) == set(found)


def test_an_older_or_foreign_submission_is_looked_up_in_the_files(tmp_path):
    store = Store(tmp_path / "store")
    store.create()
    old, foreign = opened_ago(3 * submissions.RECENT), "tap-1"
    first = [store.save("events", make_event(), user="u1", submission_id=sid) for sid in (old, foreign)]
    restarted = server(store, tmp_path, "again")
    index = restarted._index("events", restarted._table("events"))
    assert restarted._recent["events"].find(index, [old, foreign, new_submission_id()])[1] == [old, foreign]
    again = [restarted.save("events", make_event(), user="u1", submission_id=sid) for sid in (old, foreign)]
    assert [(a.record_id, a.duplicate) for a in again] == [(f.record_id, True) for f in first]
    assert restarted.snapshot("events").rows == 2


def test_reading_a_record_opens_only_the_files_that_may_hold_it(tmp_path):
    # Between compactions every save is a file of its own. Reading one record must not open the
    # others: with another record's file gone from disk, the record is still read, with its history.
    store = Store(tmp_path / "store")
    store.create()
    saved = [store.save("events", make_event(title=f"Event {n}"), user="u1", submission_id=new_submission_id())
             for n in range(4)]
    edited = store.save("events", make_event(title="Event 0, moved"), user="u1", submission_id=new_submission_id(),
                        record_id=saved[0].record_id, base_version=saved[0].version)
    others = [f for f in (tmp_path / "store" / "events").glob("*.parquet")
              if saved[0].record_id not in pq.read_table(f, columns=["record_id"]).column(0).to_pylist()]
    assert len(others) == 3
    for path in others:
        path.unlink()
    assert store.get("events", saved[0].record_id)["title"] == "Event 0, moved"
    assert [v["version"] for v in store.history("events", saved[0].record_id)] == [edited.version, saved[0].version]


def test_many_saves_between_compactions_are_read_from_one_local_copy(tmp_path):
    # Twelve saves, an edit and a withdrawal: the ten saves untouched since are read from one local copy
    # of their rows; the edited and withdrawn records' files are left out and their new rows de-duplicated.
    store = Store(tmp_path / "store")
    store.create()
    saved = [store.save("events", make_event(title=f"T{n:02}"), user="u1", submission_id=new_submission_id())
             for n in range(12)]
    store.save("events", make_event(title="T03 moved"), user="u1", submission_id=new_submission_id(),
               record_id=saved[3].record_id, base_version=saved[3].version)
    store.delete("events", saved[5].record_id, user="u1", submission_id=new_submission_id())
    snap = store.snapshot("events")
    assert len(snap.files) == 14 and len(snap.recent) == 2 and len(snap.gathered_files) == 10
    for path in snap.gathered_files:  # no statement opens those saves' own files
        Path(path).unlink()
    titles = [r[0] for r in db.rows(f"SELECT title FROM {store.relation('events')} ORDER BY title")]
    assert titles == ["T00", "T01", "T02", "T03 moved", "T04", *[f"T{n:02}" for n in range(6, 12)]]
    counted = sql_sum(snap)
    assert counted == 11


def test_rows_kept_for_the_local_copy_leave_memory_once_their_files_are_rewritten(tmp_path):
    # Ten saves are read into memory for their local copy. Compaction rewrites them into one file: the next
    # snapshot of the table lets go of the old files' rows (as after a retention run or a purge), and
    # another store's kept rows are left alone.
    stores = []
    for name in ("one", "other"):
        store = _ten_saves(tmp_path / name)
        assert len(store.snapshot("events").gathered_files) == 10
        stores.append(store)
    one, other = stores
    old = [f for f in kept_rows() if f.startswith(str(tmp_path / "one" / "events"))]
    assert len(old) == 10 and len([f for f in kept_rows() if f.startswith(str(tmp_path / "other"))]) == 10
    one.compact("events")
    snap = one.snapshot("events")
    assert len(snap.files) == 1 and snap.gathered_files == ()
    assert not set(old) & set(kept_rows()), "the rewritten files' rows are no longer held"
    assert len([f for f in kept_rows() if f.startswith(str(tmp_path / "other"))]) == 10
    assert db.scalar(f"SELECT count(*) FROM {one.relation('events')}") == 10


def test_a_local_copy_no_snapshot_uses_is_deleted_once_statements_on_it_are_done(tmp_path, monkeypatch):
    # Ten saves are read from one local copy. Once compaction rewrites them, the copy is retired: kept for
    # GATHERED_KEPT_FOR seconds (a statement planned on it a moment before may still read it), then deleted
    # by the next read, whether or not anything is saved again.
    store = _ten_saves(tmp_path / "store")
    copy = Path(store.snapshot("events").gathered)
    assert copy.exists()
    store.compact("events")
    assert store.snapshot("events").gathered is None
    store.snapshot("events")
    assert copy.exists(), "kept while a statement planned on it may still be reading it"
    monkeypatch.setattr(snapshots, "GATHERED_KEPT_FOR", 0.0)
    store.snapshot("events")
    assert not copy.exists(), "deleted once no statement can be reading it"
    assert db.scalar(f"SELECT count(*) FROM {store.relation('events')}") == 10


def test_a_copy_made_by_one_store_object_is_retired_by_another_on_the_same_store(tmp_path, monkeypatch):
    # Copies are named by store, table and kind, not by the Store object: a second object on the same store
    # (as after a page made its own) that sees the files rewritten retires the first one's copy.
    first = _ten_saves(tmp_path / "store")
    copy = Path(first.snapshot("events").gathered)
    second = Store(tmp_path / "store")
    second.compact("events")
    assert second.snapshot("events").gathered is None
    monkeypatch.setattr(snapshots, "GATHERED_KEPT_FOR", 0.0)
    second.snapshot("events")
    assert not copy.exists()
    assert db.scalar(f"SELECT count(*) FROM {first.relation('events')}") == 10


def _ten_saves(root: Path) -> Store:
    """A new store whose events table holds ten saves awaiting compaction (read from one local copy)."""
    store = Store(root)
    store.create()
    for n in range(10):
        store.save("events", make_event(title=f"T{n:02}"), user="u1", submission_id=new_submission_id())
    return store


def sql_sum(snap) -> int:
    """The current rows counted part by part (`Snapshot.parts`), each with its sign."""
    return sum(part.sign * db.scalar(f"SELECT count(*) FROM {part.relation}") for part in snap.parts())
