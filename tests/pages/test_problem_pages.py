"""The Problem solving pages: the commander view shows `problems_by_stage`'s figures; an officer opens a problem
and works it; "You said, we did" and problems link both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.filters import Filters
from analytics.problems import problems_by_stage
from data.store import Store
from forms.identity import USER_KEY
from forms.problems import get_problem
from tests.analytics.problem_fixture import AS_OF, build_problem_store, record_ids, user
from tests.officer_store import copy_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("problem_pages") / "store"
    build_problem_store(root)
    return root


@pytest.fixture
def store(built, tmp_path, monkeypatch) -> Store:
    copy = copy_store(built, tmp_path / "store")
    monkeypatch.setenv("BEATBOOK_STORE", str(copy.root))
    monkeypatch.delenv("BEATBOOK_DEMO_USER", raising=False)
    return copy


def _open(page: str, user_id: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[USER_KEY] = user_id
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_commander_view_shows_the_functions_figures(store):
    at = _open("pages/problems_by_stage.py", "C1")
    at.date_input(key="problems_by_stage.as_of").set_value(AS_OF).run()
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "reviews_overdue" in d.value.columns)
    expected = problems_by_stage(store, Filters(end=AS_OF), user=user("C1"))
    expected = expected[expected["problems"] > 0]
    assert shown[["area_code", "stage", "problems", "oldest_age_days"]].to_dict("records") == expected[
        ["area_code", "stage", "problems", "oldest_age_days"]].to_dict("records")
    assert [m.value for m in at.metric] == ["3", "1", "1"]  # open: pr1-pr3; over 90 days: pr1 (pr2 is 90); overdue: pr2


def test_an_officer_opens_a_problem_and_moves_it_on(store):
    at = _open("pages/problems.py", "P1")
    at.text_input(key="problem_open.title").set_value("Dog fouling")
    at.text_area(key="problem_open.statement").set_value("On the school path")
    at.multiselect(key="problem_open.ward_codes").set_value(["W1"])
    at.button(key="problem_open.submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    listed = next(d.value for d in at.dataframe if "stage_label" in d.value.columns)
    assert "Dog fouling" in list(listed["title"])
    rid = listed.set_index("title").loc["Dog fouling", "record_id"]
    at = _open("pages/problems.py", "P1", **{"problems.id": rid})
    at.button(key="problems.stage.analysis").click().run()
    assert not at.exception
    assert get_problem(store, rid, user=user("P1"))["stage"] == "analysis"
    at.button(key="problems.stage.response").click().run()  # no triangle yet: refused, said why
    assert any("the analysis triangle needs victim, offender, location" in e.value for e in at.error)
    assert get_problem(store, rid, user=user("P1"))["stage"] == "analysis"


def test_the_problem_shows_its_items_and_the_item_its_problems(store):
    ids = record_ids(store)
    at = _open("pages/problems.py", "P1", **{"problems.id": ids["pr1"]})
    links = [link.label for link in at.get("page_link")]
    assert any("Vans on the verges (raised 10 Jan 2025)" in label for label in links), links
    assessment = next(d.value for d in at.dataframe if "pct_change" in d.value.columns)
    assert list(assessment["measure"]) == ["crimes", "asb", "issues_raised", "engagement"]
    at = _open("pages/ysywd_item.py", "P1", **{"ysywd_item.id": ids["y1"]})
    assert any("Verge parking" in link.label for link in at.get("page_link"))


def test_another_areas_officer_cannot_open_the_problem(store):
    at = _open("pages/problems.py", "P2", **{"problems.id": record_ids(store)["pr1"]})
    assert not any("Verge parking" in h.value for h in at.header)
    listed = next(d.value for d in at.dataframe if "stage_label" in d.value.columns)
    assert list(listed["title"]) == ["Racing"]
