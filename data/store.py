"""The store: one Delta Lake table per record type, append-only and versioned.

Writes: every save appends one row (a new record, a new version of one, or a
deletion marker) as one Delta commit, so concurrent writers never lose each
other's saves and a killed writer leaves only whole commits behind.

Reads: DuckDB over the Parquet files of the table's current snapshot. The
"current" view is the latest version of each record that is not deleted.
Every row carries `superseded`: false for a new record (it is current when
written), NULL for an edit or a withdrawal until compaction marks the rows it
replaces true. Only records touched by such NULL rows are de-duplicated at
read time, so the common read is one filter. Compaction marks superseded rows
and packs small files into large ones; every version is kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import functools
import itertools
import json
import logging
import os
import random
import secrets
import shutil
import signal
import threading
import time
import uuid
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import (
    BloomFilterProperties,
    ColumnProperties,
    CommitProperties,
    DeltaTable,
    WriterProperties,
    write_deltalake,
)
from deltalake.exceptions import CommitFailedError, TableNotFoundError
from deltalake.transaction import AddAction, RemoveAction
from pydantic import BaseModel

from data import db, objects, refs
from data.schema import TABLES, arrow_schema, stats_columns

log = logging.getLogger(__name__)
STATS_COLUMNS = "delta.dataSkippingStatsColumns"
"""The table property naming the columns the Delta log keeps statistics for (`stats_columns`)."""
COMPACT_AT_SMALL_FILES = 50  # every save is a small file; reads slow down past a few dozen
SMALL_FILE_ROWS = 10_000
# Files under this size are packed together; larger ones (bulk loads, earlier
# packs) are left as they are, with their date order and history files intact.
COMPACT_TARGET_BYTES = 16 * 1024 * 1024

_COMMIT = CommitProperties(max_commit_retries=1000)
# A save commits only on top of the exact table version it was checked against: if anyone
# committed first, it is checked again (so no two rows ever share a record id and version).
_CHECKED_COMMIT = CommitProperties(max_commit_retries=0)
SAVE_TIMEOUT_SECONDS = 120.0
# Compaction writes its new files in a folder of this prefix inside the table (a scratch
# table, whose log is removed once the files are the table's); vacuum clears what a killed run left.
SCRATCH_PREFIX = "compacted-"
WRITER_RELOAD_VERSIONS = 100  # see Store._writer
# A submission's first save is never written before its form opened; this allows for the
# clocks of different app servers disagreeing.
CLOCK_SKEW = dt.timedelta(hours=6)
_LOOKUP = ColumnProperties(bloom_filter_properties=BloomFilterProperties(True, fpp=0.01))
ROW_GROUP_ROWS = 122_880
# Tables of few, wide rows (lists of structs) get smaller row groups, so a date-range read
# skips by statistics to the rows it needs and a whole-table read still splits across cores.
ROW_GROUP_ROWS_BY_TABLE = {"ysywd": 16_384}
LOG_RETENTION_KEY = "delta.logRetentionDuration"
LOG_RETENTION = "interval 30 days"
"""How long each table keeps its transaction log: a purge drops it to nothing for a moment, then puts this back
(this, never the value it read: a purge killed meanwhile leaves 0, and the next one would keep that)."""
_NO_LOG_RETENTION = "interval 0 seconds"
PURGE_PENDING_FOLDER = "_purge_pending"
"""Under the store root: one marker per table a retention run is rewriting (`Store.begin_purge`), removed once its
purge completes; a run killed before then leaves it, and the next maintenance pass finishes the purge."""
CRASH_AT = "BEATBOOK_CRASH_AT"


def crash_point(name: str) -> None:
    """A test hook: kill this process here (SIGKILL, as a power cut or the OOM killer would) when the
    environment variable BEATBOOK_CRASH_AT names this point. The tests kill maintenance at every named
    point and check that the next run leaves nothing behind and stores nothing twice."""
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _writer(table: str) -> WriterProperties:
    """How a table's Parquet files are written: zstd, row groups by table, Bloom filters on the ids."""
    return WriterProperties(
        compression="ZSTD",
        max_row_group_size=ROW_GROUP_ROWS_BY_TABLE.get(table, ROW_GROUP_ROWS),
        column_properties={"record_id": _LOOKUP, "submission_id": _LOOKUP},
    )


