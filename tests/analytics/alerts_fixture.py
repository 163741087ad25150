"""A tiny store for the alerts and the ASB Case Review trigger, every figure worked out by hand.

Everything is placed relative to NOW (by default Mon 30 June 2025 12:00; the page tests pass the real time).
For the default NOW: today is 30 Jun 2025; the ASB window starts on 30 Dec 2024 (the same day six months
before); the 72-hour deadline warning runs from now to 1 Jul 00:00.

Areas A1 (wards W1 Castle, W2 Abbey) and A2 (W3 Riverside). Users: P1 Ann Able, P2 Ben Best (officers, A1),
S1 Sue Sarge (supervisor, A1), S9 Old Sarge (supervisor, A1, inactive), P3 Cat Cole (officer, A2),
S3 Sam Sharp (supervisor, A2). Named officers today: W1 P1; W2 none; W3 P3.

ASB complaints (CCRs with an ASB issue, queries with an ASB topic), window 30 Dec 2024 00:00 to now:
  W1 Anti-social behaviour: c0 29 Dec 23:59 (outside); c1 30 Dec 00:00 (the window's first moment);
     c2 1 Mar (issues ASB and Speeding); q1 (query) 20 Jun 10:00 -> 3: a trigger at the default threshold 3,
     first complaint c1
  W2 Youth nuisance: c3 1 Apr; q2 (query) 2 May -> 2   (c5 3 May, Speeding only, is no complaint)
  W3 Street drinking: c6 1 Jun; c7 2 Jun; c8 an hour after now (not yet) -> 2
  At threshold 2: W1 ASB, W2 Youth nuisance and W3 Street drinking.

Coverage (engagement: completed events and CCRs up to now; default gap 28 days):
  W1: completed event 3 Jun (27 days) -> no gap.   W2: last c5 3 May (58 days; a booked event 29 Jun does not
  count) -> gap.   W3: last c7 2 Jun (28 days: exactly the gap) -> gap; at 29 days, no gap.

Priorities (open, last update >= 80 days before today):
  y1 W1 raised 11 Apr (80 days) -> stale; y2 W1 raised 12 Apr (79) -> not;
  y3 W2 raised 1 Jan, action 1 Mar, feedback 2 Apr, action 5 Jul (after today, left out): last update 2 Apr
     (89 days) -> stale; y4 W2 closed -> not; y5 A2 area-wide (no ward) raised 1 Jan -> stale.

Queries (open; due 72 hours after receipt; flagged when due after now and within 12 hours):
  qa 27 Jun 12:00, due now -> not (due, not due soon); qb 27 Jun 12:01 (owner P2) -> due soon;
  qc 28 Jun 00:00 (owner P1), due 1 Jul 00:00 = now + 12 h -> due soon; qd 28 Jun 00:01 -> not yet;
  qe 27 Jun 18:00 answered 28 Jun -> not. q1 (above) is open past 72 hours.

The alerts at NOW with the default settings, and who they are for:
  coverage_gap W2 [S1]; coverage_gap W3 [P3, S3];
  stale_priority y1 [P1, S1]; y3 [S1]; y5 [S3];
  query_due qb [P2, S1]; qc [P1, S1];
  asb_trigger W1 Anti-social behaviour [P1, S1].
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from data.store import Store
from tests.analytics.conftest import make_action, make_ccr, make_completed_event, make_event, make_ysywd, save
from tests.analytics.guarantee_fixture import save_areas_and_wards, save_user

NOW = dt.datetime(2025, 6, 30, 12, 0)


def six_months_before(day: dt.date) -> dt.date:
    """The same day six months earlier (the last day of that month when it is shorter)."""
    month, year = day.month - 6, day.year
    if month < 1:
        month, year = month + 12, year - 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def build_alerts_store(root: Path, now: dt.datetime = NOW) -> dict[str, str]:
    """The store at `root`; the record ids by the names above."""
    store = Store(root)
    store.create()
    today = now.date()
    midnight = dt.datetime.combine(today, dt.time())

    def ago(days: int, hour: int = 10) -> dt.datetime:
        return dt.datetime.combine(today - dt.timedelta(days=days), dt.time(hour))

    save_areas_and_wards(store)
    for user_id, name, role, area, active in (
            ("P1", "Ann Able", "officer", "A1", True), ("P2", "Ben Best", "officer", "A1", True),
            ("S1", "Sue Sarge", "supervisor", "A1", True), ("S9", "Old Sarge", "supervisor", "A1", False),
            ("P3", "Cat Cole", "officer", "A2", True), ("S3", "Sam Sharp", "supervisor", "A2", True),
            ("AN", "Al Analyst", "analyst", "A1", True)):
        save_user(store, user_id, name, role, area, active=active)
    for key, ward, area, officer in (("o1", "W1", "A1", "P1"), ("o3", "W3", "A2", "P3")):
        save(store, "ward_officers", {"ward_code": ward, "area_code": area, "officer_id": officer,
                                      "start_date": today - dt.timedelta(days=400)}, key)

    ids = {}
    window = dt.datetime.combine(six_months_before(today), dt.time())
    for key, ward, area, at, issues in (
            ("c0", "W1", "A1", window - dt.timedelta(minutes=1), ["Anti-social behaviour"]),
            ("c1", "W1", "A1", window, ["Anti-social behaviour"]),
            ("c2", "W1", "A1", ago(121), ["Anti-social behaviour", "Speeding"]),
            ("c3", "W2", "A1", ago(90), ["Youth nuisance"]),
            ("c5", "W2", "A1", ago(58), ["Speeding"]),
            ("c6", "W3", "A2", ago(29), ["Street drinking"]),
            ("c7", "W3", "A2", ago(28), ["Street drinking"]),
            ("c8", "W3", "A2", now + dt.timedelta(hours=1), ["Street drinking"])):
        ids[key] = save(store, "ccrs", make_ccr(contact_at=at, ward_code=ward, area_code=area,
                                                officer_id="P1" if area == "A1" else "P3", issues=issues,
                                                place=f"Place {key}"), key)

    def query(key: str, ward: str, received: dt.datetime, *, topic: str = "Speeding", owner: str = "P1",
              answered: dt.datetime | None = None) -> None:
        ids[key] = save(store, "community_queries", {
            "received_at": received, "channel": "E-mail", "area_code": "A1", "ward_code": ward, "topic": topic,
            "officer_id": owner, "summary": f"What was asked ({key})", "answered_at": answered,
            "answer_channel": "Phone" if answered else None}, key)

    query("q1", "W1", ago(10), topic="Anti-social behaviour")
    query("q2", "W2", ago(59), topic="Youth nuisance", answered=ago(58))
    query("qa", "W1", now - dt.timedelta(hours=72))
    query("qb", "W1", now - dt.timedelta(hours=72) + dt.timedelta(minutes=1), owner="P2")
    query("qc", "W1", now - dt.timedelta(hours=60))
    query("qd", "W1", now - dt.timedelta(hours=60) + dt.timedelta(minutes=1))
    query("qe", "W2", now - dt.timedelta(hours=66), answered=now - dt.timedelta(hours=40))

    save(store, "events", make_completed_event(attendees=5, officers=["P1"], ward_code="W1", start=ago(27, 18)),
         "e1")
    save(store, "events", make_event(ward_code="W2", start=midnight - dt.timedelta(hours=5)), "e2")

    def day(*, days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    for key, values in (
            ("y1", make_ysywd(ward_code="W1", raised_on=day(days=80))),
            ("y2", make_ysywd(ward_code="W1", raised_on=day(days=79))),
            ("y3", make_ysywd(ward_code="W2", raised_on=day(days=180), status="feedback_given",
                              actions=[make_action(day(days=121)), make_action(today + dt.timedelta(days=5))],
                              feedback=[{"date": day(days=89), "channel": "Meeting", "text": "Told"}])),
            ("y4", make_ysywd(ward_code="W2", raised_on=day(days=180), status="closed",
                              actions=[make_action(day(days=170))])),
            ("y5", make_ysywd(area_code="A2", raised_on=day(days=180)))):
        ids[key] = save(store, "ysywd", values, key)
    return ids
