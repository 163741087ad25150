"""Dip checks: the sampled and fixed submissions of my team to check, a check form, and the team export."""

import datetime as dt

import streamlit as st

from analytics.quality import QUEUE_DAYS, SHEETS, dip_check_shares, get_check_record, list_queue
from data import reference
from data.access import NotAllowed
from data.store import ValidationError
from forms.activity import describe_record
from forms.dip_checks import REVIEW_LABELS, save_review, view_personal_answers
from forms.ui.activity import submission_heading
from forms.ui.alerts import render_supervisor_flags
from forms.ui.dip_checks import render_review_fields, render_team_export, review_form
from forms.ui.runtime import open_page
from forms.ui.widgets import render_errors, user_text

_, store, user = open_page("dip_check")
state = st.session_state
STATE_NOTE = {"recheck": "Fixed by the officer: check again", "to_check": "Sampled: not checked yet",
              "awaiting_fix": "Returned: waiting for the officer"}


def _open(item) -> None:
    state["dip.open"] = (item.table_name, item.record_id)
    state.pop("dip.personal", None)


def _show_personal(record_id: str) -> None:
    try:
        state["dip.personal"] = (record_id, view_personal_answers(store=store, user=user, record_id=record_id))
    except (ValidationError, NotAllowed) as exc:  # a refusal, or the record withdrawn meanwhile
        state["dip.message"] = ("error", next(iter(exc.errors.values())))


def render_check(item) -> None:
    record = get_check_record(store, user=user, table=item.table_name, record_id=item.record_id)
    if record is None:
        return
    names = {"area": reference.area_names(store), "ward": reference.ward_names(store), "user": officers}
    described = describe_record(item.table_name, record, names=names)
    st.markdown("  \n".join(f"**{label}:** {user_text(text)}" for label, text in described))
    if item.table_name == "ccrs" and record.get("diversity_consent"):
        shown = state.get("dip.personal")
        if shown and shown[0] == item.record_id:
            st.markdown("  \n".join(f"**{k.replace('_', ' ').capitalize()}:** {v if v is not None else '–'}"
                                    for k, v in shown[1].items()))
        else:
            st.button("Show diversity answers (audited)", key=f"dip.personal.{item.record_id}",
                      icon=":material/visibility:", on_click=_show_personal, args=(item.record_id,))
    form = review_form(item.table_name, item.record_id, int(record["version"]), owner=user["user_id"])

    def save(values: dict, submission_id: str):
        saved = save_review(store=store, user=user, table=item.table_name, record_id=item.record_id,
                            version=int(record["version"]), submission_id=submission_id, **values)
        state["dip.message"] = ("success", f"Checked: {user_text(item.title, one_line=True)} ({values['outcome']}).")
        state["dip.open"] = None
        return saved

    render_errors(form.errors, REVIEW_LABELS)
    with st.form(f"{form.name}.form", border=False):
        render_review_fields(form, reference.picklist(store, "dip_check_faults"))
        st.form_submit_button("Save check", type="primary", icon=":material/task_alt:", width="stretch",
                              key=f"dip.save.{item.table_name}.{item.record_id}", on_click=form.submit,
                              args=(save,))


def render_item(item) -> None:
    with st.container(border=True):
        officer = user_text(item.officer, one_line=True)
        st.markdown(submission_heading(item, tail=f"{officer} · {STATE_NOTE[item.state]}"))
        if isinstance(item.last_comment, str) and item.state != "to_check":
            st.caption(f"Returned on version {item.last_version} by {user_text(item.last_reviewer, one_line=True)}: "
                       f"{user_text(item.last_comment)}")
        if isinstance(item.summary, str) and item.summary:
            st.caption(user_text(item.summary[:300]))
        if state.get("dip.open") == (item.table_name, item.record_id):
            render_check(item)
        elif item.state != "awaiting_fix":
            st.button("Check", key=f"dip.check.{item.table_name}.{item.record_id}", icon=":material/fact_check:",
                      on_click=_open, args=(item,))


st.title("Dip checks")
message = state.pop("dip.message", None)
if message:
    (st.success if message[0] == "success" else st.error)(message[1])
shares = dip_check_shares(store)
st.caption("Sampled for checking: " + ", ".join(f"{SHEETS[t]} {s:.0%}" for t, s in shares.items())
           + ". Fixed records come back whatever their date.")
today = dt.date.today()
since = st.date_input("Submitted from", value=today - dt.timedelta(days=QUEUE_DAYS), key="dip.since",
                      format="DD/MM/YYYY", max_value=today)
users = reference.list_users(store)
officers = dict(zip(users["user_id"], users["name"], strict=True))
try:
    queue = list_queue(store, user=user, since=since, today=today)
except NotAllowed as exc:
    st.warning(exc.errors["record"], icon=":material/block:")
    st.stop()

waiting = queue[queue["state"] == "awaiting_fix"]
to_check = queue[queue["state"] != "awaiting_fix"]
checks, returned = st.tabs([f"To check ({len(to_check)})", f"Returned, awaiting fix ({len(waiting)})"])
with checks:
    if to_check.empty:
        st.info("Nothing to check: every sampled record is checked.", icon=":material/task_alt:")
    for item in to_check.itertuples(index=False):
        render_item(item)
with returned:
    for item in waiting.itertuples(index=False):
        render_item(item)

render_supervisor_flags(store, user, key="dip.flags")
render_team_export(store=store, user=user, today=today)
