"""CCR activity: how many community contacts were recorded, when, where and by whom."""

import streamlit as st

from analytics.ccr_dash import ACTIVITY_HEADLINE, TOP_OFFICERS, ccr_activity
from analytics.charts import build_count_bar_chart
from analytics.metrics import metric
from forms.ui.drill import drill_view, render_breadcrumb, render_drill_chart, render_drill_table
from forms.ui.export import render_downloads
from forms.ui.filter_bar import render_filter_bar
from forms.ui.runtime import get_force_name, open_page
from forms.ui.widgets import render_metric_tiles

PAGE = BAR = "ccr_activity"
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

st.title("CCR activity")
filters = render_filter_bar(store, key=BAR, event_types=False, user=user)
view = drill_view(store, page=PAGE, bar_key=BAR, filters=filters, force_name=get_force_name(store, environment))
render_breadcrumb(view.crumbs(), bar_key=BAR)
activity = ccr_activity(store, filters, user=user)

render_metric_tiles(activity.headline, (metric(name) for name in ACTIVITY_HEADLINE))

if not activity.headline["ccrs"]:
    st.info("No community contacts for these filters. Widen the period or go back up the breadcrumb.",
            icon=":material/info:")
    st.stop()

st.header("CCRs per week")
st.bar_chart(activity.by_week, x="week", y="ccrs", x_label="Week starting", y_label="CCRs")

place_column, method_column = st.columns(2)
with place_column:
    st.header("CCRs by place")
    render_drill_chart(view, vars(activity), measure="ccrs")
with method_column:
    st.header("CCRs by contact method")
    st.altair_chart(build_count_bar_chart(activity.by_method, category="contact_method", measure="ccrs",
                                          title="Method"), width="stretch", alt="CCRs by contact method")

st.header("CCRs by area")
render_drill_table(view, activity.by_area, name="by_area", column="area_code", level="area",
                   column_config=AREA_COLUMNS, column_order=list(AREA_COLUMNS))

st.header(f"Top {TOP_OFFICERS} officers by CCRs")
st.caption("Click a row to see that officer's contacts.")
render_drill_table(view, activity.by_officer, name="by_officer", column="officer_id", level="officer",
                   column_config=OFFICER_COLUMNS, column_order=list(OFFICER_COLUMNS))

render_downloads({"CCRs by week": activity.by_week, "CCRs by area": activity.by_area,
                  "CCRs by ward": activity.by_ward, "CCRs by officer": activity.by_officer,
                  "CCRs by method": activity.by_method},
                 name="ccr-activity", key="ccr_activity.export", store=store, user=user)
