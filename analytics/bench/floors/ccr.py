"""Floors of the CCR outcomes and CCR activity pages.

Each reads the CCRs in the window once for all its breakdowns, grouped by a few fine keys
(area, ward, officer and, for activity, week and contact method) and rolled up (activity in
the same statement); outcomes adds a scan for its headline counts, one `unnest` of the issues and one top-N of
the latest rows.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd

from analytics.bench.floors import Window, run, sources, when

TOP_ISSUES = 10
DETAIL_ROWS = 500
TOP_OFFICERS = 20


class Details(NamedTuple):
    rows: pd.DataFrame
    total: int


# Officers per area are counted from (area, officer) rows: far cheaper than count(DISTINCT ...).
_COUNTS = "count(*) AS ccrs, count(*) FILTER (WHERE event_id IS NOT NULL) AS ccrs_at_events"


def _split_places(grouped: pd.DataFrame, level: pd.Series, areas: pd.DataFrame,
                  users: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """by_area (with distinct officers), by_ward and the top officers from rolled-up rows,
    each `level` 'area' (by area and officer), 'ward' or 'officer'."""
    pairs = grouped[level == "area"]
    by_area = pairs.groupby("area_code", as_index=False, dropna=False).agg(
        ccrs=("ccrs", "sum"), officers=("officer_id", "count"), ccrs_at_events=("ccrs_at_events", "sum"))
    names = areas.drop_duplicates("area_code").set_index("area_code")["name"]
    by_area.insert(1, "name", by_area["area_code"].map(names).fillna(by_area["area_code"]))
    by_ward = grouped.loc[(level == "ward") & grouped["ward_code"].notna(), ["ward_code", "ccrs"]]
    officers = grouped.loc[level == "officer", ["officer_id", "ccrs", "ccrs_at_events"]]
    officers = officers.sort_values(["ccrs", "officer_id"], ascending=[False, True]).head(TOP_OFFICERS)
    officers.insert(1, "officer", officers["officer_id"].map(users.drop_duplicates("user_id")
                                                             .set_index("user_id")["name"]))
    return {"by_area": by_area, "by_ward": by_ward, "by_officer": officers}


def outcomes(paths: dict[str, str], window: Window) -> dict[str, Any]:
    # One plain GROUP BY (area, ward, officer), rolled up here, measured faster than GROUPING SETS
    # carrying the headline's counts; the headline is its own scan.
    src = sources(paths)
    w, p = when("contact_at", window)
    fine, figures, issues, latest, areas, users = run(
        (f"SELECT area_code, ward_code, officer_id, {_COUNTS} FROM {src['ccrs']} WHERE {w} GROUP BY ALL", p),
        ("SELECT count(*) AS ccrs, count(*) FILTER (WHERE info_submitted) AS ccr_info_submitted,"
         " count(*) FILTER (WHERE len(issues) > 0) AS ccrs_with_issues,"
         " coalesce(sum(len(issues)), 0) AS issue_mentions,"
         " count(*) FILTER (WHERE diversity_consent) AS ccrs_diversity_consent,"
         f" count(*) FILTER (WHERE smart_alert_signup) AS smart_alert_signups FROM {src['ccrs']} WHERE {w}", p),
        ("SELECT issue, count(*) AS ccrs FROM"
         f" (SELECT unnest(issues) AS issue FROM {src['ccrs']} WHERE {w})"
         f" GROUP BY issue ORDER BY ccrs DESC, issue LIMIT {TOP_ISSUES}", p),
        (f"SELECT record_id FROM {src['ccrs']} WHERE {w} ORDER BY contact_at DESC, record_id DESC"
         f" LIMIT {DETAIL_ROWS}", p),
        (f"SELECT area_code, name FROM {src['areas']}", []),
        (f"SELECT user_id, name FROM {src['users']}", []),
    )
    counts = ["ccrs", "ccrs_at_events"]
    grouped = pd.concat([
        fine.groupby(["area_code", "officer_id"], as_index=False, dropna=False)[counts].sum().assign(level="area"),
        fine.groupby("ward_code", as_index=False, dropna=False)[counts].sum().assign(level="ward"),
        fine.groupby("officer_id", as_index=False, dropna=False)[counts].sum().assign(level="officer"),
    ], ignore_index=True)
    headline = {k: int(v) for k, v in figures.iloc[0].fillna(0).items()}
    headline["consent_rate"] = headline["ccrs_diversity_consent"] / headline["ccrs"] if headline["ccrs"] else None
    return {"headline": headline, "top_issues": issues, "details": Details(latest, headline["ccrs"]),
            **_split_places(grouped, grouped["level"], areas, users)}


def activity(paths: dict[str, str], window: Window) -> dict[str, Any]:
    # Two grouping sets of fine keys, rolled up in the same statement: measured faster than one set
    # per breakdown, and than rolling up in pandas.
    src = sources(paths)
    w, p = when("contact_at", window)
    (frame,) = run((
        "WITH g AS MATERIALIZED (SELECT GROUPING(week) = 0 AS timed, week, contact_method, area_code, ward_code,"
        f" officer_id, {_COUNTS}"
        " FROM (SELECT CAST(date_trunc('week', contact_at) AS DATE) AS week, contact_method, area_code, ward_code,"
        f" officer_id, event_id FROM {src['ccrs']} WHERE {w})"
        " GROUP BY GROUPING SETS ((week, contact_method, officer_id), (area_code, ward_code, officer_id))),"
        " t AS (SELECT * FROM g WHERE timed), f AS (SELECT * FROM g WHERE NOT timed)"
        " SELECT 'total' AS level, sum(ccrs) AS ccrs, count(DISTINCT officer_id) AS officers,"
        " sum(ccrs_at_events) AS ccrs_at_events FROM t"
        " UNION ALL BY NAME SELECT 'week' AS level, week, sum(ccrs) AS ccrs FROM t GROUP BY week"
        " UNION ALL BY NAME SELECT 'method' AS level, contact_method, sum(ccrs) AS ccrs FROM t GROUP BY contact_method"
        " UNION ALL BY NAME SELECT 'area' AS level, f.area_code, coalesce(any_value(a.name), f.area_code) AS name,"
        " sum(ccrs) AS ccrs, count(DISTINCT officer_id) AS officers, sum(ccrs_at_events) AS ccrs_at_events"
        f" FROM f LEFT JOIN {src['areas']} a ON a.area_code = f.area_code GROUP BY f.area_code"
        " UNION ALL BY NAME SELECT 'ward' AS level, ward_code, sum(ccrs) AS ccrs FROM f WHERE ward_code IS NOT NULL"
        " GROUP BY ward_code"
        " UNION ALL BY NAME SELECT * FROM (SELECT 'officer' AS level, t.officer_id, any_value(u.name) AS officer,"
        " sum(ccrs) AS ccrs, sum(ccrs_at_events) AS ccrs_at_events"
        f" FROM t LEFT JOIN {src['users']} u ON u.user_id = t.officer_id GROUP BY t.officer_id"
        f" ORDER BY ccrs DESC, t.officer_id LIMIT {TOP_OFFICERS})", p))
    level = frame["level"]
    total = frame[level == "total"].iloc[0].fillna(0)
    return {
        "headline": {k: int(total[k]) for k in ("ccrs", "officers", "ccrs_at_events")},
        "by_week": frame.loc[level == "week", ["week", "ccrs"]],
        "by_method": frame.loc[level == "method", ["contact_method", "ccrs"]],
        "by_area": frame.loc[level == "area", ["area_code", "name", "ccrs", "officers", "ccrs_at_events"]],
        "by_ward": frame.loc[level == "ward", ["ward_code", "ccrs"]],
        "by_officer": frame.loc[level == "officer", ["officer_id", "officer", "ccrs", "ccrs_at_events"]],
    }
