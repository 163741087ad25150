"""The event dashboards' query sets on a small store, against hand-computed figures.

The store is the shared fixture store (see tests/analytics/conftest.py) plus:
  e8  A1/W2 Community meeting 2025-03-22 completed att 10 inv 3 [P1, P2] communities Students, Older people
      issues Speeding, issues_text "Cars racing...", value gained, suitable for publishing, intel 2
  e9  A2/W3 Business watch    2025-03-25 completed att 6  inv 1 [P3]     communities Students
      no issues, value gained, not suitable
  c6  A1/W1 CCR 2025-03-26 P1 Parking, issues_text "Parking on the pavement..."
  y5  A1 raised 2025-02-10, action Reassurance 2025-03-05 by P2 (counts in March: by action date)
  y6  A2 raised 2025-03-28, action Media appeal 2025-04-03 (does not count in March)
  users P1 PC Ann Smith, P2 PCSO Bob Jones (P3 has no user record: shown by id)

March's completed events are then e1, e2, e7, e8, e9; e3 is booked, e4 cancelled.
"""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import events_dash, queries
from analytics.filters import Filters
from data.store import Store
from tests.analytics.conftest import MARCH, build_fixture_store, make_ccr, make_completed_event, make_ysywd, save
from tests.conftest import ANALYST

ALL_MARCH = Filters(start=MARCH[0], end=MARCH[1])


@pytest.fixture(scope="module")
def dash_store(tmp_path_factory) -> Store:
    store = build_fixture_store(tmp_path_factory.mktemp("events_dash") / "store")
    save(store, "events", make_completed_event(
        attendees=10, officers=["P1", "P2"], officers_involved=3, title="Residents' coffee morning",
        event_type="Community meeting", ward_code="W2", start=dt.datetime(2025, 3, 22, 10),
        communities_supported=["Students", "Older people"], issues=["Speeding"],
        issues_text="Cars racing on the high street at night", value_gained="New residents' group formed",
        suitable_for_publishing=True, intel_submissions=2), "e8")
    save(store, "events", make_completed_event(
        attendees=6, officers=["P3"], title="Shop watch", event_type="Business watch", area_code="A2",
        ward_code="W3", start=dt.datetime(2025, 3, 25, 10), communities_supported=["Students"],
        value_gained="Two new watch members", suitable_for_publishing=False, intel_submissions=0), "e9")
    save(store, "ccrs", make_ccr(contact_at=dt.datetime(2025, 3, 26, 10), issues=["Parking"],
                                 issues_text="Parking on the pavement by the school"), "c6")
    save(store, "ysywd", make_ysywd(raised_on=dt.date(2025, 2, 10), status="closed", actions=[
        {"action_type": "Reassurance", "text": "Visited", "date": dt.date(2025, 3, 5), "officer_id": "P2"}]), "y5")
    save(store, "ysywd", make_ysywd(area_code="A2", raised_on=dt.date(2025, 3, 28), status="action_taken", actions=[
        {"action_type": "Media appeal", "text": "Appeal", "date": dt.date(2025, 4, 3), "officer_id": "P3"}]), "y6")
    for user_id, name, rank, role in (("P1", "Ann Smith", "PC", "officer"), ("P2", "Bob Jones", "PCSO", "officer")):
        save(store, "users", {"user_id": user_id, "name": name, "email": f"{user_id}@example.org", "role": role,
                              "rank": rank, "area_code": "A1"}, f"user-{user_id}")
    return store


def rows(frame, *columns):
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


# -- Events completed -------------------------------------------------------------


def test_events_completed_headline(dash_store):
    result = events_dash.events_completed(dash_store, ALL_MARCH, user=ANALYST)
    assert result.headline == {
        "events_completed": 5,  # e1, e2, e7, e8, e9
        "attendees": 57,  # 12 + 25 + 4 + 10 + 6
        "officer_attendances": 8,  # officers_involved 2 + 1 + 1 + 3 + 1
        "communities_supported": 2,  # Students, Older people
    }


def test_events_completed_tables(dash_store):
    result = events_dash.events_completed(dash_store, ALL_MARCH, user=ANALYST)
    assert list(result.events["record_id"]) == ["e9", "e8", "e7", "e2", "e1"]  # newest first
    assert result.events.loc[1, "communities"] == "Students, Older people"
    assert rows(result.by_type, "event_type", "completed", "attendees") == [
        ("Business watch", 2, 10),  # e7 4 + e9 6
        ("Community meeting", 1, 10),
        ("School visit", 1, 25),
        ("Street meeting", 1, 12),
    ]
    assert rows(result.by_community, "community", "events") == [("Students", 2), ("Older people", 1)]
    assert rows(result.by_area, "area_code", "events", "attendees") == [("A1", 3, 47), ("A2", 2, 10)]  # 12+25+10
    assert rows(result.by_ward, "ward_code", "events", "attendees") == [("W2", 2, 35), ("W3", 2, 10), ("W1", 1, 12)]
    assert rows(result.by_officer, "officer_id", "officer", "events", "attendees") == [
        ("P2", "PCSO Bob Jones", 3, 47),  # e1 12 + e2 25 + e8 10
        ("P1", "PC Ann Smith", 2, 22),  # e1 12 + e8 10
        ("P3", "P3", 2, 10),  # e7 4 + e9 6
    ]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 9])
