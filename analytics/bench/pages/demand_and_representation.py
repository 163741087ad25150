"""Benchmark entries for the Engagement vs demand and Representativeness pages.

Each page's figures three ways: `analytics.demand.engagement_vs_demand` /
`analytics.representation.representativeness` on the store; SQL written out by
hand over one Parquet file per table (`analytics.bench.floors.demand`, with its own
rates, shares and gap); and pandas over DataFrames in memory. Engagement vs demand
is compared on every ward's counts, shares and gap, the months, and the month and
crime-type breakdowns: pandas counts per ward, then shares the page's own
`demand.ward_rates` for rates, shares and gap. Representativeness is compared on
the census side (see `representation_comparable`).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pandas as pd

from analytics import demand, representation
from analytics.bench.floors import demand as floors
from analytics.bench.in_memory import in_window
from analytics.bench.registry import BenchPage, Window, fields_of, register, sorted_rows
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


def demand_comparable(result: Any) -> dict:
    result = SimpleNamespace(**fields_of(result))
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


def representation_comparable(result: Any) -> dict:
    result = SimpleNamespace(**fields_of(result))

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
    BenchPage("engagement_vs_demand", demand.engagement_vs_demand, floors.engagement_vs_demand, demand_pandas,
              demand_comparable,
              {"crimes": ("month", "crime_type", "ward_code"), "events": ("start", "status", "ward_code"),
               "ccrs": ("contact_at", "ward_code"), "patrols": ("start", "end", "ward_code"),
               "community_queries": ("received_at", "ward_code"),
               "wards": ("ward_code", "name", "area_code"), "areas": ("area_code", "name")}),
    BenchPage("representativeness", representation.representativeness, floors.representativeness,
              representation_pandas, representation_comparable,
              {"ccrs": ("contact_at", "area_code", "diversity_consent", "ethnicity"),
               "census_population": ("area_code", "geography_code", "census_year", "ethnic_group", "people"),
               "areas": ("area_code", "name")}),
)
