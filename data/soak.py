"""The soak: many officers saving to one store at once, then the store checked against what each was told.

A force's operations team runs it before go-live, against the store (a folder or an
object-store URI) its app servers will use: a copy, or a store not yet in use, since it
writes real records (titled "Soak test ..."):

    python -m data soak --store PATH --writers N --saves M --edit-share F --acks FILE --json

N writer processes (started with `spawn`: deltalake's runtime does not survive a fork),
each acting as a different active officer of the store, make M saves each:

- `new`: a new event or CCR in the officer's area;
- `edit`: an edit of one of a few records every writer shares, made from the version the
  writer has just read (real contention: an edit another writer got in first with is
  refused, and that is correct);
- `stale_edit`: an edit from a version the writer knows is older than the latest it saw;
  every one must be refused;
- `repeat`: a submission id saved before, by this writer or by another (a resubmission that
  arrives at another app server); it must come back as the first save, stored once.

Each outcome is one JSON line of the acks file (`table`, `record_id`, `version`,
`submission_id`, `outcome`, `ms`, `writer`, `kind`, ...). Meanwhile a maintenance process
runs `Store.maintain` every few seconds, as a force's maintenance service would, so the
saves are shown safe under concurrent compaction. Then every stored row of the tables
(every version) is read and checked against the acks: nothing acknowledged is missing,
no submission is stored twice, no (record_id, version) is stored twice, no refused or
stale edit was stored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import multiprocessing
import os
import random
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from data import db, reference
from data.schema import TABLES
from data.store import EditConflict, Store, new_submission_id

KINDS = ("new", "edit", "stale_edit", "repeat")
SOAK_TABLES = ("events", "ccrs")
"""The tables a soak may write: the records officers save most, each with a value builder here."""
READY_TIMEOUT_SECONDS = 600.0
# A cross-writer repeat waits this long for another writer's first save before repeating its own.
REPEAT_WAIT_SECONDS = 10.0
FAILURES = ("lost", "duplicated", "collisions", "stale_edits_accepted", "refused_but_stored",
            "repeat_mismatched", "errors", "writers_failed", "missing_acks")
"""Report counts that must be zero for a store to pass."""


class SoakError(ValueError):
    """The soak cannot run as asked (bad options, no store, a store without users); nothing was written."""


@dataclasses.dataclass(frozen=True)
class Options:
    """What to run: where, how many writers and saves, and the mix of saves."""

    root: str
    acks: Path
    writers: int = 8
    saves: int = 500
    edit_share: float = 0.2
    stale_share: float = 0.05
    repeat_share: float = 0.1
    tables: tuple[str, ...] = SOAK_TABLES
    shared: int = 3
    maintain_every: float = 5.0
    seed: int = 1
    storage_options: dict[str, str] | None = None

    def problems(self) -> list[str]:
        """What is wrong with these options, as messages naming the option."""
        found = []
        if self.writers < 1:
            found.append(f"--writers must be at least 1 (got {self.writers})")
        if self.saves < 1:
            found.append(f"--saves must be at least 1 (got {self.saves})")
        for name, share in (("--edit-share", self.edit_share), ("--stale-share", self.stale_share),
                            ("--repeat-share", self.repeat_share)):
            if not 0 <= share <= 1:
                found.append(f"{name} must be between 0 and 1 (got {share})")
        unknown = [t for t in self.tables if t not in SOAK_TABLES]
        if unknown or not self.tables:
            found.append(f"--tables must name some of {', '.join(SOAK_TABLES)}"
                         f" (got {', '.join(self.tables) or 'none'})")
        if self.shared < 1:
            found.append(f"--shared must be at least 1 (got {self.shared})")
        if self.maintain_every < 0:
            found.append(f"--maintain-every must be 0 (off) or more seconds (got {self.maintain_every})")
        if not found and self.saves >= 1:
            counts = plan_counts(self)
            if counts["new"] < 1:
                found.append(f"the shares leave no new records among {self.saves} saves: lower --edit-share, "
                             f"--stale-share or --repeat-share")
        return found


def plan_counts(options: Options) -> dict[str, int]:
    """How many saves of each kind each writer makes (stale edits and repeats at least one when asked for)."""
    m = options.saves

    def share(value: float) -> int:
        return 0 if value == 0 else max(1, round(value * m))

    counts = {"edit": round(options.edit_share * m), "stale_edit": share(options.stale_share),
              "repeat": share(options.repeat_share)}
    return {"new": m - sum(counts.values()), **counts}


def plan(options: Options, writer: int) -> list[str]:
    """The kinds of one writer's saves in order: a new record first, the rest shuffled (seeded)."""
    counts = plan_counts(options)
    kinds = [kind for kind in KINDS for _ in range(counts[kind])]
    kinds.remove("new")
    random.Random(options.seed * 7919 + writer).shuffle(kinds)
    return ["new", *kinds]


