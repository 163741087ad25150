"""Benchmark entries for the Patrols and abstractions and Change over time pages.

Each page's figures three ways: `analytics.patrol_dash.patrols_overview` /
`analytics.trends.daily_activity` on the store; DuckDB over one Parquet file
per table, written by hand (`analytics.bench.floors.patrols`); and pandas over
DataFrames in memory.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pandas as pd

from analytics import patrol_dash, trends
from analytics.bench.floors import patrols as floors
from analytics.bench.in_memory import in_window
from analytics.bench.registry import BenchPage, Window, fields_of, register, sorted_rows

HOURS_DIGITS = 6  # sums of float hours may differ in the last bits with the order of addition


# -- patrols and abstractions -----------------------------------------------------


def patrols_pandas(frames: dict[str, pd.DataFrame], window: Window) -> patrol_dash.PatrolsOverview:
    pt = in_window(frames["patrols"], "start", window)
    ab = in_window(frames["abstractions"], "date", window)
    pt = pt.assign(day=pt["start"].dt.normalize(), hours=(pt["end"] - pt["start"]).dt.total_seconds() / 3600)
    ab = ab.assign(day=pd.to_datetime(ab["date"]))
    names = frames["areas"].set_index("area_code")["name"]

    def total(frame: pd.DataFrame, key: str, count: str) -> pd.DataFrame:
        out = frame.groupby(key).agg(**{count: (key, "size"), "hours": ("hours", "sum")}).reset_index()
        return out.sort_values(["hours", key], ascending=[False, True], ignore_index=True)

    by_area = total(pt, "area_code", "patrols")
    by_area.insert(1, "area", by_area["area_code"].map(names))
    sums = pt.groupby("ward_code").agg(patrols=("ward_code", "size"), hours=("hours", "sum"))
    officers = pt.groupby("officer_id").agg(patrols=("officer_id", "size"), hours=("hours", "sum")).reset_index()
    officers = officers.sort_values(["hours", "officer_id"], ascending=[False, True]).head(patrol_dash.TOP_OFFICERS)
    users = frames["users"].drop_duplicates("user_id").set_index("user_id")["name"]
    officers.insert(1, "officer", officers["officer_id"].map(users).fillna(officers["officer_id"]))
    by_ward = frames["wards"][["ward_code", "name", "area_code", "centre_lat", "centre_lon"]].merge(
        sums, left_on="ward_code", right_index=True, how="left").fillna({"patrols": 0, "hours": 0.0})
    ab_day = ab.groupby(["day", "area_code"]).agg(abstractions=("day", "size"), hours=("hours", "sum")).reset_index()
    ab_day.insert(2, "area", ab_day["area_code"].map(names))
    duties = total(ab, "duty_taken_to", "abstractions").head(patrol_dash.TOP_DUTIES)
    pairs = ab.groupby(["duty_taken_to", "reason"], as_index=False)["hours"].sum()
    pairs = pairs.sort_values(["hours", "reason"], ascending=[False, True]).drop_duplicates("duty_taken_to")
    duties.insert(1, "reason", duties["duty_taken_to"].map(pairs.set_index("duty_taken_to")["reason"]))
    return patrol_dash.PatrolsOverview(
        headline={"patrols": len(pt), "patrol_hours": float(pt["hours"].sum()), "abstractions": len(ab),
                  "abstraction_hours": float(ab["hours"].sum())},
        patrols_by_day=pt.groupby(["day", "patrol_type"]).agg(patrols=("day", "size"), hours=("hours", "sum"))
        .reset_index(),
        patrols_by_type=total(pt, "patrol_type", "patrols"),
        patrols_by_area=by_area,
        patrols_by_ward=by_ward,
        patrols_by_officer=officers,
        abstractions_by_day=ab_day,
        abstractions_by_reason=total(ab, "reason", "abstractions"),
        top_duties=duties,
    )


def patrols_comparable(result: Any) -> dict:
    result = SimpleNamespace(**fields_of(result))

    def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
        return sorted_rows(frame.round({"hours": HOURS_DIGITS}), columns)

    return {
        "headline": {k: round(v, HOURS_DIGITS) for k, v in result.headline.items()},
        "patrols_by_day": rows(result.patrols_by_day, ["day", "patrol_type", "patrols", "hours"]),
        "patrols_by_type": rows(result.patrols_by_type, ["patrol_type", "patrols", "hours"]),
        "patrols_by_area": rows(result.patrols_by_area, ["area_code", "area", "patrols", "hours"]),
        "patrols_by_ward": rows(result.patrols_by_ward, ["ward_code", "name", "area_code", "patrols", "hours"]),
        "patrols_by_officer": [tuple(r) for r in result.patrols_by_officer.round({"hours": HOURS_DIGITS})[
            ["officer_id", "officer", "patrols", "hours"]].itertuples(index=False)],
        "abstractions_by_day": rows(result.abstractions_by_day, ["day", "area_code", "area", "abstractions", "hours"]),
        "abstractions_by_reason": rows(result.abstractions_by_reason, ["reason", "abstractions", "hours"]),
        "top_duties": [tuple(r) for r in result.top_duties.round({"hours": HOURS_DIGITS})[
            ["duty_taken_to", "reason", "abstractions", "hours"]].itertuples(index=False)],
    }


# -- change over time ---------------------------------------------------------------


def _daily(*parts: pd.DataFrame) -> pd.DataFrame:
    """Per-source daily counts summed into one row per (day, area)."""
    frames = [p.assign(day=pd.to_datetime(p["day"])) for p in parts if len(p)]
    if not frames:
        return trends.tidy_daily(pd.DataFrame(columns=["day", "area_code", *trends.BASE]))
    stacked = pd.concat(frames, ignore_index=True)
    for m in trends.BASE:
        stacked[m] = stacked[m].fillna(0) if m in stacked else 0
    return trends.tidy_daily(stacked.groupby(["day", "area_code"], as_index=False)[list(trends.BASE)].sum())


def trends_pandas(frames: dict[str, pd.DataFrame], window: Window) -> pd.DataFrame:
    ev = in_window(frames["events"], "start", window)
    ev = ev[ev["status"].eq("completed")]
    cc = in_window(frames["ccrs"], "contact_at", window)
    pt = in_window(frames["patrols"], "start", window)
    mentions = lambda s: s.map(lambda v: 0 if v is None else len(v))  # noqa: E731
    events = pd.DataFrame({"day": ev["start"].dt.normalize(), "area_code": ev["area_code"], "events_completed": 1,
                           "issues_raised": mentions(ev["issues"]),
                           "good_events": ev["quality_rating"].ge(4).astype("int64")})
    ccrs = pd.DataFrame({"day": cc["contact_at"].dt.normalize(), "area_code": cc["area_code"], "ccrs": 1,
                         "issues_raised": mentions(cc["issues"])})
    patrols = pd.DataFrame({"day": pt["start"].dt.normalize(), "area_code": pt["area_code"], "patrols": 1})
    ys = frames["ysywd"]
    dated = []
    for column, measure in (("actions", "ysywd_actions"), ("feedback", "ysywd_feedback")):
        items = ys[["area_code", column]].explode(column).dropna(subset=[column])
        days = pd.DataFrame({"day": items[column].map(lambda item: item["date"]), "area_code": items["area_code"]})
        days = in_window(days, "day", window)
        dated.append(days.assign(**{measure: 1}))
    return _daily(events, ccrs, patrols, *dated)


def trends_comparable(daily: pd.DataFrame) -> dict:
    return {"daily": sorted_rows(daily, ["day", "area_code", *trends.BASE])}


register(
    BenchPage("patrols_abstractions", patrol_dash.patrols_overview, floors.patrols_abstractions, patrols_pandas,
              patrols_comparable,
              {"patrols": ("start", "end", "patrol_type", "area_code", "ward_code", "officer_id"),
               "abstractions": ("date", "area_code", "reason", "duty_taken_to", "hours"),
               "wards": ("ward_code", "name", "area_code", "centre_lat", "centre_lon"),
               "areas": ("area_code", "name"), "users": ("user_id", "name")}),
    BenchPage("change_over_time", trends.daily_activity, floors.change_over_time, trends_pandas, trends_comparable,
              {"events": ("start", "status", "area_code", "issues", "quality_rating"),
               "ccrs": ("contact_at", "area_code", "issues"), "patrols": ("start", "area_code"),
               "ysywd": ("area_code", "actions", "feedback")}),
)
