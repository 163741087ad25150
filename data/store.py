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

import dataclasses
import datetime as dt
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import (
    BloomFilterProperties,
    ColumnProperties,
    CommitProperties,
    DeltaTable,
    WriterProperties,
    write_deltalake,
)
from deltalake.exceptions import CommitFailedError, TableNotFoundError
from pydantic import BaseModel

from data import db
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
_LOOKUP = ColumnProperties(bloom_filter_properties=BloomFilterProperties(True, fpp=0.01))
ROW_GROUP_ROWS = 122_880
# Tables of few, wide rows (lists of structs) get smaller row groups, so a date-range read
# skips by statistics to the rows it needs and a whole-table read still splits across cores.
ROW_GROUP_ROWS_BY_TABLE = {"ysywd": 16_384}


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

    def relation(self) -> str:
        """SQL text for the current rows of this snapshot (a subquery)."""
        if not self.live_files:
            return f"(SELECT * FROM {_empty_relation(self.table)})"
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

    def __init__(self, root: str | Path, *, storage_options: dict[str, str] | None = None):
        self.root = str(root).rstrip("/")
        self.storage_options = storage_options
        self._tables: dict[str, DeltaTable] = {}
        self._snapshots: dict[tuple[str, int], Snapshot] = {}
        # table -> (the touched records, file -> positions of their rows) for `_holding`
        self._holders: dict[str, tuple[tuple[str, ...], dict[str, tuple[int, ...]]]] = {}
        self._lock = threading.Lock()

    # -- layout -----------------------------------------------------------------
    def uri(self, table: str) -> str:
        if table not in TABLES:
            raise KeyError(f"unknown table {table!r}")
        return f"{self.root}/{table}"

    def exists(self) -> bool:
        return all(DeltaTable.is_deltatable(self.uri(t), self.storage_options) for t in TABLES)

    def create(self) -> None:
        """Create every table that does not exist yet (empty, with its schema)."""
        if "://" not in self.root:
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
            elif refresh:
                handle.update_incremental()
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
        files = tuple(f"{self.root}/{table}/{p}" for p in paths)
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
        snap = Snapshot(table, version, files, recent, sum(actions.get("num_records", [])), touched, small, live,
                        holding)
        with self._lock:
            self._snapshots = {k: v for k, v in self._snapshots.items() if k[0] != table}
            self._snapshots[(table, version)] = snap
        return snap

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

    def _find_submission(self, table: str, submission_id: str) -> Saved | None:
        """The save an earlier use of this submission id made, if any."""
        snap = self.snapshot(table)
        if not snap.files:
            return None
        # Every file carries a Bloom filter on submission_id, so this skips
        # almost every row group of a large table without reading it.
        scan = db.parquet_scan(snap.files)
        row = db.cursor().execute(
            f"SELECT record_id, version FROM {scan} WHERE submission_id = ? LIMIT 1", [submission_id]
        ).fetchone()
        return Saved(row[0], row[1], duplicate=True) if row else None

    # -- writing ----------------------------------------------------------------
    def save(
        self,
        table: str,
        record: Mapping[str, Any] | BaseModel,
        *,
        user: str,
        submission_id: str,
        record_id: str | None = None,
    ) -> Saved:
        """Validate and append one record (or a new version of `record_id`).

        Saving the same `submission_id` again returns the first save and writes nothing.
        """
        model = validate(table, record)
        if not submission_id:
            raise ValidationError({"submission_id": "a submission id is required"})
        with _submission_lock(table, submission_id):
            earlier = self._find_submission(table, submission_id)
            if earlier is not None:
                return earlier
            if record_id is None:
                record_id, version = submission_id, 1
            else:
                current = self._versions_of(table, record_id)
                if not current:
                    raise KeyError(f"{table} has no record {record_id}")
                version = current[0]["version"] + 1
            row = model.model_dump()
            row.update(_system(record_id, version, user, submission_id, deleted=False))
            self._append(table, [row])
        return Saved(record_id, version)

    def delete(self, table: str, record_id: str, *, user: str, submission_id: str) -> Saved:
        """Withdraw a record: a new version marked deleted, so history keeps what it was."""
        with _submission_lock(table, submission_id):
            earlier = self._find_submission(table, submission_id)
            if earlier is not None:
                return earlier
            current = self.get(table, record_id)
            if current is None:
                raise KeyError(f"{table} has no record {record_id}")
            row = {k: v for k, v in current.items() if k in TABLES[table].model_fields}
            row.update(_system(record_id, current["version"] + 1, user, submission_id, deleted=True))
            self._append(table, [row])
        return Saved(record_id, current["version"] + 1)

    def append_rows(self, table: str, rows: pa.Table | list[dict]) -> int:
        """Bulk-append rows that already carry their system columns (demo data, imports).

        Rows whose `superseded` is set (true or false) are taken as compacted:
        the caller vouches for it, and reads skip de-duplicating them.
        """
        data = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=arrow_schema(table))
        data = data.select(arrow_schema(table).names).cast(arrow_schema(table))
        self._write(table, data, mode="append")
        return data.num_rows

    def _append(self, table: str, rows: list[dict]) -> None:
        self._write(table, pa.Table.from_pylist(rows, schema=arrow_schema(table)), mode="append")
        if self.snapshot(table).small_files >= COMPACT_AT_SMALL_FILES and "://" not in self.root:
            try:
                self.compact(table, wait=False)
            except CommitFailedError:
                log.warning("compaction of %s gave way to concurrent writers; it runs again later", table)

    def _write(self, table: str, data: pa.Table, *, mode: str, attempts: int = 20) -> None:
        # An append reads nothing, so a commit refused because compaction
        # rewrote the files meanwhile is safe to try again: nothing was committed.
        # The store's open handle writes without reading the log first (a commit that others
        # overtook is checked against theirs and lands after them); a refused one reads it.
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
        filled in. One compaction runs at a time (two at once would each
        rewrite the same small files); with `wait=False` a busy store is skipped.
        """
        report = {}
        with _CompactionLock(self, wait=wait) as held:
            if not held:
                return report
            for name in [table] if table else list(TABLES):
                for attempt in range(attempts):
                    try:
                        report[name] = self._compact_one(name)
                        break
                    except CommitFailedError:
                        # A save landed while marking rows: nothing was changed; look again.
                        if attempt == attempts - 1:
                            raise
                        time.sleep(0.05 * (attempt + 1))
        return report

    def _compact_one(self, table: str) -> dict:
        snap = self.snapshot(table)
        handle = self._table(table)
        if not snap.touched and snap.small_files <= 1:
            return {"version": snap.version, "files_before": len(snap.files), "files_after": len(snap.files)}
        if snap.touched:
            # Fill in `superseded` for every record that edits or withdrawals touch.
            # MERGE rewrites only the files holding those rows and, unlike an
            # overwrite, never removes a file appended after this snapshot.
            flags = db.cursor().sql(
                f"SELECT record_id, version, submission_id, written_at,"
                f" row_number() OVER (PARTITION BY record_id ORDER BY version DESC, written_at DESC) > 1 AS superseded"
                f" FROM {db.parquet_scan(snap.files)} WHERE record_id IN"
                f" (SELECT record_id FROM {db.parquet_scan(snap.recent)} WHERE superseded IS NULL)"
            ).to_arrow_table()
            (
                handle.merge(
                    flags,
                    "t.record_id = s.record_id AND t.version = s.version"
                    " AND t.submission_id = s.submission_id AND t.written_at = s.written_at",
                    source_alias="s", target_alias="t", writer_properties=_writer(table), commit_properties=_COMMIT,
                )
                .when_matched_update(
                    {"superseded": "s.superseded"}, predicate="t.superseded IS DISTINCT FROM s.superseded"
                )
                .execute()
            )
            handle.update_incremental()
        handle.optimize.compact(target_size=COMPACT_TARGET_BYTES, writer_properties=_writer(table),
                                commit_properties=_COMMIT)
        handle.update_incremental()
        handle.create_checkpoint()
        handle.cleanup_metadata()
        after = self.snapshot(table)
        return {"version": after.version, "files_before": len(snap.files), "files_after": len(after.files)}

    def vacuum(self, *, retention_hours: int = 168) -> dict[str, int]:
        """Delete files no snapshot within `retention_hours` refers to."""
        removed = {}
        for table in TABLES:
            handle = self._table(table)
            files = handle.vacuum(retention_hours=retention_hours, dry_run=False,
                                  enforce_retention_duration=False)
            removed[table] = len(files)
        return removed

    # -- removal (retention) -----------------------------------------------------
    def compaction_lock(self, *, wait: bool = True) -> _CompactionLock:
        """The store's maintenance lock (`with store.compaction_lock() as held:`); compaction takes it too."""
        return _CompactionLock(self, wait=wait)

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

    def purge(self, table: str, *, stale: Iterable[str] = ()) -> dict[str, int]:
        """Delete at once every file and log entry only older snapshots need (no time travel before now).

        Rewritten or removed rows live on in the files the rewrite replaced and,
        through per-file statistics, in the older transaction-log entries; this
        deletes both: the files regardless of age, the log up to a fresh checkpoint.
        `stale` names files (as in `Snapshot.files`) known to be replaced: any
        the vacuum missed (a checkpoint written meanwhile hides their removal) go too.
        """
        handle = self._table(table)
        files = handle.vacuum(retention_hours=0, dry_run=False, enforce_retention_duration=False)
        current = set(self.snapshot(table).files)
        for path in stale:
            if path not in current and "://" not in path and Path(path).exists():
                Path(path).unlink()
                files.append(path)
        log_dir = Path(self.uri(table)) / "_delta_log" if "://" not in self.root else None
        before = {p.name for p in log_dir.iterdir()} if log_dir else set()
        key = "delta.logRetentionDuration"
        kept = handle.metadata().configuration.get(key, "interval 30 days")
        handle.alter.set_table_properties({key: "interval 0 seconds"}, commit_properties=_COMMIT)
        try:
            handle.create_checkpoint()
            handle.cleanup_metadata()
        finally:
            handle.alter.set_table_properties({key: kept}, commit_properties=_COMMIT)
        handle.update_incremental()
        after = {p.name for p in log_dir.iterdir()} if log_dir else set()
        return {"files_removed": len(files), "log_entries_removed": len(before - after)}

    def check(self) -> dict[str, dict]:
        """Per table: Delta version, current rows, stored versions (rows), files."""
        report = {}
        for table in TABLES:
            snap = self.snapshot(table)
            current = db.cursor().execute(f"SELECT count(*) FROM {snap.relation()}").fetchone()[0]
            report[table] = {
                "delta_version": snap.version,
                "current_rows": current,
                "stored_versions": snap.rows,
                "files": len(snap.files),
                "small_files": snap.small_files,
                "edits_awaiting_compaction": len(snap.touched),
            }
        return report


