"""Event outcomes: what communities raised, what came of it, and what we did about it."""

import pandas as pd
import streamlit as st

from analytics.charts import build_count_bar_chart, build_ward_map
from analytics.events_dash import OUTCOMES_HEADLINE, event_outcomes
from analytics.metrics import metric
from analytics.queries import list_ward_shapes
from analytics.wordcloud import CATEGORY_WEIGHT, issue_frequencies, issues_word_cloud, word_cloud_alt, word_table
from forms.ui.drill import drill_view, render_breadcrumb, render_drill_chart, render_drill_map
from forms.ui.export import render_downloads
from forms.ui.filter_bar import render_filter_bar
from forms.ui.runtime import get_force_name, open_page
from forms.ui.widgets import render_metric_tiles

PAGE = BAR = "event_outcomes"
VALUE_COLUMNS = {
    "title": st.column_config.TextColumn("Event", pinned=True),
    "start": st.column_config.DatetimeColumn("Date", format="ddd D MMM YYYY"),
    "value_gained": st.column_config.TextColumn("Value gained", width="large"),
}

environment, store, user = open_page("read_aggregates")

st.title("Event outcomes")
filters = render_filter_bar(store, key=BAR, user=user)
view = drill_view(store, page=PAGE, bar_key=BAR, filters=filters, force_name=get_force_name(store, environment))
render_breadcrumb(view.crumbs(), bar_key=BAR)
data = event_outcomes(store, filters, user=user)

render_metric_tiles(data.headline, (metric(name) for name in OUTCOMES_HEADLINE), width=200)

issues_column, cloud_column = st.columns(2)
top_issues = pd.DataFrame(data.top_issues, columns=["issue", "count"])
with issues_column:
    st.header("Top five issues raised")
    if top_issues.empty:
        st.caption("No issues raised at completed events or in contacts for these filters.")
    else:
        st.altair_chart(build_count_bar_chart(top_issues, category="issue", measure="count", title="Issue",
                                              measure_title="Times raised"), width="stretch",
                        alt="Top five issues raised")
with cloud_column:
    st.header("Issues raised")
    words = issue_frequencies(data.issue_counts, data.issue_words)
    st.image(issues_word_cloud(store, filters, user=user), width="stretch", alt=word_cloud_alt(words))
    with st.expander("The words in the cloud, as a table"):
        st.caption(f"A word's weight is how often it came up in the officers' own words; a listed issue counts "
                   f"{CATEGORY_WEIGHT} each time.")
        st.dataframe(word_table(words), hide_index=True, key="event_outcomes.words",
                     column_config={"word": "Issue or word", "weight": "Weight"})

actions_column, value_column = st.columns(2)
with actions_column:
    st.header("You said, we did: actions by type")
    if data.actions_by_type.empty:
        st.caption("No actions dated in this period.")
    else:
        st.altair_chart(build_count_bar_chart(data.actions_by_type, category="action_type", measure="actions",
                                              title="Action", measure_title="Actions"), width="stretch",
                        alt="You said, we did: actions by type")
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
    render_drill_chart(view, vars(data), measure="events")
with map_column:
    st.header("Completed events by ward")
    render_drill_map(view, build_ward_map(list_ward_shapes(store, filters, user=user), data.by_ward, measure="events",
                                          basemap_style=environment.basemap_style), height=380)

render_downloads({"Top issues": top_issues, "All issues": data.issue_counts, "Actions by type": data.actions_by_type,
                  "Value gained": data.value_gained, "By area": data.by_area,
                  "By ward": data.by_ward.drop(columns=["centre_lat", "centre_lon"])},
                 name="event-outcomes", key="event_outcomes.export", store=store, user=user)
