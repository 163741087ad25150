"""Benchmark entries for the CCR outcomes and CCR activity pages.

Each page's figures three ways: `analytics.ccr_dash` on the store; the floor
(`analytics.bench.floors.ccr`: hand-written SQL over one compacted Parquet file per
table); and pandas over DataFrames in memory. The diversity breakdowns are not compared: the page
reads them from the few published area-month cells (`analytics.disclosure`),
not from the CCRs the floors scan; the store's figure includes reading (and on
a cold run, publishing) them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics import ccr_dash, sql
from analytics.bench.floors import ccr as floors
from analytics.bench.in_memory import in_window, monday
from analytics.bench.registry import (
    BENCH_USER,
    BenchPage,
    Window,
    fields_of,
    register,
    sorted_rows,
    whole_numbers,
)
from analytics.filters import Filters
from data.schema import DIVERSITY_FIELDS
from data.store import Store


def outcomes_store(store: Store, filters: Filters) -> dict[str, Any]:
    """What the CCR outcomes page reads: its aggregates and the CCR details table (the audit aside)."""
    return {**vars(ccr_dash.ccr_outcomes(store, filters, user=BENCH_USER)),
            "details": sql.cached(ccr_dash.ccr_details_over, store, filters, tables=ccr_dash.CCR_TABLES)}


# -- pandas -----------------------------------------------------------------------------


def _places_pandas(c: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    c = c.assign(at_event=c["event_id"].notna())
    area_names = frames["areas"].set_index("area_code")["name"]
    by_area = c.groupby("area_code").agg(ccrs=("area_code", "size"), officers=("officer_id", "nunique"),
                                         ccrs_at_events=("at_event", "sum")).reset_index()
    by_area.insert(1, "name", by_area["area_code"].map(area_names).fillna(by_area["area_code"]))
    counts = c.groupby("ward_code").size().rename("ccrs")
    by_ward = frames["wards"][["ward_code", "name", "area_code"]].merge(counts, left_on="ward_code", right_index=True,
                                                                        how="left").fillna({"ccrs": 0})
    by_officer = c.groupby("officer_id").agg(ccrs=("officer_id", "size"), ccrs_at_events=("at_event", "sum"))
    by_officer = by_officer.reset_index().sort_values(["ccrs", "officer_id"], ascending=[False, True])
    by_officer = by_officer.head(ccr_dash.TOP_OFFICERS)
    by_officer.insert(1, "officer", by_officer["officer_id"].map(frames["users"].set_index("user_id")["name"]))
    return {"by_area": by_area, "by_ward": by_ward, "by_officer": by_officer}


def outcomes_pandas(frames: dict[str, pd.DataFrame], window: Window) -> dict[str, Any]:
    c = in_window(frames["ccrs"], "contact_at", window)
    listed = c["issues"].map(len)
    headline = {"ccrs": len(c), "ccr_info_submitted": int(c["info_submitted"].sum()),
                "ccrs_with_issues": int((listed > 0).sum()), "issue_mentions": int(listed.sum()),
                "ccrs_diversity_consent": int(c["diversity_consent"].sum()),
                "smart_alert_signups": int(c["smart_alert_signup"].sum())}
    headline["consent_rate"] = headline["ccrs_diversity_consent"] / len(c) if len(c) else None
    issues = c["issues"].explode().dropna().value_counts().rename_axis("issue").reset_index(name="ccrs")
    issues = issues.sort_values(["ccrs", "issue"], ascending=[False, True]).head(ccr_dash.TOP_ISSUES)
    latest = c.sort_values(["contact_at", "record_id"], ascending=False).head(ccr_dash.DETAIL_ROWS)
    return {"headline": headline, "top_issues": issues, "details": ccr_dash.CcrDetails(rows=latest, total=len(c)),
            **_places_pandas(c, frames)}


def activity_pandas(frames: dict[str, pd.DataFrame], window: Window) -> dict[str, Any]:
    c = in_window(frames["ccrs"], "contact_at", window)
    week = monday(c["contact_at"])
    return {
        "headline": {"ccrs": len(c), "officers": int(c["officer_id"].nunique()),
                     "ccrs_at_events": int(c["event_id"].notna().sum())},
        "by_week": week.value_counts().rename_axis("week").reset_index(name="ccrs"),
        "by_method": c["contact_method"].value_counts().rename_axis("contact_method").reset_index(name="ccrs"),
        **_places_pandas(c, frames),
    }


# -- comparing ----------------------------------------------------------------------------


def _places_comparable(result: dict[str, Any]) -> dict[str, list]:
    wards = result["by_ward"]
    return {
        "by_area": sorted_rows(result["by_area"], ["area_code", "name", "ccrs", "officers", "ccrs_at_events"]),
        "by_ward": sorted_rows(wards[wards["ccrs"] > 0], ["ward_code", "ccrs"]),
        "by_officer": sorted_rows(result["by_officer"], ["officer_id", "ccrs", "ccrs_at_events"]),
    }


def outcomes_comparable(result: Any) -> dict:
    result = fields_of(result)
    headline = dict(result["headline"])
    rate = headline.pop("consent_rate")
    return {
        "headline": whole_numbers(headline),
        "consent_rate": None if rate is None else round(rate, 9),
        "top_issues": sorted_rows(result["top_issues"], ["issue", "ccrs"]),
        "details": (list(result["details"].rows["record_id"]), result["details"].total),
        **_places_comparable(result),
    }


def activity_comparable(result: Any) -> dict:
    result = fields_of(result)
    return {
        "headline": whole_numbers(result["headline"]),
        "by_week": sorted_rows(result["by_week"], ["week", "ccrs"]),
        "by_method": sorted_rows(result["by_method"], ["contact_method", "ccrs"]),
        **_places_comparable(result),
    }


_CCR_COLUMNS = ("record_id", "contact_at", "area_code", "ward_code", "officer_id", "event_id", "contact_method",
                "issues", "info_submitted", "smart_alert_signup", "diversity_consent", *DIVERSITY_FIELDS)
_REFERENCE = {"areas": ("area_code", "name"), "wards": ("ward_code", "name", "area_code"),
              "users": ("user_id", "name")}

register(
    BenchPage("ccr_outcomes", outcomes_store, floors.outcomes, outcomes_pandas, outcomes_comparable,
              {"ccrs": _CCR_COLUMNS, **_REFERENCE}),
    BenchPage("ccr_activity", ccr_dash.ccr_activity, floors.activity, activity_pandas, activity_comparable,
              {"ccrs": ("contact_at", "area_code", "ward_code", "officer_id", "event_id", "contact_method"),
               **_REFERENCE}),
)
