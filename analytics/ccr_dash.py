"""Query sets of the CCR dashboards: CCR outcomes and CCR activity.

One function per page, each taking the store and a `Filters` and returning a
dataclass of plain values and DataFrames (cached on the tables' versions, as
in `analytics.sql`). Counts share their definitions with `summary`
(`analytics.metrics`), so a page and `python -m analytics summary` agree.

Special-category data: the diversity answers (`DIVERSITY_FIELDS`) reach this
module only as counts over published area-months (`analytics.disclosure`: whole
closed months, whole areas, cells of fewer than 10 people withheld), and leave
it only after small-count suppression (`analytics.privacy`). The record-level
CCR table never selects them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analytics import disclosure, sql
from analytics.filters import Filters, ward_scope, where_clause
from analytics.metrics import CCR_COUNTS, figures_of, metric, select_list, top_issues
from analytics.privacy import suppress_breakdown, suppress_nested
from data import audit, picklists
from data.schema import DIVERSITY_FIELDS
from data.store import Store

TOP_ISSUES = 10
DETAIL_ROWS = 500
TOP_OFFICERS = 20
NOT_ANSWERED = "Not answered"
CONSENTED = "diversity_consent"
CCR_TABLES = ("ccrs", "areas", "wards", "users")  # the tables every CCR page reads

# Each breakdown lists every category, in pick-list order, then those who consented but did not answer.
BREAKDOWN_CATEGORIES: dict[str, tuple[str, ...]] = {
    "age_band": (*picklists.AGE_BANDS, NOT_ANSWERED),
    "religion": (*picklists.RELIGIONS, NOT_ANSWERED),
    "sex": (*picklists.SEXES, NOT_ANSWERED),
    "disability": (*picklists.DISABILITY, NOT_ANSWERED),
    "ethnicity": (*picklists.ETHNICITY, NOT_ANSWERED),
}
BREAKDOWN_LABELS = {"age_band": "Age band", "religion": "Religion", "sex": "Sex", "disability": "Disability",
                    "ethnic_group": "Ethnic group", "ethnicity": "Ethnicity"}
ETHNIC_GROUP_ORDER = (*picklists.ETHNIC_GROUPS, "Not stated", NOT_ANSWERED)
assert set(BREAKDOWN_CATEGORIES) == set(DIVERSITY_FIELDS)


# -- places: the drill-down's levels ---------------------------------------------------


@dataclasses.dataclass
class Places:
    """CCRs by area, ward and officer: the levels a click drills through, and the map's counts.

    by_area: area_code, name, ccrs, officers (distinct), ccrs_at_events; most CCRs first.
    by_ward: ward_code, name, area_code, ccrs — every ward in scope (zero where none).
    by_officer: officer_id, officer (name), ccrs, ccrs_at_events — the TOP_OFFICERS by CCRs.
    """

    by_area: pd.DataFrame
    by_ward: pd.DataFrame
    by_officer: pd.DataFrame


_PLACE_COLUMNS = {
    "area": ["area_code", "name", "ccrs", "officers", "ccrs_at_events"],
    "ward": ["ward_code", "name", "area_code", "ccrs"],
    "officer": ["officer_id", "officer", "ccrs", "ccrs_at_events"],
}


def _places_sql(relations: dict[str, str], filters: Filters) -> tuple[str, list, dict[str, pd.DataFrame]]:
    """CCRs counted by (area, ward, officer) file by file (`sql.additive`), and a statement rolling that
    up to each level (column `part`), with the frame it reads as `grouped`."""
    where, params = where_clause(filters, table="ccrs")
    grouped = sql.additive(relations["ccrs"], lambda rel: (
        f"SELECT area_code, ward_code, officer_id, count(*) AS ccrs, {metric('ccrs_at_events').sql} AS at_events"
        f" FROM {rel} WHERE {where} GROUP BY ALL", params), keys=["area_code", "ward_code", "officer_id"], rows="ccrs")
    parts, scope_params = _places_parts(relations, filters)
    query = f"""
        {parts}
        ORDER BY part, -ccrs, area_code, ward_code, officer_id"""
    return query, scope_params, {"grouped": grouped}


def _places_frame(relations: dict[str, str], filters: Filters) -> pd.DataFrame:
    query, params, tables = _places_sql(relations, filters)
    return sql.run(query, params, tables=tables)


def _places_parts(relations: dict[str, str], filters: Filters) -> tuple[str, list]:
    """The 'area', 'ward' and 'officer' parts of a statement, from its `grouped` (area_code, ward_code,
    officer_id, ccrs, at_events), and the parameters they add."""
    areas, wards, users = (relations[t] for t in ("areas", "wards", "users"))
    scope, scope_params = ward_scope(filters)
    query = f"""
        SELECT 'area' AS part, g.area_code, coalesce(a.name, g.area_code) AS name, CAST(sum(g.ccrs) AS BIGINT) AS ccrs,
               count(DISTINCT g.officer_id) AS officers, CAST(sum(g.at_events) AS BIGINT) AS ccrs_at_events
        FROM grouped g LEFT JOIN {areas} a ON a.area_code = g.area_code GROUP BY g.area_code, a.name
        UNION ALL BY NAME
        SELECT 'ward' AS part, w.ward_code, w.name, w.area_code, CAST(coalesce(c.ccrs, 0) AS BIGINT) AS ccrs
        FROM (SELECT * FROM {wards} WHERE {scope}) w
        LEFT JOIN (SELECT ward_code, sum(ccrs) AS ccrs FROM grouped GROUP BY ward_code) c ON c.ward_code = w.ward_code
        UNION ALL BY NAME
        SELECT * FROM (
            SELECT 'officer' AS part, g.officer_id, coalesce(u.name, g.officer_id) AS officer,
                   CAST(sum(g.ccrs) AS BIGINT) AS ccrs, CAST(sum(g.at_events) AS BIGINT) AS ccrs_at_events
            FROM grouped g LEFT JOIN {users} u ON u.user_id = g.officer_id GROUP BY g.officer_id, u.name
            ORDER BY ccrs DESC, g.officer_id LIMIT {TOP_OFFICERS})"""
    return query, scope_params


def _places(frame: pd.DataFrame) -> Places:
    def piece(name: str) -> pd.DataFrame:
        columns = _PLACE_COLUMNS[name]
        counts = {c: "int64" for c in columns if c in ("ccrs", "officers", "ccrs_at_events")}
        return frame.loc[frame["part"] == name, columns].reset_index(drop=True).astype(counts)

    return Places(by_area=piece("area"), by_ward=piece("ward"), by_officer=piece("officer"))


# -- CCR outcomes -------------------------------------------------------------------


@dataclasses.dataclass
class CcrOutcomes:
    """Everything the CCR outcomes page shows.

    headline: ccrs, ccr_info_submitted, ccrs_with_issues (CCRs listing at least one
      issue), issue_mentions (issues listed over all CCRs), ccrs_diversity_consent,
      consent_rate (None without CCRs), smart_alert_signups.
    top_issues: issue, ccrs (CCRs listing it), the TOP_ISSUES most listed.
    breakdowns: for age_band, ethnic_group, ethnicity, religion, sex, disability, the
      consented CCRs by answer over published area-months (`analytics.disclosure`), suppressed
      (`analytics.privacy`), a Total row last.
    by_area, by_ward, by_officer: as `Places` (the drill-down's levels and the map).
    diversity: what the breakdowns cover (`disclosure.Coverage`).
    """

    headline: dict[str, Any]
    top_issues: pd.DataFrame
    breakdowns: dict[str, pd.DataFrame]
    by_area: pd.DataFrame
    by_ward: pd.DataFrame
    by_officer: pd.DataFrame
    diversity: disclosure.Coverage | None = None


# The headline figures of each page (defined in `analytics.metrics`).
OUTCOME_HEADLINE = ("ccrs", "ccr_info_submitted", "ccrs_with_issues", "issue_mentions", "ccrs_diversity_consent",
                    "consent_rate", "smart_alert_signups")
DETAIL_COLUMNS = ("record_id", "contact_at", "area", "ward", "officer_id", "officer", "contact_method", "issues",
                  "info_submitted")


@sql.scoped("read_aggregates")
def ccr_outcomes(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any],
                 today: dt.date | None = None) -> CcrOutcomes:
    """The CCR outcomes page's aggregate query set (the record-level table is `ccr_details`), for `user`.

    The diversity breakdowns come from published area-months (`analytics.disclosure`), never from the
    filters' own days, wards or officers; `diversity` says what they cover. Their every view is audited.
    """
    outcomes = sql.cached(ccr_outcomes_over, store, filters, tables=CCR_TABLES)
    counts, outcomes.diversity = disclosure.diversity_counts(store, filters, user=user, today=today)
    outcomes.breakdowns = suppressed_breakdowns(counts)
    return outcomes


def ccr_outcomes_over(relations: dict[str, str], filters: Filters) -> CcrOutcomes:
    """The CCR outcomes aggregates over these relations (no breakdowns, no scope check: see `ccr_outcomes`).
    Each is summed file by file (`sql.additive`)."""
    where, params = where_clause(filters, table="ccrs")
    issues = sql.later(top_issues, relations, filters, limit=TOP_ISSUES, include_events=False)
    places = sql.later(_places_frame, relations, filters)
    figures = sql.additive(relations["ccrs"], lambda rel: (
        f"SELECT {select_list(CCR_COUNTS)}, {select_list(('ccrs_with_issues', 'issue_mentions'))}"
        f" FROM {rel} WHERE {where}", params))

    headline: dict[str, Any] = figures_of(figures.iloc[0].fillna(0),
                                          (*CCR_COUNTS, "ccrs_with_issues", "issue_mentions"))
    headline["consent_rate"] = headline["ccrs_diversity_consent"] / headline["ccrs"] if headline["ccrs"] else None
    top = issues.result().rename(columns={"count": "ccrs"})
    return CcrOutcomes(
        headline={k: headline[k] for k in OUTCOME_HEADLINE},
        top_issues=top.astype({"ccrs": "int64"}),
        breakdowns={},
        **vars(_places(places.result())),
    )


def count_consented_by(diversity: pd.DataFrame, field: str) -> pd.DataFrame:
    """One field's raw counts over every category (zero where none), from `disclosure.diversity_counts`.

    Raw counts are for suppression only: they never leave this module unsuppressed.
    """
    rows = diversity[diversity["field"] == field]
    counts = {(NOT_ANSWERED if pd.isna(a) else str(a)): int(n) for a, n in zip(rows["answer"], rows["count"],
                                                                                strict=True)}
    categories = BREAKDOWN_CATEGORIES[field]
    return pd.DataFrame({field: list(categories), "count": [counts.get(c, 0) for c in categories]})


def suppressed_breakdowns(diversity: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every diversity breakdown, suppressed, with labels for ethnicity codes."""
    out = {field: suppress_breakdown(count_consented_by(diversity, field), label=field)
           for field in ("age_band", "religion", "sex", "disability")}
    detailed = count_consented_by(diversity, "ethnicity")
    detailed["ethnic_group"] = [_ethnic_group(code) for code in detailed["ethnicity"]]
    detailed["ethnicity"] = [_ethnicity_label(code) for code in detailed["ethnicity"]]
    groups = (detailed.groupby("ethnic_group", sort=False)["count"].sum()
              .reindex(ETHNIC_GROUP_ORDER, fill_value=0).rename_axis("ethnic_group").reset_index())
    out["ethnic_group"], out["ethnicity"] = suppress_nested(groups, detailed, group="ethnic_group",
                                                            label="ethnicity")
    return {name: out[name] for name in BREAKDOWN_LABELS}


def _ethnic_group(code: str) -> str:
    return NOT_ANSWERED if code == NOT_ANSWERED else picklists.ETHNICITY[code][1]


def _ethnicity_label(code: str) -> str:
    return NOT_ANSWERED if code == NOT_ANSWERED else f"{picklists.ETHNICITY[code][0]} ({code})"


# -- CCR activity -------------------------------------------------------------------


@dataclasses.dataclass
class CcrActivity:
    """Everything the CCR activity page shows.

    headline: ccrs, officers (distinct officer_id), ccrs_at_events (event_id set).
    by_week: week (Monday), ccrs. by_method: contact_method, ccrs.
    by_area, by_ward, by_officer: as `Places`.
    """

    headline: dict[str, int]
    by_week: pd.DataFrame
    by_method: pd.DataFrame
    by_area: pd.DataFrame
    by_ward: pd.DataFrame
    by_officer: pd.DataFrame


ACTIVITY_HEADLINE = ("ccrs", "officers", "ccrs_at_events")
# GROUPING(week, contact_method, area_code, ward_code) of the activity scan's two groupings.
_BY_WEEK, _BY_PLACE = 3, 12


@sql.scoped("read_aggregates")
def ccr_activity(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> CcrActivity:
    """The CCR activity page's query set."""
    return sql.cached(ccr_activity_over, store, filters, tables=CCR_TABLES)


def ccr_activity_over(relations: dict[str, str], filters: Filters) -> CcrActivity:
    """The CCR activity page's query set over these relations (no scope check: see `ccr_activity`)."""
    where, params = where_clause(filters, table="ccrs")
    places, scope_params = _places_parts(relations, filters)
    # One scan grouped two ways, summed file by file (`sql.additive`): at (week, method, officer) for the
    # totals, the time chart and the methods, and at (area, ward, officer) for the places.
    scanned = sql.additive(relations["ccrs"], lambda rel: (f"""
        SELECT GROUPING(week, contact_method, area_code, ward_code) AS level, week, contact_method,
               area_code, ward_code, officer_id, count(*) AS ccrs, {metric("ccrs_at_events").sql} AS at_events
        FROM (SELECT CAST(date_trunc('week', contact_at) AS DATE) AS week, contact_method, area_code, ward_code,
                     officer_id, event_id FROM {rel} WHERE {where})
        GROUP BY GROUPING SETS ((week, contact_method, officer_id), (area_code, ward_code, officer_id))""", params),
        keys=["level", "week", "contact_method", "area_code", "ward_code", "officer_id"], rows="ccrs")
    query = f"""
        WITH activity AS (
            SELECT week, contact_method, officer_id, ccrs, at_events FROM scanned WHERE level = {_BY_WEEK}),
        grouped AS (SELECT area_code, ward_code, officer_id, ccrs, at_events FROM scanned WHERE level = {_BY_PLACE})
        SELECT 'total' AS part, CAST(coalesce(sum(ccrs), 0) AS BIGINT) AS ccrs,
               count(DISTINCT officer_id) AS officers, CAST(coalesce(sum(at_events), 0) AS BIGINT) AS ccrs_at_events
        FROM activity
        UNION ALL BY NAME
        SELECT 'week' AS part, week, CAST(sum(ccrs) AS BIGINT) AS ccrs FROM activity GROUP BY week
        UNION ALL BY NAME
        SELECT 'method' AS part, contact_method, CAST(sum(ccrs) AS BIGINT) AS ccrs FROM activity GROUP BY contact_method
        UNION ALL BY NAME
        {places}
        ORDER BY part, week, -ccrs, contact_method, area_code, ward_code, officer_id"""
    frame = sql.run(query, scope_params, tables={"scanned": scanned})
    part = frame["part"]

    def piece(name: str, columns: list[str]) -> pd.DataFrame:
        return frame.loc[part == name, columns].reset_index(drop=True).astype({"ccrs": "int64"})

    return CcrActivity(
        headline=figures_of(frame.loc[part == "total"].iloc[0], ACTIVITY_HEADLINE),
        by_week=piece("week", ["week", "ccrs"]),
        by_method=piece("method", ["contact_method", "ccrs"]),
        **vars(_places(frame)),
    )


# -- CCR details: record level, checked and audited -----------------------------------


@dataclasses.dataclass
class CcrDetails:
    """The CCR details table as one user may see it.

    rows: the latest DETAIL_ROWS CCRs in the user's scope (DETAIL_COLUMNS, never a diversity field).
    total: how many CCRs the table would hold without the limit.
    """

    rows: pd.DataFrame
    total: int


@sql.scoped("read_ccr_details")
def ccr_details(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> CcrDetails:
    """The record-level CCR table for `filters`, within the user's area scope; NotAllowed without
    `read_ccr_details`. Each view (user, filters, data version) is written to the audit log once.
    """
    details = sql.cached(ccr_details_over, store, filters, tables=CCR_TABLES)
    audit.log_once(store, user, "view_personal", key=("ccr_details", filters, store.snapshot("ccrs").version),
                   table="ccrs", target_ids=details.rows["record_id"].astype(str),
                   detail=f"CCR details table: {len(details.rows)} of {details.total} rows; {filters}")
    return details


def _details_sql(relations: dict[str, str], where: str) -> str:
    """The latest DETAIL_ROWS CCRs matching `where`, record-level without diversity answers, named."""
    ccrs, areas, wards, users = (relations[t] for t in ("ccrs", "areas", "wards", "users"))
    return f"""
        SELECT c.record_id, c.contact_at, coalesce(a.name, c.area_code) AS area,
               coalesce(w.name, c.ward_code) AS ward, c.officer_id, coalesce(u.name, c.officer_id) AS officer,
               c.contact_method, array_to_string(c.issues, '; ') AS issues, c.info_submitted
        FROM (SELECT record_id, contact_at, area_code, ward_code, officer_id, contact_method, issues, info_submitted
              FROM {ccrs} WHERE {where} ORDER BY contact_at DESC, record_id DESC LIMIT {DETAIL_ROWS}) c
        LEFT JOIN {areas} a ON a.area_code = c.area_code
        LEFT JOIN {wards} w ON w.ward_code = c.ward_code
        LEFT JOIN {users} u ON u.user_id = c.officer_id
        ORDER BY c.contact_at DESC, c.record_id DESC"""


def ccr_details_over(relations: dict[str, str], filters: Filters) -> CcrDetails:
    """The CCR details table over these relations (no scope check, no audit: see `ccr_details`)."""
    where, params = where_clause(filters, table="ccrs")
    rows, total = sql.latest_rows(relations["ccrs"], where, params, column="contact_at", rows=DETAIL_ROWS,
                               sql=functools.partial(_details_sql, relations))
    return CcrDetails(rows=rows[list(DETAIL_COLUMNS)], total=total)
