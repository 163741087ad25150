"""Floors of the Engagement vs demand and Representativeness pages.

Engagement vs demand: one statement counts each source per (ward, month), crimes also
by crime type, in one scan of each table; wards, months, rates, shares and the gap are
summed and divided here from those few hundred rows. Representativeness: people met per
area and ethnic group, and each area's latest census, in two statements.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from analytics.bench.floors import Window, run, sources, when

ASB = "Anti-social behaviour"
DAYS_PER_MONTH = 365.25 / 12
MEASURES = ["crimes", "asb", "events", "ccrs", "patrols", "queries", "patrol_hours"]
ETHNIC_GROUPS = ("Asian", "Black", "Mixed", "White", "Other")
GROUP_OF_CODE = "CASE left(ethnicity, 1) WHEN 'A' THEN 'Asian' WHEN 'B' THEN 'Black' WHEN 'M' THEN 'Mixed'" \
                " WHEN 'W' THEN 'White' WHEN 'O' THEN 'Other' ELSE 'Not stated' END"


# -- engagement vs demand -----------------------------------------------------------


def _months_of(window: Window) -> tuple[dt.date, dt.date] | None:
    """The crime months a [start, end) window touches: [first day of the start's month, end)."""
    return window and (window[0].date().replace(day=1), window[1].date())


def _period(window: Window, active: pd.Series) -> float:
    """The period in months: the window's days, else first activity month to the end of the last one."""
    if window is not None:
        return (window[1] - window[0]).days / DAYS_PER_MONTH
    if active.empty:
        return 0.0
    end = pd.Timestamp(active.max()) + pd.offsets.MonthEnd(0)
    return ((end - pd.Timestamp(active.min())).days + 1) / DAYS_PER_MONTH


def _rates(wards: pd.DataFrame, crime_months: int, period: float) -> pd.DataFrame:
    """Monthly rates, demand and engagement shares, and the gap (percentage points), per ward."""
    for column in ("crimes", "asb"):
        wards[f"{column}_per_month"] = (wards[column] / crime_months).round(1) if crime_months else None
    for column in ("events", "ccrs", "patrol_hours"):
        wards[f"{column}_per_month"] = (wards[column] / period).round(1) if period else None
    demand = wards["crimes"] + wards["asb"] + wards["queries"]
    engagement = wards["events"] + wards["ccrs"] + wards["patrols"]
    wards["demand_share"] = (demand / demand.sum()).round(4) if demand.sum() else 0.0
    wards["engagement_share"] = (engagement / engagement.sum()).round(4) if engagement.sum() else 0.0
    wards["gap"] = ((wards["engagement_share"] - wards["demand_share"]) * 100).round(1)
    return wards


def engagement_vs_demand(paths: dict[str, str], window: Window) -> dict[str, Any]:
    src = sources(paths)
    wm, pm = when("month", _months_of(window))
    we, pe = when("start", window)
    wc, pc = when("contact_at", window)
    wq, pq = when("received_at", window)
    monthly, wards = run(
        # Crimes by (ward, month) and by type in one scan (`by_type` set on the type rows only).
        ("SELECT GROUPING(crime_type) = 0 AS by_type, crime_type, ward_code, month,"
         f" count(*) FILTER (WHERE crime_type <> '{ASB}') AS crimes,"
         f" count(*) FILTER (WHERE crime_type = '{ASB}') AS asb"
         f" FROM (SELECT crime_type, ward_code, CAST(date_trunc('month', month) AS DATE) AS month FROM {src['crimes']}"
         f" WHERE {wm}) GROUP BY GROUPING SETS ((ward_code, month), (crime_type))"
         " UNION ALL BY NAME"
         " SELECT ward_code, CAST(date_trunc('month', start) AS DATE) AS month, count(*) AS events"
         f" FROM {src['events']} WHERE {we} AND status <> 'cancelled' GROUP BY ALL"
         " UNION ALL BY NAME"
         " SELECT ward_code, CAST(date_trunc('month', contact_at) AS DATE) AS month, count(*) AS ccrs"
         f" FROM {src['ccrs']} WHERE {wc} GROUP BY ALL"
         " UNION ALL BY NAME"
         " SELECT ward_code, CAST(date_trunc('month', start) AS DATE) AS month, count(*) AS patrols,"
         " sum(epoch(\"end\" - start)) / 3600.0 AS patrol_hours"
         f" FROM {src['patrols']} WHERE {we} GROUP BY ALL"
         " UNION ALL BY NAME"
         " SELECT ward_code, CAST(date_trunc('month', received_at) AS DATE) AS month, count(*) AS queries"
         f" FROM {src['community_queries']} WHERE {wq} GROUP BY ALL", pm + pe + pc + pe + pq),
        (f"SELECT w.ward_code, w.name AS ward, w.area_code, coalesce(a.name, w.area_code) AS area"
         f" FROM {src['wards']} w LEFT JOIN {src['areas']} a USING (area_code) ORDER BY w.ward_code", []),
    )
    typed = monthly["by_type"].fillna(False).astype(bool)
    by_type = monthly.loc[typed, ["crime_type", "crimes", "asb"]]
    by_type = pd.DataFrame({"crime_type": by_type["crime_type"], "crimes": by_type["crimes"] + by_type["asb"]})
    m = monthly.loc[~typed, ["ward_code", "month", *MEASURES]].fillna({c: 0 for c in MEASURES})
    per_ward = m.groupby("ward_code")[MEASURES].sum()
    for column in MEASURES:
        wards[column] = wards["ward_code"].map(per_ward[column]).fillna(0)
    wards[MEASURES[:-1]] = wards[MEASURES[:-1]].astype("int64")
    wards["patrol_hours"] = wards["patrol_hours"].astype(float).round(1)
    months = m.groupby("month", as_index=False)[MEASURES].sum().sort_values("month", ignore_index=True)
    months["patrol_hours"] = months["patrol_hours"].astype(float).round(1)
    crime_rows = m[(m["crimes"] + m["asb"]) > 0]
    crime_months = int(crime_rows["month"].nunique())
    active = months.loc[(months["events"] + months["ccrs"] + months["patrols"]) > 0, "month"]
    period = _period(window, active)
    unplaced = int((crime_rows.loc[crime_rows["ward_code"].isna(), ["crimes", "asb"]]).to_numpy().sum())
    return {"wards": _rates(wards, crime_months, period), "crime_months": crime_months, "months": round(period, 2),
            "by_month": months[["month", "crimes", "asb", "events", "ccrs", "patrol_hours"]], "by_type": by_type,
            "unplaced": unplaced}


# -- representativeness -------------------------------------------------------------


def representativeness(paths: dict[str, str], window: Window) -> dict[str, Any]:
    src = sources(paths)
    wc, pc = when("contact_at", window)
    contacts, population = run(
        (f"SELECT area_code, {GROUP_OF_CODE} AS ethnic_group, count(*) AS contacts FROM {src['ccrs']}"
         f" WHERE {wc} AND diversity_consent AND ethnicity IS NOT NULL GROUP BY ALL", pc),
        ("SELECT c.area_code, a.name AS area, c.census_year, c.ethnic_group, sum(c.people) AS population FROM"
         " (SELECT coalesce(area_code, geography_code) AS area_code, census_year, ethnic_group, people,"
         "   max(census_year) OVER (PARTITION BY coalesce(area_code, geography_code)) AS latest"
         f"  FROM {src['census_population']}) c JOIN (SELECT DISTINCT area_code, name FROM {src['areas']}) a"
         " USING (area_code) WHERE c.census_year = c.latest GROUP BY ALL", []),
    )
    # Every area with a census, every group (none counted: 0), shares of the five groups' total.
    areas = population.drop_duplicates("area_code").sort_values("area_code")[["area_code", "area", "census_year"]]
    grid = areas.merge(pd.DataFrame({"ethnic_group": ETHNIC_GROUPS}), how="cross")
    groups = grid.merge(population[["area_code", "ethnic_group", "population"]], how="left",
                        on=["area_code", "ethnic_group"]).fillna({"population": 0})
    groups["population"] = groups["population"].astype("int64")
    whole = groups.groupby("area_code")["population"].transform("sum")
    groups["population_share"] = (groups["population"] / whole).where(whole > 0)
    groups = groups.merge(contacts, how="left", on=["area_code", "ethnic_group"]).fillna({"contacts": 0})
    summary = groups.groupby("area_code", as_index=False)["population"].sum()
    return {"groups": groups, "areas": summary}
