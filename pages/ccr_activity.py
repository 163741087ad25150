"""CCR activity: how many community contacts were recorded, when, where and by whom."""

import streamlit as st

from analytics.ccr_dash import ACTIVITY_HEADLINE, TOP_OFFICERS, ccr_activity
from analytics.charts import build_count_bar_chart
from forms.ui.dashboard import open_dashboard
from forms.ui.runtime import open_page

KEY = "ccr_activity"
AREA_COLUMNS = {
    "name": st.column_config.TextColumn("Area", pinned=True),
    "ccrs": st.column_config.NumberColumn("CCRs", format="%d"),
    "officers": st.column_config.NumberColumn("Officers", format="%d"),
    "ccrs_at_events": st.column_config.NumberColumn("At events", format="%d"),
}
OFFICER_COLUMNS = {
    "officer": st.column_config.TextColumn("Officer", pinned=True),
    "ccrs": st.column_config.NumberColumn("CCRs", format="%d"),
    "ccrs_at_events": st.column_config.NumberColumn("At events", format="%d"),
}

environment, store, user = open_page("read_aggregates")
board = open_dashboard(environment=environment, store=store, user=user,
                       title="CCR activity", key=KEY, event_types=False)
activity = ccr_activity(store, board.filters, user=user)

board.render_headline(activity.headline, ACTIVITY_HEADLINE)
board.stop_if_empty(not activity.headline["ccrs"], nothing="community contacts")

st.header("CCRs per week")
st.bar_chart(activity.by_week, x="week", y="ccrs", x_label="Week starting", y_label="CCRs")

place_column, method_column = st.columns(2)
with place_column:
    st.header("CCRs by place")
    board.render_drill_chart(vars(activity), measure="ccrs")
with method_column:
    st.header("CCRs by contact method")
    st.altair_chart(build_count_bar_chart(activity.by_method, category="contact_method", measure="ccrs",
                                          title="Method"), width="stretch", alt="CCRs by contact method")

st.header("CCRs by area")
board.render_drill_table(activity.by_area, name="by_area", column="area_code", level="area",
                         column_config=AREA_COLUMNS)

st.header(f"Top {TOP_OFFICERS} officers by CCRs")
st.caption("Click a row to see that officer's contacts.")
board.render_drill_table(activity.by_officer, name="by_officer", column="officer_id", level="officer",
                         column_config=OFFICER_COLUMNS)

board.render_downloads({"CCRs by week": activity.by_week, "CCRs by area": activity.by_area,
                       "CCRs by ward": activity.by_ward, "CCRs by officer": activity.by_officer,
                       "CCRs by method": activity.by_method}, name="ccr-activity", key=f"{KEY}.export")
