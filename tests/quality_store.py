"""A tiny store for the dip-check and quality tests, with contents known by heart.

Areas A1 North (ward W1 Castle) and A2 South (ward W3 Riverside). Users: P1, P3
officers in A1; P2 officer in A2; S1 supervisor of A1; S2 supervisor of A2;
CM commander, AN analyst (force-wide). Every type's dip-check share is 1 (all sampled).

A1, February 2025 (4 records):
  pf1 patrol [P1] 02-03   pass
  pf2 patrol [P3] 02-04   not checked
  cf1 CCR [P1] 02-05, consent, age 25-34, ethnicity W1
                          returned v1 (No consent recorded, Vague outcome) "Say where exactly";
                          edited by P1 (v2); pass on v2
  ef1 event [P1] 02-10    advice (Vague outcome) "Add numbers"
  -> checked 3 of 4; first checks: 1 pass, 1 advice, 1 returned; faults: Vague outcome 2,
     No consent recorded 1
A1, March 2025 (5 records):
  pm1 patrol [P1] 03-03   returned (Issues missing) "Which issues?", not fixed
  pm2 patrol [P1] 03-04   not checked; its text starts with =, + and @
  pm3 patrol [P3] 03-05   pass
  cm1 CCR [P3] 03-06      not checked, no consent
  am1 abstraction [P1] 03-07   pass
  -> checked 3 of 5; first checks: 2 pass, 1 returned; faults: Issues missing 1
A2, March 2025 (2 records):
  q1 patrol [P2] 03-03    advice by S2 (Wrong ward) "Check the ward"
  q2 CCR [P2] 03-04       not checked
  -> checked 1 of 2; first checks: 1 advice
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from data.store import Store

USERS = {
    "P1": ("Pat One", "officer", "A1"), "P3": ("Alex Three", "officer", "A1"), "P2": ("Sam Two", "officer", "A2"),
    "S1": ("Sgt Sue", "supervisor", "A1"), "S2": ("Sgt Sid", "supervisor", "A2"),
    "CM": ("Cmdr Chris", "commander", None), "AN": ("Ana Analyst", "analyst", None),
}
FORMULA_TEXT = {"outcomes": '=HYPERLINK("http://example.com","click")', "places": "+44 1865 000000",
                "tasking": "@SUM(A1:A2)"}


def user(user_id: str) -> dict:
    name, role, area = USERS[user_id]
    return {"user_id": user_id, "name": name, "email": f"{user_id.lower()}@example.police.uk", "role": role,
            "rank": "PC", "area_code": area, "active": True}


def save(store: Store, table: str, values: dict, sid: str, by: str, record_id: str | None = None) -> None:
    store.save(table, values, user=by, submission_id=sid, record_id=record_id)


def patrol(officer: str, area: str, ward: str, day: dt.date, **extra) -> dict:
    start = dt.datetime.combine(day, dt.time(9))
    return {"officer_id": officer, "patrol_type": "Foot patrol", "start": start, "end": start + dt.timedelta(hours=2),
            "area_code": area, "ward_code": ward, "places": "High Street", "tasking": "ASB", "outcomes": "Quiet",
            **extra}


def ccr(officer: str, area: str, ward: str, day: dt.date, **extra) -> dict:
    return {"contact_at": dt.datetime.combine(day, dt.time(11)), "area_code": area, "ward_code": ward,
            "place": "Market", "officer_id": officer, "contact_method": "Face to face", "issues": ["Drugs"],
            "issues_text": "Dealing by the park", **extra}


def review(store: Store, sid: str, table: str, target: str, version: int, outcome: str, *, by: str = "S1",
           comment: str | None = None, faults: tuple[str, ...] = ()) -> None:
    save(store, "quality_reviews", {"table_name": table, "target_id": target, "target_version": version,
                                    "reviewer_id": by, "outcome": outcome, "comment": comment,
                                    "faults": list(faults)}, sid, by)


def build_quality_store(root: Path, *, share: str | None = "1") -> Store:
    store = Store(root)
    store.create()
    for code, name in (("A1", "North"), ("A2", "South")):
        save(store, "areas", {"area_code": code, "name": name, "centre_lat": 51.75, "centre_lon": -1.25},
             f"area-{code}", "AD")
    for code, name, area in (("W1", "Castle", "A1"), ("W3", "Riverside", "A2")):
        save(store, "wards", {"ward_code": code, "name": name, "area_code": area, "centre_lat": 51.75,
                              "centre_lon": -1.25}, f"ward-{code}", "AD")
    for uid in USERS:
        save(store, "users", {k: v for k, v in user(uid).items()}, f"user-{uid}", "AD")
    if share is not None:
        for table in ("events", "ccrs", "patrols", "abstractions"):
            save(store, "settings", {"key": f"dip_check_share.{table}", "value": share}, f"share-{table}", "AD")

    feb, mar = (lambda d: dt.date(2025, 2, d)), (lambda d: dt.date(2025, 3, d))
    save(store, "patrols", patrol("P1", "A1", "W1", feb(3)), "pf1", "P1")
    save(store, "patrols", patrol("P3", "A1", "W1", feb(4)), "pf2", "P3")
    cf1 = ccr("P1", "A1", "W1", feb(5), diversity_consent=True, age_band="25-34", ethnicity="W1")
    save(store, "ccrs", cf1, "cf1", "P1")
    save(store, "events", {"title": "Street meeting", "event_type": "Street meeting", "area_code": "A1",
                           "ward_code": "W1", "place": "The green", "start": dt.datetime(2025, 2, 10, 10),
                           "end": dt.datetime(2025, 2, 10, 11), "organiser": "P1"}, "ef1", "P1")
    save(store, "patrols", patrol("P1", "A1", "W1", mar(3)), "pm1", "P1")
    save(store, "patrols", patrol("P1", "A1", "W1", mar(4), **FORMULA_TEXT), "pm2", "P1")
    save(store, "patrols", patrol("P3", "A1", "W1", mar(5)), "pm3", "P3")
    save(store, "ccrs", ccr("P3", "A1", "W1", mar(6)), "cm1", "P3")
    save(store, "abstractions", {"officer_id": "P1", "area_code": "A1", "team": "NPT North", "date": mar(7),
                                 "hours": 8.0, "reason": "Court", "duty_taken_to": "Crown court"}, "am1", "P1")
    save(store, "patrols", patrol("P2", "A2", "W3", mar(3)), "q1", "P2")
    save(store, "ccrs", ccr("P2", "A2", "W3", mar(4)), "q2", "P2")

    review(store, "r-pf1", "patrols", "pf1", 1, "pass")
    review(store, "r-cf1", "ccrs", "cf1", 1, "returned", comment="Say where exactly",
           faults=("No consent recorded", "Vague outcome"))
    save(store, "ccrs", {**cf1, "place": "Market Square, by the fountain"}, "cf1-fix", "P1", record_id="cf1")
    review(store, "r-cf1-2", "ccrs", "cf1", 2, "pass")
    review(store, "r-ef1", "events", "ef1", 1, "advice", comment="Add numbers", faults=("Vague outcome",))
    review(store, "r-pm1", "patrols", "pm1", 1, "returned", comment="Which issues?", faults=("Issues missing",))
    review(store, "r-pm3", "patrols", "pm3", 1, "pass")
    review(store, "r-am1", "abstractions", "am1", 1, "pass")
    review(store, "r-q1", "patrols", "q1", 1, "advice", by="S2", comment="Check the ward", faults=("Wrong ward",))
    return store
