"""The demo force's Guarantee records: every measure has wards that meet it and wards that fail it."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.alerts import list_alerts, list_asb_complaints
from analytics.filters import Filters
from analytics.guarantee import guarantee
from data import db, demo
from data.store import Store

TODAY = dt.date(2026, 11, 26)
ANALYST = {"user_id": "analyst-under-test", "role": "analyst", "area_code": None, "active": True}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("demo_npg") / "store")
    demo.generate(store, today=TODAY)
    return store


def test_some_wards_fail_each_measure_and_others_meet_it(store):
    wards = guarantee(store, Filters(end=TODAY), user=ANALYST).wards
    assert len(wards) == 211
    for flag in ("no_named_officer", "not_current", "stale_soon", "few_beat_meetings", "late_queries"):
        failing = int(wards[flag].sum())
        assert 0 < failing < len(wards), flag
    answered = wards["queries_answered_72h"].dropna()
    assert (answered == 1.0).any() and (answered < 0.75).any()


def test_the_records_keep_their_rules(store):
    bad_queries = db.row(f"""SELECT count(*) FILTER (WHERE answered_at < received_at),
                                            count(*) FILTER (WHERE written_at >= ?::TIMESTAMP)
                                     FROM {store.relation('community_queries')}""", [TODAY])
    assert bad_queries == (0, 0)
    users = {r[0]: r[1] for r in db.rows(f"SELECT user_id, role FROM {store.relation('users')}")}
    named = db.rows(f"SELECT officer_id FROM {store.relation('ward_officers')}")
    assert named and all(users[o] == "officer" for (o,) in named)
    part_time = db.scalar(f"SELECT count(weekly_hours) FROM {store.relation('users')}")
    assert 0 < part_time < 120
    assert db.row(f"SELECT value FROM {store.relation('settings')} WHERE key = 'contracted_weekly_hours'") == ("37",)


def test_the_demo_shows_every_kind_of_alert_and_asb_triggers_with_their_complaints(store):
    now = dt.datetime.combine(TODAY, dt.time(12))
    alerts = list_alerts(store, user=ANALYST, now=now)
    counts = alerts["condition"].value_counts()
    assert set(counts.index) == {"coverage_gap", "stale_priority", "query_due", "asb_trigger"}
    assert 0 < alerts.loc[alerts["condition"] == "coverage_gap", "ward_code"].nunique() < 211
    triggered = alerts.loc[alerts["condition"] == "asb_trigger", "ward_code"].nunique()
    assert 0 < triggered < 211
    complaints = list_asb_complaints(store, user=ANALYST, now=now)
    assert complaints.groupby("key").size().min() >= 3
    assert set(complaints["key"]) == set(alerts.loc[alerts["condition"] == "asb_trigger", "key"])
    assert set(complaints["table_name"]) == {"ccrs", "community_queries"}
