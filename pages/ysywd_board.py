"""You said, we did: the board of an area's items by status, oldest first, with days open."""

import datetime as dt

import streamlit as st

from analytics.ysywd import STATUS_ORDER, count_board, list_board
from data import access, reference
from forms.ui.runtime import open_page
from forms.ui.widgets import label_of, user_text
from forms.ysywd import STATUS_LABELS

AREA, WARD, STATUSES = "ysywd_board.area", "ysywd_board.ward", "ysywd_board.statuses"
COLUMNS = {
    "status": st.column_config.TextColumn("Status"),
    "days_open": st.column_config.NumberColumn("Days open", help="Days since it was raised (until closed)."),
    "issue_category": st.column_config.TextColumn("Issue"),
    "issue_text": st.column_config.TextColumn("What the community said", width="large"),
    "ward": st.column_config.TextColumn("Ward"),
    "raised_on": st.column_config.DateColumn("Raised", format="DD/MM/YYYY"),
    "actions": st.column_config.NumberColumn("Actions"),
    "feedback": st.column_config.NumberColumn("Feedback"),
    "last_action": st.column_config.DateColumn("Last action", format="DD/MM/YYYY"),
}

_, store, user = open_page("ysywd_read")
st.title("You said, we did")

areas = reference.area_names(store)
mine = access.scope(user)
if mine is not None:
    area = mine
    st.caption(f"Items raised in {user_text(areas.get(mine, mine), one_line=True)}: oldest first within each status.")
else:
    area = st.selectbox("Area", list(areas), key=AREA, format_func=lambda c: label_of(c, areas))
wards = reference.ward_names(store, area_code=area)
left, right = st.columns([1, 2])
with left:
    ward = st.selectbox("Ward", list(wards), key=WARD, index=None, placeholder="All wards",
                        format_func=lambda c: label_of(c, wards))
with right:
    statuses = st.pills("Status", list(STATUS_ORDER), key=STATUSES, selection_mode="multi",
                        default=list(STATUS_ORDER[:-1]), format_func=STATUS_LABELS.get,
                        wrap=True)  # in a column they would scroll sideways, off a phone's screen
if access.can(user, "ysywd_edit", area):
    st.page_link("pages/ysywd_raise.py", label="Raise an item", icon=":material/add_comment:", width="stretch")

board = list_board(store, user=user, area_code=area, ward_code=ward, statuses=statuses or STATUS_ORDER,
                   today=dt.date.today())
counts = count_board(store, user=user, area_code=area, ward_code=ward)
with st.container(horizontal=True):
    for status in STATUS_ORDER:
        st.metric(STATUS_LABELS[status], counts[status], border=True, width=140)
if board.empty:
    st.info("No items with these statuses. Raise one from an event, a contact or a meeting.", icon=":material/info:")
    st.stop()

shown = board.assign(status=board["status"].map(STATUS_LABELS))
picked = st.dataframe(shown, hide_index=True, column_order=list(COLUMNS), column_config=COLUMNS,
                      on_select="rerun", selection_mode="single-row", key="ysywd_board.table")
rows = picked.selection.rows if picked is not None else []
if rows:
    chosen = board.iloc[rows[0]]
    issue = user_text(chosen["issue_category"], one_line=True)
    st.page_link("pages/ysywd_item.py", label=f"Open: {issue} raised {chosen['raised_on']:%d %b %Y}",
                 icon=":material/open_in_new:", query_params={"item": chosen["record_id"]}, width="stretch")
else:
    st.caption("Pick a row to open the item: add actions, feedback, or move it on.")
