"""Query set and charts of the Patrols and abstractions page.

Patrol hours are the sum of `end - start` over patrols starting in the range
(counted in seconds, shown in hours). Abstraction hours are the `hours`
officers logged as taken away from neighbourhood work; an abstraction's team
is its officer's area, and it has a date but no ward, so a ward filter
narrows patrols only. The officer filter matches the patrolling or
abstracted officer.

`patrols_overview` reads each table once: patrols grouped by (day, type) for
the time chart and by (type, area, ward) for the rest, abstractions by
(day, area) and by (reason, duty); the small results are rolled up here.
"""

from __future__ import annotations

import dataclasses

import altair as alt
import pandas as pd

from analytics.filters import Filters, where_clause
from analytics.queries import _cached, _frames, _ward_scope
from analytics.trends import roll_up

TOP_DUTIES = 10
SECONDS_PER_HOUR = 3600

PATROL_HEADLINE = {
    "patrols": "Patrols",
    "patrol_hours": "Patrol hours",
    "abstractions": "Abstractions",
    "abstraction_hours": "Hours lost to abstractions",
}


@dataclasses.dataclass
class PatrolsOverview:
    """Everything the Patrols and abstractions page shows.

    headline: patrols, patrol_hours, abstractions, abstraction_hours.
    patrols_by_day: day, patrol_type, patrols, hours (roll up with `trends.roll_up`).
    patrols_by_type: patrol_type, patrols, hours — most hours first.
    patrols_by_area: area_code, area, patrols, hours — most hours first.
    patrols_by_ward: ward_code, name, area_code, centre_lat, centre_lon, patrols, hours —
      one row per ward in scope (zero where none), for the map.
    abstractions_by_day: day, area_code (the team), area, abstractions, hours.
    abstractions_by_reason: reason, abstractions, hours — most hours first.
    top_duties: duty_taken_to, reason, abstractions, hours — the TOP_DUTIES duties that took most hours.
    """

    headline: dict[str, float]
    patrols_by_day: pd.DataFrame
    patrols_by_type: pd.DataFrame
    patrols_by_area: pd.DataFrame
    patrols_by_ward: pd.DataFrame
    abstractions_by_day: pd.DataFrame
    abstractions_by_reason: pd.DataFrame
    top_duties: pd.DataFrame


def patrol_sql(patrols: str, filters: Filters) -> tuple[str, list]:
    """Patrols grouped by (day, type) and by (type, area, ward): count and seconds."""
    where, params = where_clause(filters, table="patrols")
    return (f"""
        SELECT CAST(start AS DATE) AS day, patrol_type, area_code, ward_code, count(*) AS patrols,
               CAST(sum(date_diff('second', start, "end")) AS BIGINT) AS seconds
        FROM {patrols} WHERE {where}
        GROUP BY GROUPING SETS ((day, patrol_type), (patrol_type, area_code, ward_code))""", params)


def abstraction_sql(abstractions: str, filters: Filters) -> tuple[str, list]:
    """Abstractions grouped by (day, area) and by (reason, duty): count and hours."""
    where, params = where_clause(filters, table="abstractions")
    return (f"""
        SELECT date AS day, area_code, reason, duty_taken_to, count(*) AS abstractions, sum(hours) AS hours
        FROM {abstractions} WHERE {where}
        GROUP BY GROUPING SETS ((day, area_code), (reason, duty_taken_to))""", params)


@_cached("patrols", "abstractions", "wards", "areas")
def patrols_overview(relations: dict[str, str], filters: Filters) -> PatrolsOverview:
    """The Patrols and abstractions page's query set: one call, every figure and table."""
    scope, scope_params = _ward_scope(filters)
    patrols, abstractions, wards, areas = _frames(
        patrol_sql(relations["patrols"], filters),
        abstraction_sql(relations["abstractions"], filters),
        (f"SELECT ward_code, name, area_code, centre_lat, centre_lon FROM {relations['wards']} WHERE {scope}",
         scope_params),
        (f"SELECT area_code, name AS area FROM {relations['areas']}", []),
    )
    return assemble(patrols, abstractions, wards, areas)


