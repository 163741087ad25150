"""Engagement against demand, per ward: crime and ASB (data.police.uk) beside events, CCRs and patrols.

Demand is what the imported street-level files record in a ward: crimes and
anti-social behaviour, per month of data in the period (the files are
monthly, so a period covers every month it touches); and the community
queries received there in the period (Neighbourhood Policing Guarantee). Engagement is what
Beatbook records there: events held (booked or completed, not cancelled),
CCRs, and patrols with their hours, per month of the period. Each ward's
share of the force's demand sits beside its share of the engagement
activities (events + CCRs + patrols); the gap between them (percentage
points) shows where the work is and is not: a negative gap is a ward with
more of the demand than of the engagement.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from analytics import sql
from analytics.filters import Filters, ward_scope, where_clause
from analytics.trends import dash_partial, partial_periods, stretch_dash
from data.store import Store

ASB = "Anti-social behaviour"
DAYS_PER_MONTH = 365.25 / 12
POINT_LIMIT = 60_000


@dataclasses.dataclass
class Demand:
    """What the engagement-vs-demand page shows.

    wards: per ward in scope: ward_code, ward, area_code, area, crimes, asb, queries,
    crimes_per_month, asb_per_month, events, ccrs, patrols, patrol_hours,
    events_per_month, ccrs_per_month, patrol_hours_per_month, demand_share,
    engagement_share, gap (engagement_share - demand_share, in points).
    crime_months: months of crime data in the period; months: the period's
    length in months (for engagement rates). by_month: month, crimes, asb,
    events, ccrs, patrol_hours (everything in scope; with no area or ward
    chosen, crimes in no ward too). by_type: crime_type, crimes (likewise).
    unplaced: crimes in the period no ward holds (outside the boundaries or no location).
    """

    wards: pd.DataFrame
    crime_months: int
    months: float
    by_month: pd.DataFrame
    by_type: pd.DataFrame
    unplaced: int


def _crime_where(filters: Filters) -> tuple[str, list]:
    """Crimes by month: a period covers every month it touches; areas and wards as the filters say."""
    parts, params = [], []
    if filters.start is not None:
        parts.append("month >= ?")
        params.append(filters.start.replace(day=1))
    if filters.end is not None:
        parts.append("month <= ?")
        params.append(filters.end)
    scope, scope_params = ward_scope(filters)
    return " AND ".join([*parts, scope]) if parts else scope, params + scope_params


@sql.scoped("read_aggregates")
def engagement_vs_demand(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> Demand:
    """Per ward of the filters' scope: demand and engagement over the period."""
    return sql.cached(_engagement_vs_demand, store, filters,
                      tables=("crimes", "events", "ccrs", "patrols", "wards", "areas", "community_queries"))


