"""CCR activity: how many community contacts were recorded, when, where and by whom."""

import streamlit as st

from analytics.ccr_dash import ACTIVITY_HEADLINE, TOP_OFFICERS, ccr_activity, page_metric
from analytics.charts import build_area_bar_chart
from forms.export import render_downloads
from forms.filter_bar import render_filter_bar
from forms.runtime import get_settings, get_store, route_through_app

AREA_COLUMNS = {
    "area": st.column_config.TextColumn("Area", pinned=True),
    "ccrs": st.column_config.NumberColumn("CCRs", format="%d"),
    "officers": st.column_config.NumberColumn("Officers", format="%d"),
    "ccrs_at_events": st.column_config.NumberColumn("At events", format="%d"),
}
OFFICER_COLUMNS = {
    "officer": st.column_config.TextColumn("Officer", pinned=True),
    "ccrs": st.column_config.NumberColumn("CCRs", format="%d"),
    "ccrs_at_events": st.column_config.NumberColumn("At events", format="%d"),
}

route_through_app()
store = get_store(get_settings())

st.title("CCR activity")
filters = render_filter_bar(store, key="ccr_activity", event_types=False)
activity = ccr_activity(store, filters)

with st.container(horizontal=True):  # tiles wrap two to a row on a phone
    for name in ACTIVITY_HEADLINE:
        metric = page_metric(name)
        st.metric(metric.label, metric.format_value(activity.headline.get(name)), help=metric.definition,
                  border=True, width=170)

if not activity.headline["ccrs"]:
    st.info("No community contacts in this period and area. Widen the period or clear the filters.",
            icon=":material/info:")
    st.stop()

st.subheader("CCRs per week")
st.bar_chart(activity.by_week, x="week", y="ccrs", x_label="Week starting", y_label="CCRs")

area_column, method_column = st.columns(2)
with area_column:
    st.subheader("CCRs by area")
    st.altair_chart(build_area_bar_chart(activity.by_area, measure="ccrs"), width="stretch")
    st.dataframe(activity.by_area, hide_index=True, column_order=list(AREA_COLUMNS), column_config=AREA_COLUMNS,
                 key="ccr_activity.by_area")
with method_column:
    st.subheader("CCRs by contact method")
    st.altair_chart(build_area_bar_chart(activity.by_method, measure="ccrs", category="contact_method",
                                         title="Method"), width="stretch")

st.subheader(f"Top {TOP_OFFICERS} officers by CCRs")
st.dataframe(activity.by_officer, hide_index=True, column_order=list(OFFICER_COLUMNS),
             column_config=OFFICER_COLUMNS, key="ccr_activity.by_officer")

render_downloads({"CCRs by week": activity.by_week, "CCRs by area": activity.by_area,
                  "CCRs by officer": activity.by_officer, "CCRs by method": activity.by_method},
                 name="ccr-activity", key="ccr_activity.export")
