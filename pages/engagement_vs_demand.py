"""Engagement vs demand: crime and ASB per ward beside the events, CCRs and patrols there."""

import datetime as dt

import streamlit as st

from analytics.charts import build_ward_map
from analytics.demand import (
    build_demand_chart,
    build_monthly_demand_chart,
    crime_months_held,
    engagement_vs_demand,
    list_crime_points,
    months_without_crime_data,
)
from analytics.queries import list_ward_shapes
from forms.ui.export import render_downloads
from forms.ui.filter_bar import render_filter_bar
from forms.ui.maps import render_map
from forms.ui.runtime import open_page

COLUMNS = {
    "ward": st.column_config.TextColumn("Ward", pinned=True),
    "area": st.column_config.TextColumn("Area"),
    "crimes_per_month": st.column_config.NumberColumn("Crimes / month", format="%.1f"),
    "asb_per_month": st.column_config.NumberColumn("ASB / month", format="%.1f"),
    "queries": st.column_config.NumberColumn("Community queries", help="Queries received in the period: demand too."),
    "events_per_month": st.column_config.NumberColumn("Events / month", format="%.1f"),
    "ccrs_per_month": st.column_config.NumberColumn("CCRs / month", format="%.1f"),
    "patrol_hours_per_month": st.column_config.NumberColumn("Patrol hours / month", format="%.1f"),
    "demand_share": st.column_config.NumberColumn("Share of demand", format="percent"),
    "engagement_share": st.column_config.NumberColumn("Share of engagement", format="percent"),
    "gap": st.column_config.NumberColumn("Gap (points)", format="%+.1f",
                                         help="Share of engagement minus share of demand: negative is less "
                                              "engagement than the ward's share of crime and ASB."),
}

environment, store, user = open_page("read_aggregates")

st.title("Engagement vs demand")
first, last, held = crime_months_held(store, user=user)
if held:
    st.caption(f"Crime and ASB from data.police.uk: {held:,} records, {first:%b %Y} – {last:%b %Y}. "
               "Crime files are monthly, so a period counts every month it touches.")
else:
    st.info("No crime data yet: an analyst imports data.police.uk street-level files on **Import data**.",
            icon=":material/info:")

filters = render_filter_bar(store, key="demand", event_types=False, user=user)
demand = engagement_vs_demand(store, filters, user=user)
wards = demand.wards

with st.container(horizontal=True):
    st.metric("Crimes", f"{int(wards['crimes'].sum()):,}", border=True, width=170)
    st.metric("Anti-social behaviour", f"{int(wards['asb'].sum()):,}", border=True, width=170)
    st.metric("Months of crime data", demand.crime_months, border=True, width=170)
    st.metric("Events", f"{int(wards['events'].sum()):,}", border=True, width=170)
    st.metric("CCRs", f"{int(wards['ccrs'].sum()):,}", border=True, width=170)
    st.metric("Patrol hours", f"{wards['patrol_hours'].sum():,.0f}", border=True, width=170)
if demand.unplaced:
    st.caption(f"{demand.unplaced:,} crimes in the period are in no ward (no location, or outside the boundaries).")

chart_column, map_column = st.columns(2)
with chart_column:
    st.header("Where the work is, and is not")
    st.caption("Each dot is a ward. Below the dashed line: more of the force's crime and ASB than of its engagement.")
    st.altair_chart(build_demand_chart(wards), width="stretch", alt="Where the work is, and is not")
with map_column:
    st.header("Crime and ASB by ward")
    points = list_crime_points(store, filters, user=user)
    render_map(build_ward_map(list_ward_shapes(store, filters, user=user), wards, measure="crimes",
                              basemap_style=environment.basemap_style, points_df=points, hexbin=True),
               key="demand.map")

st.header("Per ward, per month")
st.caption("Sorted by gap: the wards with the least engagement for their demand first.")
table = wards.sort_values(["gap", "ward"]).reset_index(drop=True)
st.dataframe(table, hide_index=True, column_order=list(COLUMNS), column_config=COLUMNS, key="demand.table")

st.header("Month by month")
if len(demand.by_month):
    st.altair_chart(build_monthly_demand_chart(demand.by_month, crime_data=(first, last), start=filters.start,
                                               end=filters.end, today=dt.date.today()), width="stretch",
                    alt="Line chart: crimes, anti-social behaviour, events, CCRs and patrol hours per month")
    no_data = months_without_crime_data(demand.by_month, (first, last)) if held else []
    st.caption("Dashed: a month only partly in the period, or not over yet."
               + (f" No crime data yet for {', '.join(f'{m:%b %Y}' for m in no_data)}: the crime and ASB lines"
                  " stop at the last month published." if no_data else ""))
render_downloads({"Engagement vs demand by ward": table, "By month": demand.by_month,
                  "Crime types": demand.by_type}, name="engagement-vs-demand", key="demand.downloads",
                 store=store, user=user)
