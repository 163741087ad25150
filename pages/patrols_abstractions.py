"""Patrols and abstractions: patrol hours by type, place and time; hours lost to abstractions per team."""

import datetime as dt

import streamlit as st

from analytics.charts import build_area_bar_chart, build_ward_map
from analytics.metrics import metric
from analytics.patrol_dash import (
    PATROL_HEADLINE,
    TOP_OFFICERS,
    abstraction_hours_by_period,
    build_abstraction_hours_chart,
    build_patrol_hours_chart,
    drill_breakdowns,
    patrol_hours_by_period,
    patrols_overview,
)
from analytics.queries import list_ward_shapes
from analytics.trends import GRAINS
from forms.ui.drill import drill_view, render_breadcrumb, render_drill_chart, render_drill_map, render_drill_table
from forms.ui.export import render_downloads
from forms.ui.filter_bar import render_filter_bar
from forms.ui.runtime import get_force_name, open_page
from forms.ui.widgets import render_metric_tiles

KEY = "patrols_abstractions"
OFFICER_COLUMNS = {
    "officer": st.column_config.TextColumn("Officer", pinned=True),
    "patrols": st.column_config.NumberColumn("Patrols", format="%d"),
    "hours": st.column_config.NumberColumn("Hours", format="%.1f"),
}

environment, store, user = open_page("read_aggregates")

st.title("Patrols and abstractions")
filters = render_filter_bar(store, key=KEY, event_types=False, user=user)
view = drill_view(store, page=KEY, bar_key=KEY, filters=filters, force_name=get_force_name(store, environment))
render_breadcrumb(view.crumbs(), bar_key=KEY)
overview = patrols_overview(store, filters, user=user)

render_metric_tiles(overview.headline, (metric(name) for name in PATROL_HEADLINE), width=190)
if filters.wards:
    st.caption("Abstractions have no ward: the ward filter narrows patrols only.")

if not overview.headline["patrols"] and not overview.headline["abstractions"]:
    st.info("No patrols or abstractions for these filters. Widen the period or go back up the breadcrumb.",
            icon=":material/info:")
    st.stop()

grain = st.segmented_control("Per", list(GRAINS), format_func=GRAINS.__getitem__, default="week",
                             key=f"{KEY}.grain", required=True)
patrol_periods = patrol_hours_by_period(overview, grain=grain)
abstraction_periods = abstraction_hours_by_period(overview, grain=grain)
dates = {"start": filters.start, "end": filters.end, "today": dt.date.today()}  # a period so far is drawn paler

st.header("Patrols")
st.subheader(f"Patrol hours per {grain}, by type")
st.altair_chart(build_patrol_hours_chart(patrol_periods, grain=grain, **dates), width="stretch",
                alt=f"Patrol hours per {grain}, by type")
type_column, place_column = st.columns(2)
with type_column:
    st.subheader("Hours by patrol type")
    st.altair_chart(build_area_bar_chart(overview.patrols_by_type, measure="hours", category="patrol_type",
                                         title="Patrol type"), width="stretch", alt="Hours by patrol type")
with place_column:
    st.subheader("Hours by place")
    render_drill_chart(view, drill_breakdowns(overview), measure="hours")

map_column, officer_column = st.columns([3, 2])
with map_column:
    st.subheader("Patrol hours by ward")
    render_drill_map(view, build_ward_map(list_ward_shapes(store, filters, user=user), overview.patrols_by_ward,
                                          measure="hours", basemap_style=environment.basemap_style))
with officer_column:
    st.subheader(f"Top {TOP_OFFICERS} officers by patrol hours")
    render_drill_table(view, overview.patrols_by_officer, name="officers", column="officer_id", level="officer",
                       column_config=OFFICER_COLUMNS, column_order=list(OFFICER_COLUMNS))

st.header("Abstractions")
st.subheader(f"Hours lost per {grain}, by team")
if abstraction_periods.empty:  # an empty chart would be an unnamed graphic to a screen reader, and says nothing
    st.caption("No abstractions for these filters.")
else:
    st.altair_chart(build_abstraction_hours_chart(abstraction_periods, grain=grain, **dates), width="stretch",
                    alt=f"Hours lost per {grain}, by team")
reason_column, duty_column = st.columns(2)
with reason_column:
    st.subheader("Hours lost by reason")
    if overview.abstractions_by_reason.empty:
        st.caption("No abstractions for these filters.")
    else:
        st.altair_chart(build_area_bar_chart(overview.abstractions_by_reason, measure="hours", category="reason",
                                             title="Reason"), width="stretch", alt="Hours lost by reason")
with duty_column:
    st.subheader("Duties officers were taken to")
    st.dataframe(overview.top_duties, hide_index=True, key=f"{KEY}.duties", column_config={
        "duty_taken_to": "Duty", "reason": "Reason", "abstractions": "Abstractions",
        "hours": st.column_config.NumberColumn("Hours", format="%.1f")})

render_downloads({
    "patrols by period": patrol_periods, "patrols by type": overview.patrols_by_type,
    "patrols by area": overview.patrols_by_area,
    "patrols by ward": overview.patrols_by_ward.drop(columns=["centre_lat", "centre_lon"]),
    "patrols by officer": overview.patrols_by_officer,
    "abstractions by period": abstraction_periods, "abstractions by reason": overview.abstractions_by_reason,
    "top duties": overview.top_duties,
}, name="patrols-and-abstractions", key=f"{KEY}.download", store=store, user=user)