def test_events_completed_table_keeps_the_latest_whatever_the_limit(dash_store, monkeypatch, limit):
    # The table's query reads only the days holding the latest `limit` completed events.
    monkeypatch.setattr(events_dash, "COMPLETED_ROWS", limit)
    result = events_dash.events_completed(dash_store, ALL_MARCH, user=ANALYST)
    assert list(result.events["record_id"]) == ["e9", "e8", "e7", "e2", "e1"][:limit]


def test_events_completed_for_one_area_and_an_empty_period(dash_store):
    north = events_dash.events_completed(dash_store, Filters(start=MARCH[0], end=MARCH[1], areas=("A1",)), user=ANALYST)
    assert north.headline["events_completed"] == 3  # e1, e2, e8
    assert north.headline["officer_attendances"] == 6  # 2 + 1 + 3
    assert list(north.by_ward["ward_code"]) == ["W2", "W1"]  # only North's wards on the map
    empty = events_dash.events_completed(dash_store, Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31)),
                                         user=ANALYST)
    assert empty.headline == dict.fromkeys(("events_completed", "attendees", "officer_attendances",
                                            "communities_supported"), 0)
    assert empty.events.empty and empty.by_area.empty
    assert list(empty.by_ward["events"]) == [0, 0, 0]


# -- Event outcomes ---------------------------------------------------------------


def test_event_outcomes_headline_and_issues(dash_store):
    result = events_dash.event_outcomes(dash_store, ALL_MARCH, user=ANALYST)
    assert result.headline == {
        "intel_submissions": 4,  # events e1 1 + e8 2, plus CCR c1
        "events_completed": 5,
        "event_intel_submissions": 3,
        "ccr_info_submitted": 1,
        "suitable_for_publishing": 1,  # e8
        "actions": 3,  # y2 12 Mar, y3 20 Mar, y5 5 Mar (y6's is in April)
    }
    # Speeding e1 e2 e8 c1 c3 = 5; Parking e1 e7 c2 c6 = 4; Drugs c2 c3; Theft c1 c2; Burglary c3
    assert result.top_issues == [{"issue": "Speeding", "count": 5}, {"issue": "Parking", "count": 4},
                                 {"issue": "Drugs", "count": 2}, {"issue": "Theft", "count": 2},
                                 {"issue": "Burglary", "count": 1}]
    assert rows(result.issue_counts, "issue", "count")[-1] == ("Youth nuisance", 1)  # every issue, for the cloud
    # "Cars racing on the high street at night" + "Parking on the pavement by the school":
    # stop words (on, the, at, by) and "street" left out, each remaining word once
    assert sorted(rows(result.issue_words, "word", "count")) == [
        ("cars", 1), ("high", 1), ("night", 1), ("parking", 1), ("pavement", 1), ("racing", 1), ("school", 1)]
    assert rows(result.value_gained, "record_id", "value_gained") == [
        ("e9", "Two new watch members"), ("e8", "New residents' group formed")]


def test_issue_words_count_every_occurrence_of_a_repeated_text(tmp_path):
    from analytics.wordcloud import word_counts

    store = build_fixture_store(tmp_path / "store")
    texts = ["Bikes on the pavement", "Bikes on the pavement", "Bikes racing at night"]
    for i, text in enumerate(texts[:2]):
        save(store, "events", make_completed_event(attendees=1, officers=["P1"], issues_text=text,
                                                   start=dt.datetime(2025, 3, 27 + i, 10)), f"rep{i}")
    save(store, "ccrs", make_ccr(contact_at=dt.datetime(2025, 3, 29, 10), issues_text=texts[2]), "rep-ccr")
    words = dict(rows(events_dash.event_outcomes(store, Filters(start=dt.date(2025, 3, 27),
                                                                   end=dt.date(2025, 3, 31)), user=ANALYST).issue_words,
                      "word", "count"))
    assert words == word_counts(texts) == {"bikes": 3, "pavement": 2, "racing": 1, "night": 1}


def test_you_said_we_did_actions_count_by_action_date(dash_store):
    march = events_dash.event_outcomes(dash_store, ALL_MARCH, user=ANALYST)
    assert rows(march.actions_by_type, "action_type", "actions") == [("Enforcement", 2), ("Reassurance", 1)]
    april = events_dash.event_outcomes(dash_store, Filters(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30)),
                                       user=ANALYST)
    assert rows(april.actions_by_type, "action_type", "actions") == [("Media appeal", 1)]  # y6, raised in March
    south = events_dash.event_outcomes(dash_store, Filters(start=MARCH[0], end=MARCH[1], areas=("A2",)), user=ANALYST)
    assert rows(south.actions_by_type, "action_type", "actions") == [("Enforcement", 1)]  # y2
    by_p2 = events_dash.event_outcomes(dash_store, Filters(start=MARCH[0], end=MARCH[1], officers=("P2",)),
                                       user=ANALYST)
    assert rows(by_p2.actions_by_type, "action_type", "actions") == [("Reassurance", 1)]  # y5's action by P2


