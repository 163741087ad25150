"""The Guarantee's measures on the tiny store of `guarantee_fixture`, every figure worked out there by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pandas as pd
import pytest

from analytics import guarantee as g
from analytics.__main__ import main
from analytics.filters import Filters
from data.access import NotAllowed
from tests.analytics.guarantee_fixture import END, build_guarantee_store

D = dt.date
ANALYST = {"user_id": "AN", "role": "analyst", "area_code": None, "active": True}
SUPERVISOR_A1 = {"user_id": "S1", "role": "supervisor", "area_code": "A1", "active": True}
OFFICER_A1 = {"user_id": "P1", "role": "officer", "area_code": "A1", "active": True}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_guarantee_store(tmp_path_factory.mktemp("guarantee") / "store")


@pytest.fixture(scope="module")
def figures(store):
    return g.guarantee(store, Filters(end=END), user=ANALYST)


def _ward(figures, code: str) -> dict:
    return figures.wards.set_index("ward_code").loc[code].to_dict()


def _area(figures, code: str) -> dict:
    return figures.areas.set_index("area_code").loc[code].to_dict()


def test_named_officers(figures):
    assert _ward(figures, "W1")["named_officers"] == ["Ann Able"]
    assert _ward(figures, "W1")["named_contacts"] == ["p1@example.police.uk"]
    assert _ward(figures, "W2")["named_officers"] == [] and _ward(figures, "W2")["no_named_officer"]
    assert _ward(figures, "W3")["named_officers"] == ["Cat Cole"]
    assert not _ward(figures, "W1")["no_named_officer"]


def test_priorities(figures):
    w1, w2, w3 = (_ward(figures, w) for w in ("W1", "W2", "W3"))
    assert (w1["priorities_open"], w1["last_priority_update"], w1["priorities_current"]) == (2, D(2025, 4, 20), True)
    assert w1["priorities_stale_soon"] == 0 and not w1["stale_soon"]
    assert (w2["priorities_open"], w2["last_priority_update"], w2["priorities_current"]) == (1, D(2025, 3, 25), False)
    assert w2["not_current"]
    assert (w3["priorities_open"], w3["last_priority_update"], w3["priorities_current"]) == (1, D(2025, 4, 10), True)
    assert w3["priorities_stale_soon"] == 1 and w3["stale_soon"]


def test_a_ward_without_priorities_is_not_current(store):
    later = g.guarantee(store, Filters(end=D(2025, 1, 5)), user=ANALYST)
    w3 = _ward(later, "W3")
    assert w3["priorities_open"] == 0 and w3["last_priority_update"] is None and not w3["priorities_current"]


def test_beat_meetings(figures):
    assert [_ward(figures, w)["beat_meetings_91d"] for w in ("W1", "W2", "W3")] == [2, 0, 1]
    assert [_ward(figures, w)["few_beat_meetings"] for w in ("W1", "W2", "W3")] == [False, True, False]


def test_queries(figures):
    w1, w2, w3 = (_ward(figures, w) for w in ("W1", "W2", "W3"))
    assert (w1["queries_received"], w1["queries_due"], w1["queries_answered_in_time"]) == (6, 5, 2)
    assert w1["queries_answered_72h"] == pytest.approx(0.4)
    assert w1["queries_open_late"] == 3 and w1["late_queries"]
    assert w2["queries_received"] == 0 and w2["queries_answered_72h"] is None and not w2["late_queries"]
    assert w3["queries_answered_72h"] == pytest.approx(1.0) and w3["queries_open_late"] == 0


def test_abstraction_share(figures):
    a1, a2 = _area(figures, "A1"), _area(figures, "A2")
    assert a1["officers"] == 3 and a1["on_duty_hours"] == pytest.approx(1300)
    assert a1["hours_abstracted"] == pytest.approx(18.5)
    assert a1["abstraction_share"] == pytest.approx(18.5 / 1300)
    assert a2["on_duty_hours"] == pytest.approx(520) and a2["abstraction_share"] == pytest.approx(0.025)


def test_abstraction_by_month(figures):
    months = {(r["area_code"], r["month"].date() if hasattr(r["month"], "date") else r["month"]): r
              for r in figures.months.to_dict("records")}
    assert len(months) == 6
    assert [months[("A1", D(2025, m, 1))]["days"] for m in (4, 5, 6)] == [30, 31, 30]
    assert months[("A1", D(2025, 4, 1))]["abstraction_share"] == pytest.approx(8 * 7 / 3000)
    assert months[("A1", D(2025, 5, 1))]["abstraction_share"] == pytest.approx(6.5 * 7 / 3100)
    assert months[("A1", D(2025, 6, 1))]["abstraction_share"] == pytest.approx(4 * 7 / 3000)
    assert months[("A2", D(2025, 6, 1))]["abstraction_share"] == pytest.approx(13 * 7 / 1200)
    assert months[("A2", D(2025, 4, 1))]["abstraction_share"] == 0


def test_hotspot_patrol_share(figures):
    a1, a2 = _area(figures, "A1"), _area(figures, "A2")
    assert list(a1["hotspot_wards"]) == ["W1"] and list(a2["hotspot_wards"]) == ["W3"]
    assert a1["patrol_hours"] == pytest.approx(6.5) and a1["hotspot_patrol_hours"] == pytest.approx(3.5)
    assert a1["hotspot_patrol_share"] == pytest.approx(3.5 / 6.5)
    assert a2["hotspot_patrol_share"] == pytest.approx(1.0)


def test_the_setting_default_and_an_empty_store(tmp_path):
    from data.store import Store

    empty = Store(tmp_path / "empty")
    empty.create()
    figures = g.guarantee(empty, Filters(end=END), user=ANALYST)
    assert figures.wards.empty and figures.areas.empty and figures.months.empty
    assert g.guarantee_report(figures) == {"wards": [], "areas": []}


def test_a_supervisor_reads_only_their_area(store):
    own = g.guarantee(store, Filters(end=END), user=SUPERVISOR_A1)
    assert set(own.wards["ward_code"]) == {"W1", "W2"} and set(own.areas["area_code"]) == {"A1"}
    analysts = g.guarantee(store, Filters(end=END, areas=("A1",)), user=ANALYST)
    assert g.guarantee_report(own) == g.guarantee_report(analysts)
    with pytest.raises(NotAllowed, match="A2 is outside your area"):
        g.guarantee(store, Filters(end=END, areas=("A2",)), user=SUPERVISOR_A1)
    with pytest.raises(NotAllowed):
        g.guarantee(store, Filters(end=END), user=OFFICER_A1)


def test_the_command_prints_the_functions_figures(store, capsys):
    assert main(["guarantee", "--store", str(store.root), "--end", END.isoformat(), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = json.loads(json.dumps(g.guarantee_report(g.guarantee(store, Filters(end=END), user=ANALYST)),
                                     default=str))
    assert printed == expected
    w1 = next(w for w in printed["wards"] if w["ward_code"] == "W1")
    assert w1 == {"ward_code": "W1", "area_code": "A1", "named_officers": ["Ann Able"], "priorities_open": 2,
                  "last_priority_update": "2025-04-20", "priorities_current": True, "beat_meetings_91d": 2,
                  "queries_received": 6, "queries_answered_72h": 0.4}
    a2 = next(a for a in printed["areas"] if a["area_code"] == "A2")
    assert a2 == {"area_code": "A2", "abstraction_share": 0.025, "hotspot_patrol_share": 1.0}


def test_the_command_narrows_to_an_area(store, capsys):
    assert main(["guarantee", "--store", str(store.root), "--end", END.isoformat(), "--area", "A2", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [w["ward_code"] for w in printed["wards"]] == ["W3"] and [a["area_code"] for a in printed["areas"]] == [
        "A2"]


def test_my_open_queries(store):
    mine = g.list_my_open_queries(store, user=OFFICER_A1, now=dt.datetime(2025, 6, 30, 12))
    assert list(mine["record_id"]) == ["q5", "q4", "q3"]
    assert list(mine["late"]) == [True, True, False]


def test_list_ward_officers(store):
    on_end = g.list_ward_officers(store, user=ANALYST, on=END)
    assert sorted(on_end["officer_id"]) == ["P1", "P3", "P9"]
    assert set(g.list_ward_officers(store, user=OFFICER_A1)["area_code"]) == {"A1"}
    with pytest.raises(NotAllowed, match="A2 is outside your area"):
        g.list_ward_officers(store, user=OFFICER_A1, area_code="A2")
    with pytest.raises(NotAllowed):
        g.list_my_open_queries(store, user=ANALYST)
    assert dataclasses.is_dataclass(g.Guarantee)


def test_queries_count_as_demand(store):
    from analytics.demand import engagement_vs_demand

    demand = engagement_vs_demand(store, Filters(start=D(2025, 4, 1), end=END), user=ANALYST)
    wards = demand.wards.set_index("ward_code")
    # W1: 6 queries received in the period (q5 came in March) + 3 ASB; W2: 2 ASB; W3: 1 query + 1 ASB.
    assert wards["queries"].to_dict() == {"W1": 6, "W2": 0, "W3": 1}
    assert wards["demand_share"].to_dict() == {"W1": round(9 / 13, 4), "W2": round(2 / 13, 4), "W3": round(2 / 13, 4)}


def test_the_command_as_a_table_and_on_an_empty_store(store, tmp_path, capsys):
    assert main(["guarantee", "--store", str(store.root), "--end", END.isoformat()]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Neighbourhood Policing Guarantee, 91 days to 30 Jun 2025"
    assert lines[3].split() == ["W1", "A1", "1", "2", "2025-04-20", "yes", "2", "6", "40%"]
    assert lines[4].split() == ["W2", "A1", "0", "1", "2025-03-25", "NO", "0", "0", "-"]
    assert lines[-1].split() == ["A2", "2%", "100%"]
    from data.store import Store

    Store(tmp_path / "empty").create()
    assert main(["guarantee", "--store", str(tmp_path / "empty"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"wards": [], "areas": []}
    assert main(["guarantee", "--store", str(tmp_path / "none"), "--json"]) == 1


def test_the_priorities_going_stale_soon(store):
    soon = g.list_stale_soon(store, Filters(end=END), user=ANALYST)
    # Only y6 (W3, raised 10 Apr, 81 days): current until 91 days, so stale from 11 Jul, in 11 days.
    assert soon[["record_id", "ward_code", "days_left"]].to_dict("records") == [
        {"record_id": "y6", "ward_code": "W3", "days_left": 11}]
    assert pd.Timestamp(soon["stale_on"].iloc[0]).date() == D(2025, 7, 11)
    assert g.list_stale_soon(store, Filters(end=END), user=SUPERVISOR_A1).empty


def test_the_queries_open_past_72_hours(store):
    late = g.list_late_queries(store, Filters(end=END), user=ANALYST)
    # q5 (20 Mar 10:00), q7 (27 Jun 12:00, answered only after the end), q4 (20 Jun 10:00), all owned by P1;
    # hours open to 1 Jul 00:00.
    assert late[["record_id", "owner", "hours_open"]].to_dict("records") == [
        {"record_id": "q5", "owner": "Ann Able", "hours_open": 102 * 24 + 14.0},
        {"record_id": "q4", "owner": "Ann Able", "hours_open": 10 * 24 + 14.0},
        {"record_id": "q7", "owner": "Ann Able", "hours_open": 3 * 24 + 12.0}]
    assert "summary" not in late.columns
    assert g.list_late_queries(store, Filters(end=END, areas=("A2",)), user=ANALYST).empty
