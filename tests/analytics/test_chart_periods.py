"""Period charts mark what is not a whole period: the month so far is dashed, months with no crime data have no
crime point (rather than a fall to 0); the word cloud's words are given as text too."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import trends
from analytics.demand import build_monthly_demand_chart, months_without_crime_data
from analytics.trends import PARTIAL, WHOLE, partial_periods
from analytics.wordcloud import word_cloud_alt, word_table

JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)


def test_the_month_so_far_and_a_month_cut_by_the_dates_are_partial():
    months = pd.Series(pd.to_datetime([JAN, FEB, MAR]))
    assert partial_periods(months, grain="month", today=dt.date(2026, 3, 10)).to_list() == [False, False, True]
    assert partial_periods(months, grain="month", start=dt.date(2026, 1, 15), end=dt.date(2026, 3, 31),
                           today=dt.date(2026, 6, 1)).to_list() == [True, False, False]
    assert partial_periods(months, grain="month", end=dt.date(2026, 2, 27), today=dt.date(2026, 6, 1)).to_list() \
        == [False, True, True]
    weeks = pd.Series(pd.to_datetime([dt.date(2026, 3, 2), dt.date(2026, 3, 9)]))  # Mondays
    assert partial_periods(weeks, grain="week", today=dt.date(2026, 3, 15)).to_list() == [False, False]
    assert partial_periods(weeks, grain="week", today=dt.date(2026, 3, 14)).to_list() == [False, True]


def _by_month() -> pd.DataFrame:
    return pd.DataFrame({"month": [JAN, FEB, MAR], "crimes": [30, 28, 0], "asb": [10, 9, 0], "events": [3, 4, 1],
                         "ccrs": [5, 6, 2], "patrol_hours": [10.0, 12.0, 3.0]})


def test_engagement_vs_demand_leaves_months_without_crime_data_out_of_the_crime_lines():
    chart = build_monthly_demand_chart(_by_month(), crime_data=(JAN, FEB), today=dt.date(2026, 3, 10))
    data = chart.data
    crimes = data[data["measure"] == "Crimes"]
    assert sorted(pd.to_datetime(crimes["month"]).dt.date.unique()) == [JAN, FEB], "no 0 for March: no data yet"
    assert months_without_crime_data(_by_month(), (JAN, FEB)) == [MAR]
    assert months_without_crime_data(_by_month(), (JAN, MAR)) == []


def test_the_month_so_far_is_dashed_and_joined_to_the_line():
    chart = build_monthly_demand_chart(_by_month(), crime_data=(JAN, MAR), today=dt.date(2026, 3, 10))
    spec = chart.to_dict()
    assert spec["encoding"]["strokeDash"]["field"] == "stretch"
    events = chart.data[chart.data["measure"] == "Events"]
    stretch = {(pd.Timestamp(m).date(), s) for m, s in zip(events["month"], events["stretch"], strict=True)}
    assert stretch == {(JAN, WHOLE), (FEB, WHOLE), (FEB, PARTIAL), (MAR, PARTIAL)}, \
        "March is dashed, from February's point"
    assert set(events.loc[pd.to_datetime(events["month"]).dt.date == FEB, "kind"]) == {WHOLE}  # tooltips say whole
    whole = build_monthly_demand_chart(_by_month(), crime_data=(JAN, MAR), today=dt.date(2026, 4, 2))
    assert set(whole.data["stretch"]) == {WHOLE}


def test_the_trend_chart_dashes_the_period_so_far():
    series = pd.DataFrame({"period": pd.to_datetime([JAN, FEB, MAR]), **{m: [1, 2, 3] for m in trends.MEASURES}})
    chart = trends.build_trend_chart(series, measures=trends.HEADLINE, grain="month", today=dt.date(2026, 3, 10))
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "line" and spec["encoding"]["strokeDash"]["field"] == "stretch"
    assert set(chart.data.loc[pd.to_datetime(chart.data["period"]).dt.date == MAR, "stretch"]) == {PARTIAL}


def test_the_word_cloud_words_as_text():
    words = {"Parking": 9, "speeding": 4, "litter": 4, "dogs": 0}
    table = word_table(words)
    assert table.to_dict("records") == [{"word": "Parking", "weight": 9}, {"word": "litter", "weight": 4},
                                        {"word": "speeding", "weight": 4}]
    assert word_cloud_alt(words) == "Word cloud of the issues raised, biggest first: Parking, litter, speeding."
    assert word_cloud_alt(words, top=1).endswith("Parking and 2 more.")
    assert word_cloud_alt({}) == "Word cloud: no issues raised for these filters."


def test_patrol_hours_this_month_so_far_are_paler():
    from analytics.patrol_dash import build_patrol_hours_chart

    hours = pd.DataFrame({"period": pd.to_datetime([FEB, MAR]), "patrol_type": ["Foot patrol"] * 2,
                          "patrols": [4, 1], "hours": [8.0, 2.0]})
    chart = build_patrol_hours_chart(hours, grain="month", today=dt.date(2026, 3, 10))
    assert chart.to_dict()["encoding"]["opacity"]["field"] == "kind"
    assert chart.data["kind"].to_list() == [WHOLE, PARTIAL]
