"""Snapshots and read planning: which Parquet files hold a table's current rows, and how to read them.

A `Snapshot` is one version of one table: its files, the records edited or withdrawn since the
last compaction (`touched`), and where their rows are, so `Snapshot.relation()` reads the
current rows with one filter and de-duplicates only what it must. The file index (`IndexedFile`)
is what the Delta log says of each file's rows; the store's checks before a commit (an earlier
save of a submission, a record's latest version, the next reference number) read through it
only the files that may hold what they look for.
"""

from __future__ import annotations

import atexit
import collections
import dataclasses
import datetime as dt
import functools
import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from data import db, objects, refs
from data.arrow_schema import arrow_schema, stats_columns
from data.delta import SMALL_FILE_ROWS, STATS_COLUMNS, WRITER_RELOAD_VERSIONS
from data.schema import TABLES

# A submission's first save is never written before its form opened; this allows for the
# clocks of different app servers disagreeing.
CLOCK_SKEW = dt.timedelta(hours=6)
CURRENT = "superseded IS NOT TRUE AND NOT deleted"
GATHER_AT = 8  # small files from which on a snapshot reads them from one local copy
GATHERED_KEPT_FOR = 600.0  # seconds a replaced local copy is kept (a statement planned on it may still read it)


@functools.lru_cache(maxsize=1)
def _scratch() -> Path:
    """This process's folder for local copies of recent rows (removed when the process ends)."""
    folder = Path(tempfile.mkdtemp(prefix="beatbook-recent-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


ROWS_KEPT = 20_000  # small files whose rows this process keeps in memory for the local copies
_rows: collections.OrderedDict[str, pa.Table] = collections.OrderedDict()
_rows_lock = threading.Lock()


def _file_rows(path: str) -> pa.Table:
    """One data file's rows (a file never changes, so each is read once while it is in its table)."""
    with _rows_lock:
        if path in _rows:
            _rows.move_to_end(path)
            return _rows[path]
    rows = pq.read_table(path)
    with _rows_lock:
        _rows[path] = rows
        while len(_rows) > ROWS_KEPT:
            _rows.popitem(last=False)
    return rows


def _forget_rows(folder: str, keep: Iterable[str]) -> None:
    """Drop the kept rows of the files under `folder` (one table's) that are no longer among `keep`, its files
    now: rows that compaction, retention or a purge has rewritten leave this process's memory too."""
    keep = set(keep)
    with _rows_lock:
        for path in [p for p in _rows if p.startswith(folder) and p not in keep]:
            del _rows[path]


_copies: dict[str, tuple[int, str | None]] = {}  # a table's copies by name -> (version, the one its latest reads)
_retired: dict[str, float] = {}  # local copies no new statement will read -> when they were replaced
_copies_lock = threading.Lock()


def _copy_name(root: str, table: str, kind: str) -> str:
    """The name of a store table's local copies of one kind ("recent" or "small"), whichever `Store` makes them."""
    return hashlib.sha256(f"{root}\0{table}\0{kind}".encode()).hexdigest()[:16]


def _use_copy(name: str, version: int, copy: str | None) -> None:
    """Note that the snapshot of `version` reads `copy` (None: no copy) for `name`. The copy it replaces is
    retired, as is a copy made late for an older version than the latest noted: each goes
    `GATHERED_KEPT_FOR` seconds later (`_sweep`)."""
    now = time.monotonic()
    with _copies_lock:
        was = _copies.get(name)
        if was is not None and was[0] > version:
            if copy is not None and copy != was[1]:
                _retired.setdefault(copy, now)
            return
        _copies[name] = (version, copy)
        if was is not None and was[1] not in (None, copy):
            _retired.setdefault(was[1], now)


def _sweep() -> None:
    """Delete the local copies retired `GATHERED_KEPT_FOR` seconds ago or more (a statement planned on one
    a moment before it was retired has finished by then): rows that compaction, retention or a purge has
    rewritten do not stay in the scratch folder."""
    cutoff = time.monotonic() - GATHERED_KEPT_FOR
    with _copies_lock:
        due = [path for path, at in _retired.items() if at <= cutoff]
        for path in due:
            del _retired[path]
    for path in due:
        Path(path).unlink(missing_ok=True)


def kept_rows() -> tuple[str, ...]:
    """The files whose rows this process holds (for tests and the operator)."""
    with _rows_lock:
        return tuple(_rows)


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
    recent_rows: str | None = None  # the recent files' rows in one local file (`Reads._gather`), if made
    # the small files read with the filter only (the saves of new records), in one local file, if made
    gathered: str | None = None
    gathered_files: tuple[str, ...] = ()

    def relation(self) -> str:
        """SQL text for the current rows of this snapshot (a subquery)."""
        if not self.live_files:
            return f"(SELECT * FROM {_empty_relation(self.table)})"
        if self.missing:  # every file predates a column: read it as empty, as Delta readers do
            schema = arrow_schema(self.table)
            extra = ", ".join(f"CAST(NULL AS {_duck_type(schema.field(c).type)}) AS {c}" for c in self.missing)
            return f"(SELECT *, {extra} FROM {dataclasses.replace(self, missing=()).relation()})"
        # A touched record's latest version is always one of its NULL rows (an edit is written
        # after every version compaction has marked), and NULL rows live only in the recent
        # files: so the touched records are de-duplicated from the recent files alone. Their other
        # rows are left out by position in the few files holding them (no record id is read), and
        # every other file is read with the filter only (the many small ones from their local copy).
        parts = [f"SELECT * FROM {rel}" for rel, _ in self._pieces()]
        parts += [f"SELECT * FROM {_held_rows(path, rows, taken=False)}" for path, rows in self.holding
                  if rows is not None]
        if len(parts) == 1:
            return f"({parts[0]})"
        return "(" + " UNION ALL BY NAME ".join(parts) + ")"

    def _pieces(self) -> list[tuple[str, tuple]]:
        """(relation, key) of each piece read as it is: the small files' local copy, the other files with no
        row of a touched record, and the recent part (de-duplicated). Files holding touched records' older
        rows are not among them: `relation` leaves those rows out, `parts` takes them away."""
        held = dict(self.holding)
        gathered = set(self.gathered_files)
        out: list[tuple[str, tuple]] = []
        if self.gathered:
            out.append((_current(_scan(self.gathered_files, self.gathered)), ("gathered", self.gathered_files)))
        clean = tuple(f for f in self.live_files if f not in held and f not in gathered)
        if clean:
            out.append((_current(db.parquet_scan(clean)), ("files", clean)))
        if self.touched:
            out.append((f"(SELECT * FROM (SELECT * FROM {_scan(self.recent, self.recent_rows)} WHERE superseded IS NULL"
                        f" QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY version DESC, written_at DESC)"
                        f" = 1) WHERE NOT deleted)", ("recent", self.recent)))
        return out

    def parts(self) -> tuple[Part, ...]:
        """The current rows as parts whose signed row sets add up to `relation()`'s: what a sum over
        the table can be worked out from part by part, keeping each file's part for good.

        One part per large data file with no row of a touched record (its current rows never
        change: files are immutable); for a file holding touched records' older rows, the file's
        part and, taken away, those rows; the small files' rows (from their local copy); and the
        recent files' latest versions. The last two change with every save. A snapshot of files
        from before a column was added is one part.
        """
        if not self.live_files or self.missing:
            return (Part(self.relation(), None),)
        out = []
        for relation, key in self._pieces():
            if key[0] == "files":  # each large file a part of its own, kept for good
                out += [Part(_current(db.parquet_scan((f,))), ("file", f)) for f in key[1]]
            else:
                out.append(Part(relation, key))
        for path, rows in self.holding:
            if rows is not None:
                out += [Part(_current(db.parquet_scan((path,))), ("file", path)),
                        Part(_held_rows(path, rows, taken=True), ("rows", path, rows), -1)]
        return tuple(out)


def _current(scan: str) -> str:
    """The current rows of a scan whose rows are marked (read with the filter only)."""
    return f"(SELECT * FROM {scan} WHERE {CURRENT})"


def _scan(files: tuple[str, ...], copy: str | None) -> str:
    """A scan of these files' rows, from their one local copy where there is one (`Reads._gather`)."""
    return db.parquet_scan((copy,) if copy else files)


def _held_rows(path: str, rows: tuple[int, ...], *, taken: bool) -> str:
    """A file holding touched records' older rows (at `rows`): its current rows but those (`taken`: only those)."""
    return (f"(SELECT * EXCLUDE (file_row_number) FROM read_parquet({db.sql_string(path)}, file_row_number=true)"
            f" WHERE {CURRENT} AND file_row_number {'IN' if taken else 'NOT IN'}"
            f" (SELECT unnest({_listed(rows)}::BIGINT[])))")


def _listed(rows: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(r) for r in rows) + "]"


class Part(NamedTuple):
    """Part of a snapshot's current rows (`Snapshot.parts`): SQL text for them, what identifies them for
    good (None: nothing does), and whether they are added (1) or taken away (-1)."""

    relation: str
    key: tuple | None
    sign: int = 1


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


class Reads:
    """The store's table handles and reads (part of `data.store.Store`)."""

    root: str
    storage_options: dict[str, str] | None
    remote: objects.Remote | None
    cache: objects.FileCache | None
    _lock: threading.Lock
    _tables: dict[str, DeltaTable]
    _tables_loaded: dict[str, int]
    _snapshots: dict[tuple[str, int], Snapshot]
    _folders: dict[str, str]
    _holders: dict[str, tuple[tuple[str, ...], dict[str, tuple[int, ...]]]]
    _indexes: dict[str, tuple[int, tuple[IndexedFile, ...]]]
    log_reads: collections.Counter[str]

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
            # As for the write handle (`Store._writer`): one moved on version by version slows down.
            if handle is None or (refresh and handle.version() - self._tables_loaded[table] >= WRITER_RELOAD_VERSIONS):
                handle = self._tables[table] = self._load(table)
                self._tables_loaded[table] = handle.version()
            elif refresh:
                self._refresh(table, handle)
            return handle

    def _load(self, table: str) -> DeltaTable:
        """A new handle on a table at its latest version (the tables are made first if need be): one read of its
        log, counted in `log_reads`."""
        self.log_reads[table] += 1
        try:
            return DeltaTable(self.uri(table), storage_options=self.storage_options)
        except TableNotFoundError:
            self.create()
            return DeltaTable(self.uri(table), storage_options=self.storage_options)

    def _refresh(self, table: str, handle: DeltaTable) -> None:
        """Bring a handle to the table's latest version: one read of its log, counted in `log_reads`."""
        self.log_reads[table] += 1
        handle.update_incremental()

    # -- reading ----------------------------------------------------------------
    def version(self, table: str) -> int:
        return self._table(table).version()

    def versions(self, tables: Iterable[str]) -> tuple[int, ...]:
        """The tables' versions: a cache key that changes on every write."""
        return tuple(self.version(t) for t in tables)

    def snapshot(self, table: str) -> Snapshot:
        _sweep()
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
        folder = self._folders.get(table)
        if files:
            folder = self._folders[table] = files[0][: len(files[0]) - len(paths[0])]
        if folder is not None:
            _forget_rows(folder, files)
        recent = tuple(f for f, n in zip(files, nulls, strict=True) if n is None or n > 0)
        small = sum(1 for n in actions.get("num_records", []) if n < SMALL_FILE_ROWS)
        # A file whose statistics say every row is superseded holds history only.
        replaced = actions.get("min.superseded", [None] * len(paths))
        live = tuple(f for f, n, low in zip(files, nulls, replaced, strict=True) if not (n == 0 and low is True))
        touched: tuple[str, ...] = ()
        recent_rows = self._gather(table, "recent", recent) if len(recent) >= GATHER_AT else None
        if recent:
            rows = db.rows(f"SELECT DISTINCT record_id FROM {_scan(recent, recent_rows)} WHERE superseded IS NULL"
                           " ORDER BY record_id")
            touched = tuple(r[0] for r in rows)
        rows_in = dict(zip(files, actions.get("num_records", []), strict=True))
        # A file whose every row is unmarked (a save's) holds only touched records: nothing to look up.
        unmarked = {f for f, n in zip(files, nulls, strict=True) if n is not None and n == rows_in[f]}
        holding = self._holding(table, touched, {f: rows_in[f] for f in live}, unmarked=unmarked)
        present = {name for f in live for name, _ in db.columns_of(f)}
        missing = tuple(n for n in arrow_schema(table).names if n not in present) if live else ()
        held = {f for f, _ in holding}
        few_rows = tuple(f for f in live if f not in held and rows_in[f] is not None and rows_in[f] < SMALL_FILE_ROWS)
        gathered = self._gather(table, "small", few_rows) if len(few_rows) >= GATHER_AT else None
        snap = Snapshot(table, version, files, recent, sum(actions.get("num_records", [])), touched, small, live,
                        holding, missing, recent_rows, gathered, few_rows if gathered else ())
        with self._lock:
            self._snapshots = {k: v for k, v in self._snapshots.items() if k[0] != table}
            self._snapshots[(table, version)] = snap
        for kind, copy in (("recent", recent_rows), ("small", gathered)):
            _use_copy(_copy_name(self.root, table, kind), version, copy)
        return snap

    def _local_files(self, table: str, paths: Iterable[str]) -> tuple[str, ...]:
        """Paths DuckDB can read for these data files of `table` (downloaded first from object storage)."""
        keys = [f"{table}/{p}" for p in paths]
        if self.cache is None:
            return tuple(f"{self.root}/{k}" for k in keys)
        local = tuple(self.cache.fetch(keys))
        self.cache.keep_only(table, keys)
        return local

    def _gather(self, table: str, kind: str, files: tuple[str, ...]) -> str:
        """The rows of these small files of a table version in one local Parquet file: between compactions
        every save is a file of its own, and a statement reading thousands of files pays for each. Each file
        is read once per process (files never change); the local file is made once per set of files."""
        folder = _scratch()
        name = _copy_name(self.root, table, kind)
        content = hashlib.sha256("\0".join(files).encode()).hexdigest()[:16]  # named by the files it holds
        path = folder / f"{name}-{content}.parquet"
        with _copies_lock:
            _retired.pop(str(path), None)  # in use again (the same files): not to be swept under this snapshot
        if not path.exists():
            tables = [_file_rows(f) for f in files]
            gathered = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
            partial = folder / f".{name}-{content}-{threading.get_ident()}.parquet"
            pq.write_table(gathered, partial, compression="zstd")
            os.replace(partial, path)
        return str(path)

    def _holding(self, table: str, touched: tuple[str, ...], sizes: Mapping[str, int | None], *,
                 unmarked: set[str] = frozenset()) -> tuple[tuple[str, tuple[int, ...] | None], ...]:
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
        unknown = [f for f in sizes if f not in known and f not in unmarked]
        if unknown:
            listed = ", ".join(db.sql_string(f) for f in unknown)
            found: dict[str, list[int]] = {f: [] for f in unknown}
            for path, row in db.rows(
                f"SELECT filename, file_row_number FROM read_parquet([{listed}], filename=true, file_row_number=true)"
                f" WHERE record_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY ALL", [list(touched)]):
                found[path].append(row)
            known.update({f: tuple(rows) for f, rows in found.items()})
            with self._lock:
                self._holders[table] = (touched, known)
        whole = unmarked | {f for f in sizes
                            if f not in unmarked and sizes[f] is not None and len(known[f]) >= sizes[f]}
        return tuple((f, None if f in whole else known[f]) for f in sizes if f in unmarked or known[f])

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
        # Only the files whose record ids (their lowest and highest, in the Delta log) may include this
        # one: between compactions every save is a file of its own, and each would otherwise be opened.
        files = [f.path for f in self._index(table, self._table(table)) if may_hold(f.records, (record_id,))]
        if not files:
            return []
        scan = db.parquet_scan(files)
        return db.records(
            f"SELECT DISTINCT ON (version) * FROM {scan} WHERE record_id = ? ORDER BY version DESC, written_at DESC",
            [record_id])

    def _index(self, table: str, handle: DeltaTable) -> tuple[IndexedFile, ...]:
        """Every data file of the handle's version (a local path) with what the Delta log says of its rows."""
        with self._lock:  # the version and its files together (a read handle moves on under this lock only)
            version = handle.version()
            known = self._indexes.get(table)
            if known is not None and known[0] == version:
                return known[1]
            actions = pa.table(handle.get_add_actions(flatten=True)) if version >= 0 else pa.table({"path": []})
        # Only the columns the checks use: a table of many files has ~70 statistics columns per file.
        paths = actions.column("path").to_pylist()

        def column(name: str) -> list:
            return actions.column(name).to_pylist() if name in actions.column_names else [None] * len(paths)

        tops, empties, counts = column("max.reference"), column("null_count.reference"), column("num_records")
        index = tuple(IndexedFile(*row) for row in zip(
            self._local_files(table, paths), column("max.written_at"),
            zip(column("min.submission_id"), column("max.submission_id"), strict=True),
            zip(column("min.record_id"), column("max.record_id"), strict=True), tops,
            [top is not None or (empty is not None and empty == count)
             for top, empty, count in zip(tops, empties, counts, strict=True)], strict=True))
        with self._lock:
            self._indexes[table] = (version, index)
        return index


class IndexedFile(NamedTuple):
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


def may_hold(bounds: tuple[str | None, str | None], ids: Iterable[str]) -> bool:
    """Whether a file whose values lie within `bounds` may hold one of `ids`.

    The Delta log's string statistics are bounds even when shortened: a minimum is cut to a
    prefix (never more than the value) and a shortened maximum is raised (never less).
    """
    low, high = bounds
    return any((low is None or low <= value) and (high is None or value <= high) for value in ids)


def stored_submissions(index: tuple[IndexedFile, ...],
                       submission_ids: list[str]) -> dict[str, tuple[str, int, int | None]]:
    """Submission id -> (record id, version, reference number) for those of `submission_ids` already stored.

    A submission id made by `new_submission_id` carries the time its form opened, and no
    save of it can be older than that: only files written since are read, and of those only
    the ones whose submission ids (their lowest and highest, in the Delta log) may include one
    of the ids (and of those, only the row groups whose Bloom filter may hold one).
    """
    if not submission_ids or not index:
        return {}
    opened = [opened_at(s) for s in submission_ids]
    since = None if any(o is None for o in opened) else min(opened) - CLOCK_SKEW
    files = [f.path for f in index if (since is None or f.latest is None or f.latest >= since)
             and may_hold(f.submissions, submission_ids)]
    if not files:
        return {}
    marks = ", ".join("?" * len(submission_ids))
    # Files from before the `reference` column lack it (all of them, in a store that has not saved since).
    numbered = any("reference" in {name for name, _ in db.columns_of(f)} for f in files)
    rows = db.rows(
        f"SELECT submission_id, record_id, version, {'reference' if numbered else 'NULL'}"
        f" FROM {db.parquet_scan(files)} WHERE submission_id IN ({marks})", list(submission_ids))
    return {sid: (rid, int(version), refs.number(number)) for sid, rid, version, number in rows}


def latest_versions(index: tuple[IndexedFile, ...], record_ids: set[str]) -> dict[str, dict]:
    """Record id -> its latest stored version (every column) for these records.

    Only files whose record ids (their lowest and highest, in the Delta log) may include one are read.
    """
    if not record_ids or not index:
        return {}
    files = [f.path for f in index if may_hold(f.records, record_ids)]
    if not files:
        return {}
    marks = ", ".join("?" * len(record_ids))
    rows = db.records(
        f"SELECT * FROM {db.parquet_scan(files)} WHERE record_id IN ({marks})"
        f" QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY version DESC, written_at DESC) = 1",
        sorted(record_ids))
    return {row["record_id"]: row for row in rows}


def next_reference(index: tuple[IndexedFile, ...]) -> int:
    """The next reference number of a table at the version `index` lists: its highest so far plus one.

    The Delta log's statistics give each file's highest; a file whose statistics do not say (written
    before the column was counted) is read once, by its Parquet footer.
    """
    top = 0
    for entry in index:
        known = entry.top_reference if entry.numbered else _file_top_reference(entry.path)
        top = max(top, int(known or 0))
    return top + 1


def opened_at(submission_id: str) -> dt.datetime | None:
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
