"""Change over time: issues raised, positive outcomes and engagement per week or month; before and after a date."""

import datetime as dt

import streamlit as st

from analytics import trends
from data import reference
from forms.ui.export import render_downloads
from forms.ui.filter_bar import render_filter_bar
from forms.ui.runtime import open_page

KEY = "change_over_time"
WINDOWS = {28: "4 weeks", 56: "8 weeks", 91: "13 weeks", 182: "26 weeks"}
assert tuple(WINDOWS) == trends.COMPARISON_DAYS
COMPARISON_COLUMNS = {
    "area": st.column_config.TextColumn("Area", pinned=True),
    "before": st.column_config.NumberColumn("Before", format="%d"),
    "after": st.column_config.NumberColumn("After", format="%d"),
    "change": st.column_config.NumberColumn("Change", format="%+d"),
    "pct_change": st.column_config.NumberColumn("% change", format="percent"),
}

_, store, user = open_page("read_aggregates")
today = dt.date.today()

st.title("Change over time")
# The page's own controls live in the URL too (`per`, `pivot`, `days`, `measure`): taken from it
# on the first draw, written back after every change, so a comparison can be shared as a link.
if f"{KEY}.pivot" not in st.session_state:
    seed = trends.TrendView.from_query_params({name: st.query_params.get_all(name) for name in st.query_params},
                                              today=today)
    for name in ("grain", "pivot", "days", "measure"):
        st.session_state[f"{KEY}.{name}"] = getattr(seed, name)
filters = render_filter_bar(store, key=KEY, today=today, user=user)
daily = trends.daily_activity(store, filters, user=user)
figures = trends.totals(daily)

with st.container(horizontal=True):
    for name in trends.HEADLINE:
        st.metric(trends.LABELS[name], f"{figures[name]:,}", border=True, width=190)
with st.expander("What these count"):
    st.markdown(trends.__doc__.split("\n\n", 2)[2])

grain = st.segmented_control("Per", list(trends.GRAINS), format_func=trends.GRAINS.__getitem__,
                             key=f"{KEY}.grain", required=True)
measures = st.multiselect("Measures", list(trends.MEASURES), default=list(trends.HEADLINE),
                          format_func=trends.LABELS.__getitem__, key=f"{KEY}.measures")
series = trends.trend_series(daily, grain=grain, start=filters.start, end=filters.end)
if measures:
    st.altair_chart(trends.build_trend_chart(series, measures=measures, grain=grain, start=filters.start,
                                             end=filters.end, today=dt.date.today()), width="stretch",
                    alt=f"Change over time, per {grain}")

st.header("Before and after")
st.caption("The same number of days either side of a date, per area. The period above does not apply; "
           "the other filters do.")
date_column, window_column, measure_column = st.columns(3)
with date_column:
    pivot = st.date_input("Change date", key=f"{KEY}.pivot",
                          format="DD/MM/YYYY", min_value=dt.date(2000, 1, 1), max_value=today)
with window_column:
    days = st.selectbox("Days either side", list(WINDOWS), format_func=WINDOWS.__getitem__, key=f"{KEY}.days")
with measure_column:
    measure = st.selectbox("Measure", list(trends.MEASURES), format_func=trends.LABELS.__getitem__,
                           key=f"{KEY}.measure")
pivot = pivot or trends.default_pivot(today)
view = trends.TrendView(grain=grain, pivot=pivot, days=days, measure=measure).to_query_params()
if any(st.query_params.get(name) != value for name, value in view.items()):
    st.query_params.update(view)
comparison = trends.before_after(store, filters, user=user, pivot=pivot, days=days,
                                 area_names=reference.area_names(store))
before, after = pivot - dt.timedelta(days=days), pivot + dt.timedelta(days=days - 1)
st.caption(f"Before: {before:%d %b %Y} – {pivot - dt.timedelta(days=1):%d %b %Y}. "
           f"After: {pivot:%d %b %Y} – {after:%d %b %Y}.")
chosen = comparison[comparison["measure"] == measure]
if chosen.empty:
    st.info("Nothing recorded either side of this date for these filters.", icon=":material/info:")
else:
    counts_column, change_column = st.columns(2)
    with counts_column:
        st.subheader("Counts before and after")
        st.altair_chart(trends.build_before_after_chart(comparison, measure=measure), width="stretch",
                        alt="Counts before and after")
    with change_column:
        st.subheader("% change")
        st.altair_chart(trends.build_change_chart(comparison, measure=measure), width="stretch", alt="% change")
    st.dataframe(chosen, hide_index=True, column_order=list(COMPARISON_COLUMNS),
                 column_config=COMPARISON_COLUMNS, key=f"{KEY}.comparison")

render_downloads({"series": series, "before and after": comparison}, name="change-over-time",
                 key=f"{KEY}.download", store=store, user=user)
