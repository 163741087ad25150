"""Events overview: how much engagement, of what kind, where, and the latest events."""

import streamlit as st

from analytics.charts import build_events_by_type_chart, build_events_by_week_chart
from analytics.queries import events_overview
from forms.ui.dashboard import open_dashboard
from forms.ui.maps import render_map
from forms.ui.runtime import open_page

HEADLINE = ("events_booked", "events_completed", "attendees", "distinct_officers", "event_intel_submissions")
LATEST_COLUMNS = {
    "title": st.column_config.TextColumn("Title", pinned=True),
    "start": st.column_config.DatetimeColumn("Start", format="ddd D MMM YYYY, HH:mm"),
    "event_type": st.column_config.TextColumn("Type"),
    "area": st.column_config.TextColumn("Area"),
    "ward": st.column_config.TextColumn("Ward"),
    "status": st.column_config.TextColumn("Status"),
    "attendees": st.column_config.NumberColumn("Attendees", format="%d"),
}

environment, store, user = open_page("read_aggregates")
board = open_dashboard(environment=environment, store=store, user=user,
                       title="Events overview", key="events_overview", drill=False)
overview = events_overview(store, board.filters, user=user)

board.render_headline(overview.headline, HEADLINE)

if not overview.headline.get("events_booked") and overview.latest.empty:
    st.info("No events in this period and area. Widen the period or clear the area filter.",
            icon=":material/info:")
    st.stop()

week_column, type_column = st.columns(2)
with week_column:
    st.header("Events per week")
    st.altair_chart(build_events_by_week_chart(overview.by_week), width="stretch", alt="Events per week")
with type_column:
    st.header("Events by type")
    st.altair_chart(build_events_by_type_chart(overview.by_type), width="stretch", alt="Events by type")

st.header("Events by ward")
render_map(board.ward_map(overview.by_ward, measure="events"), key="events_overview.map")

st.header("Latest events")
st.dataframe(overview.latest, hide_index=True, column_order=list(LATEST_COLUMNS), column_config=LATEST_COLUMNS,
             key="events_overview.latest")