def _engagement_vs_demand(relations: dict[str, str], filters: Filters) -> Demand:
    crime_where, crime_params = _crime_where(filters)
    events_where, events_params = where_clause(filters, table="events")
    ccrs_where, ccrs_params = where_clause(filters, table="ccrs")
    patrols_where, patrols_params = where_clause(filters, table="patrols")
    scope, scope_params = ward_scope(filters)
    period_where, period_params = _crime_where(Filters(start=filters.start, end=filters.end))
    queries_where, queries_params = where_clause(dataclasses.replace(filters, officers=()), table="community_queries")
    # Crimes, events, CCRs and patrols are summed file by file (`sql.additive`), side by side.
    summed = {name: sql.later(sql.additive, relations[table], sql.over(body, params), keys=keys, rows=rows)
              for name, table, body, params, keys, rows in (
        ("crimes", "crimes",
         f"SELECT ward_code, date_trunc('month', month)::DATE AS month, count(*) AS n,"
         f" count(*) FILTER (WHERE crime_type <> '{ASB}') AS crimes,"
         f" count(*) FILTER (WHERE crime_type = '{ASB}') AS asb"
         f" FROM {{rel}} WHERE {crime_where} GROUP BY ALL", crime_params, ["ward_code", "month"], "n"),
        ("events", "events",
         f"SELECT ward_code, date_trunc('month', start)::DATE AS month, count(*) AS events"
         f" FROM {{rel}} WHERE {events_where} AND status <> 'cancelled' GROUP BY ALL", events_params,
         ["ward_code", "month"], "events"),
        ("ccrs", "ccrs",
         f"SELECT ward_code, date_trunc('month', contact_at)::DATE AS month, count(*) AS ccrs"
         f" FROM {{rel}} WHERE {ccrs_where} GROUP BY ALL", ccrs_params, ["ward_code", "month"], "ccrs"),
        ("patrols", "patrols",
         f"SELECT ward_code, date_trunc('month', start)::DATE AS month, count(*) AS patrols,"
         f" sum(epoch(\"end\" - start)) / 3600.0 AS patrol_hours"
         f" FROM {{rel}} WHERE {patrols_where} GROUP BY ALL", patrols_params, ["ward_code", "month"], "patrols"),
        ("months", "crimes", f"SELECT month, count(*) AS n FROM {{rel}} WHERE {period_where} GROUP BY month",
         period_params, ["month"], "n"),
        ("by_type", "crimes", f"SELECT crime_type, count(*) AS crimes FROM {{rel}} WHERE {crime_where} GROUP BY ALL",
         crime_params, ["crime_type"], "crimes"),
    )}
    wards, queries = sql.run_many(
        (f"SELECT w.ward_code, w.name AS ward, w.area_code, coalesce(a.name, w.area_code) AS area"
         f" FROM (SELECT * FROM {relations['wards']} WHERE {scope}) w"
         f" LEFT JOIN {relations['areas']} a USING (area_code) ORDER BY w.ward_code", scope_params),
        (f"SELECT ward_code, count(*) AS queries FROM {relations['community_queries']} WHERE {queries_where}"
         f" GROUP BY ALL", queries_params),
    )
    crimes, events, ccrs, patrols, months, by_type = (
        summed[k].result() for k in ("crimes", "events", "ccrs", "patrols", "months", "by_type"))
    crimes = crimes.drop(columns="n")
    crime_months = len(months)  # the months holding crime data in the period (one row each)
    by_type = by_type.sort_values(["crimes", "crime_type"], ascending=[False, True], kind="stable")
    by_type = by_type.reset_index(drop=True)
    period = _period_months(filters, [events, ccrs, patrols])
    per_ward = wards.copy()
    for frame, columns in ((crimes, ("crimes", "asb")), (events, ("events",)), (ccrs, ("ccrs",)),
                           (patrols, ("patrols", "patrol_hours")), (queries, ("queries",))):
        totals = frame.groupby("ward_code", dropna=False)[list(columns)].sum()
        for column in columns:
            per_ward[column] = per_ward["ward_code"].map(totals[column]).fillna(0)
    for column in ("crimes", "asb", "events", "ccrs", "patrols", "queries"):
        per_ward[column] = per_ward[column].astype("int64")
    per_ward["patrol_hours"] = per_ward["patrol_hours"].astype(float).round(1)
    per_ward = ward_rates(per_ward, crime_months=crime_months, period=period)
    by_month = _by_month([crimes, events, ccrs, patrols])
    unplaced = int(crimes.loc[crimes["ward_code"].isna(), ["crimes", "asb"]].sum().sum()) if len(crimes) else 0
    return Demand(per_ward, crime_months, round(period, 2), by_month, by_type, unplaced)


