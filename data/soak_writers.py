"""The soak's processes (`data.soak`): writers saving as officers, one ack line a save, and maintenance beside them."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from data import reference
from data.schema import TABLES
from data.soak_plan import READY_TIMEOUT_SECONDS, REPEAT_WAIT_SECONDS, SoakError
from data.store import EditConflict, Store, new_submission_id


class Values:
    """Valid values of the soak's records for one officer, from the store's wards and pick-lists."""

    def __init__(self, store: Store, user: dict, rng: random.Random):
        self.user_id, self.area_code, self.rng = str(user["user_id"]), str(user["area_code"]), rng
        self.wards = reference.list_wards(store, area_code=self.area_code)["ward_code"].tolist()
        if not self.wards:
            raise SoakError(f"area {self.area_code} (of officer {self.user_id}) has no wards")
        self.event_types = reference.picklist(store, "event_types")
        self.communities = reference.picklist(store, "communities")
        self.methods = reference.picklist(store, "contact_methods")
        self.issues = reference.picklist(store, "issue_categories")

    def new(self, table: str, n: int) -> dict[str, Any]:
        """A new record as the officer's form would send it."""
        rng = self.rng
        if table == "events":
            day = dt.date.today() + dt.timedelta(days=rng.randint(1, 30))
            start = dt.datetime.combine(day, dt.time(rng.choice((10, 14, 18)), rng.choice((0, 30))))
            return {
                "title": f"Soak test: street meeting {self.user_id} #{n}",
                "event_type": rng.choice(self.event_types),
                "area_code": self.area_code,
                "ward_code": rng.choice(self.wards),
                "place": "Soak test venue",
                "start": start,
                "end": start + dt.timedelta(minutes=90),
                "organiser": self.user_id,
                "officers_attending": [self.user_id],
                "communities_targeted": rng.sample(self.communities, min(2, len(self.communities))),
            }
        if table == "ccrs":
            now = dt.datetime.now().replace(second=0, microsecond=0)
            return {
                "contact_at": now - dt.timedelta(minutes=rng.randint(5, 600)),
                "area_code": self.area_code,
                "ward_code": rng.choice(self.wards),
                "place": "Soak test street",
                "officer_id": self.user_id,
                "contact_method": rng.choice(self.methods),
                "issues": [rng.choice(self.issues)],
                "issues_text": f"Soak test contact {self.user_id} #{n}",
            }
        raise KeyError(f"no soak values for {table!r}")

    def edit(self, table: str, current: dict[str, Any], n: int) -> dict[str, Any]:
        """The record's current values with one field changed, as an edit form would send them."""
        values = {name: current[name] for name in TABLES[table].model_fields if name in current}
        if table == "events":
            values["title"] = f"Soak test: shared event, edit by {self.user_id} #{n}"
        else:
            values["issues_text"] = f"Soak test: shared contact, edit by {self.user_id} #{n}"
        return values


# -- writers --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class WriterSpec:
    """Everything one writer process needs (pickled to the spawned process)."""

    index: int
    writers: int
    root: str
    storage_options: dict[str, str] | None
    user: dict[str, Any]
    kinds: tuple[str, ...]
    tables: tuple[str, ...]
    shared: dict[str, tuple[str, ...]]
    parts: str
    seed: int


def part_path(parts: str | Path, writer: int) -> Path:
    """The file one writer appends its ack lines to."""
    return Path(parts) / f"writer-{writer:04d}.jsonl"


def read_acks(path: str | Path) -> list[dict]:
    """The complete ack lines of a file (a line still being written is left out)."""
    with contextlib.suppress(FileNotFoundError), open(path, "rb") as handle:
        data = handle.read()
        return [json.loads(line) for line in data.split(b"\n")[:-1] if line.strip()]
    return []


