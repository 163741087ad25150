"""Every query against the fixture store (see conftest.py for its contents)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import queries, sql
from analytics.filters import Filters
from tests.analytics.conftest import MARCH, make_completed_event
from tests.conftest import ANALYST

MARCH_FILTERS = Filters(start=MARCH[0], end=MARCH[1])


def test_summary_for_march(fixture_store):
    assert queries.summary(fixture_store, MARCH_FILTERS) == {
        "events_booked": 4,  # e1, e2, e3, e7 (e4 cancelled, e5 deleted, e6 in April)
        "events_completed": 3,  # e1, e2, e7
        "attendees": 41,  # 12 + 25 (e2's edited figure) + 4
        "officer_attendances": 4,  # 2 + 1 + 1
        "distinct_officers": 3,  # P1, P2 (e1, e2) and P3 (e7)
        "ccrs": 3,  # c1, c2, c3 (c4 deleted, c5 in February)
        "ccrs_diversity_consent": 2,  # c1, c3
        "smart_alert_signups": 1,  # c1
        "intel_submissions": 2,  # events 1 + 0 + 0, plus c1's information
        "top_issues": [
            {"issue": "Speeding", "count": 4},  # e1, e2, c1, c3
            {"issue": "Parking", "count": 3},  # e1, e7, c2
            {"issue": "Drugs", "count": 2},  # c2, c3 — ties with Theft, first by name
            {"issue": "Theft", "count": 2},  # c1, c2
            {"issue": "Burglary", "count": 1},  # c3 (e3's is booked) — before Youth nuisance (e7)
        ],
        "ysywd_open": 1,  # y1
        "ysywd_closed": 2,  # y2, y3 (closed by its edit)
    }


def test_summary_all_time(fixture_store):
    got = queries.summary(fixture_store)
    assert got["events_booked"] == 5  # March's 4 + e6
    assert got["events_completed"] == 4
    assert got["attendees"] == 91  # 41 + 50
    assert got["officer_attendances"] == 6  # 4 + 2
    assert got["distinct_officers"] == 4  # + P6
    assert got["ccrs"] == 4  # + c5
    assert got["ccrs_diversity_consent"] == 3
    assert got["smart_alert_signups"] == 2
    assert got["intel_submissions"] == 6  # events 1 + 3 (e6), CCRs c1 + c5
    assert got["top_issues"][:2] == [{"issue": "Speeding", "count": 5}, {"issue": "Parking", "count": 4}]
    assert (got["ysywd_open"], got["ysywd_closed"]) == (2, 2)  # y1, y4 open


def test_summary_for_one_area(fixture_store):
    got = queries.summary(fixture_store, Filters(start=MARCH[0], end=MARCH[1], areas=("A1",)))
    assert got == {
        "events_booked": 2, "events_completed": 2,  # e1, e2
        "attendees": 37,  # 12 + 25
        "officer_attendances": 3,  # 2 + 1
        "distinct_officers": 2,  # P1, P2
        "ccrs": 2, "ccrs_diversity_consent": 2, "smart_alert_signups": 1,  # c1, c3
        "intel_submissions": 2,  # e1's 1 + c1
        "top_issues": [{"issue": "Speeding", "count": 4},  # e1, e2, c1, c3
                       {"issue": "Burglary", "count": 1}, {"issue": "Drugs", "count": 1},
                       {"issue": "Parking", "count": 1}, {"issue": "Theft", "count": 1}],
        "ysywd_open": 1, "ysywd_closed": 1,  # y1 open, y3 closed
    }


def test_summary_for_an_officer_counts_attended_and_organised_events(fixture_store):
    got = queries.summary(fixture_store, Filters(start=MARCH[0], end=MARCH[1], officers=("P3",)))
    assert got["events_booked"] == 2  # e3 (organised and attended), e7 (attended)
    assert got["events_completed"] == 1  # e7
    assert got["attendees"] == 4
    assert got["ccrs"] == 1  # c2


def test_summary_for_an_event_type(fixture_store):
    got = queries.summary(fixture_store, Filters(start=MARCH[0], end=MARCH[1], event_types=("Street meeting",)))
    assert (got["events_booked"], got["events_completed"], got["attendees"]) == (2, 1, 12)  # e1, e3
    assert got["ccrs"] == 3  # event types narrow events only


def test_summary_of_an_empty_period(fixture_store):
    got = queries.summary(fixture_store, Filters(start=dt.date(2030, 1, 1), end=dt.date(2030, 1, 31)))
    assert got["events_booked"] == 0 and got["attendees"] == 0 and got["distinct_officers"] == 0
    assert got["top_issues"] == [] and got["ysywd_open"] == 0


def test_events_overview_for_march(fixture_store):
    got = queries.events_overview(fixture_store, MARCH_FILTERS, user=ANALYST)
    assert got.headline == {
        "events_booked": 4, "events_completed": 3, "events_cancelled": 1,  # e4
        "attendees": 41, "officer_attendances": 4, "event_intel_submissions": 1, "distinct_officers": 3,
    }
    # e1, e2 in the week of Mon 3 March; e3 (booked), e4 (cancelled), e7 (Sat 15th) in the week of the 10th.
    assert [(w.date(), s, n) for w, s, n in got.by_week.itertuples(index=False)] == [
        (dt.date(2025, 3, 3), "completed", 2),
        (dt.date(2025, 3, 10), "booked", 1),
        (dt.date(2025, 3, 10), "cancelled", 1),
        (dt.date(2025, 3, 10), "completed", 1),
    ]
    assert got.by_type.to_dict("records") == [
        {"event_type": "Street meeting", "events": 2, "completed": 1, "attendees": 12},  # e1, e3
        {"event_type": "Business watch", "events": 1, "completed": 1, "attendees": 4},  # e7
        {"event_type": "School visit", "events": 1, "completed": 1, "attendees": 25},  # e2
        {"event_type": "Community meeting", "events": 0, "completed": 0, "attendees": 0},  # e4, cancelled
    ]
    assert got.by_area[["area_code", "area", "events", "completed", "attendees"]].to_dict("records") == [
        {"area_code": "A1", "area": "North", "events": 2, "completed": 2, "attendees": 37},
        {"area_code": "A2", "area": "South", "events": 2, "completed": 1, "attendees": 4},
    ]
    assert got.by_ward[["ward_code", "name", "area_code", "events", "completed", "attendees"]].to_dict("records") == [
        {"ward_code": "W1", "name": "Castle", "area_code": "A1", "events": 1, "completed": 1, "attendees": 12},
        {"ward_code": "W2", "name": "Abbey", "area_code": "A1", "events": 1, "completed": 1, "attendees": 25},
        {"ward_code": "W3", "name": "Riverside", "area_code": "A2", "events": 2, "completed": 1, "attendees": 4},
    ]
    assert list(got.by_ward.columns) == ["ward_code", "name", "area_code", "centre_lat", "centre_lon",
                                         "events", "completed", "attendees"]
    assert list(got.latest["title"]) == ["e7", "e4", "e3", "e2", "e1"]  # newest start first
    assert list(got.latest["record_id"]) == ["e7", "e4", "e3", "e2", "e1"]
    assert got.latest.loc[got.latest["record_id"] == "e2", "attendees"].item() == 25
    assert list(got.latest[["area", "ward"]].iloc[0]) == ["South", "Riverside"]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 6])
def test_events_overview_latest_keeps_the_latest_whatever_the_limit(fixture_store, monkeypatch, limit):
    # The latest events' query reads only the days holding the latest `limit` events.
    monkeypatch.setattr(queries, "LATEST_EVENTS", limit)
    got = queries.events_overview(fixture_store, MARCH_FILTERS, user=ANALYST)
    assert list(got.latest["record_id"]) == ["e7", "e4", "e3", "e2", "e1"][:limit]


def test_events_overview_headline_matches_summary(fixture_store):
    for filters in (MARCH_FILTERS, Filters(), Filters(areas=("A2",))):
        overview = queries.events_overview(fixture_store, filters, user=ANALYST).headline
        figures = queries.summary(fixture_store, filters)
        for name in ("events_booked", "events_completed", "attendees", "officer_attendances", "distinct_officers"):
            assert overview[name] == figures[name], (filters, name)


def test_events_overview_map_keeps_every_ward_in_scope(fixture_store):
    got = queries.events_overview(fixture_store, Filters(start=MARCH[0], end=MARCH[1], areas=("A1",)), user=ANALYST)
    assert list(got.by_ward["ward_code"]) == ["W1", "W2"]  # A2's W3 is out of scope
    empty = queries.events_overview(fixture_store, Filters(start=dt.date(2030, 1, 1), end=dt.date(2030, 1, 2)),
                                    user=ANALYST)
    assert list(empty.by_ward["events"]) == [0, 0, 0]
    assert empty.latest.empty and empty.by_week.empty and empty.headline["events_booked"] == 0


def test_list_ward_shapes(fixture_store):
    got = queries.list_ward_shapes(fixture_store, Filters(areas=("A1",)), user=ANALYST)
    assert list(got["ward_code"]) == ["W1", "W2"]
    assert got.loc[0, "geojson"].startswith('{"type": "Polygon"') and pd.isna(got.loc[1, "geojson"])


def test_cache_shows_a_save_on_the_next_call(tmp_path):
    from tests.analytics.conftest import build_fixture_store, save

    store = build_fixture_store(tmp_path / "store")
    before = queries.summary(store, MARCH_FILTERS)
    assert queries.summary(store, MARCH_FILTERS) == before  # served from the cache
    save(store, "events", make_completed_event(attendees=9, officers=["P9"], start=dt.datetime(2025, 3, 28, 10)),
         "e8")
    after = queries.summary(store, MARCH_FILTERS)
    assert after["attendees"] == before["attendees"] + 9
    assert after["distinct_officers"] == before["distinct_officers"] + 1


def test_cache_hands_out_copies(fixture_store):
    first = queries.events_overview(fixture_store, MARCH_FILTERS, user=ANALYST)
    first.by_type.loc[:, "events"] = -1
    first.headline["events_booked"] = -1
    second = queries.events_overview(fixture_store, MARCH_FILTERS, user=ANALYST)
    assert second.headline["events_booked"] == 4 and (second.by_type["events"] >= 0).all()


def test_cache_can_be_turned_off(fixture_store):
    sql.clear_parts()
    with sql.trace() as statements:
        queries.summary(fixture_store, MARCH_FILTERS)
        once = len(statements)
        queries.summary(fixture_store, MARCH_FILTERS)
        assert once > 0 and len(statements) == once  # then the cache answers
        sql.set_cache_enabled(False)
        queries.summary(fixture_store, MARCH_FILTERS)
        again = len(statements) - once
        queries.summary(fixture_store, MARCH_FILTERS)
        # Every call runs SQL again, but the data files' kept parts (`sql.additive`) are not read again.
        assert 0 < again < once and len(statements) == once + 2 * again


def test_suppress_small():
    frame = pd.DataFrame({"group": ["a", "b", "c", "d", "e"], "people": [0, 1, 4, 5, None],
                          "events": [1, 2, 3, 4, 5]})
    got = queries.suppress_small(frame, ["people"])
    assert list(got["people"][:4]) == [0, "<5", "<5", 5]
    assert pd.isna(got["people"].iloc[4])
    assert list(got["events"]) == [1, 2, 3, 4, 5]  # other columns untouched
    assert list(frame["people"][:4]) == [0, 1, 4, 5]  # the input is not changed
    assert list(queries.suppress_small(frame, ["events"], threshold=3)["events"]) == ["<3", "<3", 3, 4, 5]


def test_latest_from_finds_the_day_the_latest_rows_reach_back_to():
    days = pd.DataFrame({"day": [dt.date(2025, 3, 3), dt.date(2025, 3, 18), dt.date(2025, 3, 11)], "n": [4, 2, 3]})
    assert sql.latest_from(days, 1) == dt.datetime(2025, 3, 18)
    assert sql.latest_from(days, 2) == dt.datetime(2025, 3, 18)  # 18 March alone holds 2
    assert sql.latest_from(days, 3) == dt.datetime(2025, 3, 11)  # 2 + 3
    assert sql.latest_from(days, 9) == dt.datetime(2025, 3, 3)  # 2 + 3 + 4
    assert sql.latest_from(days, 10) is None  # fewer rows than asked for: no cut-off
    assert sql.latest_from(days.iloc[:0], 1) is None
