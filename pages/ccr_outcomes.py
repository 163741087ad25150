"""CCR outcomes: what people told us in community contacts, who we spoke to, and where."""

import streamlit as st

from analytics.ccr_dash import BREAKDOWN_LABELS, DETAIL_ROWS, OUTCOME_HEADLINE, ccr_details, ccr_outcomes
from analytics.charts import build_count_bar_chart
from analytics.privacy import NOTE, as_text
from data import access
from forms.ui.dashboard import open_dashboard
from forms.ui.runtime import open_page
from forms.ui.widgets import user_text

KEY = "ccr_outcomes"
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
board = open_dashboard(environment=environment, store=store, user=user,
                       title="CCR outcomes", key=KEY, event_types=False)
filters = board.filters
outcomes = ccr_outcomes(store, filters, user=user)

board.render_headline(outcomes.headline, OUTCOME_HEADLINE)
board.stop_if_empty(not outcomes.headline["ccrs"], nothing="community contacts")

issues_column, place_column = st.columns(2)
with issues_column:
    st.header("Main issues")
    st.altair_chart(build_count_bar_chart(outcomes.top_issues, category="issue", measure="ccrs", title="Issue",
                                          measure_title="CCRs raising it"), width="stretch", alt="Main issues")
with place_column:
    st.header("CCRs by place")
    board.render_drill_chart(vars(outcomes), measure="ccrs")

st.header("CCRs by ward")
board.render_ward_map(outcomes.by_ward, measure="ccrs")
board.render_downloads({"Main issues": outcomes.top_issues, "CCRs by area": outcomes.by_area,
                       "CCRs by ward": outcomes.by_ward, "CCRs by officer": outcomes.by_officer},
                       name="ccr-issues-and-places", key=f"{KEY}.issues")

st.header("Who we spoke to")
st.caption("People who consented to answer the diversity questions. " + NOTE)
st.caption(user_text(outcomes.diversity.describe()))  # which whole months and areas the breakdowns cover
tabs = st.tabs(list(BREAKDOWN_LABELS.values()))
for tab, (name, label) in zip(tabs, BREAKDOWN_LABELS.items(), strict=True):
    with tab:
        st.dataframe(as_text(outcomes.breakdowns[name]), hide_index=True, key=f"ccr_outcomes.{name}",
                     column_config={name: label, "ethnic_group": "Ethnic group", "count": "CCRs"})
board.render_downloads({BREAKDOWN_LABELS[n]: frame for n, frame in outcomes.breakdowns.items()},
                       name="ccr-diversity", key=f"{KEY}.diversity")

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
board.render_downloads({"CCR details": details.rows}, name="ccr-details", key=f"{KEY}.details_export")