@dataclasses.dataclass(frozen=True)
class Saved:
    """What a save returns: the record it wrote (or had already written)."""

    record_id: str
    version: int
    duplicate: bool = False
    reference: str | None = None  # its short reference as shown (`data.refs`), in a table with references


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """One version of one table: its files, and which are not yet compacted."""

    table: str
    version: int
    files: tuple[str, ...]
    recent: tuple[str, ...]
    rows: int
    touched: tuple[str, ...]  # record ids with an edit or withdrawal not yet compacted
    small_files: int = 0
    live_files: tuple[str, ...] = ()  # files holding at least one row that may be current
    # live files holding rows of touched records, with those rows' positions (None: every row)
    holding: tuple[tuple[str, tuple[int, ...] | None], ...] = ()
    missing: tuple[str, ...] = ()  # columns of the table's schema that none of the live files has (older files)

    def relation(self) -> str:
        """SQL text for the current rows of this snapshot (a subquery)."""
        if not self.live_files:
            return f"(SELECT * FROM {_empty_relation(self.table)})"
        if self.missing:  # every file predates a column: read it as empty, as Delta readers do
            schema = arrow_schema(self.table)
            extra = ", ".join(f"CAST(NULL AS {_duck_type(schema.field(c).type)}) AS {c}" for c in self.missing)
            return f"(SELECT *, {extra} FROM {dataclasses.replace(self, missing=()).relation()})"
        current = "superseded IS NOT TRUE AND NOT deleted"
        if not self.touched:
            return f"(SELECT * FROM {db.parquet_scan(self.live_files)} WHERE {current})"
        # A touched record's latest version is always one of its NULL rows (an edit is written
        # after every version compaction has marked), and NULL rows live only in the recent
        # files: so the touched records are de-duplicated from the recent files alone. Their other
        # rows are left out by position in the few files holding them (no record id is read), and
        # every other file is read with the filter only.
        held = {f for f, _ in self.holding}
        parts = []
        clean = tuple(f for f in self.live_files if f not in held)
        if clean:
            parts.append(f"SELECT * FROM {db.parquet_scan(clean)} WHERE {current}")
        for path, rows in self.holding:
            if rows is None:  # versions of touched records only: the recent part has their latest
                continue
            positions = "[" + ", ".join(str(r) for r in rows) + "]"
            parts.append(f"SELECT * EXCLUDE (file_row_number) FROM read_parquet({db.sql_string(path)},"
                         f" file_row_number=true) WHERE {current}"
                         f" AND file_row_number NOT IN (SELECT unnest({positions}::BIGINT[]))")
        parts.append(f"SELECT * FROM (SELECT * FROM {db.parquet_scan(self.recent)} WHERE superseded IS NULL"
                     f" QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY version DESC, written_at DESC) = 1)"
                     f" WHERE NOT deleted")
        return "(" + " UNION ALL BY NAME ".join(parts) + ")"


def _empty_relation(table: str) -> str:
    columns = ", ".join(
        f"CAST(NULL AS {_duck_type(field.type)}) AS {field.name}" for field in arrow_schema(table)
    )
    return f"(SELECT {columns} WHERE false)"


def _duck_type(kind: pa.DataType) -> str:
    if pa.types.is_list(kind):
        return _duck_type(kind.value_type) + "[]"
    if pa.types.is_struct(kind):
        inner = ", ".join(f"{f.name} {_duck_type(f.type)}" for f in kind)
        return f"STRUCT({inner})"
    return {
        pa.string(): "VARCHAR",
        pa.int64(): "BIGINT",
        pa.float64(): "DOUBLE",
        pa.bool_(): "BOOLEAN",
        pa.timestamp("us"): "TIMESTAMP",
        pa.date32(): "DATE",
    }[kind]


class ValidationError(ValueError):
    """A record failed its schema's rules; `errors` maps field -> message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def validate(table: str, values: Mapping[str, Any] | BaseModel) -> BaseModel:
    """Validate values against the table's model; raise ValidationError naming each field."""
    from pydantic import ValidationError as PydanticError

    model = TABLES[table]
    if isinstance(values, model):
        return values
    data = values.model_dump() if isinstance(values, BaseModel) else dict(values)
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or _field_in(err["msg"], model)
            message = err["msg"].removeprefix("Value error, ")
            errors.setdefault(field, message)
        raise ValidationError(errors) from None


def _field_in(message: str, model: type[BaseModel]) -> str:
    """The first field named in a whole-record rule's message, for the form to show it by."""
    named = [word.strip(",") for word in message.split() if word.strip(",") in model.model_fields]
    return named[0] if named else "record"


