"""Change over time: exact figures on the fixture store (tests/analytics/conftest.py and patrol_fixture.py).

March 2025, current records only:
  completed events e1 (03-03 A1, 2 issues, rated 4), e2 (03-05 A1, 1 issue, rated 3), e7 (03-15 A2, 2 issues, rated 4)
  CCRs c1 (03-03 A1, 2 issues), c2 (03-11 A2, 3 issues), c3 (03-18 A1, 3 issues after its edit)
  patrols p1 (03-03 A1), p2 (03-04 A1), p3 (03-11 A2), p4 (03-20 A1)
  "You said, we did" actions y5 (03-06 A1), y2 (03-12 A2), y3 (03-20 A1); feedback y5 (03-27 A1)
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import pytest

from analytics import queries, trends
from analytics.filters import Filters
from tests.analytics.conftest import MARCH
from tests.analytics.patrol_fixture import build_patrol_store
from tests.conftest import ANALYST

MARCH_FILTERS = Filters(start=MARCH[0], end=MARCH[1])
NAMES = {"A1": "North", "A2": "South"}


@pytest.fixture(scope="module")
def trend_store(tmp_path_factory):
    return build_patrol_store(tmp_path_factory.mktemp("trends") / "store")


def test_march_totals(trend_store):
    got = trends.totals(trends.daily_activity(trend_store, MARCH_FILTERS, user=ANALYST))
    assert got == {
        "issues_raised": 13,  # events 2 + 1 + 2, CCRs 2 + 3 + 3
        "positive_outcomes": 6,  # actions 3 + feedback 1 + events rated 4-5 (e1, e7) 2
        "engagement": 10,  # events completed 3 + CCRs 3 + patrols 4
        "ysywd_actions": 3, "ysywd_feedback": 1, "good_events": 2,
        "events_completed": 3, "ccrs": 3, "patrols": 4,
    }


def test_issues_raised_equals_the_summary_mentions(trend_store):
    summary = queries.summary(trend_store, MARCH_FILTERS)
    # every issue appears in the top list here (6 issues, top 5 + Youth nuisance 1)
    mentions = sum(i["count"] for i in summary["top_issues"]) + 1
    assert trends.totals(trends.daily_activity(trend_store, MARCH_FILTERS,
                                               user=ANALYST))["issues_raised"] == mentions == 13


def test_area_filter(trend_store):
    north = trends.totals(trends.daily_activity(trend_store, Filters(start=MARCH[0], end=MARCH[1], areas=("A1",)),
                                                user=ANALYST))
    # issues e1 2 + e2 1 + c1 2 + c3 3 = 8; positive y3, y5 actions 2 + y5 feedback 1 + e1 1 = 4;
    # engagement e1, e2 + c1, c3 + p1, p2, p4 = 7
    assert (north["issues_raised"], north["positive_outcomes"], north["engagement"]) == (8, 4, 7)


def test_weekly_series_fills_empty_weeks(trend_store):
    daily = trends.daily_activity(trend_store, MARCH_FILTERS, user=ANALYST)
    series = trends.trend_series(daily, grain="week", start=MARCH[0], end=MARCH[1])
    got = [(p.date().isoformat(), i, po, e) for p, i, po, e in
           series[["period", "issues_raised", "positive_outcomes", "engagement"]].itertuples(index=False)]
    assert got == [
        ("2025-02-24", 0, 0, 0),  # 1-2 March: nothing
        ("2025-03-03", 5, 2, 5),  # e1 2 + e2 1 + c1 2 issues; y5 action + e1; e1, e2, c1, p1, p2
        ("2025-03-10", 5, 2, 3),  # e7 2 + c2 3; y2 action + e7; e7, c2, p3
        ("2025-03-17", 3, 1, 2),  # c3 3; y3 action; c3, p4
        ("2025-03-24", 0, 1, 0),  # y5 feedback on the 27th (c4 and p5 deleted)
        ("2025-03-31", 0, 0, 0),  # 31 March
    ]


def test_monthly_series(trend_store):
    daily = trends.daily_activity(trend_store, Filters(), user=ANALYST)
    series = trends.trend_series(daily, grain="month").set_index("period")
    # April: e6 (1 issue, rated 4), p6, y5 feedback on 04-05
    assert series.loc[pd.Timestamp("2025-04-01"), ["issues_raised", "positive_outcomes", "engagement"]].tolist() == [
        1, 2, 2]
    # February: c5 (1 issue)
    assert series.loc[pd.Timestamp("2025-02-01"), ["issues_raised", "engagement"]].tolist() == [1, 1]


def test_before_after_per_area(trend_store):
    # before [1 Mar, 15 Mar), after [15 Mar, 29 Mar)
    table = trends.before_after(trend_store, Filters(), pivot=dt.date(2025, 3, 15), days=14, area_names=NAMES,
                                user=ANALYST)
    key = table.set_index(["area", "measure"])
    expected = {
        # all areas: issues e1 2 + e2 1 + c1 2 + c2 3 = 8 -> e7 2 + c3 3 = 5
        ("All areas", "issues_raised"): (8, 5, -3, -0.375),
        # y5 + y2 actions + e1 = 3 -> y3 action + y5 feedback + e7 = 3
        ("All areas", "positive_outcomes"): (3, 3, 0, 0.0),
        # e1, e2, c1, c2, p1, p2, p3 = 7 -> e7, c3, p4 = 3
        ("All areas", "engagement"): (7, 3, -4, -4 / 7),
        ("North", "issues_raised"): (5, 3, -2, -0.4),
        ("North", "positive_outcomes"): (2, 2, 0, 0.0),
        ("North", "engagement"): (5, 2, -3, -0.6),
        ("South", "issues_raised"): (3, 2, -1, -1 / 3),
        ("South", "positive_outcomes"): (1, 1, 0, 0.0),
        ("South", "engagement"): (2, 1, -1, -0.5),
    }
    for (area, measure), (before, after, change, pct) in expected.items():
        row = key.loc[(area, measure)]
        assert (row["before"], row["after"], row["change"]) == (before, after, change), (area, measure)
        assert row["pct_change"] == pytest.approx(pct), (area, measure)
    assert table["area"].iloc[0] == "All areas"
    # feedback before was 0: no percentage
    assert pd.isna(key.loc[("All areas", "ysywd_feedback"), "pct_change"])


def test_comparison_window_ignores_the_page_dates(trend_store):
    narrow = Filters(start=dt.date(2025, 3, 14), end=dt.date(2025, 3, 14), areas=("A2",))
    table = trends.before_after(trend_store, narrow, pivot=dt.date(2025, 3, 15), days=14, area_names=NAMES,
                                user=ANALYST)
    assert set(table["area"]) == {"All areas", "South"}
    assert table.set_index(["area", "measure"]).loc[("South", "engagement"), ["before", "after"]].tolist() == [2, 1]


def test_grain_must_be_known():
    with pytest.raises(ValueError, match="grain"):
        trends.period_start(pd.Series([pd.Timestamp("2025-03-03")]), grain="year")


def test_default_pivot_is_26_weeks_back():
    assert trends.default_pivot(dt.date(2026, 11, 26)) == dt.date(2026, 5, 28)


def test_charts_build(trend_store):
    daily = trends.daily_activity(trend_store, Filters(), user=ANALYST)
    chart = trends.build_trend_chart(trends.trend_series(daily, grain="month"), measures=trends.HEADLINE,
                                     grain="month")
    assert isinstance(chart, alt.Chart) and chart.to_dict()["mark"]["type"] == "line"
    table = trends.before_after(trend_store, Filters(), pivot=dt.date(2025, 3, 15), days=14, area_names=NAMES,
                                user=ANALYST)
    bars = trends.build_before_after_chart(table, measure="engagement").to_dict()
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["yOffset"]["field"] == "side"
    change = trends.build_change_chart(table, measure="engagement")
    # all areas -4/7, North -0.6, South -0.5: every bar a fall
    assert set(change.data["direction"]) == {"fall"} and list(change.data["area"]) == ["All areas", "North", "South"]


def test_officer_filter_counts_their_actions_and_feedback_on_their_items(trend_store):
    # make_action gives every action officer P1: y5 (03-06), y2 (03-12), y3 (03-20); y5's feedback 03-27
    p1 = trends.totals(trends.daily_activity(trend_store, Filters(start=MARCH[0], end=MARCH[1], officers=("P1",)),
                                             user=ANALYST))
    assert (p1["ysywd_actions"], p1["ysywd_feedback"]) == (3, 1)
    p2 = trends.totals(trends.daily_activity(trend_store, Filters(start=MARCH[0], end=MARCH[1], officers=("P2",)),
                                             user=ANALYST))
    # P2 took no action; P2's events: e1 (attended, rated 4), e2 (rated 3); CCR c3; patrol p2
    assert (p2["ysywd_actions"], p2["ysywd_feedback"], p2["good_events"], p2["engagement"]) == (0, 0, 1, 4)


def test_nothing_in_range(trend_store):
    empty = Filters(start=dt.date(2030, 1, 1), end=dt.date(2030, 1, 31))
    daily = trends.daily_activity(trend_store, empty, user=ANALYST)
    assert set(trends.totals(daily).values()) == {0}
    series = trends.trend_series(daily, grain="week", start=empty.start, end=empty.end)
    assert len(series) == 5 and series["engagement"].eq(0).all()  # weeks of 30 Dec .. 27 Jan
    assert trends.before_after(trend_store, Filters(), pivot=dt.date(2030, 1, 1), days=28, user=ANALYST).empty


def test_trend_view_round_trips_through_the_url():
    today = dt.date(2026, 6, 30)
    view = trends.TrendView(grain="month", pivot=dt.date(2026, 3, 2), days=56, measure="ccrs")
    params = view.to_query_params()
    assert params == {"per": "month", "pivot": "2026-03-02", "days": "56", "measure": "ccrs"}
    assert trends.TrendView.from_query_params(params, today=today) == view
    assert trends.TrendView.from_query_params({k: [v] for k, v in params.items()}, today=today) == view


@pytest.mark.parametrize("params", [
    {}, {"per": "year", "pivot": "2026-13-01", "days": "30", "measure": "nonsense"},
    {"pivot": "2027-01-01", "days": "-28"}, {"pivot": "1999-12-31", "days": "x"}, {"pivot": ["", ""]},
])
def test_trend_view_falls_back_to_defaults_for_values_not_allowed(params):
    today = dt.date(2026, 6, 30)
    assert trends.TrendView.from_query_params(params, today=today) == trends.TrendView(
        grain="week", pivot=today - dt.timedelta(weeks=26), days=trends.DEFAULT_DAYS, measure=trends.MEASURES[0])
