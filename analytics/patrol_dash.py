"""Query set and charts of the Patrols and abstractions page.

Patrol hours are the sum of `end - start` over patrols starting in the range
(counted in seconds, shown in hours). Abstraction hours are the `hours`
officers logged as taken away from neighbourhood work; an abstraction's team
is its officer's area, and it has a date but no ward, so a ward filter
narrows patrols only. The officer filter matches the patrolling or
abstracted officer.

`patrols_overview` reads each table once, in one statement: patrols grouped
by (day, type) for the time chart and by (type, area, ward) for the rest,
abstractions by (day, area) and by (reason, duty); every table is rolled up
from those small groups in SQL and only cut apart here.
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
from analytics.trends import PARTIAL, WHOLE, partial_periods, roll_up
from data.store import Store

TOP_DUTIES = 10
TOP_OFFICERS = 20
SECONDS_PER_HOUR = 3600

# The page's headline figures (defined in `analytics.metrics`).
PATROL_HEADLINE = ("patrols", "patrol_hours", "abstractions", "abstraction_hours")


@dataclasses.dataclass
class PatrolsOverview:
    """Everything the Patrols and abstractions page shows.

    headline: patrols, patrol_hours, abstractions, abstraction_hours.
    patrols_by_day: day, patrol_type, patrols, hours (roll up with `trends.roll_up`).
    patrols_by_type: patrol_type, patrols, hours — most hours first.
    patrols_by_area: area_code, area, patrols, hours — most hours first.
    patrols_by_ward: ward_code, name, area_code, centre_lat, centre_lon, patrols, hours —
      one row per ward in scope (zero where none), for the map.
    patrols_by_officer: officer_id, officer (name), patrols, hours — the TOP_OFFICERS by hours.
    abstractions_by_day: day, area_code (the team), area, abstractions, hours.
    abstractions_by_reason: reason, abstractions, hours — most hours first.
    top_duties: duty_taken_to, reason, abstractions, hours — the TOP_DUTIES duties that took most hours.
    """

    headline: dict[str, float]
    patrols_by_day: pd.DataFrame
    patrols_by_type: pd.DataFrame
    patrols_by_area: pd.DataFrame
    patrols_by_ward: pd.DataFrame
    patrols_by_officer: pd.DataFrame
    abstractions_by_day: pd.DataFrame
    abstractions_by_reason: pd.DataFrame
    top_duties: pd.DataFrame


_PARTS = {  # part -> (columns, the page's name for `key`, integer columns)
    "day": (["day", "key", "patrols", "hours"], "patrol_type", ("patrols",)),
    "type": (["key", "patrols", "hours"], "patrol_type", ("patrols",)),
    "area": (["key", "name", "patrols", "hours"], "area_code", ("patrols",)),
    "ward": (["key", "name", "area_code", "centre_lat", "centre_lon", "patrols", "hours"], "ward_code", ("patrols",)),
    "officer": (["key", "name", "patrols", "hours"], "officer_id", ("patrols",)),
    "ab_day": (["day", "key", "name", "abstractions", "hours"], "area_code", ("abstractions",)),
    "reason": (["key", "abstractions", "hours"], "reason", ("abstractions",)),
    "duty": (["key", "reason", "abstractions", "hours"], "duty_taken_to", ("abstractions",)),
}


def overview_sql(relations: Mapping[str, str], filters: Filters) -> tuple[str, list]:
    """The page's figures in one statement: one scan of patrols and one of abstractions, rolled up by part.

    Patrols are grouped by (day, type), (type, area, ward) and officer; abstractions by
    (day, area) and (reason, duty); every table and the headline come from those small groups.
    """
    patrol_where, patrol_params = where_clause(filters, table="patrols")
    ab_where, ab_params = where_clause(filters, table="abstractions")
    scope, scope_params = ward_scope(filters)
    hours = f"sum(seconds) / {SECONDS_PER_HOUR}.0"
    query = f"""
        WITH grouped AS MATERIALIZED (
            SELECT CAST(start AS DATE) AS day, patrol_type, area_code, ward_code, officer_id, count(*) AS patrols,
                   sum(date_diff('second', start, "end")) AS seconds
            FROM {relations['patrols']} WHERE {patrol_where}
            GROUP BY GROUPING SETS ((day, patrol_type), (patrol_type, area_code, ward_code), (officer_id))),
        fine AS (SELECT * FROM grouped WHERE day IS NULL AND patrol_type IS NOT NULL),
        ab AS MATERIALIZED (
            SELECT date AS day, area_code, reason, duty_taken_to, count(*) AS abstractions, sum(hours) AS hours
            FROM {relations['abstractions']} WHERE {ab_where}
            GROUP BY GROUPING SETS ((day, area_code), (reason, duty_taken_to))),
        ab_fine AS (SELECT * FROM ab WHERE day IS NULL)
        SELECT 'day' AS part, day, patrol_type AS key, patrols, seconds / {SECONDS_PER_HOUR}.0 AS hours
        FROM grouped WHERE day IS NOT NULL
        UNION ALL BY NAME
        SELECT 'type' AS part, patrol_type AS key, sum(patrols) AS patrols, {hours} AS hours
        FROM fine GROUP BY patrol_type
        UNION ALL BY NAME
        SELECT 'area' AS part, f.area_code AS key, coalesce(any_value(a.name), f.area_code) AS name,
               sum(f.patrols) AS patrols, sum(f.seconds) / {SECONDS_PER_HOUR}.0 AS hours
        FROM fine f LEFT JOIN {relations['areas']} a ON a.area_code = f.area_code GROUP BY f.area_code
        UNION ALL BY NAME
        SELECT 'ward' AS part, w.ward_code AS key, w.name, w.area_code, w.centre_lat, w.centre_lon,
               coalesce(r.patrols, 0) AS patrols, coalesce(r.hours, 0) AS hours
        FROM (SELECT * FROM {relations['wards']} WHERE {scope}) w
        LEFT JOIN (SELECT ward_code, sum(patrols) AS patrols, {hours} AS hours FROM fine GROUP BY ward_code) r
            ON r.ward_code = w.ward_code
        UNION ALL BY NAME
        SELECT * FROM (
            SELECT 'officer' AS part, g.officer_id AS key, coalesce(u.name, g.officer_id) AS name, g.patrols,
                   g.seconds / {SECONDS_PER_HOUR}.0 AS hours
            FROM grouped g LEFT JOIN {relations['users']} u ON u.user_id = g.officer_id
            WHERE g.day IS NULL AND g.patrol_type IS NULL ORDER BY hours DESC, key LIMIT {TOP_OFFICERS})
        UNION ALL BY NAME
        SELECT 'ab_day' AS part, b.day, b.area_code AS key, coalesce(a.name, b.area_code) AS name,
               b.abstractions, b.hours
        FROM ab b LEFT JOIN {relations['areas']} a ON a.area_code = b.area_code WHERE b.day IS NOT NULL
        UNION ALL BY NAME
        SELECT 'reason' AS part, reason AS key, sum(abstractions) AS abstractions, sum(hours) AS hours
        FROM ab_fine GROUP BY reason
        UNION ALL BY NAME
        SELECT * FROM (
            -- a duty's reason: the one that sent most hours to it (alphabetical first on a tie)
            SELECT 'duty' AS part, duty_taken_to AS key, first(reason ORDER BY hours DESC, reason) AS reason,
                   sum(abstractions) AS abstractions, sum(hours) AS hours
            FROM ab_fine GROUP BY duty_taken_to ORDER BY hours DESC, key LIMIT {TOP_DUTIES})
        UNION ALL BY NAME
        SELECT 'total' AS part, (SELECT sum(patrols) FROM fine) AS patrols,
               (SELECT {hours} FROM fine) AS hours, (SELECT sum(abstractions) FROM ab_fine) AS abstractions,
               (SELECT sum(hours) FROM ab_fine) AS abstraction_hours
        ORDER BY part, day, CASE WHEN part IN ('type', 'area', 'officer', 'reason', 'duty') THEN -hours END, key"""
    return query, patrol_params + ab_params + scope_params


@sql.scoped("read_aggregates")
def patrols_overview(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> PatrolsOverview:
    """The Patrols and abstractions page's query set: one call, every figure and table."""
    return sql.cached(_patrols_overview, store, filters, tables=("patrols", "abstractions", "wards", "areas", "users"))


