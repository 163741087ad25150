"""The demo force's problem-solving records: every stage held, each answering items of its own area, each with
a history that keeps the model's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import problems
from analytics.filters import Filters
from data import db, demo
from data.picklists import PROBLEM_STAGES
from data.store import Store
from forms.problems import get_problem, problem_history

TODAY = dt.date(2026, 11, 26)
COMMANDER = {"user_id": "cmd-under-test", "role": "commander", "area_code": None, "active": True}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("demo_problems") / "store")
    demo.generate(store, scale=2000, today=TODAY)
    return store


def test_every_stage_is_held_across_the_force(store):
    by_stage = problems.problems_by_stage(store, Filters(end=TODAY), user=COMMANDER)
    held = by_stage.groupby("stage")["problems"].sum()
    assert all(held[stage] > 0 for stage in PROBLEM_STAGES), held.to_dict()
    assert int(held.sum()) == db.scalar(f"SELECT count(*) FROM {store.relation('problems')}")
    assert by_stage.loc[by_stage["problems"] > 0, "area_code"].nunique() > 1


def test_each_problem_answers_items_of_its_area_and_keeps_its_rules(store):
    wrong = db.scalar(f"""SELECT count(*) FROM (SELECT unnest(ysywd_ids) AS item, area_code
                                               FROM {store.relation('problems')}) p
                          LEFT JOIN {store.relation('ysywd')} y ON y.record_id = p.item
                          WHERE y.area_code IS DISTINCT FROM p.area_code""")
    assert wrong == 0
    late = db.scalar(f"SELECT count(*) FROM {store.relation('problems')} WHERE opened_on > ? OR closed_on > ?",
                     [TODAY, TODAY])
    assert late == 0


def test_a_closed_problem_has_its_whole_history_and_an_assessment(store):
    record_id = db.scalar(f"SELECT min(record_id) FROM {store.relation('problems')} WHERE stage = 'closed'")
    history = problem_history(store, record_id, user=COMMANDER)
    assert [h["stage"] for h in reversed(history)][0] == "scanning" and history[0]["stage"] == "closed"
    assert [h["version"] for h in history] == list(range(len(history), 0, -1))
    problem = get_problem(store, record_id, user=COMMANDER)
    frame = problems.assessment(store, problem, user=COMMANDER, days=28)
    assert list(frame["measure"]) == list(problems.MEASURES)
    assert (frame["before"] >= 0).all() and (frame["after"] >= 0).all()
