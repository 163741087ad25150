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

`Store` is the one entry; its parts live by what they do: `data.snapshots` (table
handles, snapshots and read planning), `data.submissions` (the recent submission ids a
save's duplicate check reads), `data.compaction` (compaction, vacuum, the
maintenance lease, the check) and `data.purge` (retention's rewrites and purges).
Writes (save, save_many, delete, append_rows) and their commit queue are here.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import itertools
import random
import secrets
import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError
from pydantic import BaseModel

from data import db, objects, refs
from data.arrow_schema import arrow_schema, system_columns
from data.compaction import Compaction
from data.delta import CHECKED_COMMIT, COMMIT, SAVE_TIMEOUT_SECONDS, WRITER_RELOAD_VERSIONS, writer_properties
from data.purge import Purging
from data.schema import TABLES
from data.snapshots import (
    IndexedFile,
    Reads,
    Snapshot,
    latest_versions,
    may_hold,
    next_reference,
    stored_submissions,
)
from data.submissions import RecentSubmissions


@dataclasses.dataclass(frozen=True)
class Saved:
    """What a save returns: the record it wrote (or had already written)."""

    record_id: str
    version: int
    duplicate: bool = False
    reference: str | None = None  # its short reference as shown (`data.refs`), in a table with references


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


class Store(Reads, Compaction, Purging):
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
        self._folders: dict[str, str] = {}  # table -> the local folder its data files are read from
        # table -> (the touched records, file -> positions of their rows) for `_holding`
        self._holders: dict[str, tuple[tuple[str, ...], dict[str, tuple[int, ...]]]] = {}
        self._lock = threading.Lock()
        # Writes: a handle per table used only under that table's write lock (reads move theirs
        # on at any time), the saves waiting to be committed together, and each version's files.
        self._writers: dict[str, DeltaTable] = {}
        self._writers_loaded: dict[str, int] = {}  # table -> the version its write handle was loaded at
        self._write_locks: dict[str, threading.Lock] = {table: threading.Lock() for table in TABLES}
        self._host_locks: dict[str, objects.FileLock] = {}  # table -> its commit lock (`_host_lock`)
        self._queues: dict[str, list[_Pending]] = {table: [] for table in TABLES}
        self._indexes: dict[str, tuple[int, tuple[IndexedFile, ...]]] = {}
        self._recent = {table: RecentSubmissions() for table in TABLES}  # each table's recent submission ids
        # table -> how many times its Delta log was read to load or bring forward a handle (a save reads it once)
        self.log_reads: collections.Counter[str] = collections.Counter()
        self._leases: weakref.WeakSet[objects.Lease] = weakref.WeakSet()  # maintenance leases taken through it

    def find_submission(self, table: str, submission_id: str) -> Saved | None:
        """The save an earlier use of this submission id made (a double tap), if any.

        A save makes this check itself; a form asks first where a repeat would fail its own checks (the
        record it adds exists by then, the event it completes is completed).
        """
        if not isinstance(submission_id, str) or not submission_id:
            return None
        found = self._stored(table, self._index(table, self._table(table)), [submission_id])
        return _saved(table, found[submission_id], duplicate=True) if submission_id in found else None

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
                stored = self._stored(table, index, [sid for p in waiting for sid in p.submission_ids])
                latest = latest_versions(index, {r.record_id for p in waiting for r in p.rows if r.record_id})
                now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                # Numbered on this version only: a commit refused because someone committed first numbers again.
                number = next_reference(index) if table in refs.PREFIXES else None
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
                        write_deltalake(handle, data, mode="append", writer_properties=writer_properties(table),
                                        commit_properties=CHECKED_COMMIT, schema_mode="merge")
                    except CommitFailedError:
                        # Someone committed first: nothing of ours landed. Check everything again.
                        if time.monotonic() > deadline:
                            raise TimeoutError(f"the {table} table was too busy to save to for"
                                               f" {SAVE_TIMEOUT_SECONDS:.0f} s; nothing was saved") from None
                        attempt += 1
                        time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))
                        continue
                    # Numbered on its version, the table's index is ready for the next save (unless one lands first).
                    self._recent[table].committed(index, self._index(table, handle), out)
                    for pending in accepted:
                        pending.finish([_saved(table, (r["record_id"], r["version"], r["reference"])) for r in out
                                        if r["submission_id"] in pending.submission_ids])
                waiting = later
        except BaseException as error:
            for pending in batch:
                if not pending.done:
                    pending.fail(error)

    def _stored(self, table: str, index: tuple[IndexedFile, ...],
                submission_ids: list[str]) -> dict[str, tuple[str, int, int | None]]:
        """Submission id -> (record id, version, reference number) for those of `submission_ids` stored in the
        table version whose files `index` lists: from the recent submissions' index (`data.submissions`), and
        for the ids it cannot answer for (older, or not made by `new_submission_id`), from the files."""
        found, unknown = self._recent[table].find(index, submission_ids)
        return found | stored_submissions(index, unknown) if unknown else found

    def _host_lock(self, table: str) -> contextlib.AbstractContextManager[None]:
        """Take turns with this machine's other processes to commit to `table` (`objects.FileLock`).

        Writers on one machine that raced each other would mostly lose: every lost race costs a
        Parquet file written for nothing, a reread of the log and a pause. Taking turns, each
        commit lands at once. The lock goes with its process however that ends. Writers on other
        machines still race, and the checked commit keeps that safe. Held under the table's
        write lock, so one thread per process uses the table's lock file at a time.
        """
        lock = self._host_locks.get(table)
        if lock is None:
            folder = Path(self.root) if self.remote is None else self.cache.directory
            lock = self._host_locks[table] = objects.FileLock(folder / f"_commit.{table}.lock")
        return lock.held()

    def _writer(self, table: str) -> DeltaTable:
        """The table's write handle at its latest version (used only under the table's write lock).

        A handle brought forward one version at a time gets slower with every update (on a table of
        2,000 files, a commit and a file listing took 8 times as long after 2,000 updates as on a
        handle just loaded), so once it has moved `WRITER_RELOAD_VERSIONS` on it is loaded afresh instead.
        Either way the log is read once (`log_reads`).
        """
        handle = self._writers.get(table)
        if handle is not None and handle.version() - self._writers_loaded[table] < WRITER_RELOAD_VERSIONS:
            self._refresh(table, handle)
            return handle
        handle = self._writers[table] = self._load(table)
        self._writers_loaded[table] = handle.version()
        return handle

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
        incoming = {"incoming": data.select(["record_id", "version"])}
        twice = db.scalar("SELECT count(*) FROM (SELECT record_id, version FROM incoming"
                          " GROUP BY ALL HAVING count(*) > 1)", tables=incoming)
        if twice:
            raise DuplicateVersions(table, twice, "among the rows given")
        deadline = time.monotonic() + SAVE_TIMEOUT_SECONDS
        with self._write_locks[table], self._host_lock(table):
            for attempt in itertools.count():
                handle = self._writer(table)
                index = self._index(table, handle)
                files = [f.path for f in index]
                if files:
                    clash = db.scalar(f"SELECT count(*) FROM {db.parquet_scan(files)} t"
                                      " JOIN incoming i USING (record_id, version)", tables=incoming)
                    if clash:
                        raise DuplicateVersions(table, clash, "already stored")
                try:  # numbered on this version: if someone commits first, numbered again on theirs
                    write_deltalake(handle, self._numbered(table, data, index), mode="append",
                                    writer_properties=writer_properties(table), commit_properties=CHECKED_COMMIT,
                                    schema_mode="merge")
                    return data.num_rows
                except CommitFailedError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"the {table} table was too busy to import into for"
                                           f" {SAVE_TIMEOUT_SECONDS:.0f} s; nothing was imported") from None
                    time.sleep(random.uniform(0, min(0.5, 0.01 * 2 ** min(attempt, 6))))
        raise AssertionError("unreachable")

    def _numbered(self, table: str, data: pa.Table, index: tuple[IndexedFile, ...]) -> pa.Table:
        """The rows with a reference number on each row of a table with references that has none.

        A record keeps the number it has (on another of the rows, or stored: looked up for a later
        version, or for a first version marked replaced); the others take the table's next numbers, at the
        version `index` lists, in the order of the rows.
        """
        if table not in refs.PREFIXES or data.num_rows == 0 or data.column("reference").null_count == 0:
            return data
        position = data.schema.get_field_index("reference")
        first = pc.and_(pc.equal(data.column("version"), 1), pc.invert(pc.fill_null(data.column("superseded"), False)))
        number = next_reference(index)
        if data.column("reference").null_count == data.num_rows and pc.all(first).as_py():  # new records only
            return data.set_column(position, "reference",
                                   pa.array(range(number, number + data.num_rows), type=pa.int64()))
        ids, given = data.column("record_id").to_pylist(), data.column("reference").to_pylist()
        known = {rid: n for rid, n in zip(ids, given, strict=True) if n is not None}
        look = {rid for rid, n, new in zip(ids, given, first.to_pylist(), strict=True)
                if n is None and not new and rid not in known}
        files = [f.path for f in index if may_hold(f.records, look)
                 and "reference" in {name for name, _ in db.columns_of(f.path)}] if look else []
        if files:
            known.update(db.rows(
                f"SELECT record_id, max(reference) FROM {db.parquet_scan(files)} WHERE reference IS NOT NULL"
                " AND record_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY record_id", [sorted(look)]))
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
                    writer_properties=writer_properties(table), commit_properties=COMMIT,
                    schema_mode="merge" if mode == "append" else None,
                )
                return
            except CommitFailedError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))


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
            reference = refs.number(current.get("reference"))
            fields = TABLES[table].model_fields
            row = dict(self.values) if not self.delete else {k: v for k, v in current.items() if k in fields}
        row.update(system_columns(record_id=record_id, version=version, deleted=self.delete, written_at=now,
                                  written_by=user, submission_id=submission_id, reference=reference))
        return row


def _saved(table: str, stored: tuple[str, int, int | None], *, duplicate: bool = False) -> Saved:
    """What a save returns, from the (record id, version, reference number) it stored."""
    record_id, version, number = stored
    return Saved(record_id, int(version), duplicate=duplicate, reference=refs.label(table, refs.number(number)))


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


def new_submission_id() -> str:
    """An id made when a form is opened; saving it twice stores one record.

    A UUID version 7 (RFC 9562) in hex: the time the form opened, in milliseconds,
    then 74 random bits. The time lets a save look for an earlier use of the id
    in its index of recent submission ids only (`data.submissions`).
    """
    millis = time.time_ns() // 1_000_000
    rand_a, rand_b = secrets.randbits(12), secrets.randbits(62)
    return f"{millis << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b:032x}"
