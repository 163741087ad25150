"""Named read queries: what each dashboard page shows, as plain Python values.

Each public function takes the store and a `Filters`, reads the tables'
current snapshots once, runs its SQL through `analytics.sql` (values always
bound as parameters, the store's relation text and allow-listed identifiers
formatted in) and returns dicts, DataFrames or a dataclass of them. A page
calls one function and renders what it gets. Results are cached on the
tables' versions (`analytics.sql.cached`).

Speed: a page's figures come from as few scans as possible (one grouped
aggregation per table at the coarsest grain that still answers every chart,
rolled up in small DataFrames), list columns are unnested only where a figure
needs it, and a page's independent queries run side by side on their own
cursors so DuckDB keeps both cores busy. Tables of the latest rows read only
the days those rows fall on (`sql.latest_rows`), not every row in the range.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analytics import sql
from analytics.filters import Filters, ward_scope, where_clause
from analytics.metrics import (
    CCR_COUNTS,
    EVENT_SUMS,
    TOP_ISSUES,
    YSYWD_COUNTS,
    distinct_officers,
    figures_of,
    issue_list,
    select_list,
    top_issues,
)
from data.store import Store

LATEST_EVENTS = 200

# -- summary --------------------------------------------------------------------


SUMMARY_KEYS = ("events_booked", "events_completed", "attendees", "officer_attendances",
                "distinct_officers", "ccrs", "ccrs_diversity_consent", "smart_alert_signups",
                "intel_submissions", "top_issues", "ysywd_open", "ysywd_closed")


def summary(store: Store, filters: Filters | None = None) -> dict:
    """Headline figures for the filters (definitions in `analytics.metrics`); the operator's command line
    reads them with the store's own credentials, so no user is asked for."""
    return sql.cached(_summary, store, filters, tables=("events", "ccrs", "ysywd"))


