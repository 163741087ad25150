"""A tiny store with known contents, for asserting exact figures.

Everything happens in March 2025 unless noted. The comments next to each
record are what the tests' hand arithmetic relies on.

Areas A1 (North: wards W1, W2) and A2 (South: ward W3).

Events (current state):
  e1  A1/W1 Street meeting     2025-03-03 Mon  completed  att 12  inv 2  [P1, P2]  issues Speeding, Parking  intel 1
  e2  A1/W2 School visit       2025-03-05      completed  att 25  inv 1  [P2]      issues Speeding           intel 0
      (saved booked, then edited to completed with 25 attendees)
  e3  A2/W3 Street meeting     2025-03-10 Mon  booked     organiser P3 [P3]  issues Burglary (booked: not counted)
  e4  A2/W3 Community meeting  2025-03-12      cancelled
  e5  A1/W1 Street meeting     2025-03-20      completed  att 8 — then deleted (never counted)
  e6  A1/W1 Street meeting     2025-04-02      completed  att 50 inv 2  [P6]  issues Parking  intel 3  (April)
  e7  A2/W3 Business watch     2025-03-15 Sat  completed  att 4   inv 1  [P3]  issues Parking, Youth nuisance
      (saved twice with one submission id: stored once)

CCRs:
  c1  A1/W1 2025-03-03 P1 Face to face  Speeding, Theft            consent, alert, info
  c2  A2/W3 2025-03-11 P3 Telephone     Drugs, Parking, Theft
  c3  A1/W2 2025-03-18 P2 Face to face  Speeding, Drugs, Burglary  consent (issues edited to add Drugs, Burglary)
  c4  A1/W1 2025-03-25 P1 — deleted
  c5  A1/W1 2025-02-20 P1 Face to face  Speeding  consent, alert, info  (February)

You said, we did:
  y1 A1 2025-03-04 open; y2 A2 2025-03-10 closed; y3 A1 2025-03-15 in_progress, edited to closed;
  y4 A1 2025-01-10 open (January)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from analytics import sql
from data.store import Store

MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))

W1_SHAPE = json.dumps({"type": "Polygon", "coordinates": [[[-1.3, 51.7], [-1.2, 51.7], [-1.2, 51.8],
                                                          [-1.3, 51.8], [-1.3, 51.7]]]})


def make_event(**overrides) -> dict:
    """A valid booked event; override any field."""
    start = overrides.pop("start", dt.datetime(2025, 3, 3, 10, 0))
    event = {
        "title": "Street meeting on the green", "event_type": "Street meeting", "area_code": "A1",
        "ward_code": "W1", "place": "The green", "start": start, "end": start + dt.timedelta(hours=1),
        "organiser": "P1", "officers_attending": [], "status": "booked",
    }
    event.update(overrides)
    return event


def make_completed_event(*, attendees: int, officers: list[str], **overrides) -> dict:
    return make_event(status="completed", attendees=attendees, officers_attending=officers,
                      officers_involved=overrides.pop("officers_involved", len(officers)),
                      quality_rating=overrides.pop("quality_rating", 4), **overrides)


def make_ccr(**overrides) -> dict:
    """A valid CCR without diversity answers; override any field."""
    ccr = {
        "contact_at": dt.datetime(2025, 3, 3, 11, 0), "area_code": "A1", "ward_code": "W1",
        "officer_id": "P1", "contact_method": "Face to face", "issues": [],
    }
    ccr.update(overrides)
    return ccr


def make_ysywd(**overrides) -> dict:
    item = {
        "issue_category": "Speeding", "issue_text": "Cars speeding past the school",
        "source": "meeting", "area_code": "A1", "raised_on": dt.date(2025, 3, 4), "status": "open",
    }
    item.update(overrides)
    return item


def make_action(day: dt.date) -> dict:
    return {"action_type": "Enforcement", "text": "Speed checks", "date": day, "officer_id": "P1"}


def save(store: Store, table: str, values: dict, submission_id: str, record_id: str | None = None) -> str:
    return store.save(table, values, user="tester", submission_id=submission_id, record_id=record_id).record_id


def build_fixture_store(root: Path) -> Store:
    store = Store(root)
    store.create()
    for code, name in (("A1", "North"), ("A2", "South")):
        save(store, "areas", {"area_code": code, "name": name, "centre_lat": 51.75, "centre_lon": -1.25},
             f"area-{code}")
    for code, name, area, shape in (("W1", "Castle", "A1", W1_SHAPE), ("W2", "Abbey", "A1", None),
                                    ("W3", "Riverside", "A2", None)):
        save(store, "wards", {"ward_code": code, "name": name, "area_code": area, "centre_lat": 51.75,
                              "centre_lon": -1.25, "geojson": shape}, f"ward-{code}")

    save(store, "events", make_completed_event(
        attendees=12, officers=["P1", "P2"], issues=["Speeding", "Parking"], intel_submissions=1,
        title="e1"), "e1")
    e2 = make_event(title="e2", event_type="School visit", ward_code="W2", start=dt.datetime(2025, 3, 5, 14),
                    officers_attending=["P2"], issues=["Speeding"])
    save(store, "events", e2, "e2")
    save(store, "events", {**e2, "status": "completed", "attendees": 25, "officers_involved": 1,
                           "quality_rating": 3, "intel_submissions": 0}, "e2-complete", record_id="e2")
    save(store, "events", make_event(title="e3", area_code="A2", ward_code="W3", organiser="P3",
                                     officers_attending=["P3"], start=dt.datetime(2025, 3, 10, 9),
                                     issues=["Burglary"]), "e3")
    save(store, "events", make_event(title="e4", event_type="Community meeting", area_code="A2", ward_code="W3",
                                     start=dt.datetime(2025, 3, 12, 18), status="cancelled",
                                     cancel_reason="Hall unavailable"), "e4")
    save(store, "events", make_completed_event(attendees=8, officers=["P1", "P4", "P5"], issues=["Drugs"],
                                               intel_submissions=2, title="e5",
                                               start=dt.datetime(2025, 3, 20, 10)), "e5")
    store.delete("events", "e5", user="tester", submission_id="e5-delete")
    save(store, "events", make_completed_event(attendees=50, officers=["P6"], officers_involved=2, issues=["Parking"],
                                               intel_submissions=3, title="e6",
                                               start=dt.datetime(2025, 4, 2, 10)), "e6")
    e7 = make_completed_event(attendees=4, officers=["P3"], issues=["Parking", "Youth nuisance"],
                              intel_submissions=0, title="e7", event_type="Business watch", area_code="A2",
                              ward_code="W3", start=dt.datetime(2025, 3, 15, 11))
    save(store, "events", e7, "e7")
    save(store, "events", e7, "e7")  # a double tap: the same submission id

    save(store, "ccrs", make_ccr(issues=["Speeding", "Theft"], diversity_consent=True, age_band="25-34",
                                 smart_alert_signup=True, info_submitted=True, info_text="Van seen"), "c1")
    save(store, "ccrs", make_ccr(contact_at=dt.datetime(2025, 3, 11, 15), area_code="A2", ward_code="W3",
                                 officer_id="P3", contact_method="Telephone",
                                 issues=["Drugs", "Parking", "Theft"]), "c2")
    c3 = make_ccr(contact_at=dt.datetime(2025, 3, 18, 12), ward_code="W2", officer_id="P2", issues=["Speeding"],
                  diversity_consent=True, sex="Female")
    save(store, "ccrs", c3, "c3")
    save(store, "ccrs", {**c3, "issues": ["Speeding", "Drugs", "Burglary"]}, "c3-edit", record_id="c3")
    save(store, "ccrs", make_ccr(contact_at=dt.datetime(2025, 3, 25, 9), issues=["Parking"],
                                 smart_alert_signup=True, info_submitted=True, info_text="x"), "c4")
    store.delete("ccrs", "c4", user="tester", submission_id="c4-delete")
    save(store, "ccrs", make_ccr(contact_at=dt.datetime(2025, 2, 20, 9), issues=["Speeding"],
                                 diversity_consent=True, smart_alert_signup=True, info_submitted=True,
                                 info_text="y"), "c5")

    save(store, "ysywd", make_ysywd(), "y1")
    save(store, "ysywd", make_ysywd(area_code="A2", raised_on=dt.date(2025, 3, 10), status="closed",
                                    actions=[make_action(dt.date(2025, 3, 12))]), "y2")
    y3 = make_ysywd(raised_on=dt.date(2025, 3, 15), status="in_progress")
    save(store, "ysywd", y3, "y3")
    save(store, "ysywd", {**y3, "status": "closed", "actions": [make_action(dt.date(2025, 3, 20))]}, "y3-close",
         record_id="y3")
    save(store, "ysywd", make_ysywd(raised_on=dt.date(2025, 1, 10)), "y4")
    return store


@pytest.fixture(scope="session")
def fixture_store_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("analytics") / "store"
    build_fixture_store(root)
    return root


@pytest.fixture
def fixture_store(fixture_store_root) -> Store:
    """The shared fixture store (read-only: tests that write build their own)."""
    return Store(fixture_store_root)


@pytest.fixture(autouse=True)
def _fresh_cache():
    sql.set_cache_enabled(True)
    sql.clear_cache()
    yield
    sql.set_cache_enabled(True)
    sql.clear_cache()
