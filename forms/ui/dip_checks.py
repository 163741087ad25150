"""The dip-check review form and the team export button."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from data.store import Store
from forms.dip_checks import OUTCOMES, export_team_submissions
from forms.ui.export import XLSX
from forms.ui.widgets import FormState, render_field_error


def review_form(table: str, record_id: str, version: int, *, owner: str) -> FormState:
    """The review form's state for one version of a record."""
    return FormState(f"dip.review.{table}.{record_id}.v{version}",
                     defaults={"outcome": "pass", "faults": [], "comment": ""}, owner=owner)


def render_review_fields(form: FormState, faults: Sequence[str]) -> None:
    """Outcome, faults and comment, each with its error."""
    st.radio("Outcome", list(OUTCOMES), format_func=OUTCOMES.__getitem__, key=form.key("outcome"),
             horizontal=True)
    render_field_error(form.errors, "outcome")
    st.multiselect("Faults found", list(faults), key=form.key("faults"), placeholder="None", select_all=False)
    render_field_error(form.errors, "faults")
    st.text_area("Comment for the officer", key=form.key("comment"), height=90,
                 placeholder="Needed for advice or a return")
    render_field_error(form.errors, "comment")


def render_team_export(*, store: Store, user: Mapping[str, Any], today: dt.date) -> None:
    """The team export: a date range and an Excel download, made (and audited) when pressed."""
    with st.expander("Export my team's submissions to Excel", icon=":material/download:"):
        start = st.date_input("From", value=today.replace(day=1), key="dip.export.start", format="DD/MM/YYYY")
        end = st.date_input("To", value=today, key="dip.export.end", format="DD/MM/YYYY")
        st.caption("One sheet per record type; no diversity answers. Every export is written to the audit log.")
        if start > end:
            st.error("'From' must not be after 'To'.")
            return
        st.download_button("Download Excel", key="dip.export", icon=":material/download:", mime=XLSX,
                           file_name=f"team-submissions-{user.get('area_code')}-{start}-{end}.xlsx",
                           data=lambda: export_team_submissions(store=store, user=user, start=start, end=end),
                           on_click="ignore")
