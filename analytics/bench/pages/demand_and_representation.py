"""Benchmark entries for the Engagement vs demand and Representativeness pages.

Each page's figures three ways: `analytics.demand.engagement_vs_demand` /
`analytics.representation.representativeness` on the store; SQL written out by
hand over one Parquet file per table; and pandas over DataFrames in memory.
Engagement vs demand is compared on every ward's counts, shares and gap, the
months, and the month and crime-type breakdowns: the floor and pandas count per
ward, then share the page's own `demand.ward_rates` for rates, shares and gap. Representativeness is
compared after suppression, as the page shows it: the floor and pandas count
people met and population per area and group, then share the page's own
`representation.combine` for shares, flags and suppression.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from analytics import demand, representation, sql
from analytics.bench.floor import floor_sources, when
from analytics.bench.in_memory import in_window
from analytics.bench.registry import BenchPage, Window, register, sorted_rows
from data.picklists import ETHNICITY

ASB = demand.ASB
WARD_COLUMNS = ["ward_code", "ward", "area_code", "area", "crimes", "asb", "queries", "events", "ccrs", "patrols",
                "patrol_hours", "crimes_per_month", "asb_per_month", "events_per_month", "ccrs_per_month",
                "patrol_hours_per_month", "demand_share", "engagement_share", "gap"]


# -- engagement vs demand -----------------------------------------------------------


def _months_of(window: Window) -> tuple[dt.date, dt.date] | None:
    """The crime months a [start, end) window touches: [first day of the start's month, end)."""
    return window and (window[0].date().replace(day=1), window[1].date())


def _finish(per_ward: pd.DataFrame, crime_months: int, period: float, by_month: pd.DataFrame,
            by_type: pd.DataFrame, unplaced: int) -> demand.Demand:
    """The page's result from counts per ward, with rates, shares and the gap as the page defines them."""
    wards = demand.ward_rates(per_ward, crime_months=crime_months, period=period)
    return demand.Demand(wards, crime_months, round(period, 2), by_month, by_type, unplaced)


def _period(window: Window, first: Any, last: Any) -> float:
    """The period in months: the window's days, else first activity month to the end of the last one."""
    if window is not None:
        return (window[1] - window[0]).days / demand.DAYS_PER_MONTH
    if first is None or pd.isna(first):
        return 0.0
    end = pd.Timestamp(last) + pd.offsets.MonthEnd(0)
    return ((end - pd.Timestamp(first)).days + 1) / demand.DAYS_PER_MONTH


def demand_floor(paths: dict[str, str], window: Window) -> demand.Demand:
    src = floor_sources(paths)
    wm, pm = when("month", _months_of(window))
    we, pe = when("start", window)
    wc, pc = when("contact_at", window)
    wq, pq = when("received_at", window)
    # One row per ward and month from each source; a source's missing measures are 0.
    monthly = (
        "SELECT ward_code, month, coalesce(crimes, 0) AS crimes, coalesce(asb, 0) AS asb,"
        " coalesce(events, 0) AS events, coalesce(ccrs, 0) AS ccrs, coalesce(patrols, 0) AS patrols,"
        " coalesce(patrol_hours, 0) AS patrol_hours, coalesce(queries, 0) AS queries FROM ("
        f"SELECT ward_code, CAST(date_trunc('month', month) AS DATE) AS month,"
        f" count(*) FILTER (WHERE crime_type <> '{ASB}') AS crimes, count(*) FILTER (WHERE crime_type = '{ASB}') AS asb"
        f" FROM {src['crimes']} WHERE {wm} GROUP BY ALL"
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
        f" FROM {src['community_queries']} WHERE {wq} GROUP BY ALL)"
    )
    params = pm + pe + pc + pe + pq
    wards, months, by_type, span = sql.run_many(
        (f"WITH m AS ({monthly}) SELECT w.ward_code, w.name AS ward, w.area_code,"
         " coalesce(a.name, w.area_code) AS area,"
         " coalesce(sum(m.crimes), 0) AS crimes, coalesce(sum(m.asb), 0) AS asb, coalesce(sum(m.events), 0) AS events,"
         " coalesce(sum(m.ccrs), 0) AS ccrs, coalesce(sum(m.patrols), 0) AS patrols,"
         " coalesce(sum(m.patrol_hours), 0) AS patrol_hours, coalesce(sum(m.queries), 0) AS queries"
         f" FROM {src['wards']} w LEFT JOIN {src['areas']} a USING (area_code) LEFT JOIN m USING (ward_code)"
         " GROUP BY ALL ORDER BY w.ward_code", params),
        (f"WITH m AS ({monthly}) SELECT month, sum(crimes) AS crimes, sum(asb) AS asb, sum(events) AS events,"
         " sum(ccrs) AS ccrs, sum(patrol_hours) AS patrol_hours,"
         " sum(crimes + asb) FILTER (WHERE ward_code IS NULL) AS unplaced,"
         " bool_or(crimes + asb > 0) AS crime_month, bool_or(events + ccrs + patrols > 0) AS activity_month"
         " FROM m GROUP BY month ORDER BY month", params),
        (f"SELECT crime_type, count(*) AS crimes FROM {src['crimes']} WHERE {wm} GROUP BY ALL", pm),
        (f"SELECT count(DISTINCT month) AS months FROM {src['crimes']} WHERE {wm}", pm),
    )
    # Rounded as the page rounds (half to even; DuckDB's round() goes half away from zero).
    wards["patrol_hours"] = wards["patrol_hours"].astype(float).round(1)
    months["patrol_hours"] = months["patrol_hours"].astype(float).round(1)
    active = months.loc[months["activity_month"], "month"]
    period = _period(window, active.min() if len(active) else None, active.max() if len(active) else None)
    by_month = months[["month", "crimes", "asb", "events", "ccrs", "patrol_hours"]]
    return _finish(wards, int(span["months"].iloc[0]), period, by_month, by_type,
                   int(months["unplaced"].fillna(0).sum()))


def demand_pandas(frames: dict[str, pd.DataFrame], window: Window) -> demand.Demand:
    crimes = frames["crimes"]
    months = _months_of(window)
    if months is not None:
        crimes = crimes[(crimes["month"] >= months[0]) & (crimes["month"] < months[1])]
    events = in_window(frames["events"], "start", window)
    events = events[events["status"].ne("cancelled")]
    ccrs = in_window(frames["ccrs"], "contact_at", window)
    patrols = in_window(frames["patrols"], "start", window)
    queries = in_window(frames["community_queries"], "received_at", window)
    month_of = lambda moments: moments.dt.to_period("M").dt.to_timestamp()  # noqa: E731
    is_asb = crimes["crime_type"].eq(ASB)
    parts = pd.concat([
        pd.DataFrame({"ward_code": crimes["ward_code"], "month": pd.to_datetime(crimes["month"]),
                      "crimes": (~is_asb).astype("int64"), "asb": is_asb.astype("int64")}),
        pd.DataFrame({"ward_code": events["ward_code"], "month": month_of(events["start"]), "events": 1}),
        pd.DataFrame({"ward_code": ccrs["ward_code"], "month": month_of(ccrs["contact_at"]), "ccrs": 1}),
        pd.DataFrame({"ward_code": patrols["ward_code"], "month": month_of(patrols["start"]), "patrols": 1,
                      "patrol_hours": (patrols["end"] - patrols["start"]).dt.total_seconds() / 3600}),
        pd.DataFrame({"ward_code": queries["ward_code"], "month": month_of(queries["received_at"]), "queries": 1}),
    ], ignore_index=True)
    measures = ["crimes", "asb", "events", "ccrs", "patrols", "queries", "patrol_hours"]
    parts[measures] = parts[measures].fillna(0)
    per_ward = parts.groupby("ward_code")[measures].sum()
    wards = frames["wards"].merge(frames["areas"].rename(columns={"name": "area"}), on="area_code", how="left")
    wards = wards.rename(columns={"name": "ward"}).sort_values("ward_code", ignore_index=True)
    wards["area"] = wards["area"].fillna(wards["area_code"])
    for column in measures:
        wards[column] = wards["ward_code"].map(per_ward[column]).fillna(0)
    wards[measures[:-1]] = wards[measures[:-1]].astype("int64")
    wards["patrol_hours"] = wards["patrol_hours"].round(1)
    by_month = parts.groupby("month", as_index=False)[measures].sum()
    activity = parts.loc[parts[["events", "ccrs", "patrols"]].sum(axis=1) > 0, "month"]
    period = _period(window, activity.min() if len(activity) else None, activity.max() if len(activity) else None)
    by_type = crimes["crime_type"].value_counts().rename_axis("crime_type").reset_index(name="crimes")
    return _finish(wards[["ward_code", "ward", "area_code", "area", *measures]], int(crimes["month"].nunique()),
                   period, by_month.drop(columns=["patrols"]).round({"patrol_hours": 1}), by_type,
                   int(crimes["ward_code"].isna().sum()))


def demand_comparable(result: demand.Demand) -> dict:
    wards = result.wards.copy()
    by_month = result.by_month.copy()
    by_month["month"] = pd.to_datetime(by_month["month"]).dt.date
    return {
        "wards": sorted_rows(wards.fillna({c: -1 for c in WARD_COLUMNS if c.endswith("_per_month")}), WARD_COLUMNS),
        "crime_months": int(result.crime_months),
        "months": round(float(result.months), 2),
        "by_month": sorted_rows(by_month, ["month", "crimes", "asb", "events", "ccrs", "patrol_hours"]),
        "by_type": sorted_rows(result.by_type, ["crime_type", "crimes"]),
        "unplaced": int(result.unplaced),
    }


# -- representativeness -------------------------------------------------------------

_GROUPS = ", ".join(f"('{code}', '{group}')" for code, (_, group) in ETHNICITY.items() if code != "NS")


def representation_floor(paths: dict[str, str], window: Window) -> representation.Representation:
    src = floor_sources(paths)
    wc, pc = when("contact_at", window)
    contacts, population = sql.run_many(
        ("SELECT area_code, coalesce(g.ethnic_group, 'Not stated') AS ethnic_group, count(*) AS contacts"
         f" FROM {src['ccrs']} c LEFT JOIN (VALUES {_GROUPS}) g(ethnicity, ethnic_group) USING (ethnicity)"
         f" WHERE {wc} AND diversity_consent AND ethnicity IS NOT NULL GROUP BY ALL", pc),
        ("SELECT area_code, a.name AS area, census_year, ethnic_group, sum(people) AS population FROM"
         " (SELECT coalesce(area_code, geography_code) AS area_code, census_year, ethnic_group, people,"
         "   max(census_year) OVER (PARTITION BY coalesce(area_code, geography_code)) AS latest"
         f"  FROM {src['census_population']}) c JOIN {src['areas']} a USING (area_code)"
         " WHERE census_year = latest GROUP BY ALL", []),
    )
    return representation.combine(contacts, population)


def representation_pandas(frames: dict[str, pd.DataFrame], window: Window) -> representation.Representation:
    ccrs = in_window(frames["ccrs"], "contact_at", window)
    ccrs = ccrs[ccrs["diversity_consent"].fillna(False).astype(bool) & ccrs["ethnicity"].notna()]
    groups = {code: group for code, (_, group) in ETHNICITY.items() if code != "NS"}
    contacts = (ccrs.assign(ethnic_group=ccrs["ethnicity"].map(groups).fillna(representation.NOT_STATED))
                .groupby(["area_code", "ethnic_group"]).size().rename("contacts").reset_index())
    census = frames["census_population"].copy()
    census["area_code"] = census["area_code"].fillna(census["geography_code"])
    census = census[census["census_year"] == census.groupby("area_code")["census_year"].transform("max")]
    population = (census.merge(frames["areas"].rename(columns={"name": "area"}), on="area_code")
                  .groupby(["area_code", "area", "census_year", "ethnic_group"], as_index=False)["people"].sum()
                  .rename(columns={"people": "population"}))
    return representation.combine(contacts, population)


def representation_comparable(result: representation.Representation) -> dict:
    def plain(frame: pd.DataFrame) -> list[tuple]:
        rounded = frame.astype(object).where(frame.notna(), None)
        return sorted(tuple(round(v, 9) if isinstance(v, float) else str(v) if v is not None else None
                            for v in row) for row in rounded.itertuples(index=False))

    # People met come from published area-months on the store (`analytics.disclosure`: whole closed
    # months, cells of fewer than 10 withheld), from the CCRs in the window on the floors: only the
    # census side is compared. The store's figure includes reading (and when cold, publishing) the cells.
    census = ["area_code", "census_year", "ethnic_group", "population", "population_share"]
    return {"groups": plain(result.groups[census]), "areas": plain(result.areas[["area_code", "population"]])}


register(
    BenchPage("engagement_vs_demand", demand.engagement_vs_demand, demand_floor, demand_pandas, demand_comparable,
              {"crimes": ("month", "crime_type", "ward_code"), "events": ("start", "status", "ward_code"),
               "ccrs": ("contact_at", "ward_code"), "patrols": ("start", "end", "ward_code"),
               "community_queries": ("received_at", "ward_code"),
               "wards": ("ward_code", "name", "area_code"), "areas": ("area_code", "name")}),
    BenchPage("representativeness", representation.representativeness, representation_floor,
              representation_pandas, representation_comparable,
              {"ccrs": ("contact_at", "area_code", "diversity_consent", "ethnicity"),
               "census_population": ("area_code", "geography_code", "census_year", "ethnic_group", "people"),
               "areas": ("area_code", "name")}),
)
