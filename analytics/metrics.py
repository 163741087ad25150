"""Every headline figure, defined once: its name, SQL, label, format and meaning.

A metric's `sql` is an aggregate expression over the current rows of its
`table` (already filtered by the dashboard's date range and codes), so
queries select `f"{m.sql} AS {m.name}"` and every page, export and the CLI
agree. Metrics built from others (`intel_submissions`, `consent_rate`) or
from list columns (`distinct_officers`, `top_issues`) say how in `definition`
and are computed by the query functions here (`distinct_officers`,
`top_issues`) or by the page queries that show them.

The dashboards' own figures (Events completed, Event outcomes, the CCR and
patrol pages) are here too: a page names the figures it shows, and
`metric(name)` gives each one's label, format and meaning.

Date ranges: events count by `start`, CCRs by `contact_at`, "You said, we did"
items by `raised_on`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analytics import sql
from analytics.filters import Filters, and_, where_clause

COMPLETED = "status = 'completed'"
TOP_ISSUES = 5


@dataclasses.dataclass(frozen=True)
class Metric:
    name: str
    label: str
    table: str
    sql: str | None
    format: str  # "count" | "percent" | "hours"
    definition: str

    def format_value(self, value: Any) -> str:
        """The value as shown on a dashboard tile."""
        if value is None:
            return "–"
        if self.format == "percent":
            return f"{value:.0%}"
        if self.format == "hours":
            return f"{value:,.1f}"
        return f"{value:,}"


_METRICS = (
    Metric("events_booked", "Events booked", "events",
           "count(*) FILTER (WHERE status <> 'cancelled')", "count",
           "Events starting in the range that were not cancelled (booked or completed)."),
    Metric("events_completed", "Events completed", "events",
           f"count(*) FILTER (WHERE {COMPLETED})", "count",
           "Events starting in the range with status completed."),
    Metric("events_cancelled", "Events cancelled", "events",
           "count(*) FILTER (WHERE status = 'cancelled')", "count",
           "Events starting in the range that were cancelled."),
    Metric("attendees", "People engaged", "events",
           f"coalesce(sum(attendees) FILTER (WHERE {COMPLETED}), 0)", "count",
           "Sum of attendees over completed events."),
    Metric("officer_attendances", "Officer attendances", "events",
           f"coalesce(sum(officers_involved) FILTER (WHERE {COMPLETED}), 0)", "count",
           "Sum of officers_involved over completed events (one officer at two events counts twice)."),
    Metric("event_intel_submissions", "Intelligence from events", "events",
           f"coalesce(sum(intel_submissions) FILTER (WHERE {COMPLETED}), 0)", "count",
           "Sum of intel_submissions over completed events."),
    Metric("distinct_officers", "Officers engaging", "events", None, "count",
           "Distinct officer ids in officers_attending of completed events."),
    Metric("ccrs", "Community contacts", "ccrs", "count(*)", "count",
           "Community Contact Records with contact_at in the range."),
    Metric("ccrs_diversity_consent", "Contacts with diversity consent", "ccrs",
           "count(*) FILTER (WHERE diversity_consent)", "count",
           "CCRs where the person consented to give diversity information."),
    Metric("smart_alert_signups", "Alert sign-ups", "ccrs",
           "count(*) FILTER (WHERE smart_alert_signup)", "count",
           "CCRs where the person signed up to community messaging alerts."),
    Metric("ccr_info_submitted", "Intelligence from contacts", "ccrs",
           "count(*) FILTER (WHERE info_submitted)", "count",
           "CCRs where information (intelligence) was submitted."),
    Metric("intel_submissions", "Intelligence submissions", "events+ccrs", None, "count",
           "event_intel_submissions + ccr_info_submitted."),
    Metric("consent_rate", "Diversity consent rate", "ccrs", None, "percent",
           "ccrs_diversity_consent / ccrs (none when there are no CCRs)."),
    Metric("top_issues", "Top issues", "events+ccrs", None, "count",
           "The 5 issue codes listed most often on completed events and CCRs (the forms list an issue "
           "at most once per record); ties go to the issue first in alphabetical order."),
    Metric("ysywd_open", "You said, we did: open", "ysywd",
           "count(*) FILTER (WHERE status <> 'closed')", "count",
           "Items raised in the range whose status is not closed."),
    Metric("ysywd_closed", "You said, we did: closed", "ysywd",
           "count(*) FILTER (WHERE status = 'closed')", "count",
           "Items raised in the range whose status is closed."),
    # Events completed and Event outcomes
    Metric("communities_supported", "Communities supported", "events", None, "count",
           "Different communities the completed events reached."),
    Metric("suitable_for_publishing", "Publishable events", "events",
           "count(*) FILTER (WHERE suitable_for_publishing)", "count",
           "Completed events the officer marked as suitable for publishing (e.g. on social media)."),
    Metric("actions", "Actions taken", "ysywd", None, "count",
           "\"You said, we did\" actions taken in the period (by the action's date)."),
    # CCR outcomes and CCR activity
    Metric("ccrs_with_issues", "Contacts raising issues", "ccrs", "count(*) FILTER (WHERE len(issues) > 0)",
           "count", "CCRs listing at least one issue."),
    Metric("issue_mentions", "Issues raised", "ccrs", "coalesce(sum(len(issues)), 0)", "count",
           "Issues listed over all CCRs (a CCR raising three issues counts three)."),
    Metric("officers", "Officers involved", "ccrs", "count(DISTINCT officer_id)", "count",
           "Distinct officers who recorded a CCR."),
    Metric("ccrs_at_events", "Contacts at events", "ccrs", "count(*) FILTER (WHERE event_id IS NOT NULL)",
           "count", "CCRs recorded at an engagement event."),
    # Patrols and abstractions
    Metric("patrols", "Patrols", "patrols", "count(*)", "count", "Patrols starting in the range."),
    Metric("patrol_hours", "Patrol hours", "patrols", None, "hours",
           "Sum of end - start over patrols starting in the range, in hours."),
    Metric("abstractions", "Abstractions", "abstractions", "count(*)", "count",
           "Abstractions dated in the range (officers taken away from neighbourhood work)."),
    Metric("abstraction_hours", "Hours lost to abstractions", "abstractions", "coalesce(sum(hours), 0)", "hours",
           "Sum of the hours officers logged as abstracted."),
)

METRICS: dict[str, Metric] = {m.name: m for m in _METRICS}

EVENT_SUMS = ("events_booked", "events_completed", "events_cancelled", "attendees",
              "officer_attendances", "event_intel_submissions")
CCR_COUNTS = ("ccrs", "ccrs_diversity_consent", "smart_alert_signups", "ccr_info_submitted")
YSYWD_COUNTS = ("ysywd_open", "ysywd_closed")


def select_list(names: tuple[str, ...] | list[str]) -> str:
    """`sql AS name, ...` for metrics that have a single SQL expression."""
    return ", ".join(f"{METRICS[n].sql} AS {n}" for n in names)


def metric(name: str) -> Metric:
    """A figure's definition (label, format, meaning) by name."""
    return METRICS[name]


