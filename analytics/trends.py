"""Change over time: issues raised, positive outcomes and engagement volume, and before/after.

One query (`daily_activity`) counts, per day and area, every measure below;
weekly or monthly series and the before/after comparison are rolled up from
it here, so the chart, the table and the comparison agree.

Measures (dates are each record's own date; filters as on every dashboard):
- issues_raised: issue mentions on completed events (by `start`) and CCRs (by
  `contact_at`); a record raising three issues counts three — the same
  mentions `top_issues` ranks.
- positive_outcomes = ysywd_actions + ysywd_feedback + good_events:
  - ysywd_actions: actions taken on "You said, we did" items, on the action's date;
  - ysywd_feedback: times the community was told what was done, on the feedback's date;
  - good_events: completed events whose engagement quality was rated 4 or 5, by `start`.
  "You said, we did" items are narrowed by area and ward; with an officer filter, an
  action counts when one of those officers took it (as on Event outcomes), and
  feedback counts on items where one of them took an action.
- engagement = events_completed + ccrs + patrols (by `start`, `contact_at`, `start`).

Before/after: for a pivot date D and N days, "before" is [D-N, D) and "after"
is [D, D+N), per area and for all areas; % change is (after - before) / before,
none when before is 0.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from analytics import sql
from analytics.filters import Filters, and_, where_clause
from analytics.metrics import COMPLETED
from data.store import Store

GRAINS = {"week": "Week", "month": "Month"}
BASE = ("issues_raised", "ysywd_actions", "ysywd_feedback", "good_events", "events_completed", "ccrs", "patrols")
DERIVED = {"positive_outcomes": ("ysywd_actions", "ysywd_feedback", "good_events"),
           "engagement": ("events_completed", "ccrs", "patrols")}
LABELS = {
    "issues_raised": "Issues raised",
    "positive_outcomes": "Positive outcomes",
    "engagement": "Engagement volume",
    "ysywd_actions": "You said, we did: actions",
    "ysywd_feedback": "You said, we did: feedback given",
    "good_events": "Events rated 4-5",
    "events_completed": "Events completed",
    "ccrs": "Community contacts",
    "patrols": "Patrols",
}
MEASURES = tuple(LABELS)
HEADLINE = ("issues_raised", "positive_outcomes", "engagement")
DEFAULT_DAYS = 91
ALL_AREAS = "All areas"


def default_pivot(today: dt.date) -> dt.date:
    """The before/after date a page starts with: 26 weeks ago, inside the demo's 18 months."""
    return today - dt.timedelta(weeks=26)


COMPARISON_DAYS = (28, 56, 91, 182)
# URL query parameter of each of the page's own controls (the filter bar keeps its own).
VIEW_KEYS = {"grain": "per", "pivot": "pivot", "days": "days", "measure": "measure"}


@dataclasses.dataclass(frozen=True)
class TrendView:
    """The Change over time page's own controls: the chart's grain and the before/after comparison."""

    grain: str
    pivot: dt.date
    days: int
    measure: str

    def to_query_params(self) -> dict[str, str]:
        values = {"grain": self.grain, "pivot": self.pivot.isoformat(), "days": str(self.days),
                  "measure": self.measure}
        return {VIEW_KEYS[name]: value for name, value in values.items()}

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | Sequence[str]], *, today: dt.date) -> TrendView:
        """The view a link asks for; a value missing or not allowed takes its default."""

        def value(name: str) -> str:
            raw = params.get(VIEW_KEYS[name])
            if isinstance(raw, list | tuple):
                raw = raw[-1] if raw else None
            return raw.strip() if isinstance(raw, str) else ""

        try:
            pivot = dt.date.fromisoformat(value("pivot"))
        except ValueError:
            pivot = default_pivot(today)
        if not dt.date(2000, 1, 1) <= pivot <= today:
            pivot = default_pivot(today)
        days = {str(d): d for d in COMPARISON_DAYS}.get(value("days"), DEFAULT_DAYS)  # exact ASCII text only
        return cls(
            grain=value("grain") if value("grain") in GRAINS else "week",
            pivot=pivot,
            days=days if days in COMPARISON_DAYS else DEFAULT_DAYS,
            measure=value("measure") if value("measure") in MEASURES else MEASURES[0],
        )


def _without_dates(filters: Filters) -> Filters:
    return dataclasses.replace(filters, start=None, end=None)


