"""Problems by stage: the commander's view of problem solving (SARA) per area, by stage and age."""

import streamlit as st

from analytics.problems import AGE_BANDS, build_stage_chart, list_problems, problems_by_stage
from forms.ui.filter_bar import render_as_of_bar
from forms.ui.runtime import open_page

COLUMNS = {
    "area": st.column_config.TextColumn("Area", pinned=True), "stage_label": "Stage", "problems": "Problems",
    "under_31_days": "Up to 30 days old", "days_31_to_90": "31-90 days old", "over_90_days": "Over 90 days old",
    "mean_age_days": st.column_config.NumberColumn("Mean age (days)", format="%.1f"),
    "oldest_age_days": "Oldest (days)", "reviews_overdue": "Reviews overdue",
}
assert set(AGE_BANDS) <= set(COLUMNS)

_, store, user = open_page("problem_read")
st.title("Problems by stage")
filters = render_as_of_bar(store, user, key="problems_by_stage", label="As of")
by_stage = problems_by_stage(store, filters, user=user)
if int(by_stage["problems"].sum() if len(by_stage) else 0) == 0:
    st.info("No problems opened by this date in these areas.", icon=":material/info:")
    st.stop()
open_now = by_stage[by_stage["stage"] != "closed"]
with st.container(horizontal=True):
    st.metric("Open problems", f"{int(open_now['problems'].sum()):,}", border=True, width=190)
    st.metric("Open over 90 days", f"{int(open_now['over_90_days'].sum()):,}", border=True, width=190)
    st.metric("Reviews overdue", f"{int(by_stage['reviews_overdue'].sum()):,}", border=True, width=190)
st.altair_chart(build_stage_chart(by_stage), width="stretch", alt="Problems per area by stage")
st.dataframe(by_stage[by_stage["problems"] > 0], hide_index=True, column_order=list(COLUMNS), column_config=COLUMNS,
             key="problems_by_stage.table")
st.caption("Age: days from opening to the date above, or to closing. A review is overdue when an open problem's "
           "review date has passed.")
overdue = list_problems(store, filters, user=user)
overdue = overdue[overdue["review_overdue"]]
if len(overdue):
    st.header("Reviews overdue")
    st.dataframe(overdue, hide_index=True, key="problems_by_stage.overdue",
                 column_order=["title", "stage_label", "area", "wards", "owner", "review_on", "age_days"],
                 column_config={"title": "Problem", "stage_label": "Stage", "area": "Area", "wards": "Wards",
                                "owner": "Owner", "review_on": st.column_config.DateColumn("Review",
                                                                                           format="DD/MM/YYYY"),
                                "age_days": "Age (days)"})
st.page_link("pages/problems.py", label="Open a problem", icon=":material/open_in_new:", width="stretch")
