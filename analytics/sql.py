"""The one place `analytics/` runs SQL: every statement, its timing, its trace and the read cache.

`run(sql, params)` returns a DataFrame (values always bound as parameters);
`rows`, `one` and `arrow` return the same statement's result as tuples, one
tuple or an Arrow table. `run_many` runs independent statements side by side,
each on its own cursor, so DuckDB keeps both cores busy; `later` starts any
function on the same pool.

Every statement is timed. Inside `with trace() as statements:` each one run
anywhere in the process is collected as a `Statement` (sql, params,
milliseconds); with `BEATBOOK_TRACE_SQL=1` in the environment each one is
logged with its time through the `beatbook.sql` logger.

`cached` keeps a dashboard read's result in a small in-process LRU cache keyed
on the builder, the store, the (already scoped) filters, the versions of the
tables it reads and any extra key (the user, for a per-user result), so a save
shows on the very next call and unchanged data is not recomputed; results come
back as copies. `set_cache_enabled(False)` turns it off (the benchmark measures
uncached query cost). `scoped(capability)` marks a public read that checks the
acting user's capability and narrows its filters to the user's area before
any SQL is built.

`additive(relation, statement, keys=...)` works out a sum over a table (counts
and sums grouped by `keys`) part by part, one part per data file, and keeps
each file's part: data files never change, so an all-time view is read once
per file and, after a save, only the latest saves' part is read again. These
kept parts are the summary tables of the dashboards, kept per file.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import dataclasses
import datetime as dt
import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import pandas as pd
import pyarrow as pa

from analytics.filters import Filters, and_, within_scope
from data import access, db
from data.snapshots import Part, Snapshot
from data.store import Store

CACHE_SIZE = 64
PARTS_SIZE = 8192  # kept parts of additive statements (each a few rows: one per group of one file)
TRACE_ENV = "BEATBOOK_TRACE_SQL"

Query = tuple[str, Sequence[Any]]
Read = TypeVar("Read", bound=Callable[..., Any])

_log = logging.getLogger("beatbook.sql")


# -- timing and trace -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Statement:
    """One statement as it ran: its text, its parameters and its wall time."""

    sql: str
    params: tuple[Any, ...]
    ms: float


_traces: list[list[Statement]] = []
_traces_lock = threading.Lock()


@contextlib.contextmanager
def trace() -> Iterator[list[Statement]]:
    """Collect every statement run (on any thread) while the block is open, in the order they finished."""
    statements: list[Statement] = []
    with _traces_lock:
        _traces.append(statements)
    try:
        yield statements
    finally:
        with _traces_lock:
            _traces.remove(statements)


def _record(sql: str, params: Sequence[Any], began: float) -> None:
    ms = (time.perf_counter() - began) * 1000
    if _traces:
        statement = Statement(sql, tuple(params), ms)
        with _traces_lock:
            for statements in _traces:
                statements.append(statement)
    if os.environ.get(TRACE_ENV, "") not in ("", "0"):
        if not _log.hasHandlers():
            _log.addHandler(logging.StreamHandler())
        _log.setLevel(logging.INFO)
        _log.info("%.1f ms  %s  %r", ms, " ".join(sql.split()), list(params))


def _timed(sql: str, params: Sequence[Any], fetch: Callable[..., Any]) -> Any:
    """`fetch(sql, params)` (one of `data.db`'s runners, each on a fresh cursor), timed and traced."""
    began = time.perf_counter()
    try:
        return fetch(sql, list(params))
    finally:
        _record(sql, params, began)


# -- running SQL ------------------------------------------------------------------


def run(sql: str, params: Sequence[Any] = (), *, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The statement's result as a DataFrame (`tables`: frames it reads by name)."""
    return _timed(sql, params, functools.partial(db.run, tables=tables) if tables else db.run)


def rows(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    """The statement's result as a list of tuples."""
    return _timed(sql, params, db.rows)


def one(sql: str, params: Sequence[Any] = ()) -> tuple | None:
    """The statement's first row (None when it returns none)."""
    return _timed(sql, params, db.row)


def arrow(sql: str, params: Sequence[Any] = ()) -> pa.Table:
    """The statement's result as an Arrow table."""
    return _timed(sql, params, db.arrow)


_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="beatbook-query")


def run_many(*queries: Query) -> list[pd.DataFrame]:
    """Run independent (sql, params) statements side by side, each on its own cursor."""
    return [f.result() for f in submit(*queries)]


def submit(*queries: Query) -> list[Future]:
    """Start independent (sql, params) statements side by side; collect each with `.result()`."""
    return [_pool.submit(run, sql, params) for sql, params in queries]


def later(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
    """Start `function` on the query pool (beside a page's other statements)."""
    return _pool.submit(function, *args, **kwargs)


def latest_from(days: pd.DataFrame, rows: int, *, day: str = "day", count: str = "n") -> dt.datetime | None:
    """The start of the latest day from which on `days` (one row per day and its row count) holds
    at least `rows` rows; None when all the days together hold fewer.

    The latest `rows` rows by a timestamp all fall on or after that day, so a "latest rows"
    query can add `timestamp >= cutoff`: its scan then skips the older row groups by their
    statistics and sorts a few hundred rows instead of every row in the range.
    """
    if days.empty:
        return None
    ordered = days.sort_values(day, ascending=False)
    reached = ordered[count].cumsum().to_numpy() >= rows
    if not reached.any():
        return None
    first = ordered[day].iloc[int(reached.argmax())]
    return dt.datetime.combine(pd.Timestamp(first).date(), dt.time())


def latest_rows(relation: str, where: str, params: Sequence[Any], *, column: str, rows: int,
                sql: Callable[[str], str]) -> tuple[pd.DataFrame, int]:
    """Run a "latest `rows` rows by `column`" query, `sql(condition)`, on only the days those rows fall on;
    return its result and how many rows match `where` in all (the sum of the day counts).

    A first statement counts the rows matching `where` by day (reading `column` alone); the query
    then runs with `where AND column >= cutoff` (`latest_from`), so it skips older row groups by
    their statistics and sorts a few hundred rows instead of every row in the range. `column`
    comes from the caller's code, never from input.
    """
    days = additive(relation, lambda rel: (
        f"SELECT CAST({column} AS DATE) AS day, count(*) AS n FROM {rel} WHERE {where} GROUP BY day", params),
        keys=["day"], rows="n")
    total = int(days["n"].sum())
    cutoff = latest_from(days, rows)
    if cutoff is None:
        return run(sql(where), params), total
    return run(sql(and_(where, f"{column} >= ?")), [*params, cutoff]), total


# -- sums worked out file by file -----------------------------------------------------


class Relation(str):
    """SQL text for a table's current rows (what `cached` hands a builder), which also knows the
    snapshot it reads, so `additive` can read it part by part."""

    snapshot: Snapshot

    def __new__(cls, snapshot: Snapshot) -> Relation:
        made = super().__new__(cls, snapshot.relation())
        made.snapshot = snapshot
        return made


_parts: collections.OrderedDict[Query, pd.DataFrame] = collections.OrderedDict()


def additive(relation: str, statement: Callable[[str], Query], *, keys: Sequence[str] = (),
             rows: str | None = None) -> pd.DataFrame:
    """`statement(relation)`'s result, worked out part by part (`Snapshot.parts`) and added up.

    `statement(rel)` gives (sql, params) for one aggregate over `rel` grouped by `keys` (none:
    one row), whose other columns are sums: counts, counts with FILTER, sums of values. Such a sum
    over a table is the sum of its parts' sums, and taking away rows takes away their sums. Each
    part that names its files for good is kept (keyed by its SQL text and parameters, which
    name them), so the next call reads only the parts that changed: after a save, the recent
    files. `rows` names the column counting a group's rows: a group whose rows all went (an
    edit moved them elsewhere) is left out, as the statement over the whole table leaves it out.
    """
    parts = relation.snapshot.parts() if isinstance(relation, Relation) else (Part(relation, None),)
    queries = [statement(part.relation) for part in parts]
    entries = [(text, _frozen(params)) for text, params in queries]
    frames: list[pd.DataFrame | None] = [None] * len(parts)
    with _cache_lock:
        for n, (part, entry) in enumerate(zip(parts, entries, strict=True)):
            if part.key is not None and entry in _parts:
                _parts.move_to_end(entry)
                frames[n] = _parts[entry]
    for n, (part, entry, query) in enumerate(zip(parts, entries, queries, strict=True)):
        if frames[n] is None:
            frames[n] = run(*query)
            if part.key is not None:
                with _cache_lock:
                    _parts[entry] = frames[n]
                    while len(_parts) > PARTS_SIZE:
                        _parts.popitem(last=False)
    return _added(frames, [p.sign for p in parts], keys=list(keys), rows=rows)


def over(template: str, params: Sequence[Any]) -> Callable[[str], Query]:
    """An `additive` statement from SQL text naming its relation `{rel}` (each part's, in turn)."""
    return lambda relation: (template.replace("{rel}", relation), params)


def _frozen(value: Any) -> Any:
    """A parameter list as a key: lists (a bound list parameter) as tuples."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def _added(frames: list[pd.DataFrame], signs: list[int], *, keys: list[str], rows: str | None) -> pd.DataFrame:
    """The parts' results summed by `keys` (each part's sums taken with its sign)."""
    first = frames[0]
    measures = [c for c in first.columns if c not in keys]
    whole = {m for m in measures if all(pd.api.types.is_integer_dtype(f[m]) or pd.api.types.is_bool_dtype(f[m])
                                        or f[m].isna().all() for f in frames)}
    signed = [f.assign(**{m: f[m].fillna(0) * sign for m in measures}) if sign != 1 or f[measures].isna().any().any()
              else f for f, sign in zip(frames, signs, strict=True)]
    together = pd.concat(signed, ignore_index=True) if len(signed) > 1 else signed[0].copy()
    if keys:
        total = together.groupby(keys, dropna=False, sort=False)[measures].sum(min_count=0).reset_index()
        if rows is not None:
            total = total[total[rows] != 0].reset_index(drop=True)
    else:
        total = together[measures].fillna(0).sum().to_frame().T
    return total.astype({m: "int64" for m in whole})


def clear_parts() -> None:
    """Forget every kept part (`additive`): the next call reads every file again."""
    with _cache_lock:
        _parts.clear()


# -- access and scope ---------------------------------------------------------------


def scoped(capability: str) -> Callable[[Read], Read]:
    """Mark a read `(store, filters=None, *, user, ...)` as needing `capability`: the user is checked and
    the filters narrowed to the user's area (`within_scope`) before the read runs, so a team role never
    reads another area whatever the page or the URL asked for. The read keeps its signature; its
    `.capability` says what it needs."""

    def decorate(read: Read) -> Read:
        @functools.wraps(read)
        def checked(store: Store, filters: Filters | None = None, *args: Any, user: Mapping[str, Any],
                    **kwargs: Any) -> Any:
            access.require(user, capability)
            return read(store, within_scope(filters or Filters(), user), *args, user=user, **kwargs)

        checked.capability = capability  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


# -- the read cache -----------------------------------------------------------------

_cache: collections.OrderedDict[tuple, Any] = collections.OrderedDict()
_cache_lock = threading.Lock()
_cache_enabled = True


def set_cache_enabled(enabled: bool) -> None:
    """Turn the read cache on or off (off: every call runs its SQL)."""
    global _cache_enabled
    _cache_enabled = enabled
    if not enabled:
        clear_cache()


def clear_cache() -> None:
    """Forget every cached result."""
    with _cache_lock:
        _cache.clear()


def cached(build: Callable[..., Any], store: Store, filters: Filters | None, *, tables: Sequence[str],
           key: tuple = (), **options: Any) -> Any:
    """`build(relations, filters, **options)` over the current snapshots of `tables`, cached on (builder,
    store, filters, the tables' versions, `options`, `key`); a copy of the result. `key` holds whatever
    else scopes the result (the user, for a per-user read)."""
    filters = filters or Filters()
    snaps = [store.snapshot(t) for t in tables]
    relations = {s.table: Relation(s) for s in snaps}
    if not _cache_enabled:
        return build(relations, filters, **options)
    entry = (build.__module__, build.__qualname__, store.root, filters, tuple(s.version for s in snaps),
             tuple(sorted(options.items())), key)
    with _cache_lock:
        if entry in _cache:
            _cache.move_to_end(entry)
            return copy.deepcopy(_cache[entry])
    result = build(relations, filters, **options)
    with _cache_lock:
        _cache[entry] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return copy.deepcopy(result)
