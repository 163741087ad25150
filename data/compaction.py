"""Store maintenance: compaction, vacuum, the maintenance lease, compaction's scratch files, and the check.

Compaction marks superseded rows and packs small files into large ones, in one checked commit
(every stored version is kept). Its new files are first written as a scratch table in a
`compacted-...` folder inside the table; a vacuum or purge clears what a killed run left.
`Store.check` reports what must never be found (a version stored twice, a record current twice).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import shutil
import signal
import threading
import time
import uuid
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError
from deltalake.transaction import AddAction, RemoveAction

from data import db, objects
from data.arrow_schema import arrow_schema, stats_columns
from data.delta import (
    CHECKED_COMMIT,
    SAVE_TIMEOUT_SECONDS,
    SMALL_FILE_ROWS,
    STATS_COLUMNS,
    writer_properties,
)
from data.schema import TABLES

COMPACT_AT_SMALL_FILES = 50  # every save is a small file; reads slow down past a few dozen
# Files under this size are packed together; larger ones (bulk loads, earlier
# packs) are left as they are, with their date order and history files intact.
COMPACT_TARGET_BYTES = 16 * 1024 * 1024
# Compaction writes its new files in a folder of this prefix inside the table (a scratch
# table, whose log is removed once the files are the table's); vacuum clears what a killed run left.
SCRATCH_PREFIX = "compacted-"
CHECK_NAMES = 20
"""How many duplicated record ids `Store.check` names per table."""
CRASH_AT = "BEATBOOK_CRASH_AT"


def crash_point(name: str) -> None:
    """A test hook: kill this process here (SIGKILL, as a power cut or the OOM killer would) when the
    environment variable BEATBOOK_CRASH_AT names this point. The tests kill maintenance at every named
    point and check that the next run leaves nothing behind and stores nothing twice."""
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class Compaction:
    """The store's compaction, vacuum, lease and check (part of `data.store.Store`)."""

    root: str
    remote: objects.Remote | None
    storage_options: dict[str, str] | None
    _lock: threading.Lock
    _leases: weakref.WeakSet[objects.Lease]

    def compact(self, table: str | None = None, *, attempts: int = 20, wait: bool = True) -> dict[str, dict]:
        """Mark superseded rows and pack small files into large ones.

        No row is lost: every stored version is kept; only `superseded` is
        filled in. One maintenance run works on a store at a time (the lease);
        with `wait=False` a busy store is skipped (an empty report).
        """
        with self.compaction_lock(wait=wait) as held:
            if not held:
                return {}
            return {name: self._compact_retrying(name, attempts) for name in ([table] if table else list(TABLES))}

    def maintain(self, *, wait: bool = False, vacuum_hours: int | None = None) -> dict:
        """Compact each table that needs it (edits awaiting compaction, or many small files); optionally vacuum.

        This is the maintenance a scheduled `python -m data maintain`, or an app server's
        background worker, runs; never a user's request. A store busy with another
        maintenance run is skipped (`{"skipped": ...}`). It first finishes any purge a killed
        retention run left (`finish_purges`; reported as `purged`).
        """
        with self.compaction_lock(wait=wait) as held:
            if not held:
                return {"skipped": "another maintenance run holds the store's lease"}
            report: dict = {"compacted": {}}
            purged = self.finish_purges()  # what a killed retention run left, first
            if purged:
                report["purged"] = purged
            for name in TABLES:
                snap = self.snapshot(name)
                if snap.touched or snap.small_files >= COMPACT_AT_SMALL_FILES:
                    report["compacted"][name] = self._compact_retrying(name, 20)
            if vacuum_hours is not None:
                report["vacuum"] = self._vacuum(vacuum_hours)
            return report

    def _compact_retrying(self, name: str, attempts: int) -> dict:
        for attempt in range(attempts):
            try:
                return self._compact_one(name)
            except CommitFailedError:
                # A save landed while marking rows: nothing was changed; look again.
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _compact_one(self, table: str) -> dict:
        """Fill in `superseded` for the records edits touched and pack small files, in one commit.

        The files holding those records' rows and the small files are rewritten, with the flags
        set, into new files (written first as a scratch table in a `compacted-...` folder, for their
        statistics), and one commit removes the old files and adds the new. Rows are rewritten,
        never dropped, and never stored twice: the commit is checked, made only on top of the exact
        table version it was checked against (`_commit_compaction`), so saves landing meanwhile
        never make it fail, and a compaction or retention run that replaced any of the same files
        first (two maintenance runs that overlapped, whatever the lease) makes it give up, its new
        files deleted, before anything is committed. It reads and commits through a handle of its
        own, which no reader moves on between its check and its commit.
        """
        self._table(table, refresh=False)  # creates the store's tables if need be
        handle = DeltaTable(self.uri(table), storage_options=self.storage_options)
        version = handle.version()
        actions = pa.table(handle.get_add_actions(flatten=True)).to_pydict() if version >= 0 else {}
        paths = actions.get("path", [])
        unchanged = {"version": version, "files_before": len(paths), "files_after": len(paths)}
        if not paths:
            return unchanged
        local = self._local_files(table, paths)
        nulls = actions.get("null_count.superseded", [None] * len(paths))
        recent = [f for f, n in zip(local, nulls, strict=True) if n is None or n > 0]
        touched = [r[0] for r in db.rows(
            f"SELECT DISTINCT record_id FROM {db.parquet_scan(recent)} WHERE superseded IS NULL")] if recent else []
        small = {f for f, n in zip(local, actions["num_records"], strict=True) if n < SMALL_FILE_ROWS}
        if not touched and len(small) <= 1:
            return unchanged
        holding: set[str] = set()
        if touched:
            listed = ", ".join(db.sql_string(f) for f in local)
            holding = {r[0] for r in db.rows(
                f"SELECT DISTINCT filename FROM read_parquet([{listed}], filename=true, union_by_name=true)"
                f" WHERE record_id IN (SELECT unnest(?::VARCHAR[]))", [touched])}
        chosen = [i for i, f in enumerate(local) if f in small or f in holding]
        data = self._rewritten(table, [local[i] for i in chosen], local, touched)
        scratch = f"{SCRATCH_PREFIX}{uuid.uuid4().hex}"
        write_deltalake(f"{self.uri(table)}/{scratch}", data, mode="error", writer_properties=writer_properties(table),
                        target_file_size=COMPACT_TARGET_BYTES, storage_options=self.storage_options,
                        configuration={STATS_COLUMNS: ",".join(stats_columns(table))})
        added = self._scratch_adds(table, scratch)
        crash_point("compact:scratch-written")
        now = int(time.time() * 1000)
        adds = [AddAction(path=f"{scratch}/{a['path']}", size=a["size"], partition_values={},
                          modification_time=a["modificationTime"], data_change=False, stats=a.get("stats") or "{}")
                for a in added]
        removes = [RemoveAction(path=paths[i], data_change=False, deletion_timestamp=now,
                                size=actions["size_bytes"][i]) for i in chosen]
        try:
            self._commit_compaction(table, handle, version, adds, removes)
        except BaseException:
            # Not committed (given up, or the lease lost): nothing names its new files, and they go at once. If
            # that cannot be shown (the error came after the commit, or the store cannot be read), they stay:
            # a vacuum deletes them once they are an hour old if still unnamed.
            with contextlib.suppress(Exception):
                latest = DeltaTable(self.uri(table), storage_options=self.storage_options)
                if not {a.path for a in adds} & set(self._paths(latest)):
                    self._drop_scratch(table, scratch)
            raise
        crash_point("compact:committed")
        self._drop_scratch_log(table, scratch)
        crash_point("compact:scratch-log-dropped")
        handle.update_incremental()
        handle.create_checkpoint()
        handle.cleanup_metadata()
        after = self.snapshot(table)
        return {"version": after.version, "files_before": len(paths), "files_after": len(after.files)}

    def _commit_compaction(self, table: str, handle: DeltaTable, version: int, adds: list[AddAction],
                           removes: list[RemoveAction]) -> None:
        """Commit a compaction read at `version`: only on top of the exact version it was checked against.

        Delta's own conflict check lets two commits remove the same file (two compactions that
        overlapped would each add a copy of its rows), so the check is made here: if anyone
        committed first, the table is read again and the commit made on the new version only
        while every file it removes is still in it (commits meanwhile only added files: saves).
        If one was removed (another compaction, a retention run), `CommitFailedError`: nothing was
        committed. The commit takes its turn with this machine's saves (`_host_lock`), so they
        seldom make it try again; saves on other machines may, and it does.
        """
        gone = {r.path for r in removes}
        deadline = time.monotonic() + SAVE_TIMEOUT_SECONDS
        with self._write_locks[table], self._host_lock(table):
            for attempt in itertools.count():
                self._confirm_lease()
                if handle.version() != version:
                    present = set(pa.table(handle.get_add_actions(flatten=False)).column("path").to_pylist())
                    if gone - present:
                        raise CommitFailedError(
                            f"{table}: {len(gone - present)} of the files this compaction replaces were replaced"
                            f" by another commit since version {version}; nothing was committed")
                try:
                    handle.create_write_transaction([*adds, *removes], mode="append", schema=handle.schema(),
                                                    commit_properties=CHECKED_COMMIT)
                    return
                except CommitFailedError:
                    if time.monotonic() > deadline:
                        raise
                    handle.update_incremental()
                    time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))

    def _rewritten(self, table: str, files: list[str], every: list[str], touched: list[str]) -> pa.Table:
        """The rows of `files`, in their order, with `superseded` set for the touched records (over `every` file)."""
        schema = arrow_schema(table)
        listed = ", ".join(db.sql_string(f) for f in files)
        flags = (f"SELECT record_id, version, submission_id, written_at, row_number() OVER (PARTITION BY record_id"
                 f" ORDER BY version DESC, written_at DESC) > 1 AS flag FROM {db.parquet_scan(every)}"
                 f" WHERE record_id IN (SELECT unnest(?::VARCHAR[]))")
        result = db.arrow(
            f"SELECT f.* EXCLUDE (filename, file_row_number), g.flag FROM read_parquet([{listed}], filename=true,"
            f" file_row_number=true, union_by_name=true) f LEFT JOIN ({flags}) g ON f.record_id = g.record_id"
            f" AND f.version = g.version AND f.submission_id = g.submission_id AND f.written_at = g.written_at"
            f" ORDER BY list_position([{listed}], f.filename), f.file_row_number", [touched])
        flag = result.column("flag")
        superseded = pc.if_else(pc.is_null(flag), result.column("superseded"), flag)
        columns = [superseded if field.name == "superseded" else
                   result.column(field.name).cast(field.type) if field.name in result.column_names else
                   pa.nulls(result.num_rows, field.type) for field in schema]
        return pa.Table.from_arrays(columns, schema=schema)

    def _scratch_adds(self, table: str, scratch: str) -> list[dict]:
        """The add actions (path, size, statistics...) a scratch table's first commit made."""
        name = f"{table}/{scratch}/_delta_log/{0:020d}.json"
        text = (self.remote.get(name) if self.remote else (Path(self.root) / name).read_bytes()).decode()
        return [json.loads(line)["add"] for line in text.splitlines() if line.strip() and '"add"' in line]

    def _drop_scratch_log(self, table: str, scratch: str) -> None:
        """Remove a scratch table's log once its files belong to the table (its data files stay)."""
        prefix = f"{table}/{scratch}/_delta_log"
        if self.remote is not None:
            for key in self.remote.list(prefix + "/"):
                self.remote.delete(key)
        else:
            shutil.rmtree(Path(self.root) / prefix, ignore_errors=True)

    def vacuum(self, *, retention_hours: int = 168, wait: bool = True) -> dict[str, int]:
        """Delete files no snapshot within `retention_hours` refers to (holding the maintenance lease)."""
        with self.compaction_lock(wait=wait) as held:
            return self._vacuum(retention_hours) if held else {}

    def _vacuum(self, retention_hours: int) -> dict[str, int]:
        removed = {}
        for table in TABLES:
            self._confirm_lease()
            handle = self._table(table)
            # `full` also deletes files no commit ever named (a killed compaction's new files): only
            # past an hour, never a file a save is writing this moment, before its commit.
            files = handle.vacuum(retention_hours=retention_hours, dry_run=False,
                                  enforce_retention_duration=False, full=retention_hours >= 1)
            removed[table] = len(files) + self._drop_stale_scratch_logs(table)
        return removed

    def _drop_stale_scratch_logs(self, table: str) -> int:
        """Remove scratch-table logs a killed compaction left (over an hour old); how many files."""
        cutoff = time.time() - 3600
        gone = 0
        if self.remote is not None:
            for key, modified in self.remote.list_with_times(f"{table}/"):
                if key.split("/")[1].startswith(SCRATCH_PREFIX) and "/_delta_log/" in key and modified < cutoff:
                    self.remote.delete(key)
                    gone += 1
            return gone
        for log_dir in Path(self.uri(table)).glob(f"{SCRATCH_PREFIX}*/_delta_log"):
            if log_dir.stat().st_mtime < cutoff:
                gone += sum(1 for f in log_dir.rglob("*") if f.is_file())
                shutil.rmtree(log_dir, ignore_errors=True)
        return gone

    def compaction_lock(self, *, wait: bool = True, timeout: float = 600.0) -> objects.Lease:
        """The store's maintenance lease (`with store.compaction_lock() as held:`); compaction,
        vacuum and retention take it. Waiting past `timeout` raises `objects.LeaseBusy`."""
        lease = objects.Lease(self.root, self.remote, wait=wait, timeout=timeout)
        with self._lock:
            self._leases.add(lease)
        return lease

    def _confirm_lease(self) -> None:
        """Before a maintenance commit or deletion: raise `objects.LeaseLost` if a lease held through this store
        was lost meanwhile (on object storage, expired while its holder stalled, and perhaps taken over)."""
        with self._lock:
            held = [lease for lease in self._leases if lease.held]
        for lease in held:
            lease.confirm()

    def _drop_unused_scratch(self, table: str, current: set[str]) -> set[str]:
        """Under the lease: delete every compaction scratch folder none of whose files the table uses (a compaction
        killed before its commit), and the logs of the rest; the data files deleted (paths in the table)."""
        used = {p.split("/", 1)[0] for p in current if p.startswith(SCRATCH_PREFIX)}
        if self.remote is not None:
            keys = [k.split("/", 1)[1] for k in self.remote.list(f"{table}/")
                    if k.split("/")[1].startswith(SCRATCH_PREFIX)]
        else:
            folder = Path(self.uri(table))
            keys = [str(f.relative_to(folder)) for d in folder.glob(f"{SCRATCH_PREFIX}*") for f in d.rglob("*")
                    if f.is_file()]
        gone = set()
        for key in keys:
            scratch = key.split("/", 1)[0]
            if scratch not in used or "/_delta_log/" in f"/{key}":
                self._delete_file(table, key)
                if "_delta_log" not in key:
                    gone.add(key)
        if self.remote is None:  # the folders emptied
            for folder in Path(self.uri(table)).glob(f"{SCRATCH_PREFIX}*"):
                if folder.name not in used:
                    shutil.rmtree(folder, ignore_errors=True)
        return gone

    def _drop_scratch(self, table: str, scratch: str) -> None:
        """Delete a scratch table no commit names (its data files and its log)."""
        if self.remote is not None:
            for key in self.remote.list(f"{table}/{scratch}/"):
                self.remote.delete(key)
        else:
            shutil.rmtree(Path(self.uri(table)) / scratch, ignore_errors=True)

    def check(self) -> dict[str, dict]:
        """Per table: Delta version, current rows, stored versions (rows), files; and what must never be found.

        `versions_stored_twice` counts (record_id, version) pairs stored more than once, over every
        file of the snapshot (history too); `records_current_twice` counts records with more than one
        current row; `duplicate_record_ids` names up to `CHECK_NAMES` of either. `problems` turns a
        report into one line per table with any.
        """
        report = {}
        for table in TABLES:
            snap = self.snapshot(table)
            current = db.scalar(f"SELECT count(*) FROM {snap.relation()}")
            twice, named = 0, []
            if snap.files:
                pairs = (f"SELECT record_id FROM {db.parquet_scan(snap.files)}"
                         " GROUP BY record_id, version HAVING count(*) > 1")
                rows = f"SELECT record_id FROM {snap.relation()} GROUP BY record_id HAVING count(*) > 1"
                twice, current_twice = db.row(
                    f"SELECT (SELECT count(*) FROM ({pairs})), (SELECT count(*) FROM ({rows}))")
                if twice or current_twice:
                    named = [r[0] for r in db.rows(
                        f"SELECT DISTINCT record_id FROM ({pairs} UNION ALL {rows}) ORDER BY 1 LIMIT {CHECK_NAMES}")]
            else:
                current_twice = 0
            report[table] = {
                "delta_version": snap.version,
                "current_rows": current,
                "stored_versions": snap.rows,
                "files": len(snap.files),
                "small_files": snap.small_files,
                "edits_awaiting_compaction": len(snap.touched),
                "versions_stored_twice": twice,
                "records_current_twice": current_twice,
                "duplicate_record_ids": named,
            }
        return report


CHECK_NAMES = 20
"""How many duplicated record ids `Store.check` names per table."""


def problems(report: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """What a `Store.check` report found that must never be, one line per table (none: the store is sound)."""
    lines = []
    for table, entry in report.items():
        twice, current = entry.get("versions_stored_twice", 0), entry.get("records_current_twice", 0)
        if not twice and not current:
            continue
        ids = entry.get("duplicate_record_ids", [])
        more = " ..." if len(ids) >= CHECK_NAMES else ""
        lines.append(f"{table}: {twice:,} (record_id, version) pairs stored more than once, {current:,} records"
                     f" with more than one current row; record ids: {', '.join(ids)}{more}")
    return lines