def _date_bounds(column: str, filters: Filters) -> tuple[str, list]:
    parts, params = [], []
    if filters.start is not None:
        parts.append(f"{column} >= ?")
        params.append(filters.start)
    if filters.end is not None:
        parts.append(f"{column} < ?")
        params.append(filters.end + dt.timedelta(days=1))
    return " AND ".join(parts) or "TRUE", params


def daily(relations: Mapping[str, str], filters: Filters) -> pd.DataFrame:
    """Every base measure per (day, area_code): events, CCRs and patrols summed file by file
    (`sql.additive`), side by side, with the "You said, we did" actions and feedback."""
    ev_where, ev_params = where_clause(filters, table="events")
    cc_where, cc_params = where_clause(filters, table="ccrs")
    pa_where, pa_params = where_clause(filters, table="patrols")
    ys_where, ys_params = where_clause(_without_dates(filters), table="ysywd")
    act_when, act_params = _date_bounds("item['date']", filters)
    fb_where, fb_params = ys_where, list(ys_params)
    action_when, action_params = act_when, list(act_params)
    if filters.officers:
        action_when += " AND list_contains(?::VARCHAR[], item['officer_id'])"
        action_params.append(list(filters.officers))
        fb_where = and_(ys_where, "list_has_any(list_transform(actions, lambda a: a['officer_id']), ?::VARCHAR[])")
        fb_params.append(list(filters.officers))
    summed = {name: sql.later(sql.additive, relations[table], sql.over(body, params), keys=["day", "area_code"],
                              rows=rows)
              for name, table, body, params, rows in (
            ("ev", "events", "SELECT CAST(start AS DATE) AS day, area_code, count(*) AS events_completed,"
             " coalesce(sum(len(issues)), 0) AS issues_raised, count(*) FILTER (WHERE quality_rating >= 4)"
             f" AS good_events FROM {{rel}} WHERE {and_(ev_where, COMPLETED)} GROUP BY ALL", ev_params,
             "events_completed"),
            ("cc", "ccrs", "SELECT CAST(contact_at AS DATE) AS day, area_code, count(*) AS ccrs,"
             f" coalesce(sum(len(issues)), 0) AS issues_raised FROM {{rel}} WHERE {cc_where} GROUP BY ALL",
             cc_params, "ccrs"),
            ("pa", "patrols", f"SELECT CAST(start AS DATE) AS day, area_code, count(*) AS patrols FROM {{rel}}"
             f" WHERE {pa_where} GROUP BY ALL", pa_params, "patrols"))}
    columns = {"ev": ("events_completed", "issues_raised", "good_events"), "cc": ("ccrs", "issues_raised"),
               "pa": ("patrols",)}
    pieces = " UNION ALL BY NAME ".join(
        f"SELECT CAST(day AS DATE) AS day, CAST(area_code AS VARCHAR) AS area_code,"
        f" {', '.join(f'CAST({m} AS BIGINT) AS {m}' for m in measures)} FROM {name}"
        for name, measures in columns.items())
    zero = ", ".join(f"0 AS {m}" for m in BASE)
    sums = ", ".join(f"CAST(sum({m}) AS BIGINT) AS {m}" for m in BASE)
    query = f"""
        SELECT day, area_code, {sums} FROM (
            {pieces}
            UNION ALL BY NAME
            SELECT item['date'] AS day, area_code, count(*) AS ysywd_actions
            FROM (SELECT area_code, unnest(actions) AS item FROM {relations['ysywd']} WHERE {ys_where})
            WHERE {action_when} GROUP BY ALL
            UNION ALL BY NAME
            SELECT item['date'] AS day, area_code, count(*) AS ysywd_feedback
            FROM (SELECT area_code, unnest(feedback) AS item FROM {relations['ysywd']} WHERE {fb_where})
            WHERE {act_when} GROUP BY ALL
            UNION ALL BY NAME
            SELECT NULL::DATE AS day, NULL::VARCHAR AS area_code, {zero} WHERE false)
        GROUP BY day, area_code ORDER BY day, area_code"""
    return sql.run(query, ys_params + action_params + fb_params + act_params,
                   tables={k: v.result() for k, v in summed.items()})


