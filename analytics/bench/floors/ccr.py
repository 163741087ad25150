"""Floors of the CCR outcomes and CCR activity pages.

Each reads the CCRs in the window once for all its breakdowns (`GROUPING SETS` over
area, ward, officer and, for activity, week and contact method); outcomes adds one
`unnest` of the issues and one top-N of the latest rows (its row count is the headline's).
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


# Officers per area are counted from the (area, officer) rows: far cheaper than count(DISTINCT ...)
# in a GROUPING SETS query.
_PLACES = "(area_code, officer_id), (ward_code), (officer_id)"
_COUNTS = "count(*) AS ccrs, count(*) FILTER (WHERE event_id IS NOT NULL) AS ccrs_at_events"


def _split_places(grouped: pd.DataFrame, level: pd.Series, areas: pd.DataFrame,
                  users: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """by_area (with distinct officers), by_ward and the top officers from the GROUPING SETS rows,
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


def _officers(grouped: pd.DataFrame, level: pd.Series) -> int:
    """Distinct officers: the officer rows with an officer."""
    return int(grouped.loc[level == "officer", "officer_id"].notna().sum())


def _total(grouped: pd.DataFrame, level: pd.Series) -> pd.Series:
    total = grouped[level == "total"]
    return total.iloc[0].fillna(0) if len(total) else pd.Series(0, index=grouped.columns)


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
    src = sources(paths)
    w, p = when("contact_at", window)
    grouped, areas, users = run(
        ("SELECT CASE GROUPING(week, contact_method, area_code, ward_code, officer_id)"
         " WHEN 15 THEN 'week' WHEN 23 THEN 'method' WHEN 26 THEN 'area' WHEN 29 THEN 'ward'"
         " WHEN 30 THEN 'officer' ELSE 'total' END AS level,"
         f" week, contact_method, area_code, ward_code, officer_id, {_COUNTS}"
         " FROM (SELECT CAST(date_trunc('week', contact_at) AS DATE) AS week, contact_method, area_code, ward_code,"
         f" officer_id, event_id FROM {src['ccrs']} WHERE {w})"
         f" GROUP BY GROUPING SETS ((week), (contact_method), {_PLACES}, ())", p),
        (f"SELECT area_code, name FROM {src['areas']}", []),
        (f"SELECT user_id, name FROM {src['users']}", []),
    )
    level = grouped["level"]
    total = _total(grouped, level)
    return {
        "headline": {"ccrs": int(total["ccrs"]), "officers": _officers(grouped, level),
                     "ccrs_at_events": int(total["ccrs_at_events"])},
        "by_week": grouped.loc[level == "week", ["week", "ccrs"]],
        "by_method": grouped.loc[level == "method", ["contact_method", "ccrs"]],
        **_split_places(grouped, level, areas, users),
    }
