"""Event outcomes: what communities raised, what came of it, and what we did about it."""

import pandas as pd
import streamlit as st

from analytics.events_dash import OUTCOMES_HEADLINE, event_outcomes
from analytics.wordcloud import CATEGORY_WEIGHT, issue_frequencies, issues_word_cloud, word_cloud_alt, word_table
from forms.ui.dashboard import MAP_CENTRES, open_dashboard, render_count_chart
from forms.ui.runtime import open_page

KEY = "event_outcomes"
VALUE_COLUMNS = {
    "title": st.column_config.TextColumn("Event", pinned=True),
    "start": st.column_config.DatetimeColumn("Date", format="ddd D MMM YYYY"),
    "value_gained": st.column_config.TextColumn("Value gained", width="large"),
}

environment, store, user = open_page("read_aggregates")
board = open_dashboard(environment=environment, store=store, user=user, title="Event outcomes", key=KEY)
data = event_outcomes(store, board.filters, user=user)

board.render_headline(data.headline, OUTCOMES_HEADLINE, width=200)

issues_column, cloud_column = st.columns(2)
top_issues = pd.DataFrame(data.top_issues, columns=["issue", "count"])
with issues_column:
    st.header("Top five issues raised")
    render_count_chart(top_issues, alt_text="Top five issues raised",
                       empty="No issues raised at completed events or in contacts for these filters.",
                       category="issue", measure="count", title="Issue", measure_title="Times raised")
with cloud_column:
    st.header("Issues raised")
    words = issue_frequencies(data.issue_counts, data.issue_words)
    st.image(issues_word_cloud(store, board.filters, user=user), width="stretch",
             alt=word_cloud_alt(words))
    with st.expander("The words in the cloud, as a table"):
        st.caption(f"A word's weight is how often it came up in the officers' own words; a listed issue counts "
                   f"{CATEGORY_WEIGHT} each time.")
        st.dataframe(word_table(words), hide_index=True, key="event_outcomes.words",
                     column_config={"word": "Issue or word", "weight": "Weight"})

actions_column, value_column = st.columns(2)
with actions_column:
    st.header("You said, we did: actions by type")
    render_count_chart(data.actions_by_type, alt_text="You said, we did: actions by type",
                       empty="No actions dated in this period.", category="action_type", measure="actions",
                       title="Action", measure_title="Actions")
with value_column:
    st.header("Value gained")
    if data.value_gained.empty:
        st.caption("No completed events recorded the value gained.")
    else:
        st.dataframe(data.value_gained, hide_index=True, column_order=list(VALUE_COLUMNS),
                     column_config=VALUE_COLUMNS, key="event_outcomes.value")

place_column, map_column = st.columns(2)
with place_column:
    st.header("Completed events by place")
    board.render_drill_chart(vars(data), measure="events")
with map_column:
    st.header("Completed events by ward")
    board.render_ward_map(data.by_ward, measure="events", height=380)

board.render_downloads({"Top issues": top_issues, "All issues": data.issue_counts,
                       "Actions by type": data.actions_by_type, "Value gained": data.value_gained,
                       "By area": data.by_area, "By ward": data.by_ward.drop(columns=MAP_CENTRES)},
                       name="event-outcomes", key=f"{KEY}.export")
