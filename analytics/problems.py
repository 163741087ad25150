"""Problem solving (SARA): the problems list, the commander's problems by stage, one problem's analysis and
assessment.

- `problems_by_stage`: per area and stage, how many problems and how old they are (the commander view and the
  monthly pack).
- `problem_analysis`: beside a problem's analysis triangle, its wards' crime and anti-social behaviour per month
  and the issues residents raised there (completed events and CCRs), over the year before the response started
  (or before the end date while there is no response yet).
- `assessment`: before and after the response in the problem's wards, by Change over time's method
  (`analytics.trends.split_sides` and `with_change`): "before" is the chosen number of days up to the day the
  response started, "after" the same number of days from the day after it ended. Measures: crimes and ASB
  (data.police.uk counts whole months: a report counts on the first day of its month, so a window counts the
  months whose first day falls in it), issues raised and engagement (completed events, CCRs and patrols), each
  counted as Change over time counts it.

Counts of problems are counts of records, not of people, so none is suppressed. Every read needs
`problem_read` and is narrowed to the user's area.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from analytics import sql, trends
from analytics.demand import ASB
from analytics.filters import Filters, where_clause
from analytics.metrics import top_issues
from data import access, picklists, refs
from data.store import Store

STAGES = picklists.PROBLEM_STAGES
STAGE_LABELS = {"scanning": "Scanning", "analysis": "Analysis", "response": "Response", "assessment": "Assessment",
                "closed": "Closed"}
AGE_BANDS = {"under_31_days": (0, 30), "days_31_to_90": (31, 90), "over_90_days": (91, None)}
BY_STAGE_COLUMNS = ("area_code", "area", "stage", "stage_label", "problems", "under_31_days", "days_31_to_90",
                    "over_90_days", "mean_age_days", "oldest_age_days", "reviews_overdue")
"""The columns of `problems_by_stage`, in order."""
ANALYSIS_DAYS = 365
ASSESSMENT_DAYS = (28, 56, 91, 182)
DEFAULT_ASSESSMENT_DAYS = 91
MEASURES = {"crimes": "Crimes (not ASB)", "asb": "Anti-social behaviour", "issues_raised": "Issues raised",
            "engagement": "Engagement volume"}
TABLES = ("problems", "areas", "wards", "users")


def _where(filters: Filters) -> tuple[str, list]:
    """Problems in the filters' areas, with any of their wards, opened by their end date."""
    parts, params = ["opened_on <= ?"], [filters.end or dt.date.today()]
    if filters.areas:
        parts.append(f"area_code IN ({', '.join('?' for _ in filters.areas)})")
        params += list(filters.areas)
    if filters.wards:
        parts.append("list_has_any(ward_codes, ?::VARCHAR[])")
        params.append(list(filters.wards))
    return " AND ".join(parts), params