# -- Engagement activity ----------------------------------------------------------


def test_engagement_activity(dash_store):
    result = events_dash.engagement_activity(dash_store, ALL_MARCH, user=ANALYST)
    assert result.headline == {
        "events_booked": 6,  # e1 e2 e3 e7 e8 e9 (e4 cancelled)
        "officer_attendances": 8,  # completed only: 2 + 1 + 1 + 3 + 1
        "distinct_officers": 3,  # P1, P2, P3 attended completed events
    }
    assert [(d.isoformat()[:10], n) for d, n in rows(result.by_date, "day", "events")] == [
        ("2025-03-03", 1), ("2025-03-05", 1), ("2025-03-10", 1), ("2025-03-15", 1), ("2025-03-22", 1),
        ("2025-03-25", 1)]
    assert rows(result.by_type, "event_type", "events") == [
        ("Business watch", 2), ("Street meeting", 2), ("Community meeting", 1), ("School visit", 1)]
    assert rows(result.by_officer, "officer_id", "events", "completed") == [
        ("P2", 3, 3),  # e1 e2 e8
        ("P3", 3, 2),  # e3 (booked) e7 e9
        ("P1", 2, 2),  # e1 e8
    ]
    assert rows(result.by_area, "area_code", "events") == [("A1", 3), ("A2", 3)]
    assert rows(result.by_ward, "ward_code", "events") == [("W3", 3), ("W2", 2), ("W1", 1)]


def test_engagement_activity_for_one_officer(dash_store):
    # P3 organised e3 and attended e7 and e9
    result = events_dash.engagement_activity(dash_store, Filters(start=MARCH[0], end=MARCH[1], officers=("P3",)),
                                             user=ANALYST)
    assert result.headline["events_booked"] == 3
    assert rows(result.by_ward, "ward_code", "events") == [("W3", 3), ("W2", 0), ("W1", 0)]  # zeros by name


def test_engagement_activity_for_an_empty_period(dash_store):
    empty = events_dash.engagement_activity(dash_store, Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31)),
                                            user=ANALYST)
    assert empty.headline == {"events_booked": 0, "officer_attendances": 0, "distinct_officers": 0}
    assert empty.by_date.empty and empty.by_type.empty and empty.by_officer.empty and empty.by_area.empty
    assert list(empty.by_ward["events"]) == [0, 0, 0]


# -- agreement with summary -------------------------------------------------------


@pytest.mark.parametrize("filters", [
    ALL_MARCH,
    Filters(start=MARCH[0], end=MARCH[1], areas=("A1",)),
    Filters(start=MARCH[0], end=MARCH[1], wards=("W3",)),
    Filters(start=MARCH[0], end=MARCH[1], officers=("P2",)),
    Filters(start=MARCH[0], end=dt.date(2025, 4, 30), event_types=("Street meeting",)),
])
def test_every_page_agrees_with_summary(dash_store, filters):
    summary = queries.summary(dash_store, filters)
    completed = events_dash.events_completed(dash_store, filters, user=ANALYST)
    outcomes = events_dash.event_outcomes(dash_store, filters, user=ANALYST)
    activity = events_dash.engagement_activity(dash_store, filters, user=ANALYST)
    for name in ("events_completed", "attendees", "officer_attendances"):
        assert completed.headline[name] == summary[name], name
    assert outcomes.headline["intel_submissions"] == summary["intel_submissions"]
    assert outcomes.top_issues == summary["top_issues"]
    for name in ("events_booked", "officer_attendances", "distinct_officers"):
        assert activity.headline[name] == summary[name], name
    assert int(activity.by_area["events"].sum()) == summary["events_booked"]
    assert int(completed.by_ward["events"].sum()) == summary["events_completed"]


def test_a_save_shows_on_the_next_call(tmp_path):
    store = build_fixture_store(tmp_path / "store")
    before = events_dash.events_completed(store, ALL_MARCH, user=ANALYST).headline["events_completed"]
    save(store, "events", make_completed_event(attendees=3, officers=["P1"], start=dt.datetime(2025, 3, 29, 10)),
         "new")
    assert events_dash.events_completed(store, ALL_MARCH, user=ANALYST).headline["events_completed"] == before + 1


# -- the charts the pages draw from these frames ----------------------------------


def test_the_drill_chart_selects_by_code_and_the_daily_chart_spans_the_period(dash_store):
    from analytics.charts import SELECTION, build_daily_chart, build_drill_bar_chart

    result = events_dash.engagement_activity(dash_store, ALL_MARCH, user=ANALYST)
    spec = build_drill_bar_chart(result.by_area, code="area_code", label="name", measure="events",
                                 title="Area").to_dict()
    (param,) = spec["params"]
    assert (param["name"], param["select"]["fields"]) == (SELECTION, ["area_code"])
    assert spec["encoding"]["y"]["field"] == "name"
    daily = build_daily_chart(result.by_date, start=MARCH[0], end=MARCH[1]).to_dict()
    assert daily["encoding"]["x"]["scale"]["domain"] == ["2025-03-01", "2025-04-01"]
