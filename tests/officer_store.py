"""A tiny store for the officer app's tests, with contents known by heart.

Areas A1 North (wards W1 Castle, W2 Abbey) and A2 South (ward W3 Riverside).
Users: P1, P3 officers in A1; P2 officer in A2; S1 supervisor in A1; AD admin in A1.

Records (owner in brackets):
  events       e1 [P1] A1/W1 2025-03-03 10:00 "Street meeting on the green", place "The green",
                   issues Speeding, text "Speeding near 100% of schools"; reviewed 'advice'
               e2 [P2] A2/W3 2025-03-05 14:00 "Coffee with a copper", place "Cafe_Nero", P1 attending
  ccrs         c1 [P1] A1/W2 2025-03-04 11:00 Market, Drugs, "Drug dealing by the park", consent,
                   age 25-34, ethnicity W1; returned by S1 "Add where exactly"
               c2 [P2] A2/W3 2025-03-06 16:00 Verge Road, Parking, "Parking on verges"
  patrols      p1 [P1] A1/W1 2025-03-07 09:00-11:00 Hotspot patrol, High Street / ASB hotspot /
                   "Group moved on"; returned by S1, then passed by S1 (not returned)
  abstractions a1 [P1] A1 2025-03-08 Response cover 8 h; returned on version 1, then edited to 7.5 h
  good_practice g1 [P1] A1 "Speed watch in the village", tags Speeding, Road safety
               g2 [P2] A2 "Shop watch radio", tags Shoplifting
  useful_info  u1 [S1] A1 Keyholders "Church keyholder"; u3 [S1] A1 Contacts "Council ASB team";
               u2 [P2] A2 Keyholders "Mosque keyholder"
  app_feedback f1 [P1] feedback "Quick to log a CCR"; f2 [P2] bug "Map blank"
  news         n1 2025-03-01, n2 2025-03-10, n3 2025-03-05, n4 2025-03-20 (after TODAY)
Shared records (g, u, f) are saved in that order, after the others, so they are the newest.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from data.store import Store

TODAY = dt.date(2025, 3, 15)
USERS = {
    "P1": {"user_id": "P1", "name": "Pat One", "email": "p1@example.police.uk", "role": "officer", "rank": "PC",
           "area_code": "A1"},
    "P2": {"user_id": "P2", "name": "Sam Two", "email": "p2@example.police.uk", "role": "officer", "rank": "PCSO",
           "area_code": "A2"},
    "P3": {"user_id": "P3", "name": "Alex Three", "email": "p3@example.police.uk", "role": "officer",
           "rank": "PC", "area_code": "A1"},
    "S1": {"user_id": "S1", "name": "Sgt Sue", "email": "s1@example.police.uk", "role": "supervisor",
           "rank": "Sergeant", "area_code": "A1"},
    "AD": {"user_id": "AD", "name": "Ada Admin", "email": "ad@example.police.uk", "role": "admin", "rank": "Staff",
           "area_code": "A1"},
}


def user(user_id: str) -> dict:
    return {**USERS[user_id], "active": True}


def _save(store: Store, table: str, values: dict, sid: str, by: str, record_id: str | None = None) -> None:
    store.save(table, values, user=by, submission_id=sid, record_id=record_id)


def _review(store: Store, sid: str, table: str, target: str, version: int, outcome: str, comment: str) -> None:
    _save(store, "quality_reviews", {"table_name": table, "target_id": target, "target_version": version,
                                     "reviewer_id": "S1", "outcome": outcome, "comment": comment}, sid, "S1")


def build_officer_store(root: Path) -> Store:
    store = Store(root)
    store.create()
    for code, name in (("A1", "North"), ("A2", "South")):
        _save(store, "areas", {"area_code": code, "name": name, "centre_lat": 51.75, "centre_lon": -1.25},
              f"area-{code}", "AD")
    for code, name, area in (("W1", "Castle", "A1"), ("W2", "Abbey", "A1"), ("W3", "Riverside", "A2")):
        _save(store, "wards", {"ward_code": code, "name": name, "area_code": area, "centre_lat": 51.75,
                               "centre_lon": -1.25}, f"ward-{code}", "AD")
    for uid in USERS:
        _save(store, "users", user(uid), f"user-{uid}", "AD")

    def event(**values) -> dict:
        start = values.pop("start")
        return {"event_type": "Street meeting", "start": start, "end": start + dt.timedelta(hours=1),
                "status": "booked", **values}

    _save(store, "events", event(title="Street meeting on the green", area_code="A1", ward_code="W1",
                                 place="The green", start=dt.datetime(2025, 3, 3, 10), organiser="P1",
                                 issues=["Speeding"], issues_text="Speeding near 100% of schools"), "e1", "P1")
    _save(store, "events", event(title="Coffee with a copper", area_code="A2", ward_code="W3", place="Cafe_Nero",
                                 start=dt.datetime(2025, 3, 5, 14), organiser="P2", officers_attending=["P1"]),
          "e2", "P2")
    _save(store, "ccrs", {"contact_at": dt.datetime(2025, 3, 4, 11), "area_code": "A1", "ward_code": "W2",
                          "place": "Market", "officer_id": "P1", "contact_method": "Face to face",
                          "issues": ["Drugs"], "issues_text": "Drug dealing by the park", "diversity_consent": True,
                          "age_band": "25-34", "ethnicity": "W1"}, "c1", "P1")
    _save(store, "ccrs", {"contact_at": dt.datetime(2025, 3, 6, 16), "area_code": "A2", "ward_code": "W3",
                          "place": "Verge Road", "officer_id": "P2", "contact_method": "Telephone",
                          "issues": ["Parking"], "issues_text": "Parking on verges"}, "c2", "P2")
    _save(store, "patrols", {"officer_id": "P1", "patrol_type": "Hotspot patrol", "start": dt.datetime(2025, 3, 7, 9),
                             "end": dt.datetime(2025, 3, 7, 11), "area_code": "A1", "ward_code": "W1",
                             "places": "High Street", "tasking": "ASB hotspot", "outcomes": "Group moved on"},
          "p1", "P1")
    abstraction = {"officer_id": "P1", "area_code": "A1", "team": "NPT North", "date": dt.date(2025, 3, 8),
                   "hours": 8.0, "reason": "Response cover", "duty_taken_to": "Response shift cover"}
    _save(store, "abstractions", abstraction, "a1", "P1")

    _review(store, "r1", "ccrs", "c1", 1, "returned", "Add where exactly")
    _review(store, "r2", "patrols", "p1", 1, "returned", "Say what the tasking was")
    _review(store, "r3", "patrols", "p1", 1, "pass", "Fine now")
    _review(store, "r4", "abstractions", "a1", 1, "returned", "Hours look wrong")
    _review(store, "r5", "events", "e1", 1, "advice", "Good, add numbers next time")
    _save(store, "abstractions", {**abstraction, "hours": 7.5}, "a1-edit", "P1", record_id="a1")

    _save(store, "good_practice", {"title": "Speed watch in the village", "area_code": "A1",
                                   "problem": "Speeding at school times", "action": "Volunteers trained",
                                   "result": "Speeds fell", "tags": ["Speeding", "Road safety"]}, "g1", "P1")
    _save(store, "good_practice", {"title": "Shop watch radio", "area_code": "A2", "problem": "Shoplifting",
                                   "action": "Radios linked the shops", "result": "Fewer thefts",
                                   "tags": ["Shoplifting"]}, "g2", "P2")
    _save(store, "useful_info", {"title": "Church keyholder", "area_code": "A1", "folder": "Keyholders",
                                 "body": "Verger, 01234 567890"}, "u1", "S1")
    _save(store, "useful_info", {"title": "Mosque keyholder", "area_code": "A2", "folder": "Keyholders",
                                 "body": "Committee secretary"}, "u2", "P2")
    _save(store, "useful_info", {"title": "Council ASB team", "area_code": "A1", "folder": "Contacts",
                                 "body": "Duty officer weekdays"}, "u3", "S1")
    _save(store, "app_feedback", {"kind": "feedback", "text": "Quick to log a CCR"}, "f1", "P1")
    _save(store, "app_feedback", {"kind": "bug", "text": "Map blank"}, "f2", "P2")
    for sid, day in (("n1", 1), ("n2", 10), ("n3", 5), ("n4", 20)):
        _save(store, "news", {"title": f"News {sid}", "body": "Body", "published_on": dt.date(2025, 3, day)},
              sid, "AD")
    return store


def copy_store(source: Path, target: Path) -> Store:
    """A private, writable copy of a built store."""
    import shutil

    shutil.copytree(source, target)
    return Store(target)
