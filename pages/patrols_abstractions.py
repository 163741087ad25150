"""Patrols and abstractions: patrol hours by type, place and time; hours lost to abstractions per team."""

import datetime as dt

import streamlit as st

from analytics.charts import build_area_bar_chart
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
from analytics.trends import GRAINS
from forms.ui.dashboard import MAP_CENTRES, open_dashboard, render_chart_or_note
from forms.ui.runtime import open_page

KEY = "patrols_abstractions"
OFFICER_COLUMNS = {
    "officer": st.column_config.TextColumn("Officer", pinned=True),
    "patrols": st.column_config.NumberColumn("Patrols", format="%d"),
    "hours": st.column_config.NumberColumn("Hours", format="%.1f"),
}

environment, store, user = open_page("read_aggregates")
board = open_dashboard(environment=environment, store=store, user=user,
                       title="Patrols and abstractions", key=KEY, event_types=False)
filters = board.filters
overview = patrols_overview(store, filters, user=user)

board.render_headline(overview.headline, PATROL_HEADLINE, width=190)
if filters.wards:
    st.caption("Abstractions have no ward: the ward filter narrows patrols only.")
board.stop_if_empty(not overview.headline["patrols"] and not overview.headline["abstractions"],
                    nothing="patrols or abstractions")

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
    board.render_drill_chart(drill_breakdowns(overview), measure="hours")

map_column, officer_column = st.columns([3, 2])
with map_column:
    st.subheader("Patrol hours by ward")
    board.render_ward_map(overview.patrols_by_ward, measure="hours")
with officer_column:
    st.subheader(f"Top {TOP_OFFICERS} officers by patrol hours")
    board.render_drill_table(overview.patrols_by_officer, name="officers", column="officer_id", level="officer",
                             column_config=OFFICER_COLUMNS)

st.header("Abstractions")
st.subheader(f"Hours lost per {grain}, by team")
render_chart_or_note(abstraction_periods, lambda df: build_abstraction_hours_chart(df, grain=grain, **dates),
                     alt_text=f"Hours lost per {grain}, by team", empty="No abstractions for these filters.")
reason_column, duty_column = st.columns(2)
with reason_column:
    st.subheader("Hours lost by reason")
    render_chart_or_note(overview.abstractions_by_reason,
                         lambda df: build_area_bar_chart(df, measure="hours", category="reason", title="Reason"),
                         alt_text="Hours lost by reason", empty="No abstractions for these filters.")
with duty_column:
    st.subheader("Duties officers were taken to")
    st.dataframe(overview.top_duties, hide_index=True, key=f"{KEY}.duties", column_config={
        "duty_taken_to": "Duty", "reason": "Reason", "abstractions": "Abstractions",
        "hours": st.column_config.NumberColumn("Hours", format="%.1f")})

board.render_downloads({
    "patrols by period": patrol_periods, "patrols by type": overview.patrols_by_type,
    "patrols by area": overview.patrols_by_area, "patrols by ward": overview.patrols_by_ward.drop(columns=MAP_CENTRES),
    "patrols by officer": overview.patrols_by_officer,
    "abstractions by period": abstraction_periods, "abstractions by reason": overview.abstractions_by_reason,
    "top duties": overview.top_duties,
}, name="patrols-and-abstractions", key=f"{KEY}.download")