@sql.scoped("read_aggregates")
def daily_activity(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> pd.DataFrame:
    """day, area_code and every base measure (zeros filled), one row per day and area with any."""
    return sql.cached(_daily_activity, store, filters, tables=("events", "ccrs", "patrols", "ysywd"))


def _daily_activity(relations: dict[str, str], filters: Filters) -> pd.DataFrame:
    return tidy_daily(daily(relations, filters))


def tidy_daily(frame: pd.DataFrame) -> pd.DataFrame:
    """Days as timestamps, measures as int64 with zeros for none (shared with the benchmark)."""
    frame = frame.copy()
    frame["day"] = pd.to_datetime(frame["day"]).astype("datetime64[ns]")
    for m in BASE:
        frame[m] = frame[m].fillna(0).astype("int64")
    return frame[["day", "area_code", *BASE]].sort_values(["day", "area_code"], ignore_index=True)


def with_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with positive_outcomes and engagement added from their parts."""
    out = frame.copy()
    for name, parts in DERIVED.items():
        out[name] = out[list(parts)].sum(axis=1).astype("int64")
    return out


# -- periods --------------------------------------------------------------------


def period_start(days: pd.Series, *, grain: str) -> pd.Series:
    """The Monday of each day's week, or the first of its month."""
    days = pd.to_datetime(days).dt.normalize()
    if grain == "week":
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    if grain == "month":
        return days.dt.to_period("M").dt.to_timestamp()
    raise ValueError(f"unknown grain {grain!r}; choose from {', '.join(GRAINS)}")


WHOLE, PARTIAL = "Whole", "Part (so far)"
"""How a period chart marks each period: wholly inside the dates shown, or only partly (this month so far)."""


def partial_periods(periods: pd.Series, *, grain: str, start: dt.date | None = None, end: dt.date | None = None,
                    today: dt.date | None = None) -> pd.Series:
    """Whether each period (its first day, as `period_start` gives) is only partly counted: it begins before
    `start`, or ends after `end` or after `today` (the current week or month, so far)."""
    first = pd.to_datetime(pd.Series(periods)).dt.normalize()
    last = first + (pd.Timedelta(days=6) if grain == "week" else pd.offsets.MonthEnd(0))
    ends = [day for day in (end, today) if day is not None]
    partial = pd.Series(False, index=first.index)
    if ends:
        partial |= last > pd.Timestamp(min(ends))
    if start is not None:
        partial |= first < pd.Timestamp(start)
    return partial


def dash_partial(long: pd.DataFrame, *, x: str, series: str, partial: pd.Series) -> pd.DataFrame:
    """The rows of a line chart (`long`: one row per `x` and `series`) with a column `stretch`, WHOLE or PARTIAL,
    to encode as the line's dash: a partial period's point joins its whole neighbour with a dashed segment (that
    neighbour is repeated in the PARTIAL stretch), so a month so far never reads as a whole month. A column `kind`
    says which each row really is, for the tooltip."""
    kind = partial.map({True: PARTIAL, False: WHOLE}).to_numpy()
    out = long.assign(stretch=kind, kind=kind)  # `kind` stays WHOLE on a repeated neighbour (for the tooltip)
    extra = []
    for _, rows in out.sort_values(x).groupby(series, sort=False):
        flags = rows["stretch"].eq(PARTIAL).to_list()
        for i, flag in enumerate(flags):
            for j in (i - 1, i + 1):  # a whole neighbour of a partial point starts (or ends) its dashed segment
                if flag and 0 <= j < len(flags) and not flags[j]:
                    extra.append(rows.iloc[[j]].assign(stretch=PARTIAL))
    return pd.concat([out, *extra], ignore_index=True) if extra else out


def stretch_dash() -> alt.StrokeDash:
    """The dash encoding for `dash_partial`'s `stretch`: whole periods solid, partial ones dashed."""
    return alt.StrokeDash("stretch:N", title="Period", sort=[WHOLE, PARTIAL],
                          scale=alt.Scale(domain=[WHOLE, PARTIAL], range=[[1, 0], [5, 4]]),
                          legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2))


def roll_up(frame: pd.DataFrame, *, grain: str, keys: Sequence[str] = (), values: Sequence[str],
            date: str = "day") -> pd.DataFrame:
    """period (week Monday or month first), `keys`, and the sum of `values` per period."""
    if frame.empty:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"),
                             **{k: pd.Series(dtype=object) for k in keys},
                             **{v: pd.Series(dtype="int64") for v in values}})
    periods = frame.assign(period=period_start(frame[date], grain=grain))
    out = periods.groupby(["period", *keys], as_index=False)[list(values)].sum()
    return out.sort_values(["period", *keys], ignore_index=True)


