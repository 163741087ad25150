"""You said, we did: one item: what was said, what was done, what the community was told; add to it, move it on."""

import datetime as dt

import pandas as pd
import streamlit as st

from analytics.problems import problems_for_item
from analytics.ysywd import list_linked_sources
from data import access, reference
from data.access import NotAllowed
from forms.ui.runtime import open_page
from forms.ui.widgets import show_text, user_text
from forms.ui.ysywd import render_add_forms, render_item_controls, render_problems
from forms.ysywd import SOURCE_LABELS, STATUS_LABELS, get_item, item_history

ITEM = "ysywd_item.id"

_, store, user = open_page("ysywd_read")
if st.query_params.get("item"):
    st.session_state[ITEM] = st.query_params["item"]
try:
    item = get_item(store, st.session_state.get(ITEM), user=user)
except NotAllowed:  # another area's item
    item = None
if item is None:
    st.title("You said, we did")
    render_problems(str(st.session_state.get(ITEM) or ""))  # e.g. withdrawn by someone else meanwhile
    st.info("Open an item from the board.", icon=":material/info:")
    st.page_link("pages/ysywd_board.py", label="The board", icon=":material/view_kanban:", width="stretch")
    st.stop()
st.query_params["item"] = item["record_id"]
users = reference.list_users(store)
names = dict(zip(users["user_id"], users["name"], strict=True))
wards = reference.ward_names(store, area_code=item["area_code"])
editable = access.can(user, "ysywd_edit", item["area_code"])
rid = item["record_id"]

st.title(user_text(item["issue_category"], one_line=True))
st.caption(f"**{STATUS_LABELS[item['status']]}** · raised {item['raised_on']:%d %b %Y} "
           f"({(dt.date.today() - item['raised_on']).days} days ago) · {SOURCE_LABELS[item['source']]} · "
           f"{user_text(wards.get(item['ward_code'], 'area-wide'), one_line=True)} · version {item['version']}")
st.progress((list(STATUS_LABELS).index(item["status"]) + 1) / len(STATUS_LABELS))
show_text(item["issue_text"])
render_problems(rid)

st.header("What we did")
actions = pd.DataFrame(item["actions"], columns=["date", "action_type", "text", "officer_id"])
if actions.empty:
    st.caption("No action yet.")
else:
    st.dataframe(actions.assign(officer_id=actions["officer_id"].map(lambda u: names.get(u, u))), hide_index=True,
                 column_config={"date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
                                "action_type": "Type", "text": st.column_config.TextColumn("What", width="large"),
                                "officer_id": "Officer"}, key="ysywd_item.actions")
st.header("What we told the community")
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
if access.can(user, "problem_read"):
    answering = problems_for_item(store, rid, user=user)
    st.header("Problems answering it")
    if answering.empty:
        st.caption("No problem-solving record answers this item yet.")
    for problem in answering.to_dict("records"):
        st.page_link("pages/problems.py", label=f"{user_text(problem['title'], one_line=True)} · "
                     f"{problem['stage_label']}", icon=":material/psychology:",
                     query_params={"problem": problem["record_id"]})
with st.expander("History"):
    st.dataframe(pd.DataFrame(item_history(store, rid, user=user)).assign(
        written_by=lambda d: d["written_by"].map(lambda u: names.get(u, u)),
        status=lambda d: d["status"].map(STATUS_LABELS)), hide_index=True, key="ysywd_item.history")
if not editable:
    st.stop()
render_item_controls(store, item, user)
if item["status"] != "closed":
    render_add_forms(store, item, user)
