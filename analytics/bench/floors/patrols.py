"""Floors of the Patrols and abstractions page and the Change over time page.

Patrols and abstractions: one scan of each table grouped by `GROUPING SETS` into every
breakdown the page shows, plus the three small reference tables. Change over time: one
statement, each source counted per (day, area) and the counts summed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics.bench.floors import Window, dates, run, sources, when

TOP_DUTIES = 10
TOP_OFFICERS = 20
TRENDS = ("issues_raised", "ysywd_actions", "ysywd_feedback", "good_events", "events_completed", "ccrs", "patrols")


def _most_hours(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.sort_values(["hours", key], ascending=[False, True], ignore_index=True)


def _sums(frame: pd.DataFrame, keys: str | list[str], count: str) -> pd.DataFrame:
    return frame.groupby(keys, as_index=False, dropna=False)[[count, "hours"]].sum()


def patrols_abstractions(paths: dict[str, str], window: Window) -> dict[str, Any]:
    src = sources(paths)
    wp, pp = when("start", window)
    wa, pa = when("date", dates(window))
    # Few grouping sets of fine keys, rolled up here, measured faster than one set per breakdown.
    patrols, abstractions, areas, wards, users = run(
        # GROUPING(day, patrol_type, area_code, ward_code, officer_id): 7 (day, type), 17 (type, area, ward),
        # 30 officer.
        ("SELECT GROUPING(day, patrol_type, area_code, ward_code, officer_id) AS level, day, patrol_type,"
         " area_code, ward_code, officer_id, count(*) AS patrols, sum(seconds) / 3600.0 AS hours"
         " FROM (SELECT CAST(start AS DATE) AS day, patrol_type, area_code, ward_code, officer_id,"
         f" date_diff('second', start, \"end\") AS seconds FROM {src['patrols']} WHERE {wp})"
         " GROUP BY GROUPING SETS ((day, patrol_type), (patrol_type, area_code, ward_code), (officer_id))", pp),
        # GROUPING(day, area_code, reason, duty_taken_to): 3 (day, area), 12 (reason, duty).
        ("SELECT GROUPING(day, area_code, reason, duty_taken_to) AS level, day, area_code, reason, duty_taken_to,"
         " count(*) AS abstractions, sum(hours) AS hours"
         f" FROM (SELECT date AS day, area_code, reason, duty_taken_to, hours FROM {src['abstractions']}"
         f" WHERE {wa}) GROUP BY GROUPING SETS ((day, area_code), (reason, duty_taken_to))", pa),
        (f"SELECT area_code, name FROM {src['areas']}", []),
        (f"SELECT ward_code, name, area_code, centre_lat, centre_lon FROM {src['wards']}", []),
        (f"SELECT user_id, name FROM {src['users']}", []),
    )
    level = patrols["level"]
    area_names = areas.drop_duplicates("area_code").set_index("area_code")["name"]
    user_names = users.drop_duplicates("user_id").set_index("user_id")["name"]

    def named(codes: pd.Series, names: pd.Series) -> pd.Series:
        return codes.map(names).fillna(codes)

    fine = patrols[level == 17]
    by_area = _most_hours(_sums(fine, "area_code", "patrols"), "area_code")
    by_area.insert(1, "area", named(by_area["area_code"], area_names))
    by_ward = wards.merge(_sums(fine, "ward_code", "patrols"), on="ward_code", how="left").fillna(
        {"patrols": 0, "hours": 0.0})
    officers = _most_hours(patrols.loc[level == 30, ["officer_id", "patrols", "hours"]], "officer_id")
    officers = officers.head(TOP_OFFICERS)
    officers.insert(1, "officer", named(officers["officer_id"], user_names))

    ab_level = abstractions["level"]
    ab_day = abstractions.loc[ab_level == 3, ["day", "area_code", "abstractions", "hours"]]
    ab_day.insert(2, "area", named(ab_day["area_code"], area_names))
    pairs = abstractions[ab_level == 12]
    duties = _most_hours(_sums(pairs, "duty_taken_to", "abstractions"), "duty_taken_to").head(TOP_DUTIES)
    reasons = (pairs.sort_values(["hours", "reason"], ascending=[False, True])
               .drop_duplicates("duty_taken_to").set_index("duty_taken_to")["reason"])
    duties.insert(1, "reason", duties["duty_taken_to"].map(reasons))
    return {
        "headline": {"patrols": int(fine["patrols"].sum()), "patrol_hours": float(fine["hours"].sum()),
                     "abstractions": int(pairs["abstractions"].sum()),
                     "abstraction_hours": float(pairs["hours"].sum())},
        "patrols_by_day": patrols.loc[level == 7, ["day", "patrol_type", "patrols", "hours"]],
        "patrols_by_type": _most_hours(_sums(fine, "patrol_type", "patrols"), "patrol_type"),
        "patrols_by_area": by_area,
        "patrols_by_ward": by_ward,
        "patrols_by_officer": officers,
        "abstractions_by_day": ab_day,
        "abstractions_by_reason": _most_hours(_sums(pairs, "reason", "abstractions"), "reason"),
        "top_duties": duties,
    }


def change_over_time(paths: dict[str, str], window: Window) -> pd.DataFrame:
    src = sources(paths)
    we, pe = when("start", window)
    wc, pc = when("contact_at", window)
    wy, py = when("item['date']", dates(window))
    sums = ", ".join(f"CAST(coalesce(sum({m}), 0) AS BIGINT) AS {m}" for m in TRENDS)
    (daily,) = run((
        f"SELECT day, area_code, {sums} FROM ("
        "SELECT CAST(start AS DATE) AS day, area_code, count(*) AS events_completed,"
        " sum(len(issues)) AS issues_raised, count(*) FILTER (WHERE quality_rating >= 4) AS good_events"
        f" FROM {src['events']} WHERE {we} AND status = 'completed' GROUP BY ALL"
        " UNION ALL BY NAME"
        " SELECT CAST(contact_at AS DATE) AS day, area_code, count(*) AS ccrs, sum(len(issues)) AS issues_raised"
        f" FROM {src['ccrs']} WHERE {wc} GROUP BY ALL"
        " UNION ALL BY NAME"
        f" SELECT CAST(start AS DATE) AS day, area_code, count(*) AS patrols FROM {src['patrols']} WHERE {we}"
        " GROUP BY ALL"
        " UNION ALL BY NAME"
        " SELECT item['date'] AS day, area_code, count(*) FILTER (WHERE kind = 'a') AS ysywd_actions,"
        " count(*) FILTER (WHERE kind = 'f') AS ysywd_feedback FROM"
        f" (SELECT area_code, 'a' AS kind, unnest(actions) AS item FROM {src['ysywd']}"
        f"  UNION ALL SELECT area_code, 'f', unnest(feedback) FROM {src['ysywd']}) WHERE {wy} GROUP BY ALL"
        ") GROUP BY day, area_code ORDER BY day, area_code", pe + pc + pe + py))
    daily["day"] = pd.to_datetime(daily["day"]).astype("datetime64[ns]")
    return daily
