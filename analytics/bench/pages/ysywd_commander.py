"""Benchmark entry for the "You said, we did" commander view.

Its figures three ways: `analytics.ysywd.ysywd_overview` on the store (as an
analyst, force-wide); hand-written SQL over one Parquet file per table
(`analytics.bench.floors.ysywd`); and pandas over DataFrames in memory. "Today" (for days open and the
overdue threshold) is the window's last day, or the real today for all time.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pandas as pd

from analytics import ysywd
from analytics.bench.floors import ysywd as floors
from analytics.bench.in_memory import in_window
from analytics.bench.registry import BENCH_USER, BenchPage, Window, fields_of, register, sorted_rows, window_filters
from analytics.filters import Filters


def _today(end: dt.date | None) -> dt.date:
    return end or dt.date.today()


def commander_store(store, filters: Filters) -> ysywd.YsywdOverview:
    return ysywd.ysywd_overview(store, filters, user=BENCH_USER, today=_today(filters.end))


def _median(values: pd.Series) -> float | None:
    values = values.dropna()
    return None if values.empty else float(values.median())


def commander_pandas(frames: dict[str, pd.DataFrame], window: Window) -> ysywd.YsywdOverview:
    today = _today(window_filters(window).end)
    ys = in_window(frames["ysywd"], "raised_on", window).copy()
    first = lambda items: min((x["date"] for x in items), default=None) if items is not None else None  # noqa: E731
    ys["first_action"] = ys["actions"].map(first)
    ys["first_feedback"] = ys["feedback"].map(first)
    ys["to_action"] = [(a - r).days if a is not None else None for a, r in zip(ys["first_action"], ys["raised_on"],
                                                                                strict=True)]
    ys["to_feedback"] = [(f - r).days if f is not None else None for f, r in zip(ys["first_feedback"],
                                                                                  ys["raised_on"], strict=True)]
    ys["days_open"] = [(today - r).days for r in ys["raised_on"]]
    ys["late"] = ys["first_action"].isna() & (ys["days_open"] > ysywd.OVERDUE_DAYS)
    ys["month"] = [r.replace(day=1) for r in ys["raised_on"]]
    areas = frames["areas"].drop_duplicates("area_code").set_index("area_code")["name"]
    wards = frames["wards"].drop_duplicates("ward_code").set_index("ward_code")["name"]
    month = ys.groupby(["area_code", "month"]).agg(
        raised=("record_id", "size"), actioned=("first_action", "count"), fed_back=("first_feedback", "count"),
        median_days_to_action=("to_action", _median), median_days_to_feedback=("to_feedback", _median)).reset_index()
    month.insert(1, "area", month["area_code"].map(areas))
    head = pd.DataFrame([{
        "raised": len(ys), "actioned": int(ys["first_action"].notna().sum()),
        "fed_back": int(ys["first_feedback"].notna().sum()), "closed": int(ys["status"].eq("closed").sum()),
        "median_days_to_action": _median(ys["to_action"]), "median_days_to_feedback": _median(ys["to_feedback"]),
        "overdue": int(ys["late"].sum())}])
    types = pd.Series([a["action_type"] for items in ys["actions"] for a in (items if items is not None else [])],
                      dtype="object").value_counts().rename_axis("action_type").reset_index(name="actions")
    late = ys[ys["late"]].sort_values(["raised_on", "record_id"]).head(ysywd.BOARD_LIMIT)
    overdue = pd.DataFrame({"record_id": late["record_id"], "area_code": late["area_code"],
                            "ward": late["ward_code"].map(wards), "issue_category": late["issue_category"],
                            "raised_on": late["raised_on"], "status": late["status"], "days_open": late["days_open"]})
    by_ward = ys[ys["ward_code"].notna()].groupby("ward_code").agg(items=("record_id", "size"),
                                                                   overdue=("late", "sum")).reset_index()
    return ysywd.assemble_overview(month, head, types, overdue, by_ward)


def commander_comparable(result: Any) -> dict:
    result = SimpleNamespace(**fields_of(result))

    def day(value):
        return pd.Timestamp(value).date()

    months = result.by_area_month.assign(month=result.by_area_month["month"].map(day))
    overdue = result.overdue.assign(raised_on=result.overdue["raised_on"].map(day))
    return {
        "headline": {k: (None if v is None else round(float(v), 9)) for k, v in result.headline.items()},
        "by_area_month": sorted_rows(months.astype(object).where(months.notna(), None),
                                     ["area_code", "month", "raised", "actioned", "fed_back",
                                      "median_days_to_action", "median_days_to_feedback"]),
        "actions_by_type": sorted_rows(result.actions_by_type, ["action_type", "actions"]),
        "overdue": sorted_rows(overdue, ["record_id", "area_code", "raised_on", "status", "days_open"]),
        "by_ward": sorted_rows(result.by_ward, ["ward_code", "items", "overdue"]),
    }


register(BenchPage(
    "ysywd_commander", commander_store, floors.commander, commander_pandas, commander_comparable,
    {"ysywd": ("record_id", "area_code", "ward_code", "raised_on", "status", "issue_category", "issue_text",
               "source", "publishable", "actions", "feedback"),
     "areas": ("area_code", "name"), "wards": ("ward_code", "name")},
))