def _patrols_overview(relations: dict[str, str], filters: Filters) -> PatrolsOverview:
    return split_overview(sql.run(*overview_sql(relations, filters)))


def split_overview(frame: pd.DataFrame) -> PatrolsOverview:
    """The one-statement result cut into the page's tables (shared with the benchmark's floor)."""
    parts = dict(tuple(frame.groupby("part", sort=False)))  # one pass over the parts, not one per part
    pieces = {}
    for name, (columns, key, ints) in _PARTS.items():
        renames = {"key": key, "name": {"area": "area", "ab_day": "area", "officer": "officer"}.get(name, "name")}
        piece = parts.get(name, frame.iloc[:0])[columns].rename(columns=renames)
        pieces[name] = _ints(piece, *ints)
    total = parts["total"].iloc[0]
    number = lambda value: 0 if pd.isna(value) else value  # noqa: E731
    return PatrolsOverview(
        headline={"patrols": int(number(total["patrols"])), "patrol_hours": float(number(total["hours"])),
                  "abstractions": int(number(total["abstractions"])),
                  "abstraction_hours": float(number(total["abstraction_hours"]))},
        patrols_by_day=pieces["day"],
        patrols_by_type=pieces["type"],
        patrols_by_area=pieces["area"],
        patrols_by_ward=pieces["ward"],
        patrols_by_officer=pieces["officer"],
        abstractions_by_day=pieces["ab_day"],
        abstractions_by_reason=pieces["reason"],
        top_duties=pieces["duty"],
    )


