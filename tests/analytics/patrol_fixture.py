"""The analytics fixture store plus patrols, abstractions and a "You said, we did" item with feedback.

Added to `tests.analytics.conftest.build_fixture_store` (areas A1 North: W1, W2; A2 South: W3):

Patrols (hours = end - start):
  p1 A1/W1 Foot patrol     P1 2025-03-03 Mon 10:00-12:00  2.0 h
  p2 A1/W2 Hotspot patrol  P2 2025-03-04 Tue 18:00-19:30  1.5 h
  p3 A2/W3 Foot patrol     P3 2025-03-11 Tue 09:00-09:45  0.75 h
  p4 A1/W1 Foot patrol     P1 2025-03-20 Thu 14:00-17:00, edited to end 16:00  2.0 h
  p5 A1/W1 Vehicle patrol  P2 2025-03-25 — deleted
  p6 A2/W3 Hotspot patrol  P3 2025-04-01 20:00-22:30  2.5 h (April)

Abstractions (team = area):
  a1 P1 A1 2025-03-05 Wed 8.0 h Court           Crown Court
  a2 P2 A1 2025-03-12 Wed 4.0 h Response cover  Response team
  a3 P3 A2 2025-03-12 Wed 6.5 h Response cover  Response team
  a4 P1 A1 2025-03-26 Wed 2.0 h Training        First aid refresher
  a5 P2 A1 2025-04-03     5.0 h Court           Crown Court (April)

You said, we did:
  y5 A1 raised 2025-03-01, action 2025-03-06, feedback given 2025-03-27 and 2025-04-05, status feedback_given
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from data.store import Store
from tests.analytics.conftest import build_fixture_store, make_action, make_ysywd, save


def make_patrol(**overrides) -> dict:
    start = overrides.pop("start", dt.datetime(2025, 3, 3, 10))
    patrol = {"officer_id": "P1", "patrol_type": "Foot patrol", "start": start,
              "end": start + dt.timedelta(hours=2), "area_code": "A1", "ward_code": "W1"}
    patrol.update(overrides)
    return patrol


def make_abstraction(**overrides) -> dict:
    item = {"officer_id": "P1", "area_code": "A1", "team": "A1", "date": dt.date(2025, 3, 5), "hours": 8.0,
            "reason": "Court", "duty_taken_to": "Crown Court"}
    item.update(overrides)
    return item


def build_patrol_store(root: Path) -> Store:
    store = build_fixture_store(root)
    at = dt.datetime
    save(store, "patrols", make_patrol(), "p1")
    save(store, "patrols", make_patrol(officer_id="P2", patrol_type="Hotspot patrol", ward_code="W2",
                                       start=at(2025, 3, 4, 18), end=at(2025, 3, 4, 19, 30)), "p2")
    save(store, "patrols", make_patrol(officer_id="P3", area_code="A2", ward_code="W3",
                                       start=at(2025, 3, 11, 9), end=at(2025, 3, 11, 9, 45)), "p3")
    p4 = make_patrol(start=at(2025, 3, 20, 14), end=at(2025, 3, 20, 17))
    save(store, "patrols", p4, "p4")
    save(store, "patrols", {**p4, "end": at(2025, 3, 20, 16)}, "p4-edit", record_id="p4")
    save(store, "patrols", make_patrol(officer_id="P2", patrol_type="Vehicle patrol",
                                       start=at(2025, 3, 25, 8), end=at(2025, 3, 25, 9)), "p5")
    store.delete("patrols", "p5", user="tester", submission_id="p5-delete")
    save(store, "patrols", make_patrol(officer_id="P3", patrol_type="Hotspot patrol", area_code="A2",
                                       ward_code="W3", start=at(2025, 4, 1, 20), end=at(2025, 4, 1, 22, 30)), "p6")

    save(store, "abstractions", make_abstraction(), "a1")
    save(store, "abstractions", make_abstraction(officer_id="P2", date=dt.date(2025, 3, 12), hours=4.0,
                                                 reason="Response cover", duty_taken_to="Response team"), "a2")
    save(store, "abstractions", make_abstraction(officer_id="P3", area_code="A2", team="A2",
                                                 date=dt.date(2025, 3, 12), hours=6.5, reason="Response cover",
                                                 duty_taken_to="Response team"), "a3")
    save(store, "abstractions", make_abstraction(date=dt.date(2025, 3, 26), hours=2.0, reason="Training",
                                                 duty_taken_to="First aid refresher"), "a4")
    save(store, "abstractions", make_abstraction(officer_id="P2", date=dt.date(2025, 4, 3), hours=5.0), "a5")

    feedback = [{"date": dt.date(2025, 3, 27), "channel": "Meeting", "text": "Told the residents' meeting"},
                {"date": dt.date(2025, 4, 5), "channel": "Social media", "text": "Posted an update"}]
    save(store, "ysywd", make_ysywd(raised_on=dt.date(2025, 3, 1), status="feedback_given",
                                    actions=[make_action(dt.date(2025, 3, 6))], feedback=feedback), "y5")
    return store
