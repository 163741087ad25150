"""Every headline figure, defined once: its name, SQL, label, format and meaning.

A metric's `sql` is an aggregate expression over the current rows of its
`table` (already filtered by the dashboard's date range and codes), so
queries select `f"{m.sql} AS {m.name}"` and every page, export and the CLI
agree. Metrics built from others (`intel_submissions`, `consent_rate`) or
from list columns (`distinct_officers`, `top_issues`) say how in `definition`
and are computed in `analytics.queries`.

Date ranges: events count by `start`, CCRs by `contact_at`, "You said, we did"
items by `raised_on`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

COMPLETED = "status = 'completed'"


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
    return METRICS[name]