def trend_series(daily: pd.DataFrame, *, grain: str, start: dt.date | None = None,
                 end: dt.date | None = None) -> pd.DataFrame:
    """period and every measure for all areas together; periods from start to end with none get zeros."""
    series = roll_up(daily, grain=grain, values=BASE)
    if start is not None and end is not None:
        first, last = period_start(pd.Series([start, end]), grain=grain)
        freq = "W-MON" if grain == "week" else "MS"
        every = pd.DataFrame({"period": pd.date_range(first, last, freq=freq)})
        series = every.merge(series, on="period", how="left").fillna(dict.fromkeys(BASE, 0))
        series = series.astype(dict.fromkeys(BASE, "int64"))
    return with_derived(series)[["period", *MEASURES]]


def totals(daily: pd.DataFrame) -> dict[str, int]:
    """Every measure summed over the whole frame."""
    sums = {m: int(daily[m].sum()) for m in BASE}
    for name, parts in DERIVED.items():
        sums[name] = sum(sums[p] for p in parts)
    return {m: sums[m] for m in MEASURES}


# -- before / after -------------------------------------------------------------


def comparison_filters(filters: Filters, *, pivot: dt.date, days: int) -> Filters:
    """The filters with their dates replaced by [pivot - days, pivot + days)."""
    return filters.with_range(pivot - dt.timedelta(days=days), pivot + dt.timedelta(days=days - 1))


def split_sides(frame: pd.DataFrame, *, pivot: dt.date, days: int, resume: dt.date | None = None,
                date: str = "day") -> pd.DataFrame:
    """The rows of `frame` either side of a change, with a column `side`: "before" for [pivot - days, pivot),
    "after" for [resume, resume + days); `resume` is the pivot itself unless given (a later day, when the days
    of a change in between belong to neither side)."""
    resume = pivot if resume is None else resume
    if resume < pivot:
        raise ValueError("resume cannot be before pivot")
    day, start, back = pd.to_datetime(frame[date]), pd.Timestamp(pivot), pd.Timestamp(resume)
    before = (day >= start - pd.Timedelta(days=days)) & (day < start)
    after = (day >= back) & (day < back + pd.Timedelta(days=days))
    return frame[before | after].assign(side=after[before | after].map({False: "before", True: "after"}))


def with_change(wide: pd.DataFrame) -> pd.DataFrame:
    """`wide` (with columns before and after) as whole numbers, plus change and pct_change: a fraction
    (0.25 = +25%), none when before is 0."""
    wide = wide.copy()
    wide[["before", "after"]] = wide[["before", "after"]].astype("int64")
    wide["change"] = wide["after"] - wide["before"]
    wide["pct_change"] = [None if b == 0 else (a - b) / b for b, a in zip(wide["before"], wide["after"], strict=True)]
    return wide


