"""You said, we did: one item: what was said, what was done, what the community was told; add to it, move it on."""

import datetime as dt

import pandas as pd
import streamlit as st

from analytics.ysywd import list_linked_sources
from data import access, reference
from data.store import ValidationError, new_submission_id
from forms.identity import current_user
from forms.runtime import get_store, route_through_app
from forms.widgets import FormState, render_errors, render_field_error
from forms.ysywd import (
    LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    add_action,
    add_feedback,
    allowed_moves,
    get_item,
    item_history,
    move_status,
    set_publishable,
)

ITEM, MOVED = "ysywd_item.id", "ysywd_item.moved"
MOVE_LABELS = {"in_progress": "Start work (in progress)", "closed": "Close the item"}

route_through_app()
store = get_store()
user = current_user(store)
if st.query_params.get("item"):
    st.session_state[ITEM] = st.query_params["item"]
item = get_item(store, st.session_state.get(ITEM), user=user)
if item is None or not access.can(user, "ysywd_read", item["area_code"]):
    st.title("You said, we did")
    st.info("Open an item from the board.", icon=":material/info:")
    st.page_link("pages/ysywd_board.py", label="The board", icon=":material/view_kanban:", width="stretch")
    st.stop()
st.query_params["item"] = item["record_id"]
users = reference.list_users(store)
names = dict(zip(users["user_id"], users["name"], strict=True))
wards = reference.ward_names(store, area_code=item["area_code"])
editable = access.can(user, "ysywd_edit", item["area_code"])
rid, scope = item["record_id"], f"{user['user_id']}:{item['record_id']}"

st.title(item["issue_category"])
st.caption(f"**{STATUS_LABELS[item['status']]}** · raised {item['raised_on']:%d %b %Y} "
           f"({(dt.date.today() - item['raised_on']).days} days ago) · {SOURCE_LABELS[item['source']]} · "
           f"{wards.get(item['ward_code'], 'area-wide')} · version {item['version']}")
st.progress((list(STATUS_LABELS).index(item["status"]) + 1) / len(STATUS_LABELS))
st.text(item["issue_text"])
for message in st.session_state.pop(MOVED, []):
    st.error(message, icon=":material/error:")

st.subheader("What we did")
actions = pd.DataFrame(item["actions"], columns=["date", "action_type", "text", "officer_id"])
if actions.empty:
    st.caption("No action yet.")
else:
    st.dataframe(actions.assign(officer_id=actions["officer_id"].map(lambda u: names.get(u, u))), hide_index=True,
                 column_config={"date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
                                "action_type": "Type", "text": st.column_config.TextColumn("What", width="large"),
                                "officer_id": "Officer"}, key="ysywd_item.actions")
st.subheader("What we told the community")
feedback = pd.DataFrame(item["feedback"], columns=["date", "channel", "text"])
if feedback.empty:
    st.caption("Not told back yet.")
else:
    st.dataframe(feedback, hide_index=True, key="ysywd_item.feedback",
                 column_config={"date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"), "channel": "Channel",
                                "text": st.column_config.TextColumn("What we said", width="large")})
linked = list_linked_sources(store, user=user, item=item)
if len(linked):
    with st.expander(f"Raised at {len(linked)} event(s) and contact(s)"):
        st.dataframe(linked.drop(columns=["record_id"]), hide_index=True, key="ysywd_item.linked")
with st.expander("History"):
    st.dataframe(pd.DataFrame(item_history(store, rid, user=user)).assign(
        written_by=lambda d: d["written_by"].map(lambda u: names.get(u, u)),
        status=lambda d: d["status"].map(STATUS_LABELS)), hide_index=True, key="ysywd_item.history")
if not editable:
    st.stop()


def _move(status: str) -> None:
    try:
        move_status(store=store, record_id=rid, status=status, user=user, submission_id=new_submission_id())
    except ValidationError as exc:
        st.session_state[MOVED] = list(exc.errors.values())


def _publishable() -> None:
    wanted = st.session_state[f"ysywd_item.publishable.{rid}"]
    set_publishable(store=store, record_id=rid, publishable=wanted, user=user, submission_id=new_submission_id())


with st.container(horizontal=True):
    for status in allowed_moves(item, user):
        st.button(MOVE_LABELS[status], key=f"ysywd_item.move.{status}", on_click=_move, args=(status,))
st.toggle(LABELS["publishable"], value=bool(item["publishable"]), key=f"ysywd_item.publishable.{rid}",
          on_change=_publishable, help="Shown in the public summary. Its text must hold no personal data.")
if item["status"] == "closed":
    st.stop()
today = dt.date.today()
act = FormState("ysywd_action", defaults={"action_type": None, "text": "", "date": today}, owner=scope)
tell = FormState("ysywd_feedback", defaults={"channel": None, "text": "", "date": today}, owner=scope)
for form, fields, title, button in (
        (act, {"action_type": "action_types"}, "Add an action", "Add action"),
        (tell, {"channel": "feedback_channels"}, "Tell the community", "Record feedback")):
    saver = add_action if form is act else add_feedback
    if form.confirmation is not None:
        st.success(f"{'Action added' if form is act else 'Feedback recorded'}.", icon=":material/check_circle:")
    with st.expander(title, expanded=form.errors != {} or (form is act and not item["actions"])):
        render_errors(form.errors, LABELS)
        with st.form(f"{form.name}_form", border=False):
            for field, picklist in fields.items():
                st.selectbox(LABELS[field], reference.picklist(store, picklist), key=form.key(field), index=None)
                render_field_error(form.errors, field)
            st.text_area(LABELS["text"] if form is act else "What we told them", key=form.key("text"),
                         max_chars=4000, height=90)
            render_field_error(form.errors, "text")
            st.date_input(LABELS["date"], key=form.key("date"), format="DD/MM/YYYY", max_value=today)
            render_field_error(form.errors, ["date", "record"])
            st.form_submit_button(button, type="primary", width="stretch", key=f"{form.name}.submit",
                                  on_click=form.submit, args=(
                                      lambda values, sid, saver=saver: saver(store=store, record_id=rid, values=values,
                                                                             user=user, submission_id=sid),))
