"""The Guarantee page shows the function's numbers; the queries page logs and answers a query."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.filters import Filters
from analytics.guarantee import guarantee
from data import db
from data.store import Store
from forms.identity import USER_KEY
from tests.analytics.guarantee_fixture import END, build_guarantee_store

ROOT = Path(__file__).resolve().parents[2]
ANALYST = {"user_id": "AN", "role": "analyst", "area_code": None, "active": True}


@pytest.fixture(scope="module")
def fixture_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("guarantee_pages") / "store"
    build_guarantee_store(root)
    return root


@pytest.fixture
def store(fixture_root, monkeypatch) -> Store:
    monkeypatch.setenv("BEATBOOK_STORE", str(fixture_root))
    monkeypatch.delenv("BEATBOOK_DEMO_USER", raising=False)
    return Store(fixture_root)


def _open(page: str, user_id: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[USER_KEY] = user_id
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_the_page_shows_the_functions_figures(store):
    at = _open("pages/guarantee.py", "AN")
    at.date_input(key="guarantee.end").set_value(END).run()
    assert not at.exception
    expected = guarantee(store, Filters(end=END), user=ANALYST)
    wards = _table(at, "flags").set_index("ward_code")
    for column in ("priorities_open", "priorities_current", "beat_meetings_91d", "queries_received",
                   "queries_open_late"):
        assert wards[column].to_dict() == expected.wards.set_index("ward_code")[column].to_dict(), column
    assert wards["named"].to_dict() == {"W1": "Ann Able", "W2": "", "W3": "Cat Cole"}
    assert wards.loc["W1", "queries_answered_72h"] == pytest.approx(0.4)
    assert wards["flags"].to_dict()["W2"] == "No named officer, Priorities not current, No beat meeting"
    areas = _table(at, "hotspot_patrol_share").set_index("area_code")
    assert areas["abstraction_share"].to_dict() == pytest.approx({"A1": 18.5 / 1300, "A2": 0.025})
    assert areas["hotspot_patrol_share"].to_dict() == pytest.approx({"A1": 3.5 / 6.5, "A2": 1.0})
    assert list(_table(at, "days_left")["record_id"]) == ["y6"]
    assert list(_table(at, "hours_open")["record_id"]) == ["q5", "q4", "q7"]
    flagged = {m.label: m.value for m in at.metric}
    assert flagged["No named officer"] == "1" and flagged["Open queries past 72 hours"] == "1"


def test_a_supervisor_sees_their_own_area(store):
    at = _open("pages/guarantee.py", "S1")
    at.date_input(key="guarantee.end").set_value(END).run()
    assert set(_table(at, "flags")["ward_code"]) == {"W1", "W2"}



def test_an_officer_logs_a_query_and_answers_it(store):
    before = db.row(f"SELECT count(*) FROM {store.relation('community_queries')}")[0]
    at = _open("pages/log_query.py", "P1")
    key = "log_query.{}".format
    at.selectbox(key=key("ward_code")).set_value("W2")
    at.radio(key=key("channel")).set_value("Phone")
    at.selectbox(key=key("topic")).set_value("Parking")
    at.text_area(key=key("summary")).input("Vans on the verge")
    at.button(key=key("submit")).click().run()
    assert not at.exception and not at.session_state["log_query__errors"]
    rows = db.rows(f"SELECT record_id, ward_code, topic, summary FROM {store.relation('community_queries')}"
                               " WHERE summary = 'Vans on the verge'")
    assert len(rows) == 1 and rows[0][1:] == ("W2", "Parking", "Vans on the verge")
    assert db.row(f"SELECT count(*) FROM {store.relation('community_queries')}")[0] \
        == before + 1
    record_id = rows[0][0]
    number = store.get("community_queries", record_id)["reference"]
    assert number == before + 1, "numbered after the fixture's queries (none withdrawn)"
    assert f"Reference: **CQ-{number}**" in at.success[0].value
    waiting = next(d.value for d in at.dataframe if "due_at" in d.value.columns)
    assert f"CQ-{number}" in list(waiting["ref"])
    assert any(o.startswith(f"CQ-{number} · ") for o in at.selectbox(key="answer_query.record").options)
    at.selectbox(key="answer_query.record").set_value(record_id).run()
    answer = f"answer_query.{record_id}.{{}}".format
    at.radio(key=answer("answer_channel")).set_value("E-mail")
    at.button(key="answer_query.submit").click().run()
    assert not at.exception
    saved = store.get("community_queries", record_id)
    assert saved["answer_channel"] == "E-mail" and saved["answered_at"] is not None
    assert any("Answer saved" in s.value for s in at.success)



def test_an_admin_names_an_officer_on_the_admin_page(store):
    at = _open("pages/admin_ward_officers.py", "ADM")
    assert any("Abbey" in str(d.value.to_dict()) for d in at.dataframe), "W2 (Abbey) has no named officer"
    key = "admin_ward_officers.add.{}".format
    at.selectbox(key=key("ward_code")).set_value("W2")
    at.selectbox(key=key("officer_id")).set_value("P2")
    at.button(key=key("submit")).click().run()
    assert not at.exception
    assert any("Named the officer" in s.value for s in at.success)
    named = db.row(f"SELECT count(*) FROM {store.relation('ward_officers')}"
                                " WHERE ward_code = 'W2' AND officer_id = 'P2'")[0]
    assert named == 1


def test_my_activity_flags_my_queries_past_72_hours(store):
    at = _open("pages/my_activity.py", "P2")
    assert not any("community queries" in w.value for w in at.warning), "P2 owns no open query"
    at = _open("pages/my_activity.py", "P3")
    assert not any("community queries" in w.value for w in at.warning), "P3's one query was answered"
    late = db.row(f"SELECT count(*) FROM {store.relation('community_queries')}"
                               " WHERE officer_id = 'P1' AND answered_at IS NULL")[0]
    at = _open("pages/my_activity.py", "P1")
    assert any(f"{late} of your community queries are unanswered after 72 hours" in w.value for w in at.warning)
