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
import json
import multiprocessing
import os
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from data import reference
from data.soak_check import check, timing
from data.soak_plan import READY_TIMEOUT_SECONDS, Options, SoakError, plan
from data.soak_writers import Values, WriterSpec, maintain, part_path, read_acks, write
from data.store import Store, new_submission_id

FAILURES = ("lost", "duplicated", "collisions", "stale_edits_accepted", "refused_but_stored",
            "repeat_mismatched", "errors", "writers_failed", "missing_acks")
"""Report counts that must be zero for a store to pass."""


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