# -- values ---------------------------------------------------------------------------------


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


# -- the run --------------------------------------------------------------------------------


def open_store(options: Options) -> Store:
    """The store to soak, refusing one that is missing or holds no force to act as."""
    store = Store(options.root, storage_options=options.storage_options)
    if not store.exists():
        raise SoakError(f"no Beatbook store at {options.root}")
    empty = [t for t in ("users", "areas", "wards", "picklists") if store.snapshot(t).rows == 0]
    if empty:
        raise SoakError(f"the store at {options.root} holds no {', '.join(empty)}: the soak acts as the store's "
                        "officers in their areas and wards, so fill it first (a trial store: "
                        f"`python -m data demo --store {options.root}`)")
    return store


def pick_officers(store: Store, count: int) -> list[dict[str, Any]]:
    """`count` different active officers with an area, taken from the areas in turn."""
    users = reference.list_users(store, role="officer")
    users = users[users["active"].astype(bool) & users["area_code"].notna()]
    if len(users) < count:
        raise SoakError(f"the store has {len(users)} active officers with an area; --writers must be at most that "
                        f"(got {count}): each writer acts as a different officer")
    by_area = [list(group.to_dict("records")) for _, group in users.groupby("area_code", sort=True)]
    chosen: list[dict] = []
    while len(chosen) < count:
        for members in by_area:
            if members and len(chosen) < count:
                chosen.append(members.pop(0))
    return [{"user_id": str(u["user_id"]), "area_code": str(u["area_code"]), "name": str(u["name"])} for u in chosen]


def make_shared(store: Store, options: Options, user: dict) -> tuple[dict[str, tuple[str, ...]], list[dict]]:
    """The records every writer edits: `options.shared` per table, each saved then edited once (so a
    writer always knows a version older than the latest). Returns them and their saves (as acks)."""
    values = Values(store, user, random.Random(options.seed))
    shared: dict[str, tuple[str, ...]] = {}
    saves: list[dict] = []
    for table in options.tables:
        ids = []
        for n in range(options.shared):
            first = store.save(table, values.new(table, n), user=user["user_id"], submission_id=new_submission_id())
            sid = new_submission_id()
            edit = values.edit(table, store.get(table, first.record_id), n)
            second = store.save(table, edit, user=user["user_id"], submission_id=sid, record_id=first.record_id,
                                base_version=first.version)
            saves += [{"table": table, "record_id": first.record_id, "version": first.version,
                       "submission_id": first.record_id},
                      {"table": table, "record_id": second.record_id, "version": second.version,
                       "submission_id": sid}]
            ids.append(first.record_id)
        shared[table] = tuple(ids)
    return shared, saves