class Store:
    """A folder (or any URI deltalake accepts) holding one Delta table per record type."""

    def __init__(self, root: str | Path, *, storage_options: dict[str, str] | None = None,
                 cache_dir: str | Path | None = None):
        root = str(root).rstrip("/")
        self.root = str(objects.local_path(root)) if root.startswith("file://") else root
        self.storage_options = storage_options
        self.remote = objects.Remote(self.root, storage_options) if objects.is_remote(self.root) else None
        # DuckDB reads a remote store's data files through local copies (files never change).
        self.cache = objects.FileCache(self.remote, cache_dir) if self.remote else None
        self._tables: dict[str, DeltaTable] = {}
        self._tables_loaded: dict[str, int] = {}  # table -> the version its read handle was loaded at
        self._snapshots: dict[tuple[str, int], Snapshot] = {}
        # table -> (the touched records, file -> positions of their rows) for `_holding`
        self._holders: dict[str, tuple[tuple[str, ...], dict[str, tuple[int, ...]]]] = {}
        self._lock = threading.Lock()
        # Writes: a handle per table used only under that table's write lock (reads move theirs
        # on at any time), the saves waiting to be committed together, and each version's files.
        self._writers: dict[str, DeltaTable] = {}
        self._writers_loaded: dict[str, int] = {}  # table -> the version its write handle was loaded at
        self._write_locks: dict[str, threading.Lock] = {table: threading.Lock() for table in TABLES}
        self._host_fds: dict[str, int] = {}  # table -> file descriptor of its commit lock (`_host_lock`)
        self._queues: dict[str, list[_Pending]] = {table: [] for table in TABLES}
        self._indexes: dict[str, tuple[int, tuple[_File, ...]]] = {}
        self._leases: weakref.WeakSet[objects.Lease] = weakref.WeakSet()  # maintenance leases taken through it

    # -- layout -----------------------------------------------------------------
    def uri(self, table: str) -> str:
        if table not in TABLES:
            raise KeyError(f"unknown table {table!r}")
        return f"{self.root}/{table}"

    def exists(self) -> bool:
        return all(DeltaTable.is_deltatable(self.uri(t), self.storage_options) for t in TABLES)

    def create(self) -> None:
        """Create every table that does not exist yet (empty, with its schema)."""
        if self.remote is None:
            Path(self.root).mkdir(parents=True, exist_ok=True)
        for table in TABLES:
            configuration = {STATS_COLUMNS: ",".join(stats_columns(table))}
            if not DeltaTable.is_deltatable(self.uri(table), self.storage_options):
                try:
                    DeltaTable.create(self.uri(table), arrow_schema(table), mode="ignore",
                                      configuration=configuration, storage_options=self.storage_options)
                except Exception:  # another process created it first
                    if not DeltaTable.is_deltatable(self.uri(table), self.storage_options):
                        raise
            else:
                handle = DeltaTable(self.uri(table), storage_options=self.storage_options)
                if handle.metadata().configuration.get(STATS_COLUMNS) != configuration[STATS_COLUMNS]:
                    handle.alter.set_table_properties(configuration, raise_if_not_exists=False)

    def _table(self, table: str, *, refresh: bool = True) -> DeltaTable:
        """This store's handle on a table, brought up to the latest version unless `refresh` is False."""
        with self._lock:
            handle = self._tables.get(table)
            if handle is None:
                try:
                    handle = DeltaTable(self.uri(table), storage_options=self.storage_options)
                except TableNotFoundError:
                    self.create()
                    handle = DeltaTable(self.uri(table), storage_options=self.storage_options)
                self._tables[table] = handle
                self._tables_loaded[table] = handle.version()
            elif refresh:
                handle.update_incremental()
                # As for the write handle (`_writer`): one moved on version by version slows down.
                if handle.version() - self._tables_loaded.get(table, -1) >= WRITER_RELOAD_VERSIONS:
                    handle = self._tables[table] = DeltaTable(self.uri(table), storage_options=self.storage_options)
                    self._tables_loaded[table] = handle.version()
            return handle

    # -- reading ----------------------------------------------------------------
    def version(self, table: str) -> int:
        return self._table(table).version()

    def versions(self, tables: Iterable[str]) -> tuple[int, ...]:
        """The tables' versions: a cache key that changes on every write."""
        return tuple(self.version(t) for t in tables)

    def snapshot(self, table: str) -> Snapshot:
        handle = self._table(table)
        with self._lock:
            version = handle.version()
            cached = self._snapshots.get((table, version))
            if cached is not None:
                return cached
            actions = pa.table(handle.get_add_actions(flatten=True)).to_pydict() if version >= 0 else {}
        paths = actions.get("path", [])
        nulls = actions.get("null_count.superseded", [None] * len(paths))
        files = self._local_files(table, paths)
        recent = tuple(f for f, n in zip(files, nulls, strict=True) if n is None or n > 0)
        small = sum(1 for n in actions.get("num_records", []) if n < SMALL_FILE_ROWS)
        # A file whose statistics say every row is superseded holds history only.
        replaced = actions.get("min.superseded", [None] * len(paths))
        live = tuple(f for f, n, low in zip(files, nulls, replaced, strict=True) if not (n == 0 and low is True))
        touched: tuple[str, ...] = ()
        if recent:
            scan = db.parquet_scan(recent)
            rows = db.cursor().execute(
                f"SELECT DISTINCT record_id FROM {scan} WHERE superseded IS NULL ORDER BY record_id"
            ).fetchall()
            touched = tuple(r[0] for r in rows)
        rows_in = dict(zip(files, actions.get("num_records", []), strict=True))
        holding = self._holding(table, touched, {f: rows_in[f] for f in live})
        present = {name for f in live for name, _ in db.columns_of(f)}
        missing = tuple(n for n in arrow_schema(table).names if n not in present) if live else ()
        snap = Snapshot(table, version, files, recent, sum(actions.get("num_records", [])), touched, small, live,
                        holding, missing)
        with self._lock:
            self._snapshots = {k: v for k, v in self._snapshots.items() if k[0] != table}
            self._snapshots[(table, version)] = snap
        return snap

    def _local_files(self, table: str, paths: Iterable[str]) -> tuple[str, ...]:
        """Paths DuckDB can read for these data files of `table` (downloaded first from object storage)."""
        keys = [f"{table}/{p}" for p in paths]
        if self.cache is None:
            return tuple(f"{self.root}/{k}" for k in keys)
        local = tuple(self.cache.fetch(keys))
        self.cache.keep_only(table, keys)
        return local

    def _holding(self, table: str, touched: tuple[str, ...],
                 sizes: Mapping[str, int | None]) -> tuple[tuple[str, tuple[int, ...] | None], ...]:
        """Where the rows of `touched` records are among the files in `sizes` (file -> rows).

        Each file holding some, with their positions, or None where every row is one. Files never
        change, so each is looked up once per set of touched records: a save adds one file to look
        up, an edit (a new set) looks them all up again. The lookup reads only the row groups whose
        Bloom filter on record_id may hold one of the ids.
        """
        if not touched:
            return ()
        with self._lock:
            known_for, known = self._holders.get(table, ((), {}))
            known = dict(known) if known_for == touched else {}
        unknown = [f for f in sizes if f not in known]
        if unknown:
            listed = ", ".join(db.sql_string(f) for f in unknown)
            found: dict[str, list[int]] = {f: [] for f in unknown}
            for path, row in db.cursor().execute(
                f"SELECT filename, file_row_number FROM read_parquet([{listed}], filename=true, file_row_number=true)"
                f" WHERE record_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY ALL", [list(touched)]).fetchall():
                found[path].append(row)
            known.update({f: tuple(rows) for f, rows in found.items()})
            with self._lock:
                self._holders[table] = (touched, known)
        whole = {f for f in sizes if sizes[f] is not None and len(known[f]) >= sizes[f]}
        return tuple((f, None if f in whole else known[f]) for f in sizes if known[f])

    def relation(self, table: str) -> str:
        """SQL text (a subquery) for the table's current rows."""
        return self.snapshot(table).relation()

    def get(self, table: str, record_id: str) -> dict | None:
        """The current version of one record, or None if it does not exist or was deleted."""
        rows = self._versions_of(table, record_id)
        if not rows or rows[0]["deleted"]:
            return None
        return rows[0]

    def history(self, table: str, record_id: str) -> list[dict]:
        """Every stored version of a record, newest first."""
        return self._versions_of(table, record_id)

    def _versions_of(self, table: str, record_id: str) -> list[dict]:
        snap = self.snapshot(table)
        if not snap.files:
            return []
        scan = db.parquet_scan(snap.files)
        cur = db.cursor()
        result = cur.execute(
            f"SELECT DISTINCT ON (version) * FROM {scan} WHERE record_id = ? ORDER BY version DESC, written_at DESC",
            [record_id],
        )
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def find_submission(self, table: str, submission_id: str) -> Saved | None:
        """The save an earlier use of this submission id made (a double tap), if any."""
        found = self._stored(self._index(table, self._table(table)), [submission_id])
        return _saved(table, found[submission_id], duplicate=True) if submission_id in found else None

    # -- writing ----------------------------------------------------------------
    def save(
        self,
        table: str,
        record: Mapping[str, Any] | BaseModel,
        *,
        user: str,
        submission_id: str,
        record_id: str | None = None,
        base_version: int | None = None,
    ) -> Saved:
        """Validate and append one record (or a new version of `record_id`).

        Saving the same `submission_id` again returns the first save and writes nothing.
        An edit made from `base_version` is refused (`EditConflict`, nothing written) if the
        record has a later version by then.
        """
        model = validate(table, record)
        return self._submit(table, [_Row(model.model_dump(), record_id, base_version)], user=user,
                            submission_id=submission_id)[0]

    def delete(self, table: str, record_id: str, *, user: str, submission_id: str,
               base_version: int | None = None) -> Saved:
        """Withdraw a record: a new version marked deleted, so history keeps what it was."""
        return self._submit(table, [_Row(None, record_id, base_version, delete=True)], user=user,
                            submission_id=submission_id)[0]

    def save_many(self, table: str, records: Iterable[tuple[Mapping[str, Any] | BaseModel, str | None, int | None]],
                  *, user: str, submission_id: str) -> list[Saved]:
        """Save several records in one commit, all or none: (values, record id or None, base version).

        Row n gets the submission id `<submission_id>:<n>`; saving the same submission again
        returns the first save's records and writes nothing.
        """
        rows = [_Row(validate(table, values).model_dump(), record_id, base)
                for values, record_id, base in records]
        return self._submit(table, rows, user=user, submission_id=submission_id, many=True) if rows else []

    def _submit(self, table: str, rows: list[_Row], *, user: str, submission_id: str,
                many: bool = False) -> list[Saved]:
        """Queue one submission's rows and wait until they are committed (or refused).

        Saves arriving together on this server are committed together: whoever takes the
        table's write lock commits every save queued by then in one Delta commit, so many
        sessions cost one commit, and the others find theirs done when they get the lock.
        """
        if not submission_id:
            raise ValidationError({"submission_id": "a submission id is required"})
        if table not in TABLES:
            raise KeyError(f"unknown table {table!r}")
        ids = [submission_id] if not many else [f"{submission_id}:{n}" for n in range(len(rows))]
        pending = _Pending(rows, ids, user)
        with self._lock:
            self._queues[table].append(pending)
        with self._write_locks[table]:
            if not pending.done:
                with self._host_lock(table):  # saves queued while waiting for it join this commit
                    with self._lock:
                        batch, self._queues[table][:] = list(self._queues[table]), []
                    self._commit(table, batch)
        if pending.error is not None:
            raise pending.error
        return pending.result

    def _commit(self, table: str, batch: list[_Pending]) -> None:
        """Check each pending save against the table's latest version and commit those that pass on top of it.

        The commit is made only on that exact version (no retry on top of another writer's
        commit): if anyone committed first, the table is read again and every save checked
        again. So a submission is never stored twice, an edit from an old version is always
        refused, and no two rows ever share a record id and version: across threads,
        processes and servers, on a folder or on object storage.
        """
        deadline = time.monotonic() + SAVE_TIMEOUT_SECONDS
        waiting = list(batch)
        try:
            attempt = 0
            while waiting:
                handle = self._writer(table)
                index = self._index(table, handle)
                stored = self._stored(index, [sid for p in waiting for sid in p.submission_ids])
                latest = self._latest(index, {r.record_id for p in waiting for r in p.rows if r.record_id})
                now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                # Numbered on this version only: a commit refused because someone committed first numbers again.
                number = self._next_reference(table, index) if table in refs.PREFIXES else None
                out, accepted, later, records = [], [], [], set()
                for pending in waiting:
                    if pending.submission_ids[0] in stored:  # saved before: return that save, write nothing
                        pending.finish([_saved(table, stored[s], duplicate=True)
                                        for s in pending.submission_ids if s in stored])
                        continue
                    targets = {r.record_id for r in pending.rows if r.record_id}
                    if targets & records or any(s in p.submission_ids for p in accepted
                                                for s in pending.submission_ids):
                        later.append(pending)  # same record or submission as one in this commit: check after it
                        continue
                    try:
                        rows = [row.stored(table, latest, user=pending.user, submission_id=sid, now=now)
                                for row, sid in zip(pending.rows, pending.submission_ids, strict=True)]
                    except (KeyError, EditConflict) as refusal:
                        pending.fail(refusal)
                        continue
                    for row in rows:
                        if number is not None and row["reference"] is None:  # a new record (or one from before)
                            row["reference"], number = number, number + 1
                    out.extend(rows)
                    accepted.append(pending)
                    records |= targets
                if out:
                    data = pa.Table.from_pylist(out, schema=arrow_schema(table))
                    try:
                        write_deltalake(handle, data, mode="append", writer_properties=_writer(table),
                                        commit_properties=_CHECKED_COMMIT, schema_mode="merge")
                    except CommitFailedError:
                        # Someone committed first: nothing of ours landed. Check everything again.
                        if time.monotonic() > deadline:
                            raise TimeoutError(f"the {table} table was too busy to save to for"
                                               f" {SAVE_TIMEOUT_SECONDS:.0f} s; nothing was saved") from None
                        attempt += 1
                        time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))
                        continue
                    for pending in accepted:
                        pending.finish([_saved(table, (r["record_id"], r["version"], r["reference"])) for r in out
                                        if r["submission_id"] in pending.submission_ids])
                waiting = later
        except BaseException as error:
            for pending in batch:
                if not pending.done:
                    pending.fail(error)

    @contextlib.contextmanager
    def _host_lock(self, table: str):
        """Take turns with this machine's other processes to commit to `table` (an OS file lock).

        Writers on one machine that raced each other would mostly lose: every lost race costs a
        Parquet file written for nothing, a reread of the log and a pause. Taking turns, each
        commit lands at once. The lock goes with its process however that ends. Writers on other
        machines still race, and the checked commit keeps that safe. Held under the table's
        write lock, so one thread per process uses the table's file descriptor at a time.
        """
        fd = self._host_fds.get(table)
        if fd is None:
            folder = Path(self.root) if self.remote is None else self.cache.directory
            fd = self._host_fds[table] = os.open(folder / f"_commit.{table}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _writer(self, table: str) -> DeltaTable:
        """The table's write handle at its latest version (used only under the table's write lock).

        A handle brought forward one version at a time gets slower with every update (on a table of
        2,000 files, a commit and a file listing took 8 times as long after 2,000 updates as on a
        handle just loaded), so once it has moved `WRITER_RELOAD_VERSIONS` on it is loaded afresh.
        """
        handle = self._writers.get(table)
        if handle is None:
            self._table(table, refresh=False)  # creates the store's tables if need be
        else:
            handle.update_incremental()
            if handle.version() - self._writers_loaded[table] < WRITER_RELOAD_VERSIONS:
                return handle
        handle = self._writers[table] = DeltaTable(self.uri(table), storage_options=self.storage_options)
        self._writers_loaded[table] = handle.version()
        return handle

    def _index(self, table: str, handle: DeltaTable) -> tuple[_File, ...]:
        """Every data file of the handle's version (a local path) with what the Delta log says of its rows."""
        version = handle.version()
        with self._lock:
            known = self._indexes.get(table)
        if known is not None and known[0] == version:
            return known[1]
        # Only the columns the checks use: a table of many files has ~70 statistics columns per file.
        actions = pa.table(handle.get_add_actions(flatten=True)) if version >= 0 else pa.table({"path": []})
        paths = actions.column("path").to_pylist()

        def column(name: str) -> list:
            return actions.column(name).to_pylist() if name in actions.column_names else [None] * len(paths)

        tops, empties, counts = column("max.reference"), column("null_count.reference"), column("num_records")
        index = tuple(_File(*row) for row in zip(
            self._local_files(table, paths), column("max.written_at"),
            zip(column("min.submission_id"), column("max.submission_id"), strict=True),
            zip(column("min.record_id"), column("max.record_id"), strict=True), tops,
            [top is not None or (empty is not None and empty == count)
             for top, empty, count in zip(tops, empties, counts, strict=True)], strict=True))
        with self._lock:
            self._indexes[table] = (version, index)
        return index

    @staticmethod
    def _stored(index: tuple[_File, ...], submission_ids: list[str]) -> dict[str, tuple[str, int, int | None]]:
        """Submission id -> (record id, version, reference number) for those of `submission_ids` already stored.

        A submission id made by `new_submission_id` carries the time its form opened, and no
        save of it can be older than that: only files written since are read, and of those only
        the ones whose submission ids (their lowest and highest, in the Delta log) may include one
        of the ids (and of those, only the row groups whose Bloom filter may hold one).
        """
        if not submission_ids or not index:
            return {}
        opened = [_opened_at(s) for s in submission_ids]
        since = None if any(o is None for o in opened) else min(opened) - CLOCK_SKEW
        files = [f.path for f in index if (since is None or f.latest is None or f.latest >= since)
                 and _may_hold(f.submissions, submission_ids)]
        if not files:
            return {}
        marks = ", ".join("?" * len(submission_ids))
        # Files from before the `reference` column lack it (all of them, in a store that has not saved since).
        numbered = any("reference" in {name for name, _ in db.columns_of(f)} for f in files)
        rows = db.cursor().execute(
            f"SELECT submission_id, record_id, version, {'reference' if numbered else 'NULL'}"
            f" FROM {db.parquet_scan(files)} WHERE submission_id IN ({marks})", list(submission_ids)).fetchall()
        return {sid: (rid, int(version), _number(number)) for sid, rid, version, number in rows}

    def _next_reference(self, table: str, index: tuple[_File, ...]) -> int:
        """The next reference number of `table` at the version `index` lists: its highest so far plus one.

        The Delta log's statistics give each file's highest; a file whose statistics do not say (written
        before the column was counted) is read once, by its Parquet footer.
        """
        top = 0
        for entry in index:
            known = entry.top_reference if entry.numbered else _file_top_reference(entry.path)
            top = max(top, int(known or 0))
        return top + 1

    @staticmethod
    def _latest(index: tuple[_File, ...], record_ids: set[str]) -> dict[str, dict]:
        """Record id -> its latest stored version (every column) for these records.

        Only files whose record ids (their lowest and highest, in the Delta log) may include one are read.
        """
        if not record_ids or not index:
            return {}
        files = [f.path for f in index if _may_hold(f.records, record_ids)]
        if not files:
            return {}
        marks = ", ".join("?" * len(record_ids))
        result = db.cursor().execute(
            f"SELECT * FROM {db.parquet_scan(files)} WHERE record_id IN ({marks})"
            f" QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY version DESC, written_at DESC) = 1",
            sorted(record_ids))
        names = [d[0] for d in result.description]
        rows = (dict(zip(names, values, strict=True)) for values in result.fetchall())
        return {row["record_id"]: row for row in rows}

    def append_rows(self, table: str, rows: pa.Table | list[dict], *, checked: bool = True) -> int:
        """Bulk-append rows that already carry their system columns (imports, the demo).

        Rows whose `superseded` is set (true or false) are taken as compacted:
        the caller vouches for it, and reads skip de-duplicating them. The rows are
        committed only on top of a table version that holds none of their
        (record_id, version) pairs, as a save is; `DuplicateVersions` (nothing
        written) if it does. `checked=False` skips that, for a writer that alone
        fills a new store (the demo).
        """
        data = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=arrow_schema(table))
        if "reference" not in data.column_names:  # rows made without one: numbered below
            data = data.append_column("reference", pa.nulls(data.num_rows, pa.int64()))
        data = data.select(arrow_schema(table).names).cast(arrow_schema(table))
        if not checked:
            self._write(table, self._numbered(table, data, self._index(table, self._table(table))), mode="append")
            return data.num_rows
        keys = data.select(["record_id", "version"])
        cursor = db.cursor()
        cursor.register("incoming", keys)
        twice = cursor.execute("SELECT count(*) FROM (SELECT record_id, version FROM incoming"
                               " GROUP BY ALL HAVING count(*) > 1)").fetchone()[0]
        if twice:
            raise DuplicateVersions(table, twice, "among the rows given")
        deadline = time.monotonic() + SAVE_TIMEOUT_SECONDS
        with self._write_locks[table], self._host_lock(table):
            for attempt in itertools.count():
                handle = self._writer(table)
                index = self._index(table, handle)
                files = [f.path for f in index]
                if files:
                    clash = cursor.execute(f"SELECT count(*) FROM {db.parquet_scan(files)} t"
                                           " JOIN incoming i USING (record_id, version)").fetchone()[0]
                    if clash:
                        raise DuplicateVersions(table, clash, "already stored")
                try:  # numbered on this version: if someone commits first, numbered again on theirs
                    write_deltalake(handle, self._numbered(table, data, index), mode="append",
                                    writer_properties=_writer(table), commit_properties=_CHECKED_COMMIT,
                                    schema_mode="merge")
                    return data.num_rows
                except CommitFailedError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"the {table} table was too busy to import into for"
                                           f" {SAVE_TIMEOUT_SECONDS:.0f} s; nothing was imported") from None
                    time.sleep(random.uniform(0, min(0.5, 0.01 * 2 ** min(attempt, 6))))
        raise AssertionError("unreachable")

    def _numbered(self, table: str, data: pa.Table, index: tuple[_File, ...]) -> pa.Table:
        """The rows with a reference number on each row of a table with references that has none.

        A record keeps the number it has (on another of the rows, or stored: looked up for a later
        version, or for a first version marked replaced); the others take the table's next numbers, at the
        version `index` lists, in the order of the rows.
        """
        if table not in refs.PREFIXES or data.num_rows == 0 or data.column("reference").null_count == 0:
            return data
        position = data.schema.get_field_index("reference")
        first = pc.and_(pc.equal(data.column("version"), 1), pc.invert(pc.fill_null(data.column("superseded"), False)))
        number = self._next_reference(table, index)
        if data.column("reference").null_count == data.num_rows and pc.all(first).as_py():  # new records only
            return data.set_column(position, "reference",
                                   pa.array(range(number, number + data.num_rows), type=pa.int64()))
        ids, given = data.column("record_id").to_pylist(), data.column("reference").to_pylist()
        known = {rid: n for rid, n in zip(ids, given, strict=True) if n is not None}
        look = {rid for rid, n, new in zip(ids, given, first.to_pylist(), strict=True)
                if n is None and not new and rid not in known}
        files = [f.path for f in index if _may_hold(f.records, look)
                 and "reference" in {name for name, _ in db.columns_of(f.path)}] if look else []
        if files:
            known.update(db.cursor().execute(
                f"SELECT record_id, max(reference) FROM {db.parquet_scan(files)} WHERE reference IS NOT NULL"
                " AND record_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY record_id", [sorted(look)]).fetchall())
        numbers = []
        for rid, n in zip(ids, given, strict=True):
            if n is None and rid not in known:
                known[rid], number = number, number + 1
            numbers.append(known[rid] if n is None else n)
        return data.set_column(position, "reference", pa.array(numbers, type=pa.int64()))

    def _write(self, table: str, data: pa.Table, *, mode: str, attempts: int = 20) -> None:
        # An append reads nothing, so a commit refused because compaction
        # rewrote the files meanwhile is safe to try again: nothing was committed.
        for attempt in range(attempts):
            try:
                # An append adds any column the schema gained since the table was made (old rows read it empty).
                write_deltalake(
                    self._table(table, refresh=attempt > 0), data, mode=mode,
                    writer_properties=_writer(table), commit_properties=_COMMIT,
                    schema_mode="merge" if mode == "append" else None,
                )
                return
            except CommitFailedError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))

    # -- maintenance ------------------------------------------------------------
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
        cursor = db.cursor()
        touched = [r[0] for r in cursor.execute(
            f"SELECT DISTINCT record_id FROM {db.parquet_scan(recent)} WHERE superseded IS NULL").fetchall()
                   ] if recent else []
        small = {f for f, n in zip(local, actions["num_records"], strict=True) if n < SMALL_FILE_ROWS}
        if not touched and len(small) <= 1:
            return unchanged
        holding: set[str] = set()
        if touched:
            listed = ", ".join(db.sql_string(f) for f in local)
            holding = {r[0] for r in cursor.execute(
                f"SELECT DISTINCT filename FROM read_parquet([{listed}], filename=true, union_by_name=true)"
                f" WHERE record_id IN (SELECT unnest(?::VARCHAR[]))", [touched]).fetchall()}
        chosen = [i for i, f in enumerate(local) if f in small or f in holding]
        data = self._rewritten(table, [local[i] for i in chosen], local, touched)
        scratch = f"{SCRATCH_PREFIX}{uuid.uuid4().hex}"
        write_deltalake(f"{self.uri(table)}/{scratch}", data, mode="error", writer_properties=_writer(table),
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
                                                    commit_properties=_CHECKED_COMMIT)
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
        result = db.cursor().sql(
            f"SELECT f.* EXCLUDE (filename, file_row_number), g.flag FROM read_parquet([{listed}], filename=true,"
            f" file_row_number=true, union_by_name=true) f LEFT JOIN ({flags}) g ON f.record_id = g.record_id"
            f" AND f.version = g.version AND f.submission_id = g.submission_id AND f.written_at = g.written_at"
            f" ORDER BY list_position([{listed}], f.filename), f.file_row_number", params=[touched]).to_arrow_table()
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

    # -- removal (retention) -----------------------------------------------------
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

    def rewrite(self, table: str, *, predicate: str, updates: Mapping[str, str], attempts: int = 20) -> int:
        """Set columns in place in every stored row (every version) matching `predicate`; the rows changed.

        `predicate` and `updates` are Delta SQL expressions written by the caller
        from fixed column names, never from user input. The files holding those
        rows are rewritten; the old files stay until `purge`.
        """
        return self._rewrite(table, attempts, lambda h: h.update(
            updates=dict(updates), predicate=predicate, writer_properties=_writer(table), commit_properties=_COMMIT,
        )["num_updated_rows"])

    def delete_rows(self, table: str, *, predicate: str, attempts: int = 20) -> int:
        """Remove every stored row (every version) matching `predicate`; the rows removed.

        The old files stay until `purge`.
        """
        return self._rewrite(table, attempts, lambda h: h.delete(
            predicate, writer_properties=_writer(table), commit_properties=_COMMIT,
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
                    handle.alter.set_table_properties({LOG_RETENTION_KEY: LOG_RETENTION}, commit_properties=_COMMIT)
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
        handle.alter.set_table_properties({LOG_RETENTION_KEY: _NO_LOG_RETENTION}, commit_properties=_COMMIT)
        crash_point("purge:log-retention-zero")
        try:
            handle.create_checkpoint()
            handle.cleanup_metadata()
            crash_point("purge:log-cleaned")
        finally:
            handle.alter.set_table_properties({LOG_RETENTION_KEY: LOG_RETENTION}, commit_properties=_COMMIT)
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

    def _log_entries(self, table: str) -> set[str]:
        if self.remote is not None:
            return set(self.remote.list(f"{table}/_delta_log/"))
        return {p.name for p in (Path(self.uri(table)) / "_delta_log").iterdir()}

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
            cursor = db.cursor()
            current = cursor.execute(f"SELECT count(*) FROM {snap.relation()}").fetchone()[0]
            twice, named = 0, []
            if snap.files:
                pairs = (f"SELECT record_id FROM {db.parquet_scan(snap.files)}"
                         " GROUP BY record_id, version HAVING count(*) > 1")
                rows = f"SELECT record_id FROM {snap.relation()} GROUP BY record_id HAVING count(*) > 1"
                twice, current_twice = cursor.execute(
                    f"SELECT (SELECT count(*) FROM ({pairs})), (SELECT count(*) FROM ({rows}))").fetchone()
                if twice or current_twice:
                    named = [r[0] for r in cursor.execute(
                        f"SELECT DISTINCT record_id FROM ({pairs} UNION ALL {rows}) ORDER BY 1 LIMIT {CHECK_NAMES}"
                    ).fetchall()]
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


class _File(NamedTuple):
    """A data file of one table version (a local path), with what the Delta log says of its rows (None: not said)."""

    path: str
    latest: dt.datetime | None  # its latest written_at
    submissions: tuple[str | None, str | None]  # its lowest and highest submission_id
    records: tuple[str | None, str | None]  # its lowest and highest record_id
    top_reference: int | None = None  # its highest reference number (None: the log does not say)
    numbered: bool = False  # whether `top_reference` is known (the log says, or says the column is empty)


@functools.lru_cache(maxsize=16_384)
def _file_top_reference(path: str) -> int:
    """The highest reference number in one data file (0 for none), from its row groups' statistics or, where
    they say nothing, its column. A table's files never change, so each is read once."""
    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    if "reference" not in names:
        return 0
    column, top = names.index("reference"), 0
    for group in range(parquet.metadata.num_row_groups):
        stats = parquet.metadata.row_group(group).column(column).statistics
        if stats is not None and stats.has_min_max:
            top = max(top, int(stats.max))
        elif stats is None or stats.null_count != parquet.metadata.row_group(group).num_rows:
            values = pc.max(parquet.read_row_group(group, columns=["reference"]).column(0)).as_py()
            top = max(top, int(values or 0))
    return top


def _may_hold(bounds: tuple[str | None, str | None], ids: Iterable[str]) -> bool:
    """Whether a file whose values lie within `bounds` may hold one of `ids`.

    The Delta log's string statistics are bounds even when shortened: a minimum is cut to a
    prefix (never more than the value) and a shortened maximum is raised (never less).
    """
    low, high = bounds
    return any((low is None or low <= value) and (high is None or value <= high) for value in ids)


class DuplicateVersions(ValueError):
    """Rows to append would store a (record_id, version) pair twice: nothing was written."""

    def __init__(self, table: str, count: int, where: str):
        self.table, self.count = table, count
        super().__init__(f"{count:,} of the rows for {table} have a record id and version {where}"
                         " (another writer saved those records meanwhile?); nothing was written: run it again")


class EditConflict(ValidationError):
    """An edit made from a version of a record that is no longer its latest: nothing was written."""

    def __init__(self, table: str, record_id: str, current: Mapping[str, Any]):
        self.table, self.record_id = table, record_id
        self.version = int(current["version"])
        self.changed_by = str(current["written_by"])
        self.changed_at = current["written_at"]
        self.withdrawn = bool(current["deleted"])
        what = "withdrew this record" if self.withdrawn else "changed this record"
        super().__init__({"record": f"{self.changed_by} {what} at {self.changed_at:%d %b %Y %H:%M} UTC"
                                    f" (version {self.version}) after you opened it, so nothing was saved."
                                    " What you typed is still here: reload the record to see their version,"
                                    " then make your change again."})


@dataclasses.dataclass
class _Row:
    """One row of a submission: new values (None to withdraw), and the record and version it edits."""

    values: dict | None
    record_id: str | None = None
    base_version: int | None = None
    delete: bool = False

    def stored(self, table: str, latest: Mapping[str, dict], *, user: str, submission_id: str,
               now: dt.datetime) -> dict:
        """The row as stored, given each edited record's latest version; raises if it may not be."""
        reference = None  # a new record is numbered by the commit (`Store._commit`)
        if self.record_id is None:
            row, record_id, version = dict(self.values), submission_id, 1
        else:
            current = latest.get(self.record_id)
            if current is None:
                raise KeyError(f"{table} has no record {self.record_id}")
            if self.base_version is not None and int(current["version"]) != int(self.base_version):
                raise EditConflict(table, self.record_id, current)
            if self.delete and current["deleted"]:
                raise KeyError(f"{table} has no record {self.record_id}")
            record_id, version = self.record_id, int(current["version"]) + 1
            reference = _number(current.get("reference"))
            fields = TABLES[table].model_fields
            row = dict(self.values) if not self.delete else {k: v for k, v in current.items() if k in fields}
        row.update(record_id=record_id, version=version, deleted=self.delete, written_at=now, written_by=user,
                   submission_id=submission_id, superseded=False if version == 1 else None, reference=reference)
        return row


def _number(value: Any) -> int | None:
    """A stored reference number as an int (None for none: NULL, or NaN through pandas)."""
    return None if value is None or value != value else int(value)


def _saved(table: str, stored: tuple[str, int, int | None], *, duplicate: bool = False) -> Saved:
    """What a save returns, from the (record id, version, reference number) it stored."""
    record_id, version, number = stored
    return Saved(record_id, int(version), duplicate=duplicate, reference=refs.label(table, _number(number)))


class _Pending:
    """A submission waiting for its commit: its rows, and what came of them."""

    def __init__(self, rows: list[_Row], submission_ids: list[str], user: str):
        self.rows, self.submission_ids, self.user = rows, submission_ids, user
        self.result: list[Saved] | None = None
        self.error: BaseException | None = None
        self.done = False

    def finish(self, result: list[Saved]) -> None:
        self.result, self.done = result, True

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True


def _opened_at(submission_id: str) -> dt.datetime | None:
    """When the form of a `new_submission_id` id opened (UTC), or None for an id of another kind."""
    head = submission_id.split(":", 1)[0]
    if len(head) != 32 or head[12] != "7" or head[16] not in "89ab":
        return None
    try:
        opened = dt.datetime.fromtimestamp(int(head[:12], 16) / 1000, dt.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        return None
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return opened if dt.datetime(2020, 1, 1) <= opened <= now + CLOCK_SKEW else None


def new_submission_id() -> str:
    """An id made when a form is opened; saving it twice stores one record.

    A UUID version 7 (RFC 9562) in hex: the time the form opened, in milliseconds,
    then 74 random bits. The time lets a save look for an earlier use of the id
    among recent files only.
    """
    millis = time.time_ns() // 1_000_000
    rand_a, rand_b = secrets.randbits(12), secrets.randbits(62)
    return f"{millis << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b:032x}"