def _system(record_id: str, version: int, user: str, submission_id: str, *, deleted: bool) -> dict:
    return {
        "record_id": record_id,
        "version": version,
        "deleted": deleted,
        "written_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "written_by": user,
        "submission_id": submission_id,
        "superseded": False if version == 1 else None,
    }


class _CompactionLock:
    """An exclusive lock file in a local store; a stale one (over 10 minutes) is broken."""

    STALE_SECONDS = 600

    def __init__(self, store: Store, *, wait: bool):
        self.path = Path(store.root) / "_compaction.lock" if "://" not in store.root else None
        self.wait = wait
        self.held = False

    def __enter__(self) -> bool:
        if self.path is None:  # object storage: compaction is run from one scheduled job
            return True
        deadline = time.monotonic() + 300
        while True:
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                os.write(fd, str(os.getpid()).encode())
                os.close(fd)
                self.held = True
                return True
            except FileExistsError:
                try:
                    if time.time() - self.path.stat().st_mtime > self.STALE_SECONDS:
                        self.path.unlink(missing_ok=True)
                        continue
                except FileNotFoundError:
                    continue
                if not self.wait or time.monotonic() > deadline:
                    return False
                time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)


_submission_locks: dict[tuple[str, str], threading.Lock] = {}
_submission_locks_guard = threading.Lock()


class _submission_lock:
    """Serialise saves of one submission id within this process (a double tap)."""

    def __init__(self, table: str, submission_id: str):
        self.key = (table, submission_id)

    def __enter__(self):
        with _submission_locks_guard:
            self.lock = _submission_locks.setdefault(self.key, threading.Lock())
        self.lock.acquire()

    def __exit__(self, *exc):
        self.lock.release()
        with _submission_locks_guard:
            if not self.lock.locked():
                _submission_locks.pop(self.key, None)


def new_submission_id() -> str:
    """An id made when a form is opened; saving it twice stores one record."""
    return uuid.uuid4().hex
