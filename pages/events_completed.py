"""Events completed: which events took place, who came, which communities they reached, and where."""

import streamlit as st

from analytics.charts import build_count_bar_chart, build_ward_map
from analytics.events_dash import COMPLETED_HEADLINE, events_completed
from analytics.metrics import metric
from analytics.queries import list_ward_shapes
from forms.ui.drill import drill_view, render_breadcrumb, render_drill_chart, render_drill_map
from forms.ui.export import render_downloads
from forms.ui.filter_bar import render_filter_bar
from forms.ui.runtime import get_force_name, open_page
from forms.ui.widgets import render_metric_tiles

PAGE = BAR = "events_completed"
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

st.title("Events completed")
filters = render_filter_bar(store, key=BAR, user=user)
view = drill_view(store, page=PAGE, bar_key=BAR, filters=filters, force_name=get_force_name(store, environment))
render_breadcrumb(view.crumbs(), bar_key=BAR)
data = events_completed(store, filters, user=user)

render_metric_tiles(data.headline, (metric(name) for name in COMPLETED_HEADLINE), width=200)

if not data.headline["events_completed"]:
    st.info("No completed events for these filters. Widen the period or go back up the breadcrumb.",
            icon=":material/info:")
    st.stop()

place_column, community_column = st.columns(2)
with place_column:
    st.header("Completed events by place")
    render_drill_chart(view, vars(data), measure="events")
with community_column:
    st.header("Communities supported")
    if data.by_community.empty:
        st.caption("No communities recorded on these events.")
    else:
        st.altair_chart(build_count_bar_chart(data.by_community, category="community", measure="events",
                                              title="Community", measure_title="Completed events"),
                        width="stretch", alt="Communities supported")

st.header("Completed events by ward")
render_drill_map(view, build_ward_map(list_ward_shapes(store, filters, user=user), data.by_ward, measure="events",
                                      basemap_style=environment.basemap_style))

st.header("Completed events by type")
st.altair_chart(build_count_bar_chart(data.by_type, category="event_type", measure="completed", title="Type"),
                width="stretch", alt="Completed events by type")

st.header("Completed events")
st.dataframe(data.events, hide_index=True, column_order=list(EVENT_COLUMNS), column_config=EVENT_COLUMNS,
             key="events_completed.events")

render_downloads({"Completed events": data.events, "By type": data.by_type, "By community": data.by_community,
                  "By area": data.by_area, "By ward": data.by_ward.drop(columns=["centre_lat", "centre_lon"]),
                  "By officer": data.by_officer}, name="events-completed", key="events_completed.export",
                 store=store, user=user)
