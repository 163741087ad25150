"""CCR outcomes: what people told us in community contacts, who we spoke to, and where."""

import streamlit as st

from analytics.ccr_dash import BREAKDOWN_LABELS, DETAIL_ROWS, OUTCOME_HEADLINE, ccr_details, ccr_outcomes
from analytics.charts import build_count_bar_chart, build_ward_map
from analytics.metrics import metric
from analytics.privacy import NOTE, as_text
from analytics.queries import list_ward_shapes
from data import access
from forms.ui.drill import drill_view, render_breadcrumb, render_drill_chart, render_drill_map
from forms.ui.export import render_downloads
from forms.ui.filter_bar import render_filter_bar
from forms.ui.runtime import get_force_name, open_page
from forms.ui.widgets import render_metric_tiles, user_text

PAGE = BAR = "ccr_outcomes"
DETAIL_COLUMNS = {
    "contact_at": st.column_config.DatetimeColumn("Date", format="ddd D MMM YYYY, HH:mm", pinned=True),
    "area": st.column_config.TextColumn("Area"),
    "ward": st.column_config.TextColumn("Ward"),
    "officer": st.column_config.TextColumn("Officer"),
    "contact_method": st.column_config.TextColumn("Method"),
    "issues": st.column_config.TextColumn("Issues", width="large"),
    "info_submitted": st.column_config.CheckboxColumn("Info submitted"),
}

environment, store, user = open_page("read_aggregates")

st.title("CCR outcomes")
filters = render_filter_bar(store, key=BAR, event_types=False, user=user)
view = drill_view(store, page=PAGE, bar_key=BAR, filters=filters, force_name=get_force_name(store, environment))
render_breadcrumb(view.crumbs(), bar_key=BAR)
outcomes = ccr_outcomes(store, filters, user=user)

render_metric_tiles(outcomes.headline, (metric(name) for name in OUTCOME_HEADLINE))

if not outcomes.headline["ccrs"]:
    st.info("No community contacts for these filters. Widen the period or go back up the breadcrumb.",
            icon=":material/info:")
    st.stop()

issues_column, place_column = st.columns(2)
with issues_column:
    st.header("Main issues")
    st.altair_chart(build_count_bar_chart(outcomes.top_issues, category="issue", measure="ccrs", title="Issue",
                                          measure_title="CCRs raising it"), width="stretch", alt="Main issues")
with place_column:
    st.header("CCRs by place")
    render_drill_chart(view, vars(outcomes), measure="ccrs")

st.header("CCRs by ward")
render_drill_map(view, build_ward_map(list_ward_shapes(store, filters, user=user), outcomes.by_ward, measure="ccrs",
                                      basemap_style=environment.basemap_style))
render_downloads({"Main issues": outcomes.top_issues, "CCRs by area": outcomes.by_area,
                  "CCRs by ward": outcomes.by_ward, "CCRs by officer": outcomes.by_officer},
                 name="ccr-issues-and-places", key="ccr_outcomes.issues", store=store, user=user)

st.header("Who we spoke to")
st.caption("People who consented to answer the diversity questions. " + NOTE)
st.caption(user_text(outcomes.diversity.describe()))  # which whole months and areas the breakdowns cover
tabs = st.tabs(list(BREAKDOWN_LABELS.values()))
for tab, (name, label) in zip(tabs, BREAKDOWN_LABELS.items(), strict=True):
    with tab:
        st.dataframe(as_text(outcomes.breakdowns[name]), hide_index=True, key=f"ccr_outcomes.{name}",
                     column_config={name: label, "ethnic_group": "Ethnic group", "count": "CCRs"})
render_downloads({BREAKDOWN_LABELS[n]: frame for n, frame in outcomes.breakdowns.items()},
                 name="ccr-diversity", key="ccr_outcomes.diversity", store=store, user=user)

if not access.can(user, "read_ccr_details"):
    st.stop()
st.header("CCR details")
details = ccr_details(store, filters, user=user)
if access.scope(user):
    st.caption(f"Contacts in your area ({user_text(access.scope(user), one_line=True)}) only.")
if details.total > DETAIL_ROWS:
    st.caption(f"The latest {DETAIL_ROWS:,} of {details.total:,} contacts. Narrow the filters to see others.")
st.dataframe(details.rows, hide_index=True, column_order=list(DETAIL_COLUMNS), column_config=DETAIL_COLUMNS,
             key="ccr_outcomes.details")
render_downloads({"CCR details": details.rows}, name="ccr-details", key="ccr_outcomes.details_export",
                 store=store, user=user)