def figures_of(row: pd.Series, names: Sequence[str]) -> dict[str, int]:
    """The named figures of a result row as whole numbers (0 where missing)."""
    return {n: int(row[n]) if pd.notna(row[n]) else 0 for n in names}


def officers_attending(events: str, filters: Filters) -> pd.DataFrame:
    """Each officer attending the completed events in the filters: officer_id, events (the completed events
    they attended), attendees (at those events). Worked out file by file (`sql.additive`); the one statement
    the summary, Events completed and Event outcomes share, so they share its kept parts."""
    where, params = where_clause(filters, table="events")
    return sql.additive(events, sql.over(
        "SELECT officer_id, count(*) AS events, coalesce(sum(attendees), 0) AS attendees"
        " FROM (SELECT unnest(officers_attending) AS officer_id, attendees FROM {rel}"
        f" WHERE {and_(where, COMPLETED)}) GROUP BY officer_id", params), keys=["officer_id"], rows="events")


def distinct_officers(events: str, filters: Filters) -> int:
    """`distinct_officers`: distinct officer ids attending the completed events in the filters (from the
    added-up `officers_attending`, never by adding distinct counts)."""
    return int(officers_attending(events, filters)["officer_id"].notna().sum())


def issue_counts(relations: Mapping[str, str], filters: Filters, *, include_events: bool = True) -> pd.DataFrame:
    """How often each issue is listed on completed events (unless left out) and CCRs in the filters:
    (issue, count), most first, ties in alphabetical order. Worked out file by file (`sql.additive`)."""
    frames = []
    for table, only in (("events", COMPLETED), ("ccrs", None)):
        if table == "events" and not include_events:
            continue
        where, params = where_clause(filters, table=table)
        condition = and_(where, only) if only else where
        frames.append(sql.additive(relations[table], sql.over(
            f"SELECT issue, count(*) AS count FROM (SELECT unnest(issues) AS issue FROM {{rel}} WHERE {condition})"
            " GROUP BY issue", params), keys=["issue"], rows="count"))
    counts = pd.concat(frames, ignore_index=True).groupby("issue", as_index=False)["count"].sum()
    counts = counts[counts["count"] > 0].astype({"count": "int64"})
    return counts.sort_values(["count", "issue"], ascending=[False, True], kind="stable").reset_index(drop=True)


def top_issues(relations: Mapping[str, str], filters: Filters, *, limit: int,
               include_events: bool = True) -> pd.DataFrame:
    """`top_issues`: the `limit` issues listed most often on completed events (unless left out) and CCRs."""
    return issue_counts(relations, filters, include_events=include_events).head(limit).reset_index(drop=True)


def issue_list(frame: pd.DataFrame) -> list[dict]:
    """An (issue, count) result as `[{"issue": ..., "count": ...}, ...]`."""
    return [{"issue": str(r.issue), "count": int(r.count)} for r in frame.itertuples(index=False)]
