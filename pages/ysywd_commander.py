"""You said, we did, for commanders: raised, actioned and told back per area and month; timings; what is stuck."""

import dataclasses
import datetime as dt

import streamlit as st

from analytics.ysywd import OVERDUE_DAYS, build_flow_chart, ysywd_overview
from data import access
from forms.ui.dashboard import open_dashboard, render_chart_or_note, render_count_chart
from forms.ui.export import render_pack_download
from forms.ui.maps import render_map
from forms.ui.runtime import open_page

BAR = "ysywd_commander"
TILES = (("raised", "Raised"), ("actioned", "Actioned"), ("fed_back", "Told back"), ("closed", "Closed"))
MONTH_COLUMNS = {
    "area": "Area", "month": st.column_config.DateColumn("Month raised", format="MMM YYYY"), "raised": "Raised",
    "actioned": "Actioned", "fed_back": "Told back",
    "median_days_to_action": st.column_config.NumberColumn("Median days to action", format="%.1f"),
    "median_days_to_feedback": st.column_config.NumberColumn("Median days to feedback", format="%.1f"),
}

environment, store, user = open_page("read_aggregates")
board = open_dashboard(environment=environment, store=store, user=user,
                       title="You said, we did: commander view", key=BAR, event_types=False, drill=False)
if access.scope(user):  # a supervisor sees their own area
    board = dataclasses.replace(board, filters=dataclasses.replace(board.filters, areas=(access.scope(user),)))
days = st.number_input("Highlight items with no action after (days)", min_value=1, max_value=365,
                       value=OVERDUE_DAYS, step=1, key=f"{BAR}.overdue_days")
data = ysywd_overview(store, board.filters, user=user, today=dt.date.today(), overdue_days=int(days))
head = data.headline

with st.container(horizontal=True):
    for name, label in TILES:
        st.metric(label, f"{head[name]:,}", border=True, width=150)
    for name, label in (("median_days_to_action", "Median days to action"),
                        ("median_days_to_feedback", "Median days to feedback")):
        value = head[name]
        st.metric(label, "–" if value is None else f"{value:.1f}", border=True, width=190,
                  help="Whole days from the date raised to the first action (or first feedback), over the items "
                       "that have one.")
    st.metric(f"No action after {days} days", f"{head['overdue']:,}", border=True, width=190,
              delta=f"{head['overdue']:,} overdue" if head["overdue"] else None, delta_color="inverse")
st.caption("Items raised in the period, by the month they were raised; actioned and told back count those "
           "that have had an action, or feedback, since. Choosing officers keeps the items they took an action on.")

flow_column, types_column = st.columns([3, 2])
with flow_column:
    st.header("Raised, actioned, told back")
    render_chart_or_note(data.by_area_month, build_flow_chart, alt_text="Raised, actioned, told back",
                         empty="No items raised in this period.")
with types_column:
    st.header("Actions by type")
    render_count_chart(data.actions_by_type, alt_text="Actions by type",
                       empty="No actions on the items raised in this period.", category="action_type",
                       measure="actions", title="Action", measure_title="Actions")

st.header(f"No action after {days} days")
if data.overdue.empty:
    st.success("Every item raised in the period has had an action within the time set.", icon=":material/check:")
else:
    overdue = data.overdue.drop(columns=["record_id"])
    st.dataframe(overdue.style.apply(lambda row: ["background-color: #fde0dd"] * len(row), axis=1),
                 hide_index=True, key=f"{BAR}.overdue",
                 column_config={"raised_on": st.column_config.DateColumn("Raised", format="DD/MM/YYYY"),
                                "days_open": "Days open", "issue_category": "Issue", "area_code": "Area",
                                "ward": "Ward", "status": "Status"})

month_column, map_column = st.columns(2)
with month_column:
    st.header("By area and month")
    st.dataframe(data.by_area_month, hide_index=True, column_order=list(MONTH_COLUMNS),
                 column_config=MONTH_COLUMNS, key=f"{BAR}.months")
with map_column:
    st.header("Items by ward")
    render_map(board.ward_map(data.by_ward, measure="items"), key=f"{BAR}.map", height=380)

if access.can(user, "export"):
    board.render_downloads({"By area and month": data.by_area_month, "Actions by type": data.actions_by_type,
                           "No action": data.overdue, "By ward": data.by_ward}, name="you-said-we-did",
                           key=f"{BAR}.export")

st.header("Monthly area pack")
st.caption("What a command board reads, for one area and calendar month: headline figures, the Policing Guarantee, "
           "top issues, \"You said, we did\", problems by stage, engagement vs demand and coverage gaps.")
render_pack_download(store, user, key=f"{BAR}.pack", force_name=environment.force_name)
