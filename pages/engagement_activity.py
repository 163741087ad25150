"""Engagement activity: how many events, how many officers, when, of what kind, by whom and where."""

import streamlit as st

from analytics.charts import build_count_bar_chart, build_daily_chart
from analytics.events_dash import TOP_OFFICERS, engagement_activity
from forms.ui.dashboard import MAP_CENTRES, open_dashboard
from forms.ui.runtime import open_page

KEY = "engagement_activity"
HEADLINE = ("events_booked", "officer_attendances", "distinct_officers")
OFFICER_COLUMNS = {
    "officer": st.column_config.TextColumn("Officer", pinned=True),
    "events": st.column_config.NumberColumn("Events", format="%d"),
    "completed": st.column_config.NumberColumn("Completed", format="%d"),
    "attendees": st.column_config.NumberColumn("People engaged", format="%d"),
}

environment, store, user = open_page("read_aggregates")
board = open_dashboard(environment=environment, store=store, user=user, title="Engagement activity", key=KEY)
filters = board.filters
data = engagement_activity(store, filters, user=user)

board.render_headline(data.headline, HEADLINE)
board.stop_if_empty(not data.headline["events_booked"], nothing="events")

date_column, type_column = st.columns(2)
with date_column:
    st.header("Events by date")
    st.altair_chart(build_daily_chart(data.by_date, start=filters.start, end=filters.end), width="stretch",
                    alt="Events by date")
with type_column:
    st.header("Events by type")
    st.altair_chart(build_count_bar_chart(data.by_type, category="event_type", measure="events", title="Type"),
                    width="stretch", alt="Events by type")

place_column, officer_column = st.columns(2)
with place_column:
    st.header("Events by place")
    board.render_drill_chart(vars(data), measure="events")
with officer_column:
    st.header(f"Top {TOP_OFFICERS} officers by events attended")
    board.render_drill_table(data.by_officer, name="officers", column="officer_id", level="officer",
                             column_config=OFFICER_COLUMNS)
    st.caption("Click a row to see that officer's activity.")

st.header("Events by ward")
board.render_ward_map(data.by_ward, measure="events")

board.render_downloads({"By date": data.by_date, "By type": data.by_type, "By officer": data.by_officer,
                       "By area": data.by_area, "By ward": data.by_ward.drop(columns=MAP_CENTRES)},
                       name="engagement-activity", key=f"{KEY}.export")