def write(spec: WriterSpec, ready, stop) -> None:
    """One writer process: make its saves as its officer, one ack line each.

    `ready` is a barrier every writer, the maintenance process and the parent wait on, so all
    writers start saving together once warmed up (tables read, values built); `stop` ends the
    run early if set.
    """
    rng = random.Random(spec.seed * 104_729 + spec.index)
    store = Store(spec.root, storage_options=spec.storage_options)
    values = Values(store, spec.user, rng)
    for table in spec.tables:
        store.snapshot(table)
    user_id = values.user_id
    mine: list[dict] = []  # this writer's saved new records and edits, for repeats
    fd = os.open(part_path(spec.parts, spec.index), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        ready.wait(READY_TIMEOUT_SECONDS)
        repeats = 0
        for n, kind in enumerate(spec.kinds):
            if stop.is_set():
                return
            ack = _one_save(store, spec, values, rng, kind, n, mine, repeats)
            repeats += ack["kind"] == "repeat"
            ack.update(writer=spec.index, user=user_id)
            if ack["outcome"] == "saved" and ack["kind"] in ("new", "edit"):
                mine.append(ack)
            os.write(fd, (json.dumps(ack, default=str) + "\n").encode())  # one write: no torn lines
    finally:
        os.close(fd)


def _one_save(store: Store, spec: WriterSpec, values: Values, rng: random.Random, kind: str, n: int,
              mine: list[dict], repeats: int) -> dict[str, Any]:
    """Make one save of `kind`; its ack (without writer and user)."""
    submission_id, record_id, base = new_submission_id(), None, None
    table = rng.choice(spec.tables)
    if kind == "repeat":
        earlier = _earlier_save(spec, mine, cross=repeats % 2 == 0)
        if earlier is None:
            kind = "new"  # nothing saved yet to repeat
        else:
            table, submission_id = earlier["table"], earlier["submission_id"]
            if earlier["kind"] == "edit":
                record_id, base = earlier["record_id"], earlier["base_version"]
    if kind in ("edit", "stale_edit"):
        record_id = rng.choice(spec.shared[table])
        current = store.get(table, record_id)
        latest = int(current["version"])
        base = latest if kind == "edit" else latest - 1
        record = values.edit(table, current, n)
    else:
        record = values.new(table, n) if record_id is None else values.edit(table, store.get(table, record_id), n)
    ack: dict[str, Any] = {"table": table, "kind": kind, "submission_id": submission_id, "base_version": base}
    began = time.perf_counter()
    try:
        saved = store.save(table, record, user=values.user_id, submission_id=submission_id,
                           record_id=record_id, base_version=base)
    except EditConflict as conflict:
        ack.update(record_id=record_id, version=None, outcome="refused", latest_version=conflict.version,
                   changed_by=conflict.changed_by)
    except Exception as error:  # noqa: BLE001 (an officer's failed save is a finding of the soak)
        ack.update(record_id=record_id, version=None, outcome="error", error=f"{type(error).__name__}: {error}")
    else:
        ack.update(record_id=saved.record_id, version=saved.version,
                   outcome="duplicate" if saved.duplicate else "saved")
    ack["ms"] = round((time.perf_counter() - began) * 1000, 3)
    ack["at"] = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    return ack


def _earlier_save(spec: WriterSpec, mine: list[dict], *, cross: bool) -> dict | None:
    """A save to repeat: another writer's (waiting a little for one, when `cross`), else one of this writer's."""
    rng = random.Random(f"{spec.seed}:{spec.index}:{len(mine)}")
    if cross and spec.writers > 1:
        other = (spec.index + 1 + rng.randrange(spec.writers - 1)) % spec.writers
        deadline = time.monotonic() + REPEAT_WAIT_SECONDS
        while True:
            theirs = [a for a in read_acks(part_path(spec.parts, other))
                      if a["outcome"] == "saved" and a["kind"] in ("new", "edit")]
            if theirs or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        if theirs:
            return rng.choice(theirs)
    return rng.choice(mine) if mine else None


def maintain(root: str, storage_options: dict[str, str] | None, every: float, ready, stop,
             report_path: str) -> None:
    """The maintenance process: `Store.maintain(wait=False)` when the writers start, then every `every`
    seconds until `stop` is set (as a force's maintenance service would, alongside the saves)."""
    store = Store(root, storage_options=storage_options)
    summary: dict[str, Any] = {"runs": 0, "failed": 0, "skipped": 0, "compactions": 0, "seconds": [], "errors": []}
    try:
        ready.wait(READY_TIMEOUT_SECONDS)
        while True:
            began = time.perf_counter()
            try:
                report = store.maintain(wait=False)
            except Exception as error:  # noqa: BLE001 (reported; the next run tries again)
                summary["failed"] += 1
                message = f"{type(error).__name__}: {error}"
                if message not in summary["errors"] and len(summary["errors"]) < 3:
                    summary["errors"].append(message)
            else:
                summary["runs"] += 1
                summary["skipped"] += "skipped" in report
                summary["compactions"] += len(report.get("compacted", {}))
            summary["seconds"].append(round(time.perf_counter() - began, 3))
            if stop.wait(every):
                break
    finally:
        Path(report_path).write_text(json.dumps(summary))
