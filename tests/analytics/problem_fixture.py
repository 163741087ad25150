"""A tiny store for the problem-solving tests, with contents known by heart.

Areas A1 North (wards W1 Castle, W2 Abbey) and A2 South (ward W3 Riverside).
Users: P1, P3 officers in A1; S1 supervisor in A1; P2 officer in A2; C1 commander; AN analyst; AD admin.
"You said, we did": y1 A1/W1 Parking raised 2025-01-10; y2 A2/W3 Speeding raised 2025-01-12.

Around W1 (the ward of problem pr1):
  crimes  2025-01: 2 burglaries, 1 ASB; 2025-02: 1 ASB; 2025-04: 1 burglary; 2025-05: 2 ASB
          (and W2 2025-02: 5 burglaries, outside pr1)
  ccrs    2025-02-10 issues Parking, ASB; 2025-05-05 issues Parking
  events  2025-02-20 completed, issues Parking
  patrols 2025-05-10

Problems, each written through `forms.problems` on the days given:
  pr1 [P1] A1 [W1] opened 2025-03-01, answers y1; analysis 03-02; triangle and response 2025-03-15 to
      2025-03-31, review 2025-07-15 (03-10); response 03-10; action a1 with Council, planned 03-15, completed
      03-20; assessment 04-02.
  pr2 [P3] A1 [W2] opened 2025-04-01, review 2025-04-29, still scanning.
  pr3 [S1] A1 [W1, W2] opened 2025-06-20, review 2025-07-20, analysis 06-21.
  pr4 [P2] A2 [W3] opened 2025-01-15, answers y2; analysis, triangle, response 2025-02-01 to 2025-02-28,
      action completed 02-10, assessment 03-05, assessment note, closed 2025-05-30.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from data import db
from data.store import Store, new_submission_id
from forms import problems

AS_OF = dt.date(2025, 6, 30)
USERS = {
    "P1": ("Pat One", "officer", "A1"), "P3": ("Alex Three", "officer", "A1"), "S1": ("Sgt Sue", "supervisor", "A1"),
    "P2": ("Sam Two", "officer", "A2"), "C1": ("Chief Cath", "commander", "A1"), "AN": ("Ana Lyst", "analyst", "A1"),
    "AD": ("Ada Admin", "admin", "A1"),
}


def user(user_id: str) -> dict:
    name, role, area = USERS[user_id]
    return {"user_id": user_id, "name": name, "email": f"{user_id.lower()}@example.police.uk", "role": role,
            "rank": "PC", "area_code": area, "active": True}


def _save(store: Store, table: str, values: dict, sid: str, by: str = "AD") -> str:
    return store.save(table, values, user=by, submission_id=sid).record_id


def _crime(store: Store, sid: str, month: dt.date, ward: str, area: str, crime_type: str) -> None:
    _save(store, "crimes", {"month": month, "reported_by": "Test Police", "falls_within": "Test Police",
                            "crime_type": crime_type, "source_file": "street.csv", "ward_code": ward,
                            "area_code": area}, sid)


def build_problem_store(root: Path) -> Store:
    store = Store(root)
    store.create()
    for code, name in (("A1", "North"), ("A2", "South")):
        _save(store, "areas", {"area_code": code, "name": name, "centre_lat": 51.75, "centre_lon": -1.25},
              f"area-{code}")
    for code, name, area in (("W1", "Castle", "A1"), ("W2", "Abbey", "A1"), ("W3", "Riverside", "A2")):
        _save(store, "wards", {"ward_code": code, "name": name, "area_code": area, "centre_lat": 51.75,
                               "centre_lon": -1.25}, f"ward-{code}")
    for uid in USERS:
        _save(store, "users", user(uid), f"user-{uid}")
    y1 = _save(store, "ysywd", {"issue_category": "Parking", "issue_text": "Vans on the verges", "source": "meeting",
                           "area_code": "A1", "ward_code": "W1", "raised_on": dt.date(2025, 1, 10)}, "y1", "P1")
    y2 = _save(store, "ysywd", {"issue_category": "Speeding", "issue_text": "Racing at night", "source": "meeting",
                           "area_code": "A2", "ward_code": "W3", "raised_on": dt.date(2025, 1, 12)}, "y2", "P2")
    n = 0
    for month, ward, area, kinds in ((dt.date(2025, 1, 1), "W1", "A1", ["Burglary", "Burglary", "ASB"]),
                                     (dt.date(2025, 2, 1), "W1", "A1", ["ASB"]),
                                     (dt.date(2025, 4, 1), "W1", "A1", ["Burglary"]),
                                     (dt.date(2025, 5, 1), "W1", "A1", ["ASB", "ASB"]),
                                     (dt.date(2025, 2, 1), "W2", "A1", ["Burglary"] * 5)):
        for kind in kinds:
            n += 1
            _crime(store, f"k{n}", month, ward, area, "Anti-social behaviour" if kind == "ASB" else kind)
    ccr = {"area_code": "A1", "ward_code": "W1", "officer_id": "P1", "contact_method": "Face to face"}
    _save(store, "ccrs", ccr | {"contact_at": dt.datetime(2025, 2, 10, 11), "issues": ["Parking", "ASB"]}, "c1", "P1")
    _save(store, "ccrs", ccr | {"contact_at": dt.datetime(2025, 5, 5, 11), "issues": ["Parking"]}, "c2", "P1")
    _save(store, "events", {"title": "Street meeting", "event_type": "Street meeting", "area_code": "A1",
                            "ward_code": "W1", "place": "The green", "start": dt.datetime(2025, 2, 20, 10),
                            "end": dt.datetime(2025, 2, 20, 11), "organiser": "P1", "status": "completed",
                            "attendees": 12, "officers_involved": 2, "quality_rating": 4, "issues": ["Parking"]},
          "e1", "P1")
    _save(store, "patrols", {"officer_id": "P1", "patrol_type": "Foot", "start": dt.datetime(2025, 5, 10, 9),
                             "end": dt.datetime(2025, 5, 10, 11), "area_code": "A1", "ward_code": "W1"}, "p1", "P1")
    _problems(store, y1, y2)
    return store


class _Worker:
    """Writes one problem through the forms, keeping its version."""

    def __init__(self, store: Store, by: str, values: dict, day: dt.date):
        self.store, self.user = store, user(by)
        saved = problems.open_problem(store=store, values=values, user=self.user, submission_id=new_submission_id(),
                                      today=day)
        self.record_id, self.version = saved.record_id, saved.version

    def __call__(self, write, day: dt.date, **kwargs) -> None:
        saved = write(store=self.store, record_id=self.record_id, user=self.user, submission_id=new_submission_id(),
                      base_version=self.version, today=day, **kwargs)
        self.version = saved.version


def _opened(area: str, wards: list[str], title: str, review: dt.date, items: list[str] = ()) -> dict:
    return {"title": title, "statement": f"{title}: what, where and when", "area_code": area, "ward_codes": wards,
            "review_on": review, "ysywd_ids": list(items)}


TRIANGLE = {"victim": "Residents of the close", "offender": "Vans of a local firm", "location": "Wide verges"}


def _problems(store: Store, y1: str, y2: str) -> None:
    d = dt.date
    pr1 = _Worker(store, "P1", _opened("A1", ["W1"], "Verge parking", d(2025, 3, 29), [y1]), d(2025, 3, 1))
    pr1(problems.move_stage, d(2025, 3, 2), stage="analysis")
    pr1(problems.update_problem, d(2025, 3, 10), values={**TRIANGLE, "response_start": d(2025, 3, 15),
                                                         "response_end": d(2025, 3, 31), "review_on": d(2025, 7, 15)})
    pr1(problems.move_stage, d(2025, 3, 10), stage="response")
    pr1(problems.add_action, d(2025, 3, 10), values={"text": "Bollards on the verge", "partner": "Council",
                                                     "planned_on": d(2025, 3, 15)})
    pr1(problems.complete_action, d(2025, 4, 2), action_id="a1", completed_on=d(2025, 3, 20))
    pr1(problems.move_stage, d(2025, 4, 2), stage="assessment")
    _Worker(store, "P3", _opened("A1", ["W2"], "Shed break-ins", d(2025, 4, 29)), d(2025, 4, 1))
    pr3 = _Worker(store, "S1", _opened("A1", ["W1", "W2"], "Park fires", d(2025, 7, 20)), d(2025, 6, 20))
    pr3(problems.move_stage, d(2025, 6, 21), stage="analysis")
    pr4 = _Worker(store, "P2", _opened("A2", ["W3"], "Racing", d(2025, 2, 12), [y2]), d(2025, 1, 15))
    pr4(problems.move_stage, d(2025, 1, 16), stage="analysis")
    pr4(problems.update_problem, d(2025, 1, 20), values={**TRIANGLE, "response_start": d(2025, 2, 1),
                                                         "response_end": d(2025, 2, 28)})
    pr4(problems.move_stage, d(2025, 1, 20), stage="response")
    pr4(problems.add_action, d(2025, 1, 20), values={"text": "Speed checks", "partner": None,
                                                     "planned_on": d(2025, 2, 10)})
    pr4(problems.complete_action, d(2025, 2, 10), action_id="a1", completed_on=d(2025, 2, 10))
    pr4(problems.move_stage, d(2025, 3, 5), stage="assessment")
    pr4(problems.update_problem, d(2025, 5, 30), values={"assessment_note": "Racing stopped"})
    pr4(problems.move_stage, d(2025, 5, 30), stage="closed")


def record_ids(store: Store) -> dict[str, str]:
    """The fixture's problems (pr1..pr4) and items (y1, y2) by name: their record ids, read back from the store."""
    names = {"Verge parking": "pr1", "Shed break-ins": "pr2", "Park fires": "pr3", "Racing": "pr4"}
    ids = {names[t]: r for t, r in db.rows(f"SELECT title, record_id FROM {store.relation('problems')}")}
    items = {"Parking": "y1", "Speeding": "y2"}
    return ids | {items[c]: r for c, r in db.rows(f"SELECT issue_category, record_id FROM {store.relation('ysywd')}")}