def compare_before_after(daily: pd.DataFrame, *, pivot: dt.date, days: int,
                         area_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per area (and all areas): measure, label, before, after, change, pct_change.

    before: [pivot - days, pivot); after: [pivot, pivot + days). pct_change is a
    fraction (0.25 = +25%), none when before is 0. Areas with nothing on either
    side are left out; "All areas" comes first.
    """
    frame = split_sides(daily, pivot=pivot, days=days)
    by_area = frame.groupby(["area_code", "side"])[list(BASE)].sum()
    everyone = frame.groupby("side")[list(BASE)].sum()
    everyone.index = pd.MultiIndex.from_tuples([(ALL_AREAS, s) for s in everyone.index], names=["area_code", "side"])
    both = with_derived(pd.concat([everyone, by_area]).reset_index())
    long = both.melt(id_vars=["area_code", "side"], value_vars=list(MEASURES), var_name="measure")
    wide = long.pivot_table(index=["area_code", "measure"], columns="side", values="value", aggfunc="sum",
                            fill_value=0)
    wide = wide.reindex(columns=["before", "after"], fill_value=0).reset_index()
    wide.columns.name = None
    wide = with_change(wide)
    names = dict(area_names or {})
    wide.insert(1, "area", [ALL_AREAS if c == ALL_AREAS else names.get(c, c) for c in wide["area_code"]])
    wide.insert(3, "label", wide["measure"].map(LABELS))
    order = {m: i for i, m in enumerate(MEASURES)}
    wide = wide.assign(_all=wide["area_code"].ne(ALL_AREAS), _m=wide["measure"].map(order))
    return wide.sort_values(["_all", "area", "_m"], ignore_index=True).drop(columns=["_all", "_m"])


def before_after(store: Store, filters: Filters, *, user: Mapping[str, Any], pivot: dt.date,
                 days: int = DEFAULT_DAYS, area_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """`compare_before_after` over the days around `pivot`, other filters as given (in the user's scope)."""
    daily = daily_activity(store, comparison_filters(filters, pivot=pivot, days=days), user=user)
    return compare_before_after(daily, pivot=pivot, days=days, area_names=area_names)


# -- charts ---------------------------------------------------------------------


def build_trend_chart(series: pd.DataFrame, *, measures: Sequence[str], grain: str, start: dt.date | None = None,
                      end: dt.date | None = None, today: dt.date | None = None) -> alt.Chart:
    """One line per measure over the periods; a period only partly in [start, end] or not over by `today` (this
    week or month so far) is dashed (`dash_partial`), so it does not read as a fall."""
    long = series.melt(id_vars=["period"], value_vars=list(measures), var_name="measure", value_name="value")
    long["label"] = long["measure"].map(LABELS)
    long = dash_partial(long, x="period", series="measure",
                        partial=partial_periods(long["period"], grain=grain, start=start, end=end, today=today))
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:T", title=GRAINS[grain]),
            y=alt.Y("value:Q", title="Count"),
            color=alt.Color("label:N", title="Measure", sort=[LABELS[m] for m in measures]),
            strokeDash=stretch_dash(),
            tooltip=[alt.Tooltip("period:T", title="Starting", format="%d %b %Y"),
                     alt.Tooltip("label:N", title="Measure"), alt.Tooltip("value:Q", title="Count", format=","),
                     alt.Tooltip("kind:N", title="Period")],
        )
    )


def build_before_after_chart(comparison: pd.DataFrame, *, measure: str) -> alt.Chart:
    """Before and after bars side by side for each area, for one measure."""
    rows = comparison[comparison["measure"] == measure]
    long = rows.melt(id_vars=["area", "pct_change"], value_vars=["before", "after"], var_name="side",
                     value_name="value")
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("area:N", title="Area", sort=list(rows["area"])),
            x=alt.X("value:Q", title=LABELS[measure]),
            yOffset=alt.YOffset("side:N", sort=["before", "after"]),
            color=alt.Color("side:N", title="Period", sort=["before", "after"],
                            scale=alt.Scale(range=["#bdbdbd", "#2166ac"])),
            tooltip=[alt.Tooltip("area:N", title="Area"), alt.Tooltip("side:N", title="Period"),
                     alt.Tooltip("value:Q", title=LABELS[measure], format=","),
                     alt.Tooltip("pct_change:Q", title="Change", format="+.0%")],
        )
    )


def build_change_chart(comparison: pd.DataFrame, *, measure: str) -> alt.Chart:
    """% change per area for one measure: bars right of zero for a rise, left for a fall (none when before is 0)."""
    rows = comparison[(comparison["measure"] == measure) & comparison["pct_change"].notna()]
    rows = rows.assign(direction=rows["pct_change"].map(lambda v: "rise" if v > 0 else "fall" if v < 0 else "same"))
    return (
        alt.Chart(rows[["area", "before", "after", "pct_change", "direction"]])
        .mark_bar()
        .encode(
            y=alt.Y("area:N", title="Area", sort=list(rows["area"])),
            x=alt.X("pct_change:Q", title=f"% change in {LABELS[measure].lower()}", axis=alt.Axis(format="+%")),
            color=alt.Color("direction:N", legend=None,
                            scale=alt.Scale(domain=["rise", "same", "fall"], range=["#1b7837", "#bdbdbd", "#b2182b"])),
            tooltip=[alt.Tooltip("area:N", title="Area"), alt.Tooltip("before:Q", title="Before", format=","),
                     alt.Tooltip("after:Q", title="After", format=","),
                     alt.Tooltip("pct_change:Q", title="Change", format="+.0%")],
        )
    )
