"""Floor of the "You said, we did" commander view.

One scan of the items in the period grouped by `GROUPING SETS` into the (area, month)
rows, the wards and the headline; one `unnest` of the action types; one list of the
overdue items. "Today" (days open, the overdue threshold) is the period's last day.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics.bench.floors import Window, dates, last_day, run, sources, when

OVERDUE_DAYS = 28
BOARD_LIMIT = 2_000

_ITEMS = ("SELECT record_id, area_code, ward_code, raised_on, status, issue_category,"
          " list_min(list_transform(actions, lambda a: a.date)) AS first_action,"
          " list_min(list_transform(feedback, lambda f: f.date)) AS first_feedback FROM {ysywd} WHERE {where}")
_LATE = "first_action IS NULL AND ?::DATE - raised_on > ?"


def _median(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def commander(paths: dict[str, str], window: Window) -> dict[str, Any]:
    src = sources(paths)
    w, p = when("raised_on", dates(window))
    today = last_day(window)
    items = _ITEMS.format(ysywd=src["ysywd"], where=w)
    grouped, types, overdue, areas, wards = run(
        # GROUPING(area_code, month, ward_code): 1 (area, month), 6 ward, 7 all.
        ("SELECT GROUPING(area_code, month, ward_code) AS level, area_code, month, ward_code, count(*) AS raised,"
         " count(first_action) AS actioned, count(first_feedback) AS fed_back,"
         " count(*) FILTER (WHERE status = 'closed') AS closed, count(*) FILTER (WHERE late) AS overdue,"
         " median(first_action - raised_on) AS median_days_to_action,"
         " median(first_feedback - raised_on) AS median_days_to_feedback"
         f" FROM (SELECT *, CAST(date_trunc('month', raised_on) AS DATE) AS month, {_LATE} AS late FROM ({items}))"
         " GROUP BY GROUPING SETS ((area_code, month), (ward_code), ())", [today, OVERDUE_DAYS, *p]),
        ("SELECT action_type, count(*) AS actions FROM"
         f" (SELECT unnest(actions).action_type AS action_type FROM {src['ysywd']} WHERE {w}) GROUP BY action_type"
         " ORDER BY actions DESC, action_type", p),
        (f"SELECT record_id, area_code, ward_code, issue_category, raised_on, status,"
         f" ?::DATE - raised_on AS days_open FROM ({items}) WHERE {_LATE}"
         f" ORDER BY raised_on, record_id LIMIT {BOARD_LIMIT}", [today, *p, today, OVERDUE_DAYS]),
        (f"SELECT area_code, name FROM {src['areas']}", []),
        (f"SELECT ward_code, name FROM {src['wards']}", []),
    )
    level = grouped["level"]
    by_month = grouped.loc[level == 1, ["area_code", "month", "raised", "actioned", "fed_back",
                                        "median_days_to_action", "median_days_to_feedback"]]
    by_month.insert(1, "area", by_month["area_code"].map(areas.drop_duplicates("area_code")
                                                         .set_index("area_code")["name"]))
    ward_names = wards.drop_duplicates("ward_code").set_index("ward_code")["name"]
    overdue.insert(2, "ward", overdue["ward_code"].map(ward_names).fillna(overdue["ward_code"]).fillna("Area-wide"))
    head = grouped[level == 7]
    head = head.iloc[0] if len(head) else pd.Series(dtype=object)
    count = lambda name: int(head.get(name, 0) or 0)  # noqa: E731
    headline = {name: count(name) for name in ("raised", "actioned", "fed_back", "closed", "overdue")}
    headline |= {name: _median(head.get(name)) for name in ("median_days_to_action", "median_days_to_feedback")}
    return {"headline": headline, "by_area_month": by_month, "actions_by_type": types,
            "overdue": overdue.drop(columns="ward_code"),
            "by_ward": grouped.loc[(level == 6) & grouped["ward_code"].notna(), ["ward_code", "raised", "overdue"]]
            .rename(columns={"raised": "items"})}
