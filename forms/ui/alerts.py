"""Alerts and flags on My activity and the supervisor's Dip checks (`analytics.alerts`), in plain grids.

Titles hold ward names, issue categories and places, which are typed by people: they are shown in data
grids (plain text), never as Markdown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from analytics.alerts import (
    CONDITIONS,
    alert_settings,
    list_alerts,
    list_asb_complaints,
    list_late_queries_now,
    list_my_alerts,
)
from analytics.guarantee import RESPONSE_HOURS
from data import refs
from data.store import Store

ALERT_COLUMNS = {"condition": "Alert", "ward": "Ward", "title": "What"}
LATE_COLUMNS = {"ward": "Ward", "topic": "Topic", "channel": "Received by",
                "received_at": st.column_config.DatetimeColumn("Received", format="DD/MM/YYYY HH:mm"),
                "owner": "Owner", "hours_open": st.column_config.NumberColumn("Hours open", format="%.0f")}
COMPLAINT_COLUMNS = {"issue": "ASB issue", "ward": "Ward", "kind": "Complaint", "shown": "Reference",
                     "made_at": st.column_config.DatetimeColumn("When", format="DD/MM/YYYY HH:mm"),
                     "place": "Place", "officer": "Officer"}


def render_alert_table(alerts: pd.DataFrame, *, key: str) -> None:
    """The alerts as a grid: condition, ward, what."""
    shown = alerts.assign(condition=alerts["condition"].map(CONDITIONS), ward=alerts["ward"].fillna("Area-wide"))
    st.dataframe(shown, hide_index=True, key=key, column_order=list(ALERT_COLUMNS), column_config=ALERT_COLUMNS,
                 width="stretch")


def render_my_alerts(store: Store, user: Mapping[str, Any]) -> None:
    """The alerts for the user (My activity), if any."""
    alerts = list_my_alerts(store, user=user)
    if alerts.empty:
        return
    counts = alerts["condition"].value_counts()
    st.warning("Alerts for you: " + ", ".join(f"{CONDITIONS[c]} {counts[c]}" for c in CONDITIONS
                                              if c in counts) + ".", icon=":material/notifications:")
    render_alert_table(alerts, key="my_activity.alerts")


def render_late_queries(late: pd.DataFrame, *, key: str) -> None:
    """Queries open past 72 hours: ward, topic, channel, received, owner, hours open (not what was asked)."""
    st.dataframe(late, hide_index=True, key=key, column_order=list(LATE_COLUMNS), column_config=LATE_COLUMNS)


def render_team_flags(store: Store, user: Mapping[str, Any]) -> None:
    """A supervisor's My activity: how many of the area's queries are open past 72 hours, and where to see them."""
    late = list_late_queries_now(store, user=user)
    if late.empty:
        return
    st.error(f"Your area: {len(late):,} community {'query is' if len(late) == 1 else 'queries are'} unanswered "
             f"after {RESPONSE_HOURS} hours.", icon=":material/alarm:")
    st.page_link("pages/dip_checks.py", label="See them on Dip checks", icon=":material/fact_check:")


def render_supervisor_flags(store: Store, user: Mapping[str, Any], *, key: str) -> None:
    """The area's alerts, its ASB Case Review triggers with the complaints behind them, and its queries open
    past 72 hours (a supervisor's Dip checks)."""
    alerts = list_alerts(store, user=user)
    late = list_late_queries_now(store, user=user)
    st.header(f"Alerts for your area ({len(alerts)})")
    if alerts.empty and late.empty:
        st.caption("Nothing to flag: no coverage gaps, stale priorities, queries nearly due or ASB triggers.")
    if not late.empty:
        st.error(f"{len(late):,} community {'query is' if len(late) == 1 else 'queries are'} unanswered after "
                 f"{RESPONSE_HOURS} hours.", icon=":material/alarm:")
        render_late_queries(late, key=f"{key}.late_queries")
    triggers = alerts[alerts["condition"] == "asb_trigger"]
    if not triggers.empty:
        threshold = alert_settings(store).threshold
        st.subheader(f"ASB Case Review triggers ({len(triggers)})")
        st.caption(f"{threshold} or more complaints (CCRs or queries) about the same ASB issue in one ward within "
                   "six months: consider a case review. The complaints behind each:")
        complaints = list_asb_complaints(store, user=user)
        st.dataframe(_complaints(complaints), hide_index=True, key=f"{key}.asb", column_order=list(COMPLAINT_COLUMNS),
                     column_config=COMPLAINT_COLUMNS, width="stretch")
    others = alerts[alerts["condition"] != "asb_trigger"]
    if not others.empty:
        st.subheader(f"Other alerts ({len(others)})")
        render_alert_table(others, key=f"{key}.alerts")


def _complaints(complaints: pd.DataFrame) -> pd.DataFrame:
    return complaints.assign(
        issue=complaints["category"],
        kind=["CCR" if t == "ccrs" else "Query" for t in complaints["table_name"]],
        shown=[refs.label(t, n) or r for t, n, r in zip(complaints["table_name"], complaints["reference"],
                                                         complaints["record_id"], strict=True)])
