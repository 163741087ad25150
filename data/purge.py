"""Removing stored data for good (retention): rewriting rows in place, and purging what older snapshots kept.

A retention run marks a table first (`Store.begin_purge`: a marker under `PURGE_PENDING_FOLDER`
naming every file of its snapshot), rewrites it, then purges it: every file and log entry only older
snapshots need is deleted at once. A run killed anywhere leaves the marker, and the next maintenance
pass or retention run finishes the purge (`Store.finish_purges`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable
from deltalake.exceptions import CommitFailedError

from data import objects
from data.compaction import crash_point
from data.delta import COMMIT, writer_properties
from data.schema import TABLES

LOG_RETENTION_KEY = "delta.logRetentionDuration"
LOG_RETENTION = "interval 30 days"
"""How long each table keeps its transaction log: a purge drops it to nothing for a moment, then puts this back
(this, never the value it read: a purge killed meanwhile leaves 0, and the next one would keep that)."""
_NO_LOG_RETENTION = "interval 0 seconds"
PURGE_PENDING_FOLDER = "_purge_pending"
"""Under the store root: one marker per table a retention run is rewriting (`Store.begin_purge`), removed once its
purge completes; a run killed before then leaves it, and the next maintenance pass finishes the purge."""


class Purging:
    """The store's in-place rewrites and purges (part of `data.store.Store`)."""

    root: str
    remote: objects.Remote | None
    cache: objects.FileCache | None

    def rewrite(self, table: str, *, predicate: str, updates: Mapping[str, str], attempts: int = 20) -> int:
        """Set columns in place in every stored row (every version) matching `predicate`; the rows changed.

        `predicate` and `updates` are Delta SQL expressions written by the caller
        from fixed column names, never from user input. The files holding those
        rows are rewritten; the old files stay until `purge`.
        """
        return self._rewrite(table, attempts, lambda h: h.update(
            updates=dict(updates), predicate=predicate, writer_properties=writer_properties(table),
            commit_properties=COMMIT,
        )["num_updated_rows"])

    def delete_rows(self, table: str, *, predicate: str, attempts: int = 20) -> int:
        """Remove every stored row (every version) matching `predicate`; the rows removed.

        The old files stay until `purge`.
        """
        return self._rewrite(table, attempts, lambda h: h.delete(
            predicate, writer_properties=writer_properties(table), commit_properties=COMMIT,
        )["num_deleted_rows"])

    def _rewrite(self, table: str, attempts: int, operation) -> int:
        for attempt in range(attempts):
            handle = self._table(table)
            try:
                count = int(operation(handle) or 0)
                handle.update_incremental()
                return count
            except CommitFailedError:
                # A save landed while rewriting: nothing was committed; look again.
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        return 0

    def begin_purge(self, table: str) -> None:
        """Record, before a retention run rewrites `table`, that the table needs a purge (`purge`).

        The marker (a small file or object under `PURGE_PENDING_FOLDER`) names every file of the
        table's current snapshot, so a run killed anywhere before its purge completes leaves
        behind no file only older snapshots use: the next retention run or maintenance pass
        finds the marker and finishes the purge (`finish_purges`).
        """
        files = set(self._pending_purge(table) or ()) | set(self._paths(self._table(table)))
        body = json.dumps({"table": table, "files": sorted(files),
                           "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}).encode()
        key = f"{PURGE_PENDING_FOLDER}/{table}.json"
        if self.remote is not None:
            self.remote.put(key, body)
            return
        target = Path(self.root) / key
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        with open(temporary, "wb") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)  # a marker is there whole, or not at all

    def _pending_purge(self, table: str) -> list[str] | None:
        """The files (paths in the table) a pending purge's marker names, or None if none is pending."""
        key = f"{PURGE_PENDING_FOLDER}/{table}.json"
        if self.remote is not None:
            found = self.remote.get_with_tag(key)
            body = found[0] if found else None
        else:
            try:
                body = (Path(self.root) / key).read_bytes()
            except FileNotFoundError:
                body = None
        return None if body is None else list(json.loads(body)["files"])

    def _end_purge(self, table: str) -> None:
        key = f"{PURGE_PENDING_FOLDER}/{table}.json"
        if self.remote is not None:
            self.remote.delete(key)
        else:
            with contextlib.suppress(FileNotFoundError):
                (Path(self.root) / key).unlink()

    def pending_purges(self) -> list[str]:
        """The tables whose purge a retention run started and did not finish (killed, or failed)."""
        if self.remote is not None:
            keys = self.remote.list(f"{PURGE_PENDING_FOLDER}/")
        else:
            folder = Path(self.root) / PURGE_PENDING_FOLDER
            keys = [f"{PURGE_PENDING_FOLDER}/{p.name}" for p in folder.glob("*.json")] if folder.exists() else []
        names = {k.rsplit("/", 1)[-1].removesuffix(".json") for k in keys}
        return [t for t in TABLES if t in names]

    def finish_purges(self) -> dict[str, dict[str, int]]:
        """Finish what killed retention runs left (run holding the maintenance lease): the purge of every table
        with a pending marker, and the configured log retention on any table a killed purge left without one."""
        done = {table: self.purge(table) for table in self.pending_purges()}
        for table in TABLES:
            if table not in done:
                handle = self._table(table)
                if handle.metadata().configuration.get(LOG_RETENTION_KEY) == _NO_LOG_RETENTION:
                    self._confirm_lease()
                    handle.alter.set_table_properties({LOG_RETENTION_KEY: LOG_RETENTION}, commit_properties=COMMIT)
                    done[table] = {"files_removed": 0, "log_entries_removed": 0}
        return done

    def purge(self, table: str, *, stale: Iterable[str] = ()) -> dict[str, int]:
        """Delete at once every file and log entry only older snapshots need (no time travel before now).

        Run holding the maintenance lease. Rewritten or removed rows live on in the files the
        rewrite replaced and, through per-file statistics, in the older transaction-log entries;
        this deletes both: the files regardless of age, the log up to a fresh checkpoint. The
        files the table's pending marker names (`begin_purge`) and `stale` (paths as in
        `Snapshot.files`) that the current snapshot no longer uses go too (a vacuum misses those
        whose removal a checkpoint hides), as do the new files of any compaction killed before its
        commit. The marker is removed last, with the configured log retention back in place: a
        purge killed at any point is finished by the next (`finish_purges`).
        On object storage the local file cache's copies of every file the current
        snapshot does not use are removed as well.
        """
        self._confirm_lease()
        handle = self._table(table)
        pending = self._pending_purge(table) or []
        removed = {str(p) for p in handle.vacuum(retention_hours=0, dry_run=False, enforce_retention_duration=False)}
        crash_point("purge:vacuumed")
        handle.update_incremental()
        current = set(self._paths(handle))
        self.snapshot(table)  # the reads' view of the table moves on (on object storage its files are fetched)
        named = {self._in_table(table, p) for p in stale} | set(pending)
        for path in sorted(named - current - removed):
            if self._delete_file(table, path):
                removed.add(path)
        removed |= self._drop_unused_scratch(table, current)
        if self.cache is not None:  # every cached copy of a file the current snapshot does not use
            wanted = {f"{table}/{p}" for p in current}
            self.cache.forget([k for k in self.cache.keys(table) if k not in wanted])
        crash_point("purge:files-deleted")
        before = self._log_entries(table)
        self._confirm_lease()
        handle.alter.set_table_properties({LOG_RETENTION_KEY: _NO_LOG_RETENTION}, commit_properties=COMMIT)
        crash_point("purge:log-retention-zero")
        try:
            handle.create_checkpoint()
            handle.cleanup_metadata()
            crash_point("purge:log-cleaned")
        finally:
            handle.alter.set_table_properties({LOG_RETENTION_KEY: LOG_RETENTION}, commit_properties=COMMIT)
        crash_point("purge:log-retention-restored")
        self._end_purge(table)
        handle.update_incremental()
        return {"files_removed": len(removed), "log_entries_removed": len(before - self._log_entries(table))}

    @staticmethod
    def _paths(handle: DeltaTable) -> list[str]:
        """The data files of the handle's version (paths in the table)."""
        if handle.version() < 0:
            return []
        return pa.table(handle.get_add_actions(flatten=False)).column("path").to_pylist()

    def _in_table(self, table: str, path: str) -> str:
        """A path as in `Snapshot.files` (a local path or a file cache copy) as a path in the table."""
        base = f"{self.root}/{table}/" if self.cache is None else f"{self.cache.directory / table}/"
        return str(path).removeprefix(base)

    def _delete_file(self, table: str, path: str) -> bool:
        """Delete one file of the table (a path in it); whether it was there (always True on object storage)."""
        if self.remote is not None:
            self.remote.delete(f"{table}/{path}")
            return True
        try:
            (Path(self.uri(table)) / path).unlink()
        except FileNotFoundError:
            return False
        return True

    def _log_entries(self, table: str) -> set[str]:
        if self.remote is not None:
            return set(self.remote.list(f"{table}/_delta_log/"))
        return {p.name for p in (Path(self.uri(table)) / "_delta_log").iterdir()}
