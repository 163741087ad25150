"""Short references ("CCR-1042"): numbered in the store's checked commit, unique per table under concurrent
savers, kept by every version, read as typed, and found again."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from data import db, refs
from data.arrow_schema import arrow_schema
from data.compaction import problems
from data.store import Store
from tests.data.test_store import make_event

SPAWN = multiprocessing.get_context("spawn")  # deltalake's runtime does not survive fork


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    store.create()
    return store


def numbers(store: Store, table: str = "events") -> dict[str, int]:
    """Record id -> reference number of the table's current records."""
    return dict(db.rows(f"SELECT record_id, reference FROM {store.relation(table)}"))


def every_version(store: Store, table: str = "events") -> list[tuple]:
    """(record_id, version, reference) of every stored row, history included."""
    files = store.snapshot(table).files
    return db.rows(f"SELECT record_id, version, reference FROM {db.parquet_scan(files)}"
                               " ORDER BY ALL")


def test_references_read_as_typed():
    assert refs.label("ccrs", 1042) == "CCR-1042"
    assert refs.label("events", None) is None and refs.label("users", 3) is None
    for typed in ("CCR-1042", "ccr 1042", "CCR1042", " Ccr - 01042 "):
        assert refs.parse(typed) == ("ccrs", 1042), typed
    assert refs.parse("EV-7") == ("events", 7) and refs.parse("INFO-2") == ("useful_info", 2)
    assert refs.parse("PRB-12") == ("problems", 12) and refs.parse("cq 3") == ("community_queries", 3)
    assert refs.label("problems", 12) == "PRB-12" and refs.label("community_queries", 3) == "CQ-3"
    for not_one in ("CCR-", "1042", "XY-12", "CCR-12a", "speeding on CCR-12 road", None, 12):
        assert refs.parse(not_one) is None, not_one


def test_saves_are_numbered_in_turn_and_edits_and_repeats_keep_the_number(store):
    first = store.save("events", make_event(title="a"), user="u1", submission_id="s1")
    second = store.save("events", make_event(title="b"), user="u1", submission_id="s2")
    assert (first.reference, second.reference) == ("EV-1", "EV-2")

    edited = store.save("events", make_event(title="a2"), user="u1", submission_id="s3", record_id="s1",
                        base_version=1)
    again = store.save("events", make_event(title="b"), user="u1", submission_id="s2")  # a double tap
    withdrawn = store.delete("events", "s2", user="u1", submission_id="s4")
    assert (edited.reference, again.reference, again.duplicate, withdrawn.reference) == ("EV-1", "EV-2", True,
                                                                                          "EV-2")
    assert store.find_submission("events", "s1").reference == "EV-1"
    assert every_version(store) == [("s1", 1, 1), ("s1", 2, 1), ("s2", 1, 2), ("s2", 2, 2)]

    store.compact()  # numbering goes on from the packed files' statistics
    assert store.save("events", make_event(title="c"), user="u1", submission_id="s5").reference == "EV-3"
    assert store.save("ccrs", _ccr(), user="u1", submission_id="c1").reference == "CCR-1", "one count per table"
    assert store.save("picklists", {"list_name": "x", "value": "y"}, user="u1",
                      submission_id="p1").reference is None, "a table without references"
    assert refs.find(store, "ev 1") == ("events", "s1") and refs.find(store, "EV-2") is None  # withdrawn
    assert refs.find(store, "EV-99") is None


def test_bulk_rows_are_numbered_and_a_later_version_keeps_its_records_number(store):
    store.save("events", make_event(title="saved"), user="u1", submission_id="s1")
    store.append_rows("events", [_row("bulk-a", 1), _row("bulk-b", 1)])
    store.append_rows("events", [_row("bulk-a", 2, superseded=None)])  # a correction: the same record
    assert numbers(store) == {"s1": 1, "bulk-a": 2, "bulk-b": 3}
    assert ("bulk-a", 2, 2) in every_version(store)

    # As the demo writes: a record's current version first, its replaced first version after.
    store.append_rows("events", [_row("late", 2, superseded=False)], checked=False)
    store.append_rows("events", [_row("late", 1, superseded=True)], checked=False)
    assert {r for r in every_version(store) if r[0] == "late"} == {("late", 1, 4), ("late", 2, 4)}


def _save_in_step(root: str, worker: int, count: int, barrier, results) -> None:
    store = Store(root)
    store._host_lock = lambda table: contextlib.nullcontext()  # as on two servers: only the checked commit
    for n in range(count):
        barrier.wait(timeout=60)
        saved = store.save("events", make_event(title=f"{worker}-{n}"), user=f"u{worker}",
                           submission_id=f"w{worker}-{n}")
        results.put((saved.record_id, saved.reference))


def test_savers_on_two_servers_at_once_never_share_a_number(store):
    count = 12
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    workers = [SPAWN.Process(target=_save_in_step, args=(store.root, w, count, barrier, results)) for w in range(2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=180)
        assert process.exitcode == 0
    told = dict(results.get(timeout=5) for _ in range(2 * count))
    after = Store(store.root)
    stored = numbers(after)
    assert sorted(stored.values()) == list(range(1, 2 * count + 1)), "each number once, none skipped"
    assert {rid: refs.label("events", n) for rid, n in stored.items()} == told, "each saver told its own number"
    assert problems(after.check()) == []


def test_a_table_written_before_references_reads_them_as_empty_and_numbers_on(tmp_path):
    root = tmp_path / "store"
    old = pa.Table.from_pylist([_row("old", 1)], schema=arrow_schema("events")).drop_columns(["reference"])
    write_deltalake(f"{root}/events", old)  # as a store made before the column was
    store = Store(root)
    store.create()
    assert store.snapshot("events").missing == ("reference",)
    assert numbers(store) == {"old": None}
    assert refs.find(store, "EV-1") is None
    assert store.save("events", make_event(), user="u1", submission_id="new").reference == "EV-1"
    assert numbers(Store(root)) == {"old": None, "new": 1}
    edited = store.save("events", make_event(title="old, edited"), user="u1", submission_id="edit", record_id="old",
                        base_version=1)
    assert edited.reference == "EV-2", "a record from before is numbered when next saved"


def _ccr() -> dict:
    return {"contact_at": dt.datetime(2026, 5, 1, 10), "area_code": "TV-OXF", "ward_code": "W001",
            "officer_id": "u1", "contact_method": "Face to face"}


def _row(record_id: str, version: int, *, superseded: bool | None = False) -> dict:
    return {**make_event(title=f"{record_id} v{version}"), "record_id": record_id, "version": version,
            "deleted": False, "written_at": dt.datetime(2026, 5, 2), "written_by": "import",
            "submission_id": f"{record_id}:{version}", "superseded": superseded}
