"""Engagement activity: how many events, how many officers, when, of what kind, by whom and where."""

import streamlit as st

from analytics.charts import build_count_bar_chart, build_daily_chart, build_ward_map
from analytics.events_dash import TOP_OFFICERS, engagement_activity
from analytics.metrics import METRICS
from analytics.queries import list_ward_shapes
from forms.ui.drill import drill_view, render_breadcrumb, render_drill_chart, render_drill_map, render_drill_table
from forms.ui.export import render_downloads
from forms.ui.filter_bar import render_filter_bar
from forms.ui.runtime import get_force_name, open_page
from forms.ui.widgets import render_metric_tiles

PAGE = BAR = "engagement_activity"
HEADLINE = ("events_booked", "officer_attendances", "distinct_officers")
OFFICER_COLUMNS = {
    "officer": st.column_config.TextColumn("Officer", pinned=True),
    "events": st.column_config.NumberColumn("Events", format="%d"),
    "completed": st.column_config.NumberColumn("Completed", format="%d"),
    "attendees": st.column_config.NumberColumn("People engaged", format="%d"),
}

environment, store, user = open_page("read_aggregates")

st.title("Engagement activity")
filters = render_filter_bar(store, key=BAR, user=user)
view = drill_view(store, page=PAGE, bar_key=BAR, filters=filters, force_name=get_force_name(store, environment))
render_breadcrumb(view.crumbs(), bar_key=BAR)
data = engagement_activity(store, filters, user=user)

render_metric_tiles(data.headline, (METRICS[name] for name in HEADLINE))

if not data.headline["events_booked"]:
    st.info("No events for these filters. Widen the period or go back up the breadcrumb.", icon=":material/info:")
    st.stop()

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
    render_drill_chart(view, vars(data), measure="events")
with officer_column:
    st.header(f"Top {TOP_OFFICERS} officers by events attended")
    render_drill_table(view, data.by_officer, name="officers", column="officer_id", level="officer",
                       column_config=OFFICER_COLUMNS, column_order=list(OFFICER_COLUMNS))
    st.caption("Click a row to see that officer's activity.")

st.header("Events by ward")
render_drill_map(view, build_ward_map(list_ward_shapes(store, filters, user=user), data.by_ward, measure="events",
                                      basemap_style=environment.basemap_style))

render_downloads({"By date": data.by_date, "By type": data.by_type, "By officer": data.by_officer,
                  "By area": data.by_area, "By ward": data.by_ward.drop(columns=["centre_lat", "centre_lon"])},
                 name="engagement-activity", key="engagement_activity.export", store=store, user=user)