@sql.scoped("problem_read")
def problems_by_stage(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> pd.DataFrame:
    """Per area (in scope) and SARA stage, one row each, zeros for none: area_code, area (its name), stage (code),
    stage_label, problems (count), under_31_days, days_31_to_90, over_90_days (problems by age), mean_age_days
    (one decimal; none without problems), oldest_age_days, reviews_overdue (not closed, review date before the
    as-of date).

    Age is the days from the day a problem was opened to the as-of date (`filters.end`, today if none), or to
    the day it was closed. Problems opened after the as-of date are left out; `filters.areas` and
    `filters.wards` (a problem in any of them) narrow it; `filters.start` is not used. Rows run area by area
    (by name), stages in SARA order.
    """
    return sql.cached(_by_stage, store, filters, tables=TABLES)


def _by_stage(relations: Mapping[str, str], filters: Filters) -> pd.DataFrame:
    as_of = filters.end or dt.date.today()
    where, params = _where(filters)
    area_where = f"area_code IN ({', '.join('?' for _ in filters.areas)})" if filters.areas else "TRUE"
    stages = ", ".join(f"({i}, '{code}')" for i, code in enumerate(STAGES))
    bands = ", ".join(
        f"count(p.record_id) FILTER (WHERE p.age >= {low}{'' if high is None else f' AND p.age <= {high}'}) AS {name}"
        for name, (low, high) in AGE_BANDS.items())
    query = f"""
        WITH p AS (
            SELECT record_id, area_code, stage, review_on,
                   date_diff('day', opened_on, coalesce(closed_on, ?::DATE)) AS age
            FROM {relations['problems']} WHERE {where}),
        s(position, stage) AS (VALUES {stages}),
        a AS (SELECT area_code, name FROM {relations['areas']} WHERE {area_where}
              UNION SELECT DISTINCT area_code, area_code FROM p
              WHERE area_code NOT IN (SELECT area_code FROM {relations['areas']}))
        SELECT a.area_code, a.name AS area, s.stage, count(p.record_id) AS problems, {bands},
               round(avg(p.age), 1) AS mean_age_days, max(p.age) AS oldest_age_days,
               count(p.record_id) FILTER (WHERE p.stage <> 'closed' AND p.review_on < ?::DATE) AS reviews_overdue
        FROM a CROSS JOIN s LEFT JOIN p ON p.area_code = a.area_code AND p.stage = s.stage
        GROUP BY a.area_code, a.name, s.stage, s.position
        ORDER BY a.name, a.area_code, s.position"""
    frame = sql.run(query, [as_of, *params, *(filters.areas or ()), as_of])
    frame.insert(3, "stage_label", frame["stage"].map(STAGE_LABELS))
    for column in ("problems", *AGE_BANDS, "reviews_overdue"):
        frame[column] = frame[column].astype("int64")
    frame["oldest_age_days"] = frame["oldest_age_days"].astype("Int64")
    frame["mean_age_days"] = frame["mean_age_days"].astype("float64")
    return frame[list(BY_STAGE_COLUMNS)].reset_index(drop=True)


@sql.scoped("problem_read")
def list_problems(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> pd.DataFrame:
    """Problems in scope, open ones first, oldest review date first: record_id, version, title, stage,
    stage_label, area_code, area, reference (its number), wards (names, comma-separated), owner (a name), opened_on,
    review_on, age_days, review_overdue, actions, actions_done, items (linked "You said, we did" items), ref (the
    short reference shown, "PRB-12")."""
    return sql.cached(_list_problems, store, filters, tables=TABLES)


def _list_problems(relations: Mapping[str, str], filters: Filters) -> pd.DataFrame:
    as_of = filters.end or dt.date.today()
    where, params = _where(filters)
    query = f"""
        WITH p AS (SELECT * FROM {relations['problems']} WHERE {where}),
        pw AS (SELECT x.record_id, string_agg(coalesce(w.name, x.code), ', ' ORDER BY x.i) AS wards
               FROM (SELECT record_id, unnest(ward_codes) AS code, generate_subscripts(ward_codes, 1) AS i FROM p) x
               LEFT JOIN {relations['wards']} AS w ON w.ward_code = x.code GROUP BY x.record_id)
        SELECT p.record_id, p.version, p.title, p.stage, p.area_code, coalesce(a.name, p.area_code) AS area,
               p.reference,
               pw.wards,
               coalesce(u.name, p.owner_id) AS owner, p.opened_on, p.review_on,
               date_diff('day', p.opened_on, coalesce(p.closed_on, ?::DATE)) AS age_days,
               p.stage <> 'closed' AND p.review_on < ?::DATE AS review_overdue,
               len(p.actions) AS actions,
               len(list_filter(p.actions, lambda x: x.completed_on IS NOT NULL)) AS actions_done,
               len(p.ysywd_ids) AS items
        FROM p LEFT JOIN pw USING (record_id) LEFT JOIN {relations['areas']} AS a USING (area_code)
        LEFT JOIN {relations['users']} AS u ON u.user_id = p.owner_id
        ORDER BY p.stage = 'closed', p.review_on, p.record_id"""
    frame = sql.run(query, [*params, as_of, as_of])
    frame.insert(4, "stage_label", frame["stage"].map(STAGE_LABELS))
    frame["ref"] = [refs.label("problems", refs.number(n)) for n in frame["reference"]]
    return frame


def problems_for_item(store: Store, ysywd_id: str, *, user: Mapping[str, Any]) -> pd.DataFrame:
    """The problems (in the user's scope) that answer one "You said, we did" item: record_id, title, stage,
    stage_label, owner, review_on."""
    access.require(user, "problem_read")
    frame = sql.cached(_for_item, store, Filters(areas=(access.scope(user),) if access.scope(user) else ()),
                       tables=TABLES, ysywd_id=str(ysywd_id))
    return frame


def _for_item(relations: Mapping[str, str], filters: Filters, *, ysywd_id: str) -> pd.DataFrame:
    where, params = _where(dataclasses.replace(filters, end=dt.date.max))
    frame = sql.run(f"""
        SELECT p.record_id, p.title, p.stage, coalesce(u.name, p.owner_id) AS owner, p.review_on
        FROM (SELECT * FROM {relations['problems']} WHERE {where} AND list_contains(ysywd_ids, ?)) AS p
        LEFT JOIN {relations['users']} AS u ON u.user_id = p.owner_id
        ORDER BY p.opened_on, p.record_id""", [*params, ysywd_id])
    frame.insert(3, "stage_label", frame["stage"].map(STAGE_LABELS))
    return frame


# -- one problem ----------------------------------------------------------------------


@dataclasses.dataclass
class Analysis:
    """What the analysis stage shows beside the triangle, for the problem's wards over [start, end]:
    by_month (month, crimes, asb: every month the store holds crime data for, zeros included), issues (issue,
    count: issues raised at completed events and CCRs, most first) and items (the linked "You said, we did"
    items: record_id, issue_category, issue_text, status, raised_on)."""

    start: dt.date
    end: dt.date
    by_month: pd.DataFrame
    issues: pd.DataFrame
    items: pd.DataFrame


def _problem_filters(problem: Mapping[str, Any], user: Mapping[str, Any], start: dt.date, end: dt.date) -> Filters:
    access.require(user, "problem_read", problem["area_code"])
    return Filters(start=start, end=end, areas=(problem["area_code"],), wards=tuple(problem["ward_codes"]))


def problem_analysis(store: Store, problem: Mapping[str, Any], *, user: Mapping[str, Any],
                     today: dt.date | None = None) -> Analysis:
    """The problem's wards' crime and ASB per month and the issues residents raised there, over the
    `ANALYSIS_DAYS` to the day before the response started (to today while there is none yet); its linked items."""
    end = (problem.get("response_start") - dt.timedelta(days=1)) if problem.get("response_start") else (
        today or dt.date.today())
    start = end - dt.timedelta(days=ANALYSIS_DAYS - 1)
    filters = _problem_filters(problem, user, start, end)
    by_month, issues = sql.cached(_analysis, store, filters, tables=("crimes", "events", "ccrs"))
    items = sql.cached(_items, store, filters, tables=("ysywd",), ids=tuple(problem["ysywd_ids"]))
    return Analysis(start, end, by_month, issues, items)


def _crime_sql(relations: Mapping[str, str], filters: Filters, *, select: str) -> tuple[str, list]:
    """Crimes and ASB of the filters' wards whose month starts within the filters' dates."""
    wards = ", ".join("?" for _ in filters.wards)
    return (f"SELECT {select} FROM {relations['crimes']} WHERE area_code = ? AND ward_code IN ({wards})"
            f" AND month >= ? AND month <= ? GROUP BY ALL ORDER BY ALL",
            [filters.areas[0], *filters.wards, filters.start, filters.end])


def _analysis(relations: Mapping[str, str], filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    counts = (f"date_trunc('month', month)::DATE AS month, count(*) FILTER (WHERE crime_type <> '{ASB}') AS crimes,"
              f" count(*) FILTER (WHERE crime_type = '{ASB}') AS asb")
    held = (f"SELECT DISTINCT date_trunc('month', month)::DATE AS month FROM {relations['crimes']}"
            f" WHERE month >= ? AND month <= ? ORDER BY month", [filters.start, filters.end])
    issues = sql.later(top_issues, relations, filters, limit=20)
    by_month, months = sql.run_many(_crime_sql(relations, filters, select=counts), held)
    issues = issues.result()
    # A month the store holds crime data for (anywhere) but with none in these wards is a true zero.
    by_month = months.merge(by_month, on="month", how="left").fillna({"crimes": 0, "asb": 0})
    by_month[["crimes", "asb"]] = by_month[["crimes", "asb"]].astype("int64")
    issues["count"] = issues["count"].astype("int64")
    return by_month, issues


def _items(relations: Mapping[str, str], filters: Filters, *, ids: tuple[str, ...]) -> pd.DataFrame:
    where, params = where_clause(Filters(areas=filters.areas), table="ysywd")
    return sql.run(f"SELECT record_id, issue_category, issue_text, status, raised_on FROM {relations['ysywd']}"
                   f" WHERE {where} AND list_contains(?::VARCHAR[], record_id) ORDER BY raised_on, record_id",
                   [*params, list(ids)])


def assessment_window(problem: Mapping[str, Any], *, days: int) -> tuple[dt.date, dt.date, dt.date, dt.date] | None:
    """(first, last day before; first, last day after) the response, `days` each; None without both dates."""
    start, end = problem.get("response_start"), problem.get("response_end")
    if start is None or end is None:
        return None
    resume = end + dt.timedelta(days=1)
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1), resume, resume + dt.timedelta(days=days - 1)


def assessment(store: Store, problem: Mapping[str, Any], *, user: Mapping[str, Any],
               days: int = DEFAULT_ASSESSMENT_DAYS) -> pd.DataFrame:
    """measure, label, before, after, change, pct_change for the problem's wards (`MEASURES`), `days` either
    side of the response (see the module's notes); no rows until the response has both its dates."""
    access.require(user, "problem_read", problem["area_code"])
    window = assessment_window(problem, days=days)
    if window is None:
        return pd.DataFrame(columns=["measure", "label", "before", "after", "change", "pct_change"])
    first, _, _, last = window
    filters = _problem_filters(problem, user, first, last)
    daily = sql.cached(_assessment_daily, store, filters, tables=("events", "ccrs", "patrols", "ysywd", "crimes"))
    sides = trends.split_sides(daily, pivot=problem["response_start"], days=days,
                               resume=problem["response_end"] + dt.timedelta(days=1))
    sums = sides.groupby("side")[list(MEASURES)].sum().reindex(["before", "after"], fill_value=0)
    wide = sums.T.rename_axis("measure").reset_index()
    wide.columns.name = None
    wide.insert(1, "label", wide["measure"].map(MEASURES))
    return trends.with_change(wide)


def _assessment_daily(relations: Mapping[str, str], filters: Filters) -> pd.DataFrame:
    """day and every assessment measure, one row per day with any (Change over time's daily counts, plus crime)."""
    activity = trends.with_derived(trends.tidy_daily(trends.daily(relations, filters)))
    crime = sql.run(*_crime_sql(relations, filters, select=(
        f"month AS day, count(*) FILTER (WHERE crime_type <> '{ASB}') AS crimes,"
        f" count(*) FILTER (WHERE crime_type = '{ASB}') AS asb")))
    crime["day"] = pd.to_datetime(crime["day"]).astype("datetime64[ns]")
    both = pd.concat([activity[["day", "issues_raised", "engagement"]], crime], ignore_index=True)
    return both.fillna(0).groupby("day", as_index=False)[list(MEASURES)].sum().astype(
        dict.fromkeys(MEASURES, "int64"))


def format_by_stage(frame: pd.DataFrame) -> str:
    """`problems_by_stage` as a plain table for the command line: one line per area and stage with problems, then
    each area's total; "No problems." when there are none."""
    rows = frame[frame["problems"] > 0]
    if rows.empty:
        return "No problems."
    width = max(len(str(a)) for a in rows["area"])
    head = (f"{'Area':<{width}}  {'Stage':<10}  {'Problems':>8}  {'<=30d':>5}  {'31-90d':>6}  {'>90d':>5}"
            f"  {'Mean age':>8}  {'Oldest':>6}  {'Overdue':>7}")
    lines = [head, "-" * len(head)]
    for r in rows.to_dict("records"):
        lines.append(f"{r['area']:<{width}}  {r['stage_label']:<10}  {r['problems']:>8}  {r['under_31_days']:>5}"
                     f"  {r['days_31_to_90']:>6}  {r['over_90_days']:>5}  {r['mean_age_days']:>8.1f}"
                     f"  {r['oldest_age_days']:>6}  {r['reviews_overdue']:>7}")
    total = int(rows["problems"].sum())
    open_now = int(rows.loc[rows["stage"] != "closed", "problems"].sum())
    lines.append(f"{total:,} problems, {open_now:,} open, {int(rows['reviews_overdue'].sum()):,} reviews overdue.")
    return "\n".join(lines)


def format_assessment(problem: Mapping[str, Any], frame: pd.DataFrame, *, days: int) -> str:
    """One problem's `assessment` as plain text for the command line: its window, then a line per measure."""
    head = f"{problem['title']} ({STAGE_LABELS[problem['stage']]})"
    window = assessment_window(problem, days=days)
    if window is None:
        return f"{head}\nNo assessment yet: the response needs its first and last days."
    lines = [head, f"Before: {window[0]:%d %b %Y} - {window[1]:%d %b %Y}. After: {window[2]:%d %b %Y} -"
                   f" {window[3]:%d %b %Y}."]
    width = max(len(label) for label in MEASURES.values())
    lines.append(f"{'':<{width}}  {'Before':>7}  {'After':>7}  {'Change':>7}  {'%':>6}")
    for r in frame.to_dict("records"):
        pct = "" if pd.isna(r["pct_change"]) else f"{r['pct_change']:+.0%}"
        lines.append(f"{r['label']:<{width}}  {r['before']:>7,}  {r['after']:>7,}  {r['change']:>+7,}  {pct:>6}")
    return "\n".join(lines)


# -- charts ------------------------------------------------------------------------------

WHOLE_NUMBERS = alt.Axis(format="d", tickMinStep=1)


def build_crime_chart(by_month: pd.DataFrame) -> alt.Chart:
    """Crimes and ASB per month (`Analysis.by_month`), one line each."""
    long = by_month.melt(id_vars=["month"], value_vars=["crimes", "asb"], var_name="measure", value_name="count")
    long["measure"] = long["measure"].map(MEASURES)
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("month:T", title="Month"), y=alt.Y("count:Q", title="Reports", axis=WHOLE_NUMBERS),
        color=alt.Color("measure:N", title=None, sort=[MEASURES["crimes"], MEASURES["asb"]]),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%b %Y"), alt.Tooltip("measure:N", title="What"),
                 alt.Tooltip("count:Q", title="Reports", format=",")])


def build_stage_chart(by_stage: pd.DataFrame) -> alt.Chart:
    """Problems per area (`problems_by_stage`), one bar each, split by stage in SARA order."""
    rows = by_stage[by_stage["problems"] > 0]
    order = [STAGE_LABELS[s] for s in STAGES]
    return alt.Chart(rows).mark_bar().encode(
        y=alt.Y("area:N", title="Area"), x=alt.X("problems:Q", title="Problems", axis=WHOLE_NUMBERS),
        color=alt.Color("stage_label:N", title="Stage", sort=order, scale=alt.Scale(domain=order)),
        order=alt.Order("stage_order:Q"),
        tooltip=[alt.Tooltip("area:N", title="Area"), alt.Tooltip("stage_label:N", title="Stage"),
                 alt.Tooltip("problems:Q", title="Problems"), alt.Tooltip("mean_age_days:Q", title="Mean age (days)"),
                 alt.Tooltip("oldest_age_days:Q", title="Oldest (days)")],
    ).transform_calculate(stage_order=f"indexof({order!r}, datum.stage_label)")
