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
cursors so DuckDB keeps both cores busy.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import functools
import inspect
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd

from analytics.filters import Filters, where_clause
from analytics.metrics import CCR_COUNTS, COMPLETED, EVENT_SUMS, YSYWD_COUNTS, select_list
from data import db
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


def _cached(*tables: str) -> Callable:
    """Cache a query on (name, store, filters, versions of `tables`); results come back as copies."""

    def decorate(query: Callable[[dict[str, str], Filters], Any]) -> Callable[..., Any]:
        @functools.wraps(query)
        def run(store: Store, filters: Filters | None = None) -> Any:
            filters = filters or Filters()
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

        run.__signature__ = inspect.Signature([
            inspect.Parameter("store", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Store),
            inspect.Parameter("filters", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                              annotation=Filters | None),
        ], return_annotation=inspect.signature(query).return_annotation)
        return run

    return decorate


# -- running SQL ----------------------------------------------------------------

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="beatbook-query")


def _frame(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    return db.cursor().execute(sql, list(params)).df()


def _frames(*queries: tuple[str, Sequence[Any]]) -> list[pd.DataFrame]:
    """Run independent queries side by side, each on its own cursor."""
    futures = [_pool.submit(_frame, sql, params) for sql, params in queries]
    return [f.result() for f in futures]


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


def _wards_sql(wards: str) -> tuple[str, list]:
    return (f"SELECT ward_code, name AS ward, area_code AS ward_area_code, centre_lat, centre_lon"
            f" FROM {wards} ORDER BY ward_code", [])


def _areas_sql(areas: str) -> tuple[str, list]:
    return f"SELECT area_code, name AS area FROM {areas} ORDER BY area_code", []


def _ints(row: pd.Series, names: Sequence[str]) -> dict[str, int]:
    return {n: int(row[n]) if pd.notna(row[n]) else 0 for n in names}


# -- summary --------------------------------------------------------------------


SUMMARY_KEYS = ("events_booked", "events_completed", "attendees", "officer_attendances",
                "distinct_officers", "ccrs", "ccrs_diversity_consent", "smart_alert_signups",
                "intel_submissions", "top_issues", "ysywd_open", "ysywd_closed")


@_cached("events", "ccrs", "ysywd")
def summary(relations: dict[str, str], filters: Filters) -> dict:
    """Headline figures for the filters (definitions in `analytics.metrics`)."""
    ev_where, ev_params = where_clause(filters, table="events")
    ccr_where, ccr_params = where_clause(filters, table="ccrs")
    ys_where, ys_params = where_clause(filters, table="ysywd")
    events, officers, ccrs, issues, ysywd = _frames(
        (f"SELECT {select_list(EVENT_SUMS)} FROM {relations['events']} WHERE {ev_where}", ev_params),
        _distinct_officers_sql(relations["events"], filters),
        (f"SELECT {select_list(CCR_COUNTS)} FROM {relations['ccrs']} WHERE {ccr_where}", ccr_params),
        _top_issues_sql(relations, filters, limit=TOP_ISSUES),
        (f"SELECT {select_list(YSYWD_COUNTS)} FROM {relations['ysywd']} WHERE {ys_where}", ys_params),
    )
    ev, cc, ys = events.iloc[0], ccrs.iloc[0], ysywd.iloc[0]
    result = {
        **_ints(ev, ("events_booked", "events_completed", "attendees", "officer_attendances")),
        "distinct_officers": int(officers.iloc[0]["distinct_officers"]),
        **_ints(cc, ("ccrs", "ccrs_diversity_consent", "smart_alert_signups")),
        "intel_submissions": int(ev["event_intel_submissions"]) + int(cc["ccr_info_submitted"]),
        "top_issues": _issues_list(issues),
        **_ints(ys, YSYWD_COUNTS),
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


@_cached("events", "wards", "areas")
def events_overview(relations: dict[str, str], filters: Filters) -> EventsOverview:
    """The Events overview page's query set: one call, every figure and table."""
    events = relations["events"]
    where, params = where_clause(filters, table="events")
    # One scan: (week, status) for the time chart; (status, type, area, ward) for
    # everything else, rolled up below.
    grouped_sql = (
        "SELECT CAST(date_trunc('week', start) AS DATE) AS week, status, event_type, area_code, ward_code,"
        f" count(*) AS n, {select_list(EVENT_SUMS)}"
        f" FROM {events} WHERE {where}"
        " GROUP BY GROUPING SETS ((week, status), (status, event_type, area_code, ward_code))"
    )
    latest_sql = (
        "SELECT record_id, title, event_type, area_code, ward_code, start, status, attendees"
        f" FROM {events} WHERE {where} ORDER BY start DESC, record_id DESC LIMIT {LATEST_EVENTS}"
    )
    grouped, officers, latest, wards, areas = _frames(
        (grouped_sql, params),
        _distinct_officers_sql(events, filters),
        (latest_sql, params),
        _wards_sql(relations["wards"]),
        _areas_sql(relations["areas"]),
    )
    weekly = grouped[grouped["week"].notna()]
    fine = grouped[grouped["week"].isna()].rename(columns={"events_booked": "events",
                                                           "events_completed": "completed"})
    totals = fine[list(EVENT_SUMS)[2:] + ["events", "completed"]].sum()
    headline = {
        "events_booked": int(totals["events"]),
        "events_completed": int(totals["completed"]),
        **_ints(totals, ("events_cancelled", "attendees", "officer_attendances", "event_intel_submissions")),
        "distinct_officers": int(officers.iloc[0]["distinct_officers"]),
    }
    by_week = (weekly[["week", "status", "n"]].rename(columns={"n": "events"})
               .astype({"events": "int64"}).sort_values(["week", "status"]).reset_index(drop=True))
    by_type = _roll_up(fine, "event_type")
    by_area = _roll_up(fine, "area_code").merge(areas, on="area_code", how="left")
    by_area["area"] = by_area["area"].fillna(by_area["area_code"])
    by_ward = _ward_counts(_roll_up(fine, "ward_code"), wards, filters)
    latest = (latest.merge(areas, on="area_code", how="left")
              .merge(wards[["ward_code", "ward"]], on="ward_code", how="left"))
    latest = latest[["record_id", "title", "event_type", "area_code", "area", "ward_code", "ward",
                     "start", "status", "attendees"]]
    return EventsOverview(headline, by_week, by_type, by_area, by_ward, latest)


def _roll_up(fine: pd.DataFrame, key: str) -> pd.DataFrame:
    out = fine.groupby(key, as_index=False)[list(_BREAKDOWN)].sum()
    out = out.astype({c: "int64" for c in _BREAKDOWN})
    return out.sort_values(["events", key], ascending=[False, True]).reset_index(drop=True)


def _ward_counts(counts: pd.DataFrame, wards: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Every ward in scope with its counts (zero where none), for the map."""
    scope = wards
    if filters.areas:
        scope = scope[scope["ward_area_code"].isin(filters.areas)]
    if filters.wards:
        scope = scope[scope["ward_code"].isin(filters.wards)]
    out = scope.merge(counts, on="ward_code", how="left")
    out[list(_BREAKDOWN)] = out[list(_BREAKDOWN)].fillna(0).astype("int64")
    out = out.rename(columns={"ward": "name", "ward_area_code": "area_code"})
    return out[["ward_code", "name", "area_code", "centre_lat", "centre_lon", *_BREAKDOWN]].reset_index(drop=True)


# -- CCR overview ---------------------------------------------------------------

CCR_HEADLINE = ("ccrs", "ccrs_diversity_consent", "smart_alert_signups", "ccr_info_submitted")


@dataclasses.dataclass
class CcrOverview:
    """Everything the Community contacts page shows.

    headline: CCR_HEADLINE counts plus consent_rate (None when there are no CCRs).
    by_week: week (Monday), ccrs. by_area: area_code, area, ccrs, consented.
    by_method: contact_method, ccrs. top_issues: the 10 issues CCRs raised most.
    """

    headline: dict[str, Any]
    by_week: pd.DataFrame
    by_area: pd.DataFrame
    by_method: pd.DataFrame
    top_issues: list[dict]


@_cached("ccrs", "areas")
def ccr_overview(relations: dict[str, str], filters: Filters) -> CcrOverview:
    """The Community contacts page's query set."""
    ccrs = relations["ccrs"]
    where, params = where_clause(filters, table="ccrs")
    grouped_sql = (
        "SELECT CAST(date_trunc('week', contact_at) AS DATE) AS week, area_code, contact_method,"
        f" {select_list(CCR_COUNTS)}"
        f" FROM {ccrs} WHERE {where}"
        " GROUP BY GROUPING SETS ((week), (area_code, contact_method))"
    )
    grouped, issues, areas = _frames(
        (grouped_sql, params),
        _top_issues_sql(relations, filters, limit=10, include_events=False),
        _areas_sql(relations["areas"]),
    )
    weekly = grouped[grouped["week"].notna()]
    fine = grouped[grouped["week"].isna()]
    totals = fine[list(CCR_COUNTS)].sum()
    headline: dict[str, Any] = _ints(totals, CCR_COUNTS)
    headline["consent_rate"] = (headline["ccrs_diversity_consent"] / headline["ccrs"]) if headline["ccrs"] else None
    by_week = (weekly[["week", "ccrs"]].astype({"ccrs": "int64"}).sort_values("week").reset_index(drop=True))
    by_area = (fine.groupby("area_code", as_index=False)[["ccrs", "ccrs_diversity_consent"]].sum()
               .rename(columns={"ccrs_diversity_consent": "consented"})
               .astype({"ccrs": "int64", "consented": "int64"})
               .merge(areas, on="area_code", how="left")
               .sort_values(["ccrs", "area_code"], ascending=[False, True]).reset_index(drop=True))
    by_area["area"] = by_area["area"].fillna(by_area["area_code"])
    by_method = (fine.groupby("contact_method", as_index=False)["ccrs"].sum().astype({"ccrs": "int64"})
                 .sort_values(["ccrs", "contact_method"], ascending=[False, True]).reset_index(drop=True))
    return CcrOverview(headline, by_week, by_area, by_method, _issues_list(issues))


# -- map reference --------------------------------------------------------------


@_cached("wards")
def list_ward_shapes(relations: dict[str, str], filters: Filters) -> pd.DataFrame:
    """Wards in scope (by the filters' areas and wards) with centre and GeoJSON boundary."""
    clauses, params = [], []
    if filters.areas:
        clauses.append(f"area_code IN ({', '.join('?' for _ in filters.areas)})")
        params += list(filters.areas)
    if filters.wards:
        clauses.append(f"ward_code IN ({', '.join('?' for _ in filters.wards)})")
        params += list(filters.wards)
    return _frame(
        "SELECT ward_code, name, area_code, centre_lat, centre_lon, geojson"
        f" FROM {relations['wards']} WHERE {' AND '.join(clauses) or 'TRUE'} ORDER BY ward_code",
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