def drill_breakdowns(overview: PatrolsOverview) -> dict[str, pd.DataFrame]:
    """Patrols by area, ward and officer in the shape the drill-down reads (code, name, measures)."""
    return {"by_area": overview.patrols_by_area.rename(columns={"area": "name"}),
            "by_ward": overview.patrols_by_ward,
            "by_officer": overview.patrols_by_officer}


def _ints(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    out = frame.reset_index(drop=True)
    for column in columns:  # column by column: much cheaper than astype(dict) on small frames
        out[column] = out[column].to_numpy(dtype="int64")
    return out


def patrol_hours_by_period(overview: PatrolsOverview, *, grain: str) -> pd.DataFrame:
    """period, patrol_type, patrols, hours per week or month."""
    return roll_up(overview.patrols_by_day, grain=grain, keys=("patrol_type",), values=("patrols", "hours"))


def abstraction_hours_by_period(overview: PatrolsOverview, *, grain: str) -> pd.DataFrame:
    """period, area_code, area, abstractions, hours per week or month."""
    return roll_up(overview.abstractions_by_day, grain=grain, keys=("area_code", "area"),
                   values=("abstractions", "hours"))


# -- charts ---------------------------------------------------------------------


def build_patrol_hours_chart(df: pd.DataFrame, *, grain: str, start: dt.date | None = None,
                             end: dt.date | None = None, today: dt.date | None = None) -> alt.Chart:
    """Patrol hours per period, stacked by patrol type; a period only partly counted is paler (`_stacked_hours`)."""
    return _stacked_hours(df, colour="patrol_type", colour_title="Patrol type", grain=grain,
                          extra=alt.Tooltip("sum(patrols):Q", title="Patrols", format=","),
                          partial=partial_periods(df["period"], grain=grain, start=start, end=end, today=today))


def build_abstraction_hours_chart(df: pd.DataFrame, *, grain: str, start: dt.date | None = None,
                                  end: dt.date | None = None, today: dt.date | None = None) -> alt.Chart:
    """Hours lost to abstractions per period, stacked by team (area); a period only partly counted is paler."""
    return _stacked_hours(df, colour="area", colour_title="Team (area)", grain=grain,
                          extra=alt.Tooltip("sum(abstractions):Q", title="Abstractions", format=","),
                          partial=partial_periods(df["period"], grain=grain, start=start, end=end, today=today))


def _stacked_hours(df: pd.DataFrame, *, colour: str, colour_title: str, grain: str, extra: alt.Tooltip,
                   partial: pd.Series) -> alt.Chart:
    """Stacked bars per period; a period only partly in the dates shown, or not over yet (`partial`), is paler,
    so this month so far does not read as a fall."""
    unit = "yearmonth" if grain == "month" else "yearweek"
    df = df.assign(kind=partial.map({True: PARTIAL, False: WHOLE}).to_numpy())
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("period:T", title="Month" if grain == "month" else "Week", timeUnit=unit),
            y=alt.Y("sum(hours):Q", title="Hours", stack="zero"),
            color=alt.Color(f"{colour}:N", title=colour_title),
            opacity=alt.Opacity("kind:N", title="Period", sort=[WHOLE, PARTIAL],
                                scale=alt.Scale(domain=[WHOLE, PARTIAL], range=[1.0, 0.4])),
            tooltip=[alt.Tooltip("period:T", title="Starting", format="%d %b %Y"),
                     alt.Tooltip(f"{colour}:N", title=colour_title),
                     alt.Tooltip("sum(hours):Q", title="Hours", format=",.1f"), extra,
                     alt.Tooltip("kind:N", title="Period")],
        )
    )
