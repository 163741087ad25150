"""My activity: exact lists and counts on the tiny officer store."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import pytest

from analytics.activity import (
    ACTIVITY_COLUMNS,
    BEAT_COLUMNS,
    build_contributions_chart,
    count_my_activity_by_ward,
    count_my_contributions_by_week,
    list_my_activity,
    list_my_feedback,
    list_news,
    list_returned,
    list_settings,
)
from data.access import NotAllowed
from tests.officer_store import TODAY, build_officer_store, user


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_officer_store(tmp_path_factory.mktemp("officer") / "store")


def test_my_activity_lists_everything_i_submitted_returned_first_then_newest(store):
    activity = list_my_activity(store, user=user("P1"))
    assert tuple(activity.columns) == ACTIVITY_COLUMNS
    # c1 returned; then f1, g1 (saved last, newest); then a1 03-08, p1 03-07, e1 03-03. e2 is P2's.
    assert list(activity["record_id"]) == ["c1", "f1", "g1", "a1", "p1", "e1"]
    assert list(activity["kind"]) == ["CCR", "Feedback", "Good practice", "Abstraction", "Patrol", "Event"]
    assert list(activity["status"]) == ["returned", "sent", "shared", "logged", "logged", "booked"]
    assert list(activity["returned"]) == [True, False, False, False, False, False]
    first = activity.iloc[0]
    assert (first["review_comment"], first["reviewer"], first["title"]) == (
        "Add where exactly", "Sgt Sue", "Face to face contact, Market")
    by_id = activity.set_index("record_id")
    assert by_id.loc["p1", "review"] == "pass", "the newest review wins"
    assert by_id.loc["a1", "version"] == 2
    assert pd.isna(by_id.loc["a1", "review"]), "a review of an older version no longer applies"
    assert by_id.loc["a1", "summary"] == "Response shift cover · 7.5 h"
    assert by_id.loc["e1", "date"] == dt.datetime(2025, 3, 3, 10)


def test_useful_information_belongs_to_its_creator(store):
    assert list(list_my_activity(store, user=user("S1"))["record_id"]) == ["u3", "u1"]
    assert list(list_my_activity(store, user=user("P2"))["record_id"]) == ["f2", "u2", "g2", "c2", "e2"]


def test_activity_can_be_limited_to_tables_and_rows(store):
    assert list(list_my_activity(store, user=user("P1"), tables=("patrols", "events"))["record_id"]) == ["p1", "e1"]
    assert list(list_my_activity(store, user=user("P1"), limit=2)["record_id"]) == ["c1", "f1"]
    assert list_my_activity(store, user={**user("P1"), "user_id": "nobody"}).empty


def test_returned_items(store):
    returned = list_returned(store, user=user("P1"))
    assert list(returned["record_id"]) == ["c1"]
    assert list_returned(store, user=user("P2")).empty


def test_contributions_by_week_and_chart(store):
    weeks = count_my_contributions_by_week(store, user=user("P1"), today=TODAY)
    # Week of Monday 3 March: e1, c1, p1, a1. f1 and g1 were written today (outside March 2025).
    assert weeks.to_dict("records") == [
        {"week": pd.Timestamp(2025, 3, 3), "kind": kind, "records": 1}
        for kind in ("Abstraction", "CCR", "Event", "Patrol")
    ]
    assert count_my_contributions_by_week(store, user=user("P1"), today=dt.date(2025, 6, 30)).empty
    chart = build_contributions_chart(weeks)
    assert isinstance(chart, alt.Chart)
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["color"]["field"] == "kind"


def test_my_beat_counts_what_i_logged_in_each_ward_of_my_area(store):
    beat = count_my_activity_by_ward(store, user=user("P1"), today=TODAY)
    assert tuple(beat.columns) == BEAT_COLUMNS
    # A1's wards by name: c1 in Abbey; e1 (organised) and p1 in Castle. e2, which P1 only attended, is P2's.
    assert beat[["ward_code", "name", "events", "ccrs", "patrols", "records"]].values.tolist() == [
        ["W2", "Abbey", 0, 1, 0, 1], ["W1", "Castle", 1, 0, 1, 2]]
    assert list(count_my_activity_by_ward(store, user=user("P1"), today=TODAY, days=7)["records"]) == [0, 0]
    assert count_my_activity_by_ward(store, user=user("P2"), today=TODAY)[["ward_code", "records"]].values.tolist() \
        == [["W3", 2]]
    with pytest.raises(NotAllowed):
        count_my_activity_by_ward(store, user={**user("P1"), "role": "commander"}, today=TODAY)


def test_news_newest_published_first(store):
    assert list(list_news(store, today=TODAY)["record_id"]) == ["n2", "n3", "n1"]
    assert list(list_news(store, today=TODAY, limit=2)["title"]) == ["News n2", "News n3"]
    assert list(list_news(store, today=dt.date(2025, 3, 31))["record_id"])[0] == "n4"


def test_my_feedback_and_settings(store):
    assert list(list_my_feedback(store, user=user("P1"))["text"]) == ["Quick to log a CCR"]
    assert list_settings(store, prefix="quick_link:") == {}
