"""Events completed: which events took place, who came, which communities they reached, and where."""

import streamlit as st

from analytics.charts import build_count_bar_chart
from analytics.events_dash import COMPLETED_HEADLINE, events_completed
from forms.ui.dashboard import MAP_CENTRES, open_dashboard, render_count_chart
from forms.ui.runtime import open_page

KEY = "events_completed"
EVENT_COLUMNS = {
    "title": st.column_config.TextColumn("Event", pinned=True),
    "event_type": st.column_config.TextColumn("Type"),
    "start": st.column_config.DatetimeColumn("Date", format="ddd D MMM YYYY"),
    "area": st.column_config.TextColumn("Area"),
    "ward": st.column_config.TextColumn("Ward"),
    "attendees": st.column_config.NumberColumn("Attendees", format="%d"),
    "officers_involved": st.column_config.NumberColumn("Officers", format="%d"),
    "communities": st.column_config.TextColumn("Communities supported"),
}

environment, store, user = open_page("read_aggregates")
board = open_dashboard(environment=environment, store=store, user=user, title="Events completed", key=KEY)
data = events_completed(store, board.filters, user=user)

board.render_headline(data.headline, COMPLETED_HEADLINE, width=200)
board.stop_if_empty(not data.headline["events_completed"], nothing="completed events")

place_column, community_column = st.columns(2)
with place_column:
    st.header("Completed events by place")
    board.render_drill_chart(vars(data), measure="events")
with community_column:
    st.header("Communities supported")
    render_count_chart(data.by_community, alt_text="Communities supported",
                       empty="No communities recorded on these events.", category="community", measure="events",
                       title="Community", measure_title="Completed events")

st.header("Completed events by ward")
board.render_ward_map(data.by_ward, measure="events")

st.header("Completed events by type")
st.altair_chart(build_count_bar_chart(data.by_type, category="event_type", measure="completed", title="Type"),
                width="stretch", alt="Completed events by type")

st.header("Completed events")
st.dataframe(data.events, hide_index=True, column_order=list(EVENT_COLUMNS), column_config=EVENT_COLUMNS,
             key=f"{KEY}.events")

board.render_downloads({"Completed events": data.events, "By type": data.by_type,
                       "By community": data.by_community, "By area": data.by_area,
                       "By ward": data.by_ward.drop(columns=MAP_CENTRES), "By officer": data.by_officer},
                       name="events-completed", key=f"{KEY}.export")
