"""Timed saves, and a store as it is between compactions."""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import time
from pathlib import Path

from analytics import sql
from data.schema import TABLES
from data.store import Store, new_submission_id

SAVES = 30


def copy_table(store: Store, table: str, folder: Path) -> None:
    """A table of the store (its data files and log), copied into `folder` on local disk: a table to write to."""
    if store.remote is None:
        shutil.copytree(Path(store.root) / table, folder / table)
        return
    for key in store.remote.list(f"{table}/"):
        store.remote.download(key, folder / key)


def time_saves(store: Store, scratch: Path, *, count: int = SAVES) -> float:
    """Median ms of `store.save` of a valid event, on a copy of the events table in a local folder."""
    copy_table(store, "events", scratch)
    target = Store(scratch)
    ward = sql.one(f"SELECT ward_code, area_code FROM {store.relation('wards')} LIMIT 1")
    ward_code, area_code = ward if ward else ("W1", "A1")
    start = dt.datetime.now().replace(microsecond=0, second=0) + dt.timedelta(days=3)
    event = {
        "title": "Bench street meeting", "event_type": "Street meeting", "area_code": area_code,
        "ward_code": ward_code, "place": "High Street", "start": start, "end": start + dt.timedelta(hours=1),
        "organiser": "bench", "officers_attending": ["bench"],
    }
    # Submission ids as the forms make them (`new_submission_id`): the save checks recent ones in its index.
    target.save("events", event, user="bench", submission_id=new_submission_id())  # warm-up
    times = []
    for _ in range(count):
        began = time.perf_counter()
        target.save("events", event, user="bench", submission_id=new_submission_id())
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


# -- a store as it is between compactions ------------------------------------------


def edits_for(pending: int) -> int:
    """How many existing events and CCRs `add_pending` edits beside `pending` new ones."""
    return max(1, pending // 6)


def add_pending(store: Store, pending: int) -> None:
    """Save `pending` new events and CCRs (copies of recent ones) and edit a few existing ones, one
    save each, as officers do between compactions: small files and edits the reads must resolve."""
    for table, column in (("events", "start"), ("ccrs", "contact_at")):
        ids = [r[0] for r in sql.rows(
            f"SELECT record_id FROM {store.relation(table)} ORDER BY {column} DESC, record_id"
            f" LIMIT {pending + edits_for(pending)}")]
        for n, record_id in enumerate(ids):
            values = {k: v for k, v in store.get(table, record_id).items() if k in TABLES[table].model_fields}
            edit = n >= pending
            store.save(table, values, user="bench", submission_id=new_submission_id(),
                       record_id=record_id if edit else None)