def run(options: Options, *, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the soak and check the store; the report (`report["ok"]` says whether it passed).

    Raises `SoakError` for options or a store it cannot run with (nothing written then).
    """
    problems = options.problems()
    if problems:
        raise SoakError("; ".join(problems))
    tell = progress or (lambda message: None)
    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    store = open_store(options)
    officers = pick_officers(store, options.writers)
    try:
        Path(options.acks).write_text("", encoding="utf-8")
    except OSError as error:
        raise SoakError(f"cannot write the acks file {options.acks}: {error.strerror}") from None
    shared, setup = make_shared(store, options, officers[0])
    ctx = multiprocessing.get_context("spawn")
    parts = tempfile.mkdtemp(prefix="beatbook-soak-")
    ready, stop = ctx.Barrier(options.writers + 1 + bool(options.maintain_every)), ctx.Event()
    specs = [WriterSpec(k, options.writers, options.root, options.storage_options, officers[k],
                        tuple(plan(options, k)), tuple(options.tables), shared, parts, options.seed)
             for k in range(options.writers)]
    writers = [ctx.Process(target=write, args=(spec, ready, stop), name=f"soak-writer-{spec.index}")
               for spec in specs]
    maintainer = None
    maintenance_path = Path(parts) / "maintenance.json"
    if options.maintain_every:
        maintainer = ctx.Process(target=maintain, name="soak-maintenance",
                                 args=(options.root, options.storage_options, options.maintain_every, ready, stop,
                                       str(maintenance_path)))
    try:
        tell(f"starting {options.writers} writers ({', '.join(o['user_id'] for o in officers)})")
        for process in [*writers, *([maintainer] if maintainer else [])]:
            process.start()
        _start_together(ready, [*writers, *([maintainer] if maintainer else [])])
        writing = time.perf_counter()
        expected = options.writers * options.saves
        while any(p.is_alive() for p in writers):
            for process in writers:
                process.join(timeout=10 / len(writers))
            done = sum(len(read_acks(part_path(parts, k))) for k in range(options.writers))
            tell(f"{done:,} of {expected:,} saves")
        writing_seconds = time.perf_counter() - writing
        stop.set()
        if maintainer is not None:
            maintainer.join(timeout=600)
        load_end = os.getloadavg()[0]
        acks = [ack for k in range(options.writers) for ack in read_acks(part_path(parts, k))]
        with open(options.acks, "w", encoding="utf-8") as out:
            for k in range(options.writers):
                out.write(part_path(parts, k).read_text(encoding="utf-8") if part_path(parts, k).exists() else "")
    finally:
        stop.set()
        for process in [*writers, *([maintainer] if maintainer else [])]:
            if process.is_alive():
                process.terminate()
                process.join(timeout=30)
        maintenance = json.loads(maintenance_path.read_text()) if maintenance_path.exists() else None
        shutil.rmtree(parts, ignore_errors=True)
    tell("checking the store against the acks")
    checked = check(Store(options.root, storage_options=options.storage_options), acks, setup)
    report: dict[str, Any] = {
        "store": options.root,
        "writers": options.writers,
        "saves_per_writer": options.saves,
        "edit_share": options.edit_share,
        "tables": list(options.tables),
        "shared_records": {t: list(ids) for t, ids in shared.items()},
        "acks_file": str(options.acks),
        "ack_lines": len(acks),
        "missing_acks": expected - len(acks),
        "writers_failed": sum(1 for p in writers if p.exitcode != 0),
        **checked,
        **timing(acks, writing_seconds),
        "load_average": {"start": round(load_start, 2), "end": round(load_end, 2), "cores": os.cpu_count()},
        "wall_seconds": round(time.perf_counter() - started, 3),
        "maintenance": _maintenance_summary(options, maintainer, maintenance),
    }
    report["failures"] = [name for name in FAILURES if report[name]]
    report["ok"] = not report["failures"]
    report["warnings"] = _warnings(report)
    return report


def _warnings(report: dict[str, Any]) -> list[str]:
    """What passed but should be looked at: maintenance that failed while the officers saved."""
    maintenance = report["maintenance"]
    if not maintenance.get("failed"):
        return []
    return [f"maintenance failed {maintenance['failed']} of {maintenance['runs'] + maintenance['failed']} runs "
            f"({maintenance['compactions']} compactions done), e.g. {maintenance['errors'][0]}"]


def _start_together(ready, processes: list) -> None:
    """Wait until every process has warmed up, then release them all at once (the barrier `ready`).

    A process that dies first (say, it cannot open the store) breaks the barrier, so the others
    stop at once rather than wait out the timeout; the report then counts the failed writers.
    """
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while ready.n_waiting < len(processes):
        if any(p.exitcode is not None for p in processes) or time.monotonic() > deadline:
            ready.abort()
            return
        time.sleep(0.05)
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait(READY_TIMEOUT_SECONDS)


def _maintenance_summary(options: Options, process, summary: dict | None) -> dict[str, Any]:
    if not options.maintain_every:
        return {"every": 0}
    summary = summary or {"runs": 0, "failed": 1, "skipped": 0, "compactions": 0, "seconds": [],
                          "errors": [f"the maintenance process ended with status {process.exitcode}"]}
    seconds = summary.pop("seconds")
    return {"every": options.maintain_every, **summary, "longest_seconds": max(seconds, default=0.0)}


def timing(acks: list[dict], writing_seconds: float) -> dict[str, Any]:
    """Saves per second and the latency of the save calls (every outcome), overall and by kind."""
    def spread(ms: list[float]) -> dict[str, float]:
        if not ms:
            return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        return {"p50": round(float(p50), 1), "p95": round(float(p95), 1), "p99": round(float(p99), 1),
                "max": round(float(max(ms)), 1)}

    by_kind = {kind: spread([a["ms"] for a in acks if a["kind"] == kind]) for kind in KINDS}
    return {
        "writing_seconds": round(writing_seconds, 3),
        "saves_per_second": round(len(acks) / writing_seconds, 1) if writing_seconds else 0.0,
        "latency_ms": spread([a["ms"] for a in acks]),
        "latency_ms_by_kind": {k: v for k, v in by_kind.items() if v["max"]},
    }


# -- the check --------------------------------------------------------------------------------


def stored_rows(store: Store, table: str, record_ids: list[str], submission_ids: list[str]) -> list[tuple]:
    """(record_id, version, submission_id) of every stored row (every version, compacted or not) of these
    records or submissions: the Parquet files of the table's current snapshot, read whole."""
    snap = store.snapshot(table)
    if not snap.files:
        return []
    return db.rows(
        f"SELECT record_id, version, submission_id FROM {db.parquet_scan(snap.files)}"
        " WHERE record_id IN (SELECT unnest(?::VARCHAR[])) OR submission_id IN (SELECT unnest(?::VARCHAR[]))",
        [record_ids, submission_ids])


def check(store: Store, acks: list[dict], setup: list[dict] | None = None) -> dict[str, Any]:
    """Check the stored rows against the acks (and the setup's saves); counts of each finding.

    - lost: acked `saved` (or a setup save) whose record_id, version and submission_id are not stored;
    - duplicated: submission ids of the soak stored in more than one row;
    - collisions: (record_id, version) pairs of the soak's records stored more than once;
    - stale_edits_accepted: stale edits not refused, or stored;
    - refused_but_stored: refused saves whose submission id is stored;
    - repeat_mismatched: duplicates that returned another record or version than the first save;
    - unacknowledged_rows: stored rows of soak submissions no ack says were saved (a save that failed
      after it was stored: not lost, but the officer was told otherwise).
    """
    setup = setup or []
    saved = [a for a in acks if a["outcome"] == "saved"] + [{**s, "outcome": "saved", "kind": "setup"} for s in setup]
    first = {a["submission_id"]: (a["record_id"], a["version"]) for a in saved}
    findings: Counter[str] = Counter()
    for table in sorted({a["table"] for a in [*acks, *setup]}):
        told = [a for a in acks if a["table"] == table]
        kept = [a for a in saved if a["table"] == table]
        record_ids = sorted({a["record_id"] for a in [*told, *kept] if a["record_id"]})
        submission_ids = sorted({a["submission_id"] for a in [*told, *kept]})
        rows = stored_rows(store, table, record_ids, submission_ids)
        by_submission: dict[str, list[tuple[str, int]]] = {}
        for record_id, version, submission_id in rows:
            by_submission.setdefault(submission_id, []).append((record_id, int(version)))
        pairs = Counter((record_id, int(version)) for record_id, version, _ in rows)
        findings["stored_rows"] += len(rows)
        findings["collisions"] += sum(1 for n in pairs.values() if n > 1)
        findings["duplicated"] += sum(1 for rows_of in by_submission.values() if len(rows_of) > 1)
        findings["lost"] += sum(1 for a in kept
                                if (a["record_id"], int(a["version"])) not in by_submission.get(a["submission_id"], []))
        acked = {a["submission_id"] for a in kept}
        findings["unacknowledged_rows"] += sum(len(r) for s, r in by_submission.items() if s not in acked)
        for ack in told:
            stored = bool(by_submission.get(ack["submission_id"]))
            if ack["outcome"] == "refused":
                findings["refused_but_stored"] += stored
            if ack["outcome"] == "duplicate":
                findings["repeat_mismatched"] += first.get(ack["submission_id"]) != (ack["record_id"], ack["version"])
            if ack["kind"] == "stale_edit":
                findings["stale_edits_accepted"] += ack["outcome"] in ("saved", "duplicate") or stored
    outcomes = Counter(a["outcome"] for a in acks)
    kinds = Counter(a["kind"] for a in acks)
    errors = [a for a in acks if a["outcome"] == "error"]
    writer_of = {a["submission_id"]: a.get("writer") for a in acks if a["outcome"] == "saved"}
    return {
        "lost": findings["lost"],
        "duplicated": findings["duplicated"],
        "collisions": findings["collisions"],
        "stale_edits": kinds["stale_edit"],
        "stale_edits_accepted": findings["stale_edits_accepted"],
        "refused": outcomes["refused"],
        "edit_conflicts": sum(1 for a in acks if a["kind"] == "edit" and a["outcome"] == "refused"),
        "duplicates_returned": outcomes["duplicate"],
        "cross_writer_repeats": sum(1 for a in acks if a["kind"] == "repeat" and a["outcome"] == "duplicate"
                                    and writer_of.get(a["submission_id"], a.get("writer")) != a.get("writer")),
        "repeat_mismatched": findings["repeat_mismatched"],
        "refused_but_stored": findings["refused_but_stored"],
        "errors": len(errors),
        "error_samples": sorted({a["error"] for a in errors})[:5],
        "unacknowledged_rows": findings["unacknowledged_rows"],
        "stored_rows": findings["stored_rows"],
        "outcomes": {o: outcomes[o] for o in ("saved", "duplicate", "refused", "error")},
        "kinds": {k: kinds[k] for k in KINDS},
    }


def summary(report: dict[str, Any]) -> list[str]:
    """A short human summary of a report."""
    latency = report["latency_ms"]
    load = report["load_average"]
    maintenance = report["maintenance"]
    lines = [
        f"soak of {report['store']}: {report['writers']} writers x {report['saves_per_writer']} saves on "
        f"{', '.join(report['tables'])} ({report['edit_share']:.0%} edits of "
        f"{sum(len(v) for v in report['shared_records'].values())} shared records)",
        f"{report['ack_lines']:,} acks in {report['acks_file']}: {report['outcomes']['saved']:,} saved, "
        f"{report['duplicates_returned']:,} duplicates returned, {report['refused']:,} refused "
        f"({report['edit_conflicts']:,} edit conflicts, {report['stale_edits']:,} stale edits), "
        f"{report['errors']:,} errors",
        f"lost {report['lost']}, duplicated {report['duplicated']}, collisions {report['collisions']}, "
        f"stale edits accepted {report['stale_edits_accepted']}",
        f"save latency (ms): p50 {latency['p50']:,.0f}, p95 {latency['p95']:,.0f}, p99 {latency['p99']:,.0f}, "
        f"max {latency['max']:,.0f}; {report['saves_per_second']:,.1f} saves/s over {report['writing_seconds']:,.1f} s",
        f"load average {load['start']} -> {load['end']} on {load['cores']} cores; wall time "
        f"{report['wall_seconds']:,.1f} s",
    ]
    if maintenance.get("every"):
        lines.append(f"maintenance every {maintenance['every']:g} s: {maintenance['runs']} runs done, "
                     f"{maintenance['failed']} failed, {maintenance['compactions']} compactions, longest "
                     f"{maintenance['longest_seconds']:,.1f} s")
    lines += [f"error: {message}" for message in report["error_samples"]]
    lines += [f"warning: {message}" for message in report["warnings"]]
    lines.append("PASSED" if report["ok"] else "FAILED: " + ", ".join(report["failures"]))
    return lines
