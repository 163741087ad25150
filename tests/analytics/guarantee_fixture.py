"""A tiny store for the Neighbourhood Policing Guarantee, with every figure worked out by hand.

The period ends on END = Mon 30 June 2025: its 91 days run from 1 April 2025; its end moment is
1 July 2025 00:00. Areas A1 (North: wards W1, W2) and A2 (South: ward W3).

Users: P1 Ann Able (officer, A1, 20 h/week), P2 Ben Best (officer, A1), S1 Sue Sarge (supervisor, A1),
P3 Cat Cole (officer, A2), P9 Old Timer (officer, A1, inactive). Setting contracted_weekly_hours = 40.
  A1 weekly hours 20 + 40 + 40 = 100, on duty 100 x 13 = 1300; A2 40 x 13 = 520.

Named officers on END:
  W1: P1 from 1 Jan (named); P2 1 Jan - 29 Jun (ended: not named); S1 from 1 Jul (not yet)  -> [Ann Able]
  W2: P9 from 1 Jan, inactive -> none.        W3: P3 from 30 Jun (starts on END) -> [Cat Cole]

"You said, we did" (open = not closed, raised by END):
  W1: y1 open raised 1 Mar (121 days: stale); y2 action_taken raised 1 Feb, action 20 Apr (71 days);
      y3 closed (not counted); y4 raised 5 Jul (after END, not counted)
      -> open 2, last update 20 Apr, current, stale soon 0
  W2: y5 feedback_given raised 10 Jan, action 20 Mar, feedback 25 Mar, action 10 Jul (after END, left out)
      -> open 1, last update 25 Mar (97 days), not current, stale soon 0
  W3: y6 open raised 10 Apr (81 days: stale within 14) -> open 1, last update 10 Apr, current, stale soon 1;
      y7 area-wide in A2 (no ward, not counted)

Beat meetings (completed, started 1 Apr - 30 Jun):
  W1: 1 Apr 10:00 and 30 Jun 19:00 count; 15 Jun booked, 31 Mar, and a Street meeting do not -> 2
  W2: 0.  W3: 5 May counts; 6 May completed then withdrawn -> 1

Community queries:
  W1: q1 1 May 09:00 answered 2 May 09:00 (24 h: in time); q2 10 May 09:00 answered 14 May 09:00 (96 h: late);
      q3 29 Jun 12:00 open (due 2 Jul: not due yet); q4 20 Jun 10:00 open (due 23 Jun: open late);
      q5 20 Mar open (before the period: not received in it, but open late); q6 29 Jun 08:00 answered
      30 Jun 08:00 (in time); q7 27 Jun 12:00 answered 2 Jul (after the end: open late at the end)
      -> received 6 (q1 q2 q3 q4 q6 q7), due 5 (not q3), in time 2 (q1 q6): 0.4; open late 3 (q4 q5 q7)
  W2: none -> received 0, share None.   W3: q8 1 Jun 10:00 answered 3 Jun 10:00 (48 h) -> 1 of 1: 1.0

Abstractions: A1 1 Apr 8 h, 15 May 6.5 h, 30 Jun 4 h (31 Mar 10 h is outside) -> 18.5 / 1300;
  A2 10 Jun 13 h -> 13 / 520 = 0.025.
  By month (April 30 days, May 31, June 30): A1 April 8 / (100 x 30/7), May 6.5 / (100 x 31/7),
  June 4 / (100 x 30/7); A2 June 13 / (40 x 30/7), April and May 0.

Crime and ASB (months April - June): W1 3 records; W2 2 (and 5 in March, outside); W3 1.
  A1 has 2 wards: ceil(0.2) = 1 hotspot, W1 (3 > 2). A2: W3.
Patrols (started in the period): A1 W1 1 May 2 h, W2 2 May 3 h, W1 30 Jun 22:00-23:30 1.5 h
  (W1 30 Mar 4 h is outside) -> hotspot 3.5 / 6.5; A2 W3 1 Jun 1 h -> 1.0.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from data.store import Store
from tests.analytics.conftest import make_action, make_completed_event, make_event, make_ysywd, save

END = dt.date(2025, 6, 30)
D = dt.date
T = dt.datetime


def save_user(store: Store, user_id: str, name: str, role: str, area: str | None, *, hours: float | None = None,
              active: bool = True) -> None:
    save(store, "users", {"user_id": user_id, "name": name, "email": f"{user_id.lower()}@example.police.uk",
                          "role": role, "rank": "PC", "area_code": area, "active": active,
                          "weekly_hours": hours}, f"user-{user_id}")


def _query(store: Store, key: str, ward: str, received: dt.datetime, answered: dt.datetime | None = None,
           area: str = "A1", owner: str = "P1") -> None:
    save(store, "community_queries", {
        "received_at": received, "channel": "E-mail", "area_code": area, "ward_code": ward, "topic": "Speeding",
        "officer_id": owner, "summary": f"Query {key}", "answered_at": answered,
        "answer_channel": "Phone" if answered else None}, key)


def _crimes(store: Store, ward: str, area: str, month: dt.date, count: int) -> None:
    for i in range(count):
        save(store, "crimes", {"month": month, "reported_by": "Test", "falls_within": "Test",
                               "crime_type": "Anti-social behaviour", "ward_code": ward, "area_code": area,
                               "source_file": "test.csv"}, f"crime-{ward}-{month}-{i}")


def save_areas_and_wards(store: Store) -> None:
    """Areas A1 North (wards W1 Castle, W2 Abbey) and A2 South (W3 Riverside)."""
    for code, name in (("A1", "North"), ("A2", "South")):
        save(store, "areas", {"area_code": code, "name": name, "centre_lat": 51.75, "centre_lon": -1.25},
             f"area-{code}")
    for code, name, area in (("W1", "Castle", "A1"), ("W2", "Abbey", "A1"), ("W3", "Riverside", "A2")):
        save(store, "wards", {"ward_code": code, "name": name, "area_code": area, "centre_lat": 51.75,
                              "centre_lon": -1.25}, f"ward-{code}")


def build_guarantee_store(root: Path) -> Store:
    store = Store(root)
    store.create()
    save_areas_and_wards(store)
    save_user(store, "P1", "Ann Able", "officer", "A1", hours=20)
    save_user(store, "P2", "Ben Best", "officer", "A1")
    save_user(store, "S1", "Sue Sarge", "supervisor", "A1")
    save_user(store, "P3", "Cat Cole", "officer", "A2")
    save_user(store, "P9", "Old Timer", "officer", "A1", active=False)
    save_user(store, "ADM", "Ada Admin", "admin", "A1")
    save_user(store, "AN", "Al Analyst", "analyst", "A1")
    save(store, "settings", {"key": "contracted_weekly_hours", "value": "40"}, "setting-hours")

    for key, ward, area, officer, start, end in (
            ("o1", "W1", "A1", "P1", D(2025, 1, 1), None), ("o2", "W1", "A1", "P2", D(2025, 1, 1), D(2025, 6, 29)),
            ("o3", "W1", "A1", "S1", D(2025, 7, 1), None), ("o4", "W2", "A1", "P9", D(2025, 1, 1), None),
            ("o5", "W3", "A2", "P3", D(2025, 6, 30), None)):
        save(store, "ward_officers", {"ward_code": ward, "area_code": area, "officer_id": officer,
                                      "start_date": start, "end_date": end}, key)

    save(store, "ysywd", make_ysywd(ward_code="W1", raised_on=D(2025, 3, 1)), "y1")
    save(store, "ysywd", make_ysywd(ward_code="W1", raised_on=D(2025, 2, 1), status="action_taken",
                                    actions=[make_action(D(2025, 4, 20))]), "y2")
    save(store, "ysywd", make_ysywd(ward_code="W1", raised_on=D(2025, 6, 1), status="closed",
                                    actions=[make_action(D(2025, 6, 2))]), "y3")
    save(store, "ysywd", make_ysywd(ward_code="W1", raised_on=D(2025, 7, 5)), "y4")
    save(store, "ysywd", make_ysywd(ward_code="W2", raised_on=D(2025, 1, 10), status="feedback_given",
                                    actions=[make_action(D(2025, 3, 20)), make_action(D(2025, 7, 10))],
                                    feedback=[{"date": D(2025, 3, 25), "channel": "Meeting", "text": "Told"}]),
         "y5")
    save(store, "ysywd", make_ysywd(area_code="A2", ward_code="W3", raised_on=D(2025, 4, 10)), "y6")
    save(store, "ysywd", make_ysywd(area_code="A2", raised_on=D(2025, 1, 2)), "y7")

    beat = {"event_type": "Beat meeting", "title": "Beat meeting"}
    for key, ward, area, start in (("b1", "W1", "A1", T(2025, 4, 1, 10)), ("b2", "W1", "A1", T(2025, 6, 30, 19)),
                                   ("b4", "W1", "A1", T(2025, 3, 31, 18)), ("b6", "W3", "A2", T(2025, 5, 5, 18)),
                                   ("b7", "W3", "A2", T(2025, 5, 6, 18))):
        save(store, "events", make_completed_event(attendees=9, officers=["P1"], ward_code=ward, area_code=area,
                                                   start=start, **beat), key)
    store.delete("events", "b7", user="tester", submission_id="b7-delete")
    save(store, "events", make_event(ward_code="W1", start=T(2025, 6, 15, 18), **beat), "b3")
    save(store, "events", make_completed_event(attendees=9, officers=["P1"], start=T(2025, 5, 1, 18)), "b5")

    _query(store, "q1", "W1", T(2025, 5, 1, 9), T(2025, 5, 2, 9))
    _query(store, "q2", "W1", T(2025, 5, 10, 9), T(2025, 5, 14, 9))
    _query(store, "q3", "W1", T(2025, 6, 29, 12))
    _query(store, "q4", "W1", T(2025, 6, 20, 10))
    _query(store, "q5", "W1", T(2025, 3, 20, 10))
    _query(store, "q6", "W1", T(2025, 6, 29, 8), T(2025, 6, 30, 8))
    _query(store, "q7", "W1", T(2025, 6, 27, 12), T(2025, 7, 2, 9))
    _query(store, "q8", "W3", T(2025, 6, 1, 10), T(2025, 6, 3, 10), area="A2", owner="P3")

    for key, officer, area, day, hours in (("a1", "P1", "A1", D(2025, 4, 1), 8.0),
                                           ("a2", "P2", "A1", D(2025, 5, 15), 6.5),
                                           ("a3", "P1", "A1", D(2025, 6, 30), 4.0),
                                           ("a4", "P1", "A1", D(2025, 3, 31), 10.0),
                                           ("a5", "P3", "A2", D(2025, 6, 10), 13.0)):
        save(store, "abstractions", {"officer_id": officer, "area_code": area, "team": area, "date": day,
                                     "hours": hours, "reason": "Response cover", "duty_taken_to": "Cover"}, key)

    for month in (D(2025, 4, 1), D(2025, 5, 1), D(2025, 6, 1)):
        _crimes(store, "W1", "A1", month, 1)
    _crimes(store, "W2", "A1", D(2025, 5, 1), 2)
    _crimes(store, "W2", "A1", D(2025, 3, 1), 5)
    _crimes(store, "W3", "A2", D(2025, 6, 1), 1)

    for key, officer, area, ward, start, minutes in (
            ("p1", "P1", "A1", "W1", T(2025, 5, 1, 10), 120), ("p2", "P2", "A1", "W2", T(2025, 5, 2, 9), 180),
            ("p3", "P2", "A1", "W1", T(2025, 6, 30, 22), 90), ("p4", "P1", "A1", "W1", T(2025, 3, 30, 10), 240),
            ("p5", "P3", "A2", "W3", T(2025, 6, 1, 10), 60)):
        save(store, "patrols", {"officer_id": officer, "patrol_type": "Foot patrol", "start": start,
                                "end": start + dt.timedelta(minutes=minutes), "area_code": area,
                                "ward_code": ward}, key)
    return store
