"""Named read queries: what each dashboard page shows, as plain Python values.

Each public function takes the store and a `Filters`, reads the tables'
current snapshots once, runs its SQL (values always bound as parameters, the
store's relation text and allow-listed identifiers formatted in) and returns
dicts, DataFrames or a dataclass of them. A page calls one function and
renders what it gets.

Results are kept in a small in-process LRU cache keyed on the function, the
store, the filters and the versions of the tables it reads, so a save shows on
the very next call and unchanged data is not recomputed. `set_cache_enabled`
turns the cache off (the benchmark measures uncached query cost).

Speed: a page's figures come from as few scans as possible (one grouped
aggregation per table at the coarsest grain that still answers every chart,
rolled up in small DataFrames), list columns are unnested only where a figure
needs it, and a page's independent queries run side by side on their own
cursors so DuckDB keeps both cores busy. Tables of the latest rows read only
the days those rows fall on (`_latest_rows`: a count by day first, then the
sorted query bounded by it), not every row in the range.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import datetime as dt
import functools
import inspect
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pandas as pd

from analytics.filters import Filters, where_clause, within_scope
from analytics.metrics import CCR_COUNTS, COMPLETED, EVENT_SUMS, YSYWD_COUNTS, select_list
from data import access, db
from data.store import Store

LATEST_EVENTS = 200
TOP_ISSUES = 5
CACHE_SIZE = 64

# -- cache ----------------------------------------------------------------------

_cache: collections.OrderedDict[tuple, Any] = collections.OrderedDict()
_cache_lock = threading.Lock()
_cache_enabled = True


def set_cache_enabled(enabled: bool) -> None:
    """Turn the query cache on or off (off: every call runs its SQL)."""
    global _cache_enabled
    _cache_enabled = enabled
    if not enabled:
        clear_cache()


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _cached(*tables: str, capability: str | None = "read_aggregates") -> Callable:
    """Cache a query on (name, store, filters, versions of `tables`); results come back as copies.

    The query becomes `query(store, filters=None, *, user)`: the acting user must have `capability`,
    and the filters are narrowed to the user's area scope (`within_scope`) before the SQL is built, so
    a team role never reads another area whatever the page or the URL asked for. `capability=None`
    marks an operator query (the command line's summary), which takes no user.
    """

    def decorate(query: Callable[[dict[str, str], Filters], Any]) -> Callable[..., Any]:
        def cached(store: Store, filters: Filters) -> Any:
            snaps = [store.snapshot(t) for t in tables]
            relations = {s.table: s.relation() for s in snaps}
            if not _cache_enabled:
                return query(relations, filters)
            key = (query.__name__, store.root, filters, tuple(s.version for s in snaps))
            with _cache_lock:
                if key in _cache:
                    _cache.move_to_end(key)
                    return copy.deepcopy(_cache[key])
            result = query(relations, filters)
            with _cache_lock:
                _cache[key] = result
                while len(_cache) > CACHE_SIZE:
                    _cache.popitem(last=False)
            return copy.deepcopy(result)

        if capability is None:
            @functools.wraps(query)
            def run(store: Store, filters: Filters | None = None) -> Any:
                return cached(store, filters or Filters())
        else:
            @functools.wraps(query)
            def run(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> Any:
                access.require(user, capability)
                return cached(store, within_scope(filters or Filters(), user))

        parameters = [
            inspect.Parameter("store", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Store),
            inspect.Parameter("filters", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                              annotation=Filters | None),
        ]
        if capability is not None:
            parameters.append(inspect.Parameter("user", inspect.Parameter.KEYWORD_ONLY, annotation=Mapping[str, Any]))
        run.__signature__ = inspect.Signature(parameters, return_annotation=inspect.signature(query).return_annotation)
        run.capability = capability
        return run

    return decorate


# -- running SQL ----------------------------------------------------------------

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="beatbook-query")


def _frame(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    return db.cursor().execute(sql, list(params)).df()


def _frames(*queries: tuple[str, Sequence[Any]]) -> list[pd.DataFrame]:
    """Run independent queries side by side, each on its own cursor."""
    return [f.result() for f in _submit(*queries)]


def _submit(*queries: tuple[str, Sequence[Any]]) -> list[Future]:
    """Start independent queries side by side, each on its own cursor; collect with `.result()`."""
    return [_pool.submit(_frame, sql, params) for sql, params in queries]


def _latest_from(days: pd.DataFrame, rows: int, *, day: str = "day", count: str = "n") -> dt.datetime | None:
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


def _latest_rows(relation: str, where: str, params: Sequence[Any], *, column: str, rows: int,
                 sql: Callable[[str], str]) -> tuple[pd.DataFrame, int]:
    """Run a "latest `rows` rows by `column`" query, `sql(condition)`, on only the days those rows fall on;
    return its result and how many rows match `where` in all (the sum of the day counts).

    A first statement counts the rows matching `where` by day (reading `column` alone); the query
    then runs with `where AND column >= cutoff` (`_latest_from`), so it skips older row groups by
    their statistics and sorts a few hundred rows instead of every row in the range. `column`
    comes from the caller's code, never from input.
    """
    days = _frame(f"SELECT CAST({column} AS DATE) AS day, count(*) AS n FROM {relation} WHERE {where} GROUP BY day",
                  params)
    total = int(days["n"].sum())
    cutoff = _latest_from(days, rows)
    if cutoff is None:
        return _frame(sql(where), params), total
    return _frame(sql(_and(where, f"{column} >= ?")), [*params, cutoff]), total


def _later(run: Callable[..., pd.DataFrame], *args: Any, **kwargs: Any) -> Future:
    """Start `run` on the query pool (beside a page's other statements)."""
    return _pool.submit(run, *args, **kwargs)


def _and(condition: str, extra: str) -> str:
    return extra if condition == "TRUE" else f"{condition} AND {extra}"


# -- shared pieces --------------------------------------------------------------


def _distinct_officers_sql(events: str, filters: Filters) -> tuple[str, list]:
    where, params = where_clause(filters, table="events")
    return (
        "SELECT count(DISTINCT officer) AS distinct_officers FROM"
        f" (SELECT unnest(officers_attending) AS officer FROM {events}"
        f" WHERE {_and(where, COMPLETED)})",
        params,
    )


def _top_issues_sql(relations: dict[str, str], filters: Filters, *, limit: int,
                    include_events: bool = True) -> tuple[str, list]:
    parts, params = [], []
    if include_events:
        where, p = where_clause(filters, table="events")
        parts.append(f"SELECT unnest(issues) AS issue FROM {relations['events']}"
                     f" WHERE {_and(where, COMPLETED)}")
        params += p
    where, p = where_clause(filters, table="ccrs")
    parts.append(f"SELECT unnest(issues) AS issue FROM {relations['ccrs']} WHERE {where}")
    params += p
    sql = (f"SELECT issue, count(*) AS count FROM ({' UNION ALL '.join(parts)})"
           f" GROUP BY issue ORDER BY count DESC, issue LIMIT {int(limit)}")
    return sql, params


def _issues_list(frame: pd.DataFrame) -> list[dict]:
    return [{"issue": str(r.issue), "count": int(r.count)} for r in frame.itertuples(index=False)]


def _ints(row: pd.Series, names: Sequence[str]) -> dict[str, int]:
    return {n: int(row[n]) if pd.notna(row[n]) else 0 for n in names}


# -- summary --------------------------------------------------------------------


SUMMARY_KEYS = ("events_booked", "events_completed", "attendees", "officer_attendances",
                "distinct_officers", "ccrs", "ccrs_diversity_consent", "smart_alert_signups",
                "intel_submissions", "top_issues", "ysywd_open", "ysywd_closed")


@_cached("events", "ccrs", "ysywd", capability=None)
def summary(relations: dict[str, str], filters: Filters) -> dict:
    """Headline figures for the filters (definitions in `analytics.metrics`)."""
    ev_where, ev_params = where_clause(filters, table="events")
    ccr_where, ccr_params = where_clause(filters, table="ccrs")
    ys_where, ys_params = where_clause(filters, table="ysywd")
    officers_sql, officers_params = _distinct_officers_sql(relations["events"], filters)
    figures_sql = f"""
        SELECT * FROM
            (SELECT {select_list(EVENT_SUMS)} FROM {relations['events']} WHERE {ev_where}),
            ({officers_sql}),
            (SELECT {select_list(CCR_COUNTS)} FROM {relations['ccrs']} WHERE {ccr_where}),
            (SELECT {select_list(YSYWD_COUNTS)} FROM {relations['ysywd']} WHERE {ys_where})"""
    figures, issues = _frames(
        (figures_sql, ev_params + officers_params + ccr_params + ys_params),
        _top_issues_sql(relations, filters, limit=TOP_ISSUES),
    )
    row = figures.iloc[0]
    result = {
        **_ints(row, ("events_booked", "events_completed", "attendees", "officer_attendances", "distinct_officers",
                      "ccrs", "ccrs_diversity_consent", "smart_alert_signups", *YSYWD_COUNTS)),
        "intel_submissions": int(row["event_intel_submissions"]) + int(row["ccr_info_submitted"]),
        "top_issues": _issues_list(issues),
    }
    return {k: result[k] for k in SUMMARY_KEYS}


# -- events overview ------------------------------------------------------------

EVENT_HEADLINE = ("events_booked", "events_completed", "events_cancelled", "attendees",
                  "officer_attendances", "event_intel_submissions", "distinct_officers")


@dataclasses.dataclass
class EventsOverview:
    """Everything the Events overview page shows.

    headline: the EVENT_HEADLINE figures (same definitions as `summary`).
    by_week: week (Monday), status, events — every status, for the stacked chart.
    by_type / by_area / by_ward: events (booked, i.e. not cancelled), completed,
      attendees (completed events). by_ward has the ward's name and centre for the map,
      one row per ward in scope (zero where none).
    latest: the latest LATEST_EVENTS events by start (any status).
    """

    headline: dict[str, int]
    by_week: pd.DataFrame
    by_type: pd.DataFrame
    by_area: pd.DataFrame
    by_ward: pd.DataFrame
    latest: pd.DataFrame


_BREAKDOWN = ("events", "completed", "attendees")
_TOTALS = ("events", "completed", "cancelled", "attendees", "officer_attendances", "event_intel_submissions")
# GROUPING(event_type, area_code, ward_code) of each roll-up level: a bit is set for each column left out.
_BY_TYPE, _BY_AREA, _BY_WARD, _TOTAL = 3, 5, 6, 7


@_cached("events", "wards", "areas")
def events_overview(relations: dict[str, str], filters: Filters) -> EventsOverview:
    """The Events overview page's query set: one call, every figure and table."""
    events, wards, areas = relations["events"], relations["wards"], relations["areas"]
    where, params = where_clause(filters, table="events")
    scope, scope_params = _ward_scope(filters)
    # One scan of events, grouped by (week, status) for the time chart and by
    # (status, type, area, ward) for the rest; the small result is rolled up to
    # type, area, ward and total in the same statement.
    sums = ", ".join(f"CAST(sum({m}) AS BIGINT) AS {alias}" for m, alias in (
        ("events_booked", "events"), ("events_completed", "completed"), ("events_cancelled", "cancelled"),
        ("attendees", "attendees"), ("officer_attendances", "officer_attendances"),
        ("event_intel_submissions", "event_intel_submissions")))
    counts = ", ".join(f"coalesce(r.{c}, 0) AS {c}" for c in _BREAKDOWN)
    officers_sql, officers_params = _distinct_officers_sql(events, filters)
    overview_sql = f"""
        WITH grouped AS MATERIALIZED (
            SELECT CAST(date_trunc('week', start) AS DATE) AS week, status, event_type, area_code, ward_code,
                   count(*) AS n, {select_list(EVENT_SUMS)}
            FROM {events} WHERE {where}
            GROUP BY GROUPING SETS ((week, status), (status, event_type, area_code, ward_code))),
        rolled AS MATERIALIZED (
            SELECT GROUPING(event_type, area_code, ward_code) AS level,
                   coalesce(event_type, area_code, ward_code) AS key, {sums}
            FROM grouped WHERE week IS NULL
            GROUP BY GROUPING SETS ((event_type), (area_code), (ward_code), ()))
        SELECT 'week' AS part, week, status, n AS events FROM grouped WHERE week IS NOT NULL
        UNION ALL BY NAME
        SELECT 'type' AS part, key AS event_type, events, completed, attendees FROM rolled WHERE level = {_BY_TYPE}
        UNION ALL BY NAME
        SELECT 'area' AS part, r.key AS area_code, coalesce(a.name, r.key) AS area, {counts}
        FROM rolled r LEFT JOIN {areas} a ON a.area_code = r.key WHERE r.level = {_BY_AREA}
        UNION ALL BY NAME
        SELECT 'ward' AS part, w.ward_code, w.name, w.area_code, w.centre_lat, w.centre_lon, {counts}
        FROM {wards} w LEFT JOIN (SELECT * FROM rolled WHERE level = {_BY_WARD}) r ON r.key = w.ward_code
        WHERE {scope}
        UNION ALL BY NAME
        SELECT 'total' AS part, {", ".join(_TOTALS)}, ({officers_sql}) AS distinct_officers
        FROM rolled WHERE level = {_TOTAL}
        ORDER BY part, week, status, CASE WHEN part IN ('type', 'area') THEN -events END,
                 event_type, area_code, ward_code"""
    def latest_sql(condition: str) -> str:
        return f"""
            SELECT e.record_id, e.title, e.event_type, e.area_code, coalesce(a.name, e.area_code) AS area,
                   e.ward_code, coalesce(w.name, e.ward_code) AS ward, e.start, e.status, e.attendees
            FROM (SELECT record_id, title, event_type, area_code, ward_code, start, status, attendees
                  FROM {events} WHERE {condition} ORDER BY start DESC, record_id DESC LIMIT {LATEST_EVENTS}) e
            LEFT JOIN {areas} a ON a.area_code = e.area_code
            LEFT JOIN {wards} w ON w.ward_code = e.ward_code
            ORDER BY e.start DESC, e.record_id DESC"""

    pending = _later(_latest_rows, events, where, params, column="start", rows=LATEST_EVENTS, sql=latest_sql)
    overview = _frame(overview_sql, params + scope_params + officers_params)
    latest, _ = pending.result()
    part = overview["part"]

    def piece(name: str, columns: list[str], ints: tuple[str, ...]) -> pd.DataFrame:
        frame = overview.loc[part == name, columns].reset_index(drop=True)
        return frame.astype({c: "int64" for c in ints})

    total = overview.loc[part == "total"]
    headline = {
        "events_booked": 0, "events_completed": 0, "events_cancelled": 0, "attendees": 0,
        "officer_attendances": 0, "event_intel_submissions": 0, "distinct_officers": 0,
    }
    if len(total):
        row = total.iloc[0]
        figures = _ints(row, (*_TOTALS, "distinct_officers"))
        headline.update(
            events_booked=figures["events"], events_completed=figures["completed"],
            events_cancelled=figures["cancelled"], attendees=figures["attendees"],
            officer_attendances=figures["officer_attendances"],
            event_intel_submissions=figures["event_intel_submissions"],
            distinct_officers=figures["distinct_officers"],
        )
    return EventsOverview(
        headline=headline,
        by_week=piece("week", ["week", "status", "events"], ("events",)),
        by_type=piece("type", ["event_type", *_BREAKDOWN], _BREAKDOWN),
        by_area=piece("area", ["area_code", "area", *_BREAKDOWN], _BREAKDOWN),
        by_ward=piece("ward", ["ward_code", "name", "area_code", "centre_lat", "centre_lon", *_BREAKDOWN],
                      _BREAKDOWN),
        latest=latest,
    )


def _ward_scope(filters: Filters) -> tuple[str, list]:
    """The wards a dashboard covers: those in its areas and wards (every ward if none chosen)."""
    clauses, params = [], []
    if filters.areas:
        clauses.append(f"area_code IN ({', '.join('?' for _ in filters.areas)})")
        params += list(filters.areas)
    if filters.wards:
        clauses.append(f"ward_code IN ({', '.join('?' for _ in filters.wards)})")
        params += list(filters.wards)
    return " AND ".join(clauses) or "TRUE", params


# -- map reference --------------------------------------------------------------


@_cached("wards")
def list_ward_shapes(relations: dict[str, str], filters: Filters) -> pd.DataFrame:
    """Wards in scope (by the filters' areas and wards) with centre and GeoJSON boundary."""
    scope, params = _ward_scope(filters)
    return _frame(
        "SELECT ward_code, name, area_code, centre_lat, centre_lon, geojson"
        f" FROM {relations['wards']} WHERE {scope} ORDER BY ward_code",
        params,
    )


# -- suppression ----------------------------------------------------------------


def suppress_small(df: pd.DataFrame, columns: Sequence[str], threshold: int = 5) -> pd.DataFrame:
    """A copy with counts from 1 to threshold-1 in `columns` shown as "<threshold".

    For breakdowns of people that could identify someone. Zero and missing stay as they are.
    """
    out = df.copy()
    label = f"<{threshold}"
    for column in columns:
        values = out[column]
        small = values.notna() & (values > 0) & (values < threshold)
        out[column] = values.astype(object).where(~small, label)
    return out
