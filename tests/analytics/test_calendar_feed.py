"""Calendars: .ics files that parse back to the right local and UTC times across both clock changes, text that
cannot break out of its property, who may have which calendar, data.police.uk's event format, and the audit."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import icalendar
import pytest

from analytics import calendar_feed
from analytics.calendar_feed import (
    POLICE_UK_KEYS,
    build_ics,
    list_area_events,
    list_officer_events,
    list_public_events,
    make_calendar,
)
from data import access, db
from data.store import Store
from tests.analytics.conftest import make_completed_event, make_event, save

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
SINCE = dt.date(2025, 1, 1)
HOSTILE = 'Tea, cake; chat\nBEGIN:VEVENT\r\nSUMMARY:Injected\r\nEND:VEVENT'

P1 = {"user_id": "P1", "name": "Ann Able", "role": "officer", "area_code": "A1", "active": True}
P2 = {"user_id": "P2", "name": "Ben Best", "role": "officer", "area_code": "A1", "active": True}
P3 = {"user_id": "P3", "name": "Cat Cole", "role": "officer", "area_code": "A2", "active": True}
COMMANDER = {"user_id": "C1", "name": "Chief", "role": "commander", "active": True}
ADMIN = {"user_id": "AD", "name": "Admin", "role": "admin", "active": True}


@pytest.fixture(scope="module")
def calendar_store(tmp_path_factory) -> Store:
    """Events of A1 either side of the March and October 2025 clock changes, one hostile title, one of A2.

    k1 Sat 29 Mar 18:00-19:00 (GMT: 18:00 UTC) booked, P1 organises      public (booked, not marked)
    k2 Mon 31 Mar 18:00-19:30 (BST: 17:00 UTC) booked, P2 organises, P1 attends   public
    k3 Sat 25 Oct 10:00-11:00 (BST: 09:00 UTC) completed, marked suitable        public
    k4 Mon 27 Oct 10:00-11:00 (GMT: 10:00 UTC) completed, not suitable           not public
    k5 Wed 5 Nov 12:00 booked, cancelled, P1 organises, hostile title            not public
    k6 A2 Thu 6 Nov 12:00 booked, P3
    k0 Wed 1 Dec 2024 (before SINCE): left out
    """
    store = Store(tmp_path_factory.mktemp("calendar") / "store")
    store.create()
    for code in ("A1", "A2"):
        save(store, "areas", {"area_code": code, "name": code, "centre_lat": 51.7, "centre_lon": -1.2}, f"a-{code}")
    for code, name, area in (("W1", "Castle", "A1"), ("W3", "Riverside", "A2")):
        save(store, "wards", {"ward_code": code, "name": name, "area_code": area, "centre_lat": 51.7,
                              "centre_lon": -1.2}, f"w-{code}")
    for user in (P1, P2, P3):
        save(store, "users", {**user, "email": f"{user['user_id'].lower()}@example.police.uk", "rank": "PC"},
             f"u-{user['user_id']}")
    T = dt.datetime
    save(store, "events", make_event(title="k1", start=T(2025, 3, 29, 18)), "k1")
    save(store, "events", make_event(title="k2", organiser="P2", officers_attending=["P1"],
                                     start=T(2025, 3, 31, 18)) | {"end": T(2025, 3, 31, 19, 30)}, "k2")
    save(store, "events", make_completed_event(attendees=9, officers=["P2"], title="k3", organiser="P2",
                                               start=T(2025, 10, 25, 10), suitable_for_publishing=True), "k3")
    save(store, "events", make_completed_event(attendees=9, officers=["P2"], title="k4", organiser="P2",
                                               start=T(2025, 10, 27, 10), suitable_for_publishing=False), "k4")
    k5 = make_event(title=HOSTILE, place="Hall; side door, rear", start=T(2025, 11, 5, 12))
    save(store, "events", k5, "k5")
    save(store, "events", {**k5, "status": "cancelled", "cancel_reason": "Hall shut"}, "k5-cancel", record_id="k5")
    save(store, "events", make_event(title="k6", area_code="A2", ward_code="W3", organiser="P3",
                                     start=T(2025, 11, 6, 12)), "k6")
    save(store, "events", make_event(title="k0", start=T(2024, 12, 1, 12)), "k0")
    return store


def _vevents(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["uid"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


def test_times_survive_both_clock_changes(calendar_store):
    events = _vevents(build_ics(list_area_events(calendar_store, user=P1, area_code="A1", since=SINCE), name="A1"))
    expected = {  # local start, UTC start
        "k1": (dt.datetime(2025, 3, 29, 18), dt.datetime(2025, 3, 29, 18, tzinfo=UTC)),
        "k2": (dt.datetime(2025, 3, 31, 18), dt.datetime(2025, 3, 31, 17, tzinfo=UTC)),
        "k3": (dt.datetime(2025, 10, 25, 10), dt.datetime(2025, 10, 25, 9, tzinfo=UTC)),
        "k4": (dt.datetime(2025, 10, 27, 10), dt.datetime(2025, 10, 27, 10, tzinfo=UTC)),
    }
    for key, (local, utc) in expected.items():
        start = events[key].decoded("dtstart")
        assert start.tzinfo is not None and str(start.tzinfo) == "Europe/London"
        assert start.replace(tzinfo=None) == local
        assert start.astimezone(UTC) == utc
    k2_end = events["k2"].decoded("dtend")
    assert k2_end.astimezone(UTC) == dt.datetime(2025, 3, 31, 18, 30, tzinfo=UTC)


def test_the_file_is_rfc5545_with_a_timezone_and_stable_uids(calendar_store):
    frame = list_area_events(calendar_store, user=P1, area_code="A1", since=SINCE)
    data = build_ics(frame, name="A1")
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["version"]) == "2.0" and "PRODID" in calendar
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert b"\r\n" in data and all(len(line) <= 75 for line in data.split(b"\r\n"))
    events = _vevents(data)
    assert sorted(events) == ["k1", "k2", "k3", "k4", "k5"]  # k0 before SINCE, k6 in A2
    assert all("DTSTAMP" in e for e in events.values())
    assert _vevents(build_ics(frame, name="again")).keys() == events.keys()  # the same UIDs every time
    assert str(events["k5"]["status"]) == "CANCELLED" and str(events["k3"]["status"]) == "CONFIRMED"
    assert int(events["k5"]["sequence"]) == 1 and int(events["k1"]["sequence"]) == 0  # edited once


def test_text_is_escaped_not_obeyed(calendar_store):
    data = build_ics(list_area_events(calendar_store, user=P1, area_code="A1", since=SINCE), name="A1")
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert len(events) == 5  # no sixth event injected
    hostile = _vevents(data)["k5"]
    assert str(hostile["summary"]) == HOSTILE.replace("\r\n", "\n")
    assert str(hostile["location"]) == "Hall; side door, rear, Castle"
    lines = data.split(b"\r\n")
    assert lines.count(b"BEGIN:VEVENT") == 5 and not any(line.startswith(b"SUMMARY:Injected") for line in lines)


def test_an_officer_has_their_own_events(calendar_store):
    assert sorted(list_officer_events(calendar_store, user=P1, since=SINCE)["title"]) == sorted(["k1", "k2", HOSTILE])
    assert sorted(list_officer_events(calendar_store, user=P2, since=SINCE)["title"]) == ["k2", "k3", "k4"]
    with pytest.raises(access.NotAllowed):
        list_officer_events(calendar_store, user=COMMANDER)


def test_an_area_calendar_is_for_its_team_and_the_dashboard_roles(calendar_store):
    assert list(list_area_events(calendar_store, user=COMMANDER, area_code="A2", since=SINCE)["title"]) == ["k6"]
    for user in (P3, ADMIN):
        with pytest.raises(access.NotAllowed):
            list_area_events(calendar_store, user=user, area_code="A1", since=SINCE)


def test_public_events_in_the_police_uk_format(calendar_store):
    public = list_public_events(calendar_store, user=P1, area_code="A1", since=SINCE)
    assert list(public["title"]) == ["k1", "k2", "k3"]  # k4 unsuitable, k5 cancelled
    made = make_calendar(calendar_store, user=P1, area_code="A1", fmt="police-uk", since=SINCE)
    assert made.file_name == "public-events-a1.json" and made.mime == "application/json"
    rows = json.loads(made.data)
    assert [tuple(row) for row in rows] == [POLICE_UK_KEYS] * 3
    assert rows[1] == {"title": "k2", "description": "Street meeting in Castle", "address": "The green, Castle",
                       "type": "Street meeting", "start_date": "2025-03-31T18:00:00",
                       "end_date": "2025-03-31T19:30:00", "contact_details": {"email": "p2@example.police.uk"}}
    with pytest.raises(ValueError, match="area"):
        make_calendar(calendar_store, user=P1, fmt="police-uk")


def _audit(store: Store) -> list[dict]:
    return db.records(f"SELECT user_id, action, table_name, target_ids, detail FROM {store.relation('audit')}"
                      " ORDER BY written_at")


def test_each_calendar_made_is_audited(calendar_store):
    before = len(_audit(calendar_store))
    made = make_calendar(calendar_store, user=P1, since=SINCE, context="page /my_activity")
    assert made.file_name == "my-events-p1.ics" and made.mime == "text/calendar"
    audit = _audit(calendar_store)
    assert len(audit) == before + 1
    entry = audit[-1]
    assert entry["action"] == "export" and entry["user_id"] == "P1" and entry["table_name"] == "events"
    assert sorted(entry["target_ids"]) == ["k1", "k2", "k5"]
    assert entry["detail"] == "my-events-p1.ics: events (3 rows); page /my_activity"
    with pytest.raises(ValueError, match="format"):
        make_calendar(calendar_store, user=P1, fmt="pdf")


def test_limits_are_sane():
    assert calendar_feed.MAX_EVENTS <= 5000  # every id fits one audit entry


def test_the_command_line_writes_both_formats(calendar_store, tmp_path, capsys):
    from analytics.__main__ import main

    ics = tmp_path / "p1.ics"
    assert main(["calendar", "--store", str(calendar_store.root), "--officer", "P1", "--since", "2025-01-01",
                 "--out", str(ics)]) == 0
    assert sorted(str(e["summary"]) for e in icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")) \
        == sorted(["k1", "k2", HOSTILE.replace("\r\n", "\n")])
    public = tmp_path / "a1.json"
    assert main(["calendar", "--store", str(calendar_store.root), "--area", "A1", "--format", "police-uk",
                 "--since", "2025-01-01", "--out", str(public)]) == 0
    assert [row["title"] for row in json.loads(public.read_text())] == ["k1", "k2", "k3"]
    assert main(["calendar", "--store", str(calendar_store.root), "--officer", "P1", "--format", "police-uk",
                 "--out", str(tmp_path / "x.json")]) == 1
    assert "public events are an area's" in capsys.readouterr().err
    unknown = tmp_path / "nope.ics"
    assert main(["calendar", "--store", str(calendar_store.root), "--area", "NOPE", "--out", str(unknown)]) == 1
    assert "no area NOPE in the store" in capsys.readouterr().err and not unknown.exists()


def test_an_empty_store_and_the_demo_force(tmp_path, demo_store_root):
    import shutil

    from data.reference import list_users

    empty = Store(tmp_path / "empty")
    empty.create()
    made = make_calendar(empty, user=P1, since=SINCE)  # an officer's own calendar: no events yet
    assert icalendar.Calendar.from_ical(made.data).walk("VEVENT") == []
    for fmt in ("ics", "police-uk"):  # no areas yet: an area's calendar names the area it cannot find
        with pytest.raises(ValueError, match="no area A1 in the store"):
            make_calendar(empty, user=COMMANDER, area_code="A1", fmt=fmt)

    shutil.copytree(demo_store_root, tmp_path / "demo")
    demo = Store(tmp_path / "demo")
    officers = list_users(demo, role="officer")
    officer = officers.iloc[0].to_dict()
    since = dt.date.today() - dt.timedelta(days=365)
    expected = list_officer_events(demo, user=officer, since=since)
    events = icalendar.Calendar.from_ical(make_calendar(demo, user=officer, since=since).data).walk("VEVENT")
    assert len(events) == len(expected) > 0
    for event, row in zip(events, expected.to_dict("records"), strict=True):
        assert event.decoded("dtstart").replace(tzinfo=None) == row["start"].to_pydatetime()
