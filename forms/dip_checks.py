"""Dip checks: a supervisor passes, advises on or returns a team member's record; the team export.

A review applies to one version of a record: it is refused when the record
changed since the supervisor opened it, so a check always names what was read.
Returning a record puts it on top of its officer's My activity with the
comment; their edit (a new version) brings it back to the queue.
Seeing a CCR's diversity answers and exporting the team's records are each
written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from analytics.activity import OWNER_COLUMNS
from analytics.export import to_excel_bytes
from analytics.quality import CHECKED_TABLES, SHEETS, list_team_submissions
from data import access, audit, reference
from data.schema import DIVERSITY_FIELDS
from data.store import Saved, Store, ValidationError
from forms.export import XLSX
from forms.rules import blank, check_record
from forms.widgets import FormState, render_field_error

OUTCOMES = {"pass": "Pass", "advice": "Pass with advice", "returned": "Return to the officer"}
REVIEW_LABELS = {"outcome": "Outcome", "faults": "Faults found", "comment": "Comment", "record": "Record"}


def save_review(*, store: Store, user: Mapping[str, Any], table: str, record_id: str, version: int, outcome: str,
                comment: str | None = None, faults: Sequence[str] = (), submission_id: str) -> Saved:
    """Record a dip check of `version` of a record; raise NotAllowed or ValidationError and write nothing.

    Advice and returns need a comment; a pass names no faults; faults come from the
    `dip_check_faults` pick-list. Nobody checks their own record.
    """
    if table not in CHECKED_TABLES:
        raise ValidationError({"record": f"{table} records are not dip checked"})
    row = store.get(table, record_id)
    if row is None:
        raise ValidationError({"record": "this record does not exist or was withdrawn"})
    user_id = access.require(user, "dip_check", row["area_code"])
    if row.get(OWNER_COLUMNS[table]) == user_id:
        raise access.NotAllowed("you cannot dip check your own record")
    errors = {}
    if int(version) != int(row["version"]):
        errors["record"] = "the officer changed this record since you opened it: check the new version"
    if outcome not in OUTCOMES:
        errors["outcome"] = "choose pass, advice or return"
    text = None if blank(comment) else str(comment).strip()
    if outcome in ("advice", "returned") and text is None:
        errors["comment"] = "say what to improve" if outcome == "advice" else "say what the officer should fix"
    faults = list(dict.fromkeys(faults or ()))
    unknown = [f for f in faults if f not in reference.picklist(store, "dip_check_faults")]
    if unknown:
        errors["faults"] = f"not on the list: {', '.join(unknown)}"
    elif outcome == "pass" and faults:
        errors["faults"] = "a pass names no faults: choose advice or return"
    review = {"table_name": table, "target_id": record_id, "target_version": int(version), "reviewer_id": user_id,
              "outcome": outcome, "comment": text, "faults": faults}
    check_record("quality_reviews", review, errors=errors)
    return store.save("quality_reviews", review, user=user_id, submission_id=submission_id)


def view_personal_answers(*, store: Store, user: Mapping[str, Any], record_id: str) -> dict[str, Any]:
    """A CCR's diversity consent and answers for a supervisor of its area; the view is audited."""
    row = store.get("ccrs", record_id)
    if row is None:
        raise ValidationError({"record": "this record does not exist or was withdrawn"})
    access.require(user, "read_personal", row["area_code"])
    audit.log(store, user, "view_personal", table="ccrs", target_ids=[record_id], detail="dip check")
    return {"diversity_consent": row["diversity_consent"], **{f: row[f] for f in DIVERSITY_FIELDS}}


def export_team_submissions(*, store: Store, user: Mapping[str, Any], start: dt.date, end: dt.date) -> bytes:
    """The team's records from `start` to `end` as an Excel workbook (one sheet per type), audited per sheet."""
    frames = list_team_submissions(store, user=user, start=start, end=end)
    data = to_excel_bytes(frames)
    detail = f"team submissions, {user.get('area_code')}, {start.isoformat()} to {end.isoformat()}, Excel"
    for table in CHECKED_TABLES:
        frame = frames[SHEETS[table]]
        audit.log(store, user, "export", table=table, target_ids=list(frame["record_id"]),
                  detail=f"{detail}: {len(frame)} rows")
    return data


# -- widgets ----------------------------------------------------------------------------------


def review_form(table: str, record_id: str, version: int, *, owner: str) -> FormState:
    """The review form's state for one version of a record."""
    return FormState(f"dip.review.{table}.{record_id}.v{version}",
                     defaults={"outcome": "pass", "faults": [], "comment": ""}, owner=owner)


def render_review_fields(form: FormState, faults: Sequence[str]) -> None:
    """Outcome, faults and comment, each with its error."""
    st.radio("Outcome", list(OUTCOMES), format_func=OUTCOMES.__getitem__, key=form.key("outcome"),
             horizontal=True)
    render_field_error(form.errors, "outcome")
    st.multiselect("Faults found", list(faults), key=form.key("faults"), placeholder="None")
    render_field_error(form.errors, "faults")
    st.text_area("Comment for the officer", key=form.key("comment"), max_chars=4000, height=90,
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
