"""Patrols and abstractions: exact figures on the fixture store (see tests/analytics/patrol_fixture.py)."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import pytest

from analytics import patrol_dash
from analytics.filters import Filters
from tests.analytics.conftest import MARCH
from tests.analytics.patrol_fixture import build_patrol_store, make_patrol, save
from tests.conftest import ANALYST

MARCH_FILTERS = Filters(start=MARCH[0], end=MARCH[1])


@pytest.fixture(scope="module")
def patrol_store(tmp_path_factory):
    return build_patrol_store(tmp_path_factory.mktemp("patrols") / "store")


def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(r) for r in frame[columns].itertuples(index=False)]


def test_march_headline(patrol_store):
    o = patrol_dash.patrols_overview(patrol_store, MARCH_FILTERS, user=ANALYST)
    # patrols p1-p4 (p5 deleted, p6 April): 2 + 1.5 + 0.75 + 2 (p4 as edited) = 6.25 h
    # abstractions a1-a4 (a5 April): 8 + 4 + 6.5 + 2 = 20.5 h
    assert o.headline == {"patrols": 4, "patrol_hours": 6.25, "abstractions": 4, "abstraction_hours": 20.5}


def test_march_patrol_breakdowns(patrol_store):
    o = patrol_dash.patrols_overview(patrol_store, MARCH_FILTERS, user=ANALYST)
    # Foot: p1 2 + p3 0.75 + p4 2 = 4.75 h; Hotspot: p2 1.5 h
    assert rows(o.patrols_by_type, ["patrol_type", "patrols", "hours"]) == [
        ("Foot patrol", 3, 4.75), ("Hotspot patrol", 1, 1.5)]
    # North (A1): p1, p2, p4 = 2 + 1.5 + 2 = 5.5 h; South (A2): p3 0.75 h
    assert rows(o.patrols_by_area, ["area_code", "area", "patrols", "hours"]) == [
        ("A1", "North", 3, 5.5), ("A2", "South", 1, 0.75)]
    # W1: p1 + p4 = 4 h; W2: p2 1.5 h; W3: p3 0.75 h — every ward in scope, with its centre
    assert rows(o.patrols_by_ward, ["ward_code", "name", "patrols", "hours"]) == [
        ("W1", "Castle", 2, 4.0), ("W2", "Abbey", 1, 1.5), ("W3", "Riverside", 1, 0.75)]
    assert o.patrols_by_ward["centre_lat"].notna().all()
    # P1: p1 + p4 = 4 h; P2: p2 1.5 h; P3: p3 0.75 h (no users in this store: the id stands for the name)
    assert rows(o.patrols_by_officer, ["officer_id", "officer", "patrols", "hours"]) == [
        ("P1", "P1", 2, 4.0), ("P2", "P2", 1, 1.5), ("P3", "P3", 1, 0.75)]
    drill = patrol_dash.drill_breakdowns(o)
    assert list(drill["by_area"].columns[:2]) == ["area_code", "name"] and set(drill) == {
        "by_area", "by_ward", "by_officer"}
    # one row per (day, type)
    assert rows(o.patrols_by_day, ["day", "patrol_type", "patrols", "hours"]) == [
        (pd.Timestamp("2025-03-03"), "Foot patrol", 1, 2.0), (pd.Timestamp("2025-03-04"), "Hotspot patrol", 1, 1.5),
        (pd.Timestamp("2025-03-11"), "Foot patrol", 1, 0.75), (pd.Timestamp("2025-03-20"), "Foot patrol", 1, 2.0)]


def test_march_abstraction_breakdowns(patrol_store):
    o = patrol_dash.patrols_overview(patrol_store, MARCH_FILTERS, user=ANALYST)
    # Response cover: a2 4 + a3 6.5 = 10.5 h; Court: a1 8 h; Training: a4 2 h (most hours first)
    assert rows(o.abstractions_by_reason, ["reason", "abstractions", "hours"]) == [
        ("Response cover", 2, 10.5), ("Court", 1, 8.0), ("Training", 1, 2.0)]
    assert rows(o.top_duties, ["duty_taken_to", "reason", "abstractions", "hours"]) == [
        ("Response team", "Response cover", 2, 10.5), ("Crown Court", "Court", 1, 8.0),
        ("First aid refresher", "Training", 1, 2.0)]
    assert rows(o.abstractions_by_day, ["day", "area_code", "area", "abstractions", "hours"]) == [
        (pd.Timestamp("2025-03-05"), "A1", "North", 1, 8.0), (pd.Timestamp("2025-03-12"), "A1", "North", 1, 4.0),
        (pd.Timestamp("2025-03-12"), "A2", "South", 1, 6.5), (pd.Timestamp("2025-03-26"), "A1", "North", 1, 2.0)]


def test_hours_per_week_and_month(patrol_store):
    o = patrol_dash.patrols_overview(patrol_store, Filters(), user=ANALYST)
    weekly = patrol_dash.patrol_hours_by_period(o, grain="week")
    # week of Mon 3 Mar: p1 Foot 2 h, p2 Hotspot 1.5 h; 10 Mar: p3 0.75; 17 Mar: p4 2; 31 Mar: p6 Hotspot 2.5
    assert rows(weekly, ["period", "patrol_type", "hours"]) == [
        (pd.Timestamp("2025-03-03"), "Foot patrol", 2.0), (pd.Timestamp("2025-03-03"), "Hotspot patrol", 1.5),
        (pd.Timestamp("2025-03-10"), "Foot patrol", 0.75), (pd.Timestamp("2025-03-17"), "Foot patrol", 2.0),
        (pd.Timestamp("2025-03-31"), "Hotspot patrol", 2.5)]
    monthly = patrol_dash.abstraction_hours_by_period(o, grain="month")
    # March: North a1 8 + a2 4 + a4 2 = 14 h, South a3 6.5 h; April: North a5 5 h
    assert rows(monthly, ["period", "area", "abstractions", "hours"]) == [
        (pd.Timestamp("2025-03-01"), "North", 3, 14.0), (pd.Timestamp("2025-03-01"), "South", 1, 6.5),
        (pd.Timestamp("2025-04-01"), "North", 1, 5.0)]


def test_area_ward_and_officer_filters(patrol_store):
    north = patrol_dash.patrols_overview(patrol_store, Filters(start=MARCH[0], end=MARCH[1], areas=("A1",)),
                                         user=ANALYST)
    # patrols p1, p2, p4 = 5.5 h; abstractions a1, a2, a4 = 8 + 4 + 2 = 14 h; the map keeps North's wards
    assert north.headline == {"patrols": 3, "patrol_hours": 5.5, "abstractions": 3, "abstraction_hours": 14.0}
    assert list(north.patrols_by_ward["ward_code"]) == ["W1", "W2"]
    castle = patrol_dash.patrols_overview(patrol_store, Filters(start=MARCH[0], end=MARCH[1], wards=("W1",)),
                                          user=ANALYST)
    # patrols p1 + p4 = 4 h; abstractions have no ward, so all four March ones stay
    assert castle.headline == {"patrols": 2, "patrol_hours": 4.0, "abstractions": 4, "abstraction_hours": 20.5}
    p1 = patrol_dash.patrols_overview(patrol_store, Filters(start=MARCH[0], end=MARCH[1], officers=("P1",)),
                                      user=ANALYST)
    # P1 patrolled p1, p4 (4 h) and was abstracted a1, a4 (8 + 2 = 10 h)
    assert p1.headline == {"patrols": 2, "patrol_hours": 4.0, "abstractions": 2, "abstraction_hours": 10.0}


def test_nothing_in_range_gives_zeros(patrol_store):
    o = patrol_dash.patrols_overview(patrol_store, Filters(start=dt.date(2030, 1, 1), end=dt.date(2030, 1, 31)),
                                     user=ANALYST)
    assert o.headline == {"patrols": 0, "patrol_hours": 0.0, "abstractions": 0, "abstraction_hours": 0.0}
    assert o.patrols_by_type.empty and o.top_duties.empty
    assert (o.patrols_by_ward["hours"] == 0).all() and len(o.patrols_by_ward) == 3
    assert patrol_dash.patrol_hours_by_period(o, grain="month").empty


def test_a_save_shows_on_the_next_call(tmp_path):
    store = build_patrol_store(tmp_path / "store")
    before = patrol_dash.patrols_overview(store, MARCH_FILTERS, user=ANALYST).headline["patrols"]
    save(store, "patrols", make_patrol(start=dt.datetime(2025, 3, 28, 9)), "p7")
    assert patrol_dash.patrols_overview(store, MARCH_FILTERS, user=ANALYST).headline["patrols"] == before + 1


def test_charts_build(patrol_store):
    o = patrol_dash.patrols_overview(patrol_store, Filters(), user=ANALYST)
    for grain in ("week", "month"):
        chart = patrol_dash.build_patrol_hours_chart(patrol_dash.patrol_hours_by_period(o, grain=grain), grain=grain)
        assert isinstance(chart, alt.Chart) and chart.to_dict()["mark"]["type"] == "bar"
        chart = patrol_dash.build_abstraction_hours_chart(
            patrol_dash.abstraction_hours_by_period(o, grain=grain), grain=grain)
        assert chart.to_dict()["encoding"]["color"]["field"] == "area"
