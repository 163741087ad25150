"""The alert conditions and the ASB Case Review trigger, against the hand-worked store of `alerts_fixture`."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from analytics.alerts import alert_settings, list_alerts, list_asb_complaints, list_my_alerts, parse_threshold
from analytics.filters import Filters
from data import db
from data.access import NotAllowed
from data.store import Store, ValidationError, new_submission_id
from forms.admin import save_setting
from tests.analytics.alerts_fixture import NOW, build_alerts_store, six_months_before

ANALYST = {"user_id": "AN", "role": "analyst", "area_code": None, "active": True}
ADMIN = {"user_id": "ADM", "role": "admin", "area_code": None, "active": True}


def _user(user_id: str, role: str, area: str) -> dict:
    return {"user_id": user_id, "role": role, "area_code": area, "active": True}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("alerts") / "store"
    return root, build_alerts_store(root)


@pytest.fixture
def store(built) -> Store:
    return Store(built[0])


@pytest.fixture
def ids(built) -> dict:
    return built[1]


def _by_key(alerts) -> dict:
    return {row.key: row for row in alerts.itertuples(index=False)}


def test_six_months_before_is_the_same_day_or_the_months_last():
    assert six_months_before(dt.date(2025, 6, 30)) == dt.date(2024, 12, 30)
    assert six_months_before(dt.date(2025, 8, 31)) == dt.date(2025, 2, 28)


def test_every_alert_at_now_with_its_recipients(store, ids):
    alerts = list_alerts(store, user=ANALYST, now=NOW)
    got = {row.key: (row.condition, row.ward_code if isinstance(row.ward_code, str) else None, row.recipients)
           for row in alerts.itertuples(index=False)}
    assert got == {
        "coverage_gap:W2:2025-05-03": ("coverage_gap", "W2", ["S1"]),
        "coverage_gap:W3:2025-06-02": ("coverage_gap", "W3", ["P3", "S3"]),
        f"stale_priority:{ids['y1']}:2025-04-11": ("stale_priority", "W1", ["P1", "S1"]),
        f"stale_priority:{ids['y3']}:2025-04-02": ("stale_priority", "W2", ["S1"]),
        f"stale_priority:{ids['y5']}:2025-01-01": ("stale_priority", None, ["S3"]),
        f"query_due:{ids['qb']}": ("query_due", "W1", ["P2", "S1"]),
        f"query_due:{ids['qc']}": ("query_due", "W1", ["P1", "S1"]),
        f"asb_trigger:W1:Anti-social behaviour:{ids['c1']}": ("asb_trigger", "W1", ["P1", "S1"]),
    }
    assert list(alerts["condition"]) == ["coverage_gap"] * 2 + ["stale_priority"] * 3 + ["query_due"] * 2 + [
        "asb_trigger"]
    titles = _by_key(alerts)
    assert titles["coverage_gap:W2:2025-05-03"].title == "No engagement in Abbey for 58 days (last 03 May 2025)"
    assert titles[f"asb_trigger:W1:Anti-social behaviour:{ids['c1']}"].title == (
        "3 Anti-social behaviour complaints in Castle since 30 Dec 2024: ASB Case Review threshold (3 in six months)"
        " reached")
    assert titles[f"asb_trigger:W1:Anti-social behaviour:{ids['c1']}"].record_ids == [ids["c1"], ids["c2"], ids["q1"]]


def test_the_trigger_needs_three_complaints_inside_the_window(store, ids):
    # At NOW c0 is a minute before the window (30 Dec 00:00) and c1 its first moment: c1, c2, q1 (above).
    # A day later (1 Jul) the window starts on 1 Jan 2025: c1 is out, W1 has 2 of 3, no trigger; meanwhile c8
    # has come in and W3 has three.
    day_later = NOW + dt.timedelta(days=1)
    assert six_months_before(day_later.date()) == dt.date(2025, 1, 1)
    later = list_alerts(store, user=ANALYST, now=day_later)
    assert list(later.loc[later["condition"] == "asb_trigger", "key"]) == [
        f"asb_trigger:W3:Street drinking:{ids['c6']}"]
    # On 20 Jun at 09:59 the window starts on 20 Dec 2024: c0, c1 and c2 are three, q1 not in yet; the trigger
    # starts from c0, so it is a different alert from the one at NOW.
    earlier = list_alerts(store, user=ANALYST, now=dt.datetime(2025, 6, 20, 9, 59))
    triggers = earlier[earlier["condition"] == "asb_trigger"]
    assert list(triggers["key"]) == [f"asb_trigger:W1:Anti-social behaviour:{ids['c0']}"]
    assert triggers.iloc[0]["record_ids"] == [ids["c0"], ids["c1"], ids["c2"]]


def test_the_complaints_behind_the_trigger(store, ids):
    complaints = list_asb_complaints(store, user=ANALYST, now=NOW)
    assert list(complaints["record_id"]) == [ids["c1"], ids["c2"], ids["q1"]]
    assert list(complaints["table_name"]) == ["ccrs", "ccrs", "community_queries"]
    assert list(complaints["place"].fillna("")) == ["Place c1", "Place c2", ""]
    assert set(complaints["officer"]) == {"Ann Able"}


def test_a_lower_threshold_flags_two_complaints(tmp_path, ids):
    root = tmp_path / "store"
    built = build_alerts_store(root)
    store = Store(root)
    save_setting(store=store, key="asb_trigger_threshold", value="2", user=ADMIN, submission_id=new_submission_id(),
                 base_version=0)
    assert alert_settings(store).threshold == 2
    alerts = list_alerts(store, user=ANALYST, now=NOW)
    triggers = alerts[alerts["condition"] == "asb_trigger"]
    assert list(zip(triggers["ward_code"], triggers["subject"], strict=True)) == [
        ("W1", "Anti-social behaviour"), ("W2", "Youth nuisance"), ("W3", "Street drinking")]
    assert triggers.iloc[1]["record_ids"] == [built["c3"], built["q2"]]
    # c8 (an hour after now) is not counted: W3 has c6 and c7.
    assert triggers.iloc[2]["record_ids"] == [built["c6"], built["c7"]]


def test_the_threshold_may_not_exceed_the_statutory_three(tmp_path):
    root = tmp_path / "store"
    build_alerts_store(root)
    store = Store(root)
    with pytest.raises(ValidationError) as refused:
        save_setting(store=store, key="asb_trigger_threshold", value="4", user=ADMIN,
                     submission_id=new_submission_id(), base_version=0)
    assert refused.value.errors == {"value": "The ASB trigger threshold may be no higher than 3 complaints in six "
                                             "months (ASB, Crime and Policing Act 2014 s104)"}
    for bad in ("0", "2.5", "three", "-1"):
        with pytest.raises(ValidationError):
            save_setting(store=store, key="asb_trigger_threshold", value=bad, user=ADMIN,
                         submission_id=new_submission_id(), base_version=0)
    assert store.relation("settings") and alert_settings(store).threshold == 3  # nothing was written
    assert parse_threshold(" 3 ") == 3


def test_the_coverage_gap_setting_moves_the_edge(tmp_path):
    root = tmp_path / "store"
    build_alerts_store(root)
    store = Store(root)
    save_setting(store=store, key="coverage_gap_days", value="29", user=ADMIN, submission_id=new_submission_id(),
                 base_version=0)
    alerts = list_alerts(store, user=ANALYST, now=NOW)
    assert list(alerts.loc[alerts["condition"] == "coverage_gap", "ward_code"]) == ["W2"]  # W3's 28 days < 29
    with pytest.raises(ValidationError) as refused:
        save_setting(store=store, key="coverage_gap_days", value="400", user=ADMIN,
                     submission_id=new_submission_id(), base_version=1)
    assert refused.value.errors == {"value": "The coverage gap must be from 1 to 365 days"}


def test_query_and_priority_edges_move_with_now(store, ids):
    # A minute later qb is due now (not "due soon") and qd's deadline is within 12 hours.
    later = list_alerts(store, user=ANALYST, now=NOW + dt.timedelta(minutes=1))
    assert set(later.loc[later["condition"] == "query_due", "subject"]) == {ids["qc"], ids["qd"]}
    # The next day y2 reaches 80 days.
    tomorrow = list_alerts(store, user=ANALYST, now=NOW + dt.timedelta(days=1))
    assert ids["y2"] in set(tomorrow.loc[tomorrow["condition"] == "stale_priority", "subject"])


def test_team_roles_see_their_area_and_their_own(store, ids):
    supervisor = list_alerts(store, user=_user("S1", "supervisor", "A1"), now=NOW)
    assert set(supervisor["area_code"]) == {"A1"} and len(supervisor) == 6
    with pytest.raises(NotAllowed):
        list_alerts(store, Filters(areas=("A2",)), user=_user("S1", "supervisor", "A1"), now=NOW)
    with pytest.raises(NotAllowed):
        list_alerts(store, user=_user("P1", "officer", "A1"), now=NOW)
    mine = list_my_alerts(store, user=_user("P1", "officer", "A1"), now=NOW)
    assert set(mine["key"]) == {f"stale_priority:{ids['y1']}:2025-04-11", f"query_due:{ids['qc']}",
                                f"asb_trigger:W1:Anti-social behaviour:{ids['c1']}"}
    assert list(list_my_alerts(store, user=_user("P2", "officer", "A1"), now=NOW)["key"]) == [
        f"query_due:{ids['qb']}"]
    assert len(list_my_alerts(store, user=_user("S1", "supervisor", "A1"), now=NOW)) == 6


def test_an_empty_store_has_no_alerts(tmp_path):
    store = Store(tmp_path / "empty")
    store.create()
    assert list_alerts(store, user=ANALYST, now=NOW).empty
    assert list_asb_complaints(store, user=ANALYST, now=NOW).empty


def test_queries_past_72_hours_are_judged_at_now(store, ids):
    from analytics.alerts import list_late_queries_now

    late = list_late_queries_now(store, user=ANALYST, now=NOW)
    assert list(late["record_id"]) == [ids["q1"]]  # qa's 72 hours end at NOW exactly: not past yet
    assert late.iloc[0]["hours_open"] == 242.0  # 20 Jun 10:00 to 30 Jun 12:00
    later = list_late_queries_now(store, user=ANALYST, now=NOW + dt.timedelta(minutes=1))
    assert list(later["record_id"]) == [ids["q1"], ids["qa"]]


def test_each_view_of_the_complaints_is_audited_once_with_the_records_shown(built, tmp_path):
    shutil.copytree(built[0], tmp_path / "store")
    store, ids = Store(tmp_path / "store"), built[1]

    def views() -> list[tuple]:
        return [(r["user_id"], r["table_name"], list(r["target_ids"])) for r in db.records(
            f"SELECT user_id, table_name, target_ids FROM {store.relation('audit')}"
            " WHERE action = 'view_personal' AND user_id IN ('P1', 'S1') ORDER BY table_name")]

    with pytest.raises(NotAllowed):
        list_asb_complaints(store, user=_user("P1", "officer", "A1"), now=NOW)
    assert views() == [], "a refused view is not logged"
    supervisor = _user("S1", "supervisor", "A1")
    list_asb_complaints(store, user=supervisor, now=NOW)
    list_asb_complaints(store, user=supervisor, now=NOW)  # a rerun of the same view
    assert views() == [("S1", "ccrs", [ids["c1"], ids["c2"]]), ("S1", "community_queries", [ids["q1"]])]