def assemble(patrols: pd.DataFrame, abstractions: pd.DataFrame, wards: pd.DataFrame,
             areas: pd.DataFrame) -> PatrolsOverview:
    """Roll the grouped rows up into the page's tables (shared with the benchmark's floor)."""
    patrols = patrols.assign(hours=patrols["seconds"].astype("float64") / SECONDS_PER_HOUR)
    fine = patrols[patrols["day"].isna()]
    by_day = patrols.loc[patrols["day"].notna(), ["day", "patrol_type", "patrols", "hours"]]
    measures = ["patrols", "hours"]

    def total(frame: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
        out = frame.groupby(key, as_index=False)[columns].sum()
        return out.sort_values(["hours", key], ascending=[False, True], ignore_index=True)

    area_names = dict(zip(areas["area_code"], areas["area"], strict=True))
    by_area = total(fine, "area_code", measures)
    by_area.insert(1, "area", by_area["area_code"].map(area_names).fillna(by_area["area_code"]))
    by_ward = wards.merge(fine.groupby("ward_code", as_index=False)[measures].sum(), on="ward_code", how="left")
    by_ward = by_ward.fillna({"patrols": 0, "hours": 0.0}).sort_values("ward_code", ignore_index=True)

    ab_day = abstractions.loc[abstractions["day"].notna(), ["day", "area_code", "abstractions", "hours"]]
    ab_day.insert(2, "area", ab_day["area_code"].map(area_names).fillna(ab_day["area_code"]))
    ab_fine = abstractions[abstractions["day"].isna()]
    duties = total(ab_fine, "duty_taken_to", ["abstractions", "hours"])
    # A duty's reason: the one that sent most hours to it (alphabetical first on a tie).
    duty_reason = (ab_fine.sort_values(["hours", "reason"], ascending=[False, True], kind="stable")
                   .drop_duplicates("duty_taken_to"))
    duties.insert(1, "reason", duties["duty_taken_to"].map(dict(zip(duty_reason["duty_taken_to"],
                                                                     duty_reason["reason"], strict=True))))
    return PatrolsOverview(
        headline={
            "patrols": int(fine["patrols"].sum()),
            "patrol_hours": float(fine["hours"].sum()),
            "abstractions": int(ab_fine["abstractions"].sum()),
            "abstraction_hours": float(ab_fine["hours"].sum()),
        },
        patrols_by_day=_ints(by_day.sort_values(["day", "patrol_type"], ignore_index=True), "patrols"),
        patrols_by_type=_ints(total(fine, "patrol_type", measures), "patrols"),
        patrols_by_area=_ints(by_area, "patrols"),
        patrols_by_ward=_ints(by_ward, "patrols"),
        abstractions_by_day=_ints(ab_day.sort_values(["day", "area_code"], ignore_index=True), "abstractions"),
        abstractions_by_reason=_ints(total(ab_fine, "reason", ["abstractions", "hours"]), "abstractions"),
        top_duties=_ints(duties.head(TOP_DUTIES), "abstractions"),
    )


def _ints(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    return frame.astype({c: "int64" for c in columns}).reset_index(drop=True)


def patrol_hours_by_period(overview: PatrolsOverview, *, grain: str) -> pd.DataFrame:
    """period, patrol_type, patrols, hours per week or month."""
    return roll_up(overview.patrols_by_day, grain=grain, keys=("patrol_type",), values=("patrols", "hours"))


def abstraction_hours_by_period(overview: PatrolsOverview, *, grain: str) -> pd.DataFrame:
    """period, area_code, area, abstractions, hours per week or month."""
    return roll_up(overview.abstractions_by_day, grain=grain, keys=("area_code", "area"),
                   values=("abstractions", "hours"))


# -- charts ---------------------------------------------------------------------


def build_patrol_hours_chart(df: pd.DataFrame, *, grain: str) -> alt.Chart:
    """Patrol hours per period, stacked by patrol type."""
    return _stacked_hours(df, colour="patrol_type", colour_title="Patrol type", grain=grain,
                          extra=alt.Tooltip("sum(patrols):Q", title="Patrols", format=","))


def build_abstraction_hours_chart(df: pd.DataFrame, *, grain: str) -> alt.Chart:
    """Hours lost to abstractions per period, stacked by team (area)."""
    return _stacked_hours(df, colour="area", colour_title="Team (area)", grain=grain,
                          extra=alt.Tooltip("sum(abstractions):Q", title="Abstractions", format=","))


def _stacked_hours(df: pd.DataFrame, *, colour: str, colour_title: str, grain: str,
                   extra: alt.Tooltip) -> alt.Chart:
    unit = "yearmonth" if grain == "month" else "yearweek"
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("period:T", title="Month" if grain == "month" else "Week", timeUnit=unit),
            y=alt.Y("sum(hours):Q", title="Hours", stack="zero"),
            color=alt.Color(f"{colour}:N", title=colour_title),
            tooltip=[alt.Tooltip("period:T", title="Starting", format="%d %b %Y"),
                     alt.Tooltip(f"{colour}:N", title=colour_title),
                     alt.Tooltip("sum(hours):Q", title="Hours", format=",.1f"), extra],
        )
    )