def _summary(relations: dict[str, str], filters: Filters) -> dict:
    ev_where, ev_params = where_clause(filters, table="events")
    ccr_where, ccr_params = where_clause(filters, table="ccrs")
    ys_where, ys_params = where_clause(filters, table="ysywd")
    # Events and CCRs are summed file by file (`sql.additive`); the few "You said, we did" items are read whole.
    issues = sql.later(top_issues, relations, filters, limit=TOP_ISSUES)
    officers = sql.later(distinct_officers, relations["events"], filters)
    events = sql.additive(relations["events"], lambda rel: (
        f"SELECT {select_list(EVENT_SUMS)} FROM {rel} WHERE {ev_where}", ev_params))
    ccrs = sql.additive(relations["ccrs"], lambda rel: (
        f"SELECT {select_list(CCR_COUNTS)} FROM {rel} WHERE {ccr_where}", ccr_params))
    ysywd = sql.run(f"SELECT {select_list(YSYWD_COUNTS)} FROM {relations['ysywd']} WHERE {ys_where}", ys_params)
    row = pd.concat([events, ccrs, ysywd], axis=1).iloc[0].copy()
    row["distinct_officers"] = officers.result()
    result = {
        **figures_of(row, ("events_booked", "events_completed", "attendees", "officer_attendances", "distinct_officers",
                           "ccrs", "ccrs_diversity_consent", "smart_alert_signups", *YSYWD_COUNTS)),
        "intel_submissions": int(row["event_intel_submissions"]) + int(row["ccr_info_submitted"]),
        "top_issues": issue_list(issues.result()),
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


# The breakdowns' columns and the metric each counts.
_BREAKDOWN_METRICS = {"events": "events_booked", "completed": "events_completed", "attendees": "attendees"}
_BREAKDOWN = tuple(_BREAKDOWN_METRICS)
# GROUPING(event_type, area_code, ward_code) of each roll-up level: a bit is set for each column left out.
_BY_TYPE, _BY_AREA, _BY_WARD, _TOTAL = 3, 5, 6, 7


@sql.scoped("read_aggregates")
def events_overview(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> EventsOverview:
    """The Events overview page's query set: one call, every figure and table."""
    return sql.cached(_events_overview, store, filters, tables=("events", "wards", "areas"))


def _events_overview(relations: dict[str, str], filters: Filters) -> EventsOverview:
    events, wards, areas = relations["events"], relations["wards"], relations["areas"]
    where, params = where_clause(filters, table="events")
    scope, scope_params = ward_scope(filters)
    # One scan of events, summed file by file (`sql.additive`): grouped by (week, status) for the time
    # chart and by (status, type, area, ward) for the rest; the small result is rolled up to type, area,
    # ward and total in one statement.
    sums = ", ".join(f"CAST(sum({m}) AS BIGINT) AS {m}" for m in EVENT_SUMS)
    breakdown = ", ".join(f"{m} AS {c}" for c, m in _BREAKDOWN_METRICS.items())
    counts = ", ".join(f"coalesce(r.{m}, 0) AS {c}" for c, m in _BREAKDOWN_METRICS.items())
    officers = sql.later(distinct_officers, events, filters)
    grouped = sql.later(sql.additive, events, lambda rel: (f"""
        SELECT CAST(date_trunc('week', start) AS DATE) AS week, status, event_type, area_code, ward_code,
               count(*) AS n, {select_list(EVENT_SUMS)}
        FROM {rel} WHERE {where}
        GROUP BY GROUPING SETS ((week, status), (status, event_type, area_code, ward_code))""", params),
        keys=["week", "status", "event_type", "area_code", "ward_code"], rows="n")
    overview_sql = f"""
        WITH rolled AS MATERIALIZED (
            SELECT GROUPING(event_type, area_code, ward_code) AS level,
                   coalesce(event_type, area_code, ward_code) AS key, {sums}
            FROM grouped WHERE week IS NULL
            GROUP BY GROUPING SETS ((event_type), (area_code), (ward_code), ()))
        SELECT 'week' AS part, week, status, n AS events FROM grouped WHERE week IS NOT NULL
        UNION ALL BY NAME
        SELECT 'type' AS part, key AS event_type, {breakdown} FROM rolled WHERE level = {_BY_TYPE}
        UNION ALL BY NAME
        SELECT 'area' AS part, r.key AS area_code, coalesce(a.name, r.key) AS area, {counts}
        FROM rolled r LEFT JOIN {areas} a ON a.area_code = r.key WHERE r.level = {_BY_AREA}
        UNION ALL BY NAME
        SELECT 'ward' AS part, w.ward_code, w.name, w.area_code, w.centre_lat, w.centre_lon, {counts}
        FROM {wards} w LEFT JOIN (SELECT * FROM rolled WHERE level = {_BY_WARD}) r ON r.key = w.ward_code
        WHERE {scope}
        UNION ALL BY NAME
        SELECT 'total' AS part, {", ".join(EVENT_SUMS)}, CAST(? AS BIGINT) AS distinct_officers
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

    pending = sql.later(sql.latest_rows, events, where, params, column="start", rows=LATEST_EVENTS, sql=latest_sql)
    overview = sql.run(overview_sql, [*scope_params, officers.result()], tables={"grouped": grouped.result()})
    latest, _ = pending.result()
    part = overview["part"]

    def piece(name: str, columns: list[str], ints: tuple[str, ...]) -> pd.DataFrame:
        frame = overview.loc[part == name, columns].reset_index(drop=True)
        return frame.astype({c: "int64" for c in ints})

    total = overview.loc[part == "total"]
    headline = figures_of(total.iloc[0], EVENT_HEADLINE) if len(total) else dict.fromkeys(EVENT_HEADLINE, 0)
    return EventsOverview(
        headline=headline,
        by_week=piece("week", ["week", "status", "events"], ("events",)),
        by_type=piece("type", ["event_type", *_BREAKDOWN], _BREAKDOWN),
        by_area=piece("area", ["area_code", "area", *_BREAKDOWN], _BREAKDOWN),
        by_ward=piece("ward", ["ward_code", "name", "area_code", "centre_lat", "centre_lon", *_BREAKDOWN],
                      _BREAKDOWN),
        latest=latest,
    )


# -- map reference --------------------------------------------------------------


@sql.scoped("read_aggregates")
def list_ward_shapes(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> pd.DataFrame:
    """Wards in scope (by the filters' areas and wards) with centre and GeoJSON boundary."""
    return sql.cached(_ward_shapes, store, filters, tables=("wards",))


def _ward_shapes(relations: dict[str, str], filters: Filters) -> pd.DataFrame:
    scope, params = ward_scope(filters)
    return sql.run(
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