def ward_rates(per_ward: pd.DataFrame, *, crime_months: int, period: float) -> pd.DataFrame:
    """Counts per ward with their monthly rates, demand and engagement shares and the gap added."""
    out = per_ward.copy()
    for column in ("crimes", "asb"):
        out[f"{column}_per_month"] = (out[column] / crime_months).round(1) if crime_months else None
    for column in ("events", "ccrs", "patrol_hours"):
        out[f"{column}_per_month"] = (out[column] / period).round(1) if period else None
    demand = out["crimes"] + out["asb"] + out["queries"]
    engagement = out["events"] + out["ccrs"] + out["patrols"]
    out["demand_share"] = (demand / demand.sum()).round(4) if demand.sum() else 0.0
    out["engagement_share"] = (engagement / engagement.sum()).round(4) if engagement.sum() else 0.0
    out["gap"] = ((out["engagement_share"] - out["demand_share"]) * 100).round(1)
    return out


def _period_months(filters: Filters, frames: list[pd.DataFrame]) -> float:
    """The period's length in months: from the filters, else from the months the activity covers."""
    if filters.start is not None and filters.end is not None:
        return ((filters.end - filters.start).days + 1) / DAYS_PER_MONTH
    months = pd.concat([f["month"] for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) \
        else pd.Series(dtype="object")
    if not len(months):
        return 0.0
    first = filters.start or pd.Timestamp(months.min()).date()
    last = filters.end or (pd.Timestamp(months.max()) + pd.offsets.MonthEnd(0)).date()
    return ((last - first).days + 1) / DAYS_PER_MONTH


def _by_month(frames: list[pd.DataFrame]) -> pd.DataFrame:
    columns = ["crimes", "asb", "events", "ccrs", "patrol_hours"]
    parts = [f.drop(columns=["ward_code"]).groupby("month").sum(numeric_only=True) for f in frames if len(f)]
    if not parts:
        return pd.DataFrame(columns=["month", *columns])
    out = pd.concat(parts, axis=1, sort=True).fillna(0).reset_index()
    for column in columns:
        if column not in out:
            out[column] = 0
    out = out[["month", *columns]].sort_values("month").reset_index(drop=True)
    for column in ("crimes", "asb", "events", "ccrs"):
        out[column] = out[column].astype("int64")
    out["patrol_hours"] = out["patrol_hours"].astype(float).round(1)
    return out


@sql.scoped("read_aggregates")
def list_crime_points(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> pd.DataFrame:
    """Located crimes and ASB in scope (lat, lon, crime_type, month), at most POINT_LIMIT, for the map."""
    return sql.cached(_list_crime_points, store, filters, tables=("crimes",))


def _list_crime_points(relations: dict[str, str], filters: Filters) -> pd.DataFrame:
    where, params = _crime_where(filters)
    return sql.run(
        f"SELECT lat, lon, crime_type, month FROM {relations['crimes']}"
        f" WHERE {where} AND lat IS NOT NULL ORDER BY month DESC, record_id LIMIT {POINT_LIMIT}", params)


def months_label(start: dt.date | None, end: dt.date | None) -> str:
    """'Oct 2018 – Feb 2019' for the period's months."""
    if start is None or end is None:
        return "all months"
    return f"{start:%b %Y} – {end:%b %Y}" if (start.year, start.month) != (end.year, end.month) \
        else f"{start:%b %Y}"


@sql.scoped("read_aggregates")
def crime_months_held(store: Store, filters: Filters | None = None, *,
                      user: Mapping[str, Any]) -> tuple[dt.date | None, dt.date | None, int]:
    """The first and last month of crime data in the store, and its rows (the filters are not used)."""
    return sql.cached(_crime_months_held, store, filters, tables=("crimes",))


def _crime_months_held(relations: dict[str, str], filters: Filters) -> tuple[dt.date | None, dt.date | None, int]:
    first, last, rows = sql.run(f"SELECT min(month) AS first, max(month) AS last, count(*) AS rows"
                               f" FROM {relations['crimes']}").iloc[0]
    return (None if pd.isna(first) else pd.Timestamp(first).date(),
            None if pd.isna(last) else pd.Timestamp(last).date(), int(rows))


def build_demand_chart(wards: pd.DataFrame) -> alt.LayerChart:
    """One dot per ward: its share of demand (x) against its share of engagement (y), with the line of parity.

    Wards under the line have more of the crime and ASB than of the engagement.
    """
    top = float(max(wards["demand_share"].max(), wards["engagement_share"].max(), 0.01)) if len(wards) else 0.01
    parity = alt.Chart(pd.DataFrame({"x": [0.0, top], "y": [0.0, top]})).mark_line(
        strokeDash=[4, 4], color="#888").encode(x="x:Q", y="y:Q")
    dots = alt.Chart(wards).mark_circle(size=70, opacity=0.8).encode(
        x=alt.X("demand_share:Q", title="Share of crime and ASB", axis=alt.Axis(format="%")),
        y=alt.Y("engagement_share:Q", title="Share of engagement (events, CCRs, patrols)",
                axis=alt.Axis(format="%")),
        color=alt.Color("gap:Q", title="Gap (points)", scale=alt.Scale(scheme="redblue", domainMid=0)),
        tooltip=[alt.Tooltip("ward:N", title="Ward"), alt.Tooltip("area:N", title="Area"),
                 alt.Tooltip("crimes:Q", title="Crimes", format=","), alt.Tooltip("asb:Q", title="ASB", format=","),
                 alt.Tooltip("events:Q", title="Events", format=","), alt.Tooltip("ccrs:Q", title="CCRs", format=","),
                 alt.Tooltip("patrol_hours:Q", title="Patrol hours", format=",.1f"),
                 alt.Tooltip("gap:Q", title="Gap (points)", format="+.1f")],
    )
    return alt.layer(parity, dots)


def build_monthly_demand_chart(by_month: pd.DataFrame, *,
                               crime_data: tuple[dt.date | None, dt.date | None] = (None, None),
                               start: dt.date | None = None, end: dt.date | None = None,
                               today: dt.date | None = None) -> alt.Chart:
    """Crimes, ASB, events, CCRs and patrol hours per month, one line each.

    The crime and ASB lines keep to the months `crime_data` (first, last month held) covers: a month with no
    crime file yet has no point, rather than a fall to 0. A month only partly in [start, end], or not over by
    `today`, is dashed (`trends.dash_partial`).
    """
    long = by_month.melt(id_vars="month", var_name="measure", value_name="value")
    missing = {pd.Timestamp(m) for m in months_without_crime_data(by_month, crime_data)}
    crime = long["measure"].isin(["crimes", "asb"])
    long = long[~(crime & pd.to_datetime(long["month"]).isin(missing))].reset_index(drop=True)
    long["measure"] = long["measure"].map(MEASURE_LABELS)
    long = dash_partial(long, x="month", series="measure",
                        partial=partial_periods(long["month"], grain="month", start=start, end=end, today=today))
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("month:T", title="Month", timeUnit="yearmonth"),
        y=alt.Y("value:Q", title="Per month"),
        color=alt.Color("measure:N", title=None, sort=list(MEASURE_LABELS.values())),
        strokeDash=stretch_dash(),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%b %Y"), alt.Tooltip("measure:N", title=" "),
                 alt.Tooltip("value:Q", title="Value", format=","), alt.Tooltip("kind:N", title="Month")],
    )


def months_without_crime_data(by_month: pd.DataFrame, crime_data: tuple[dt.date | None, dt.date | None]) -> list:
    """The months of `by_month` outside the crime data held (first, last): no crime or ASB figure for them."""
    first, last = crime_data
    months = pd.to_datetime(by_month["month"]) if len(by_month) else pd.Series(dtype="datetime64[ns]")
    if first is None or last is None:
        return [m.date() for m in months]
    return [m.date() for m in months if not pd.Timestamp(first) <= m <= pd.Timestamp(last)]


MEASURE_LABELS = {"crimes": "Crimes", "asb": "Anti-social behaviour", "events": "Events", "ccrs": "CCRs",
                  "patrol_hours": "Patrol hours"}
