"""Problem-solving forms: validated, scoped to the user's area, nothing written on bad input, every change kept."""

from __future__ import annotations

import datetime as dt

import pytest

from data import db
from data.access import NotAllowed
from data.store import EditConflict, ValidationError, new_submission_id
from forms import problems
from tests.analytics.problem_fixture import build_problem_store, record_ids, user
from tests.officer_store import copy_store

TODAY = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("problems") / "store"
    build_problem_store(root)
    return root


@pytest.fixture
def store(built, tmp_path):
    return copy_store(built, tmp_path / "store")


def _all_rows(store) -> int:
    ids = record_ids(store)
    return sum(len(store.history("problems", ids[name])) for name in ("pr1", "pr2", "pr3", "pr4"))


def _open(store, who="P1", **overrides):
    values = {"title": "Graffiti", "statement": "Tags on the underpass", "area_code": "A1", "ward_codes": ["W2"],
              "review_on": TODAY + dt.timedelta(days=28)} | overrides
    return problems.open_problem(store=store, values=values, user=user(who), submission_id=new_submission_id(),
                                 today=TODAY)


def test_opening_keeps_the_fields_and_starts_at_scanning(store):
    ids = record_ids(store)
    saved = _open(store, ysywd_ids=[ids["y1"]], places="  The underpass  ", owner_id="P3")
    problem = problems.get_problem(store, saved.record_id, user=user("P1"))
    assert (problem["stage"], problem["opened_on"], problem["owner_id"]) == ("scanning", TODAY, "P3")
    assert (problem["places"], problem["ysywd_ids"], problem["change"]) == ("The underpass", [ids["y1"]], "Opened")


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"title": " "}, "title", "is required"),
    ({"ward_codes": ["W3"]}, "ward_codes", "not wards of the area: W3"),
    ({"ward_codes": ["W1", "W1"]}, "ward_codes", "lists a ward twice"),
    ({"review_on": TODAY - dt.timedelta(days=1)}, "review_on", "cannot be in the past (today is 30/06/2025)"),
    ({"review_on": "soon"}, "review_on", "must be a date"),
    ({"owner_id": "P2"}, "owner_id", "must be an active officer or supervisor of the problem's area"),
    ({"ysywd_ids": ["nope"]}, "ysywd_ids", "nope is not an item of the problem's area"),
    ({"colour": "red"}, "record", "unknown fields: colour"),
])
def test_bad_input_names_the_field_and_writes_nothing(store, overrides, field, message):
    before = _all_rows(store)
    with pytest.raises(ValidationError) as refused:
        _open(store, **overrides)
    assert refused.value.errors[field] == message
    assert _all_rows(store) == before
    assert len(db.rows(f"SELECT 1 FROM {store.relation('problems')}")) == 4


def test_an_item_of_another_area_cannot_be_linked(store):
    with pytest.raises(ValidationError) as refused:
        _open(store, ysywd_ids=[record_ids(store)["y2"]])
    assert "is not an item of the problem's area" in refused.value.errors["ysywd_ids"]


def test_scope_is_refused_outside_the_area_and_for_readers(store):
    with pytest.raises(NotAllowed, match="A1 is outside your area"):
        _open(store, who="P2")
    with pytest.raises(NotAllowed, match="a commander may not work problem-solving records"):
        _open(store, who="C1")
    pr1 = record_ids(store)["pr1"]
    with pytest.raises(NotAllowed, match="A1 is outside your area"):
        problems.get_problem(store, pr1, user=user("P2"))
    with pytest.raises(NotAllowed):
        problems.move_stage(store=store, record_id=pr1, stage="closed", user=user("P2"),
                            submission_id=new_submission_id(), base_version=7, today=TODAY)
    with pytest.raises(NotAllowed, match="an admin may not see problem-solving records"):
        problems.get_problem(store, pr1, user=user("AD"))
    assert problems.get_problem(store, pr1, user=user("C1"))["stage"] == "assessment"


def test_every_change_is_a_version_with_what_it_changed(store):
    history = problems.problem_history(store, record_ids(store)["pr1"], user=user("P1"))
    assert [h["version"] for h in history] == [7, 6, 5, 4, 3, 2, 1]
    assert [h["change"] for h in history] == [
        "Stage: Response → Assessment", "Action completed: Bollards on the verge",
        "Action planned: Bollards on the verge", "Stage: Analysis → Response",
        "Changed: review date, victim, offender, location, response started, response ended",
        "Stage: Scanning → Analysis", "Opened"]
    assert [h["stage"] for h in history][-3:] == ["analysis", "analysis", "scanning"]


def test_an_edit_from_an_old_version_is_refused_naming_who(store):
    pr1 = record_ids(store)["pr1"]
    with pytest.raises(EditConflict) as conflict:
        problems.update_problem(store=store, record_id=pr1, values={"places": "The verges"}, user=user("S1"),
                                submission_id=new_submission_id(), base_version=6, today=TODAY)
    assert conflict.value.errors["record"].startswith("Pat One changed this record at ")
    assert len(store.history("problems", pr1)) == 7
    saved = problems.update_problem(store=store, record_id=pr1, values={"places": "The verges"}, user=user("S1"),
                                    submission_id=new_submission_id(), base_version=7, today=TODAY)
    assert saved.version == 8 and problems.get_problem(store, pr1, user=user("P1"))["places"] == "The verges"


def _move(store, name, stage, who="P1", **kwargs):
    record_id = record_ids(store)[name]
    version = problems.get_problem(store, record_id, user=user("C1"))["version"]
    return problems.move_stage(store=store, record_id=record_id, stage=stage, user=user(who),
                               submission_id=new_submission_id(), base_version=version, today=TODAY, **kwargs)


def test_stages_move_on_one_at_a_time_and_only_when_ready(store):
    with pytest.raises(ValidationError) as skipped:
        _move(store, "pr2", "response", who="P3")
    assert skipped.value.errors == {"stage": "a problem at scanning moves on one stage at a time"}
    _move(store, "pr2", "analysis", who="P3")
    with pytest.raises(ValidationError) as unready:
        _move(store, "pr2", "response", who="P3")
    assert unready.value.errors == {"stage": "the analysis triangle needs victim, offender, location"}
    with pytest.raises(ValidationError) as unassessed:
        _move(store, "pr1", "closed")
    assert unassessed.value.errors == {"stage": "write the assessment first"}
    _move(store, "pr1", "response")  # back a stage: SARA loops
    assert problems.get_problem(store, record_ids(store)["pr1"], user=user("P1"))["stage"] == "response"


def test_only_a_supervisor_reopens_a_closed_problem(store):
    closed = problems.get_problem(store, record_ids(store)["pr4"], user=user("P2"))
    assert (closed["stage"], closed["closed_on"]) == ("closed", dt.date(2025, 5, 30))
    assert problems.allowed_stages(closed, user("P2")) == ()
    with pytest.raises(ValidationError, match="only a supervisor may reopen"):
        _move(store, "pr4", "assessment", who="P2")


def test_actions_are_planned_then_completed_never_in_the_future(store):
    pr3 = record_ids(store)["pr3"]
    saved = problems.add_action(store=store, record_id=pr3, values={"text": "Clear the brush", "partner": "Parks",
                                "planned_on": dt.date(2025, 7, 2)}, user=user("P1"),
                                submission_id=new_submission_id(), base_version=2, today=TODAY)
    with pytest.raises(ValidationError) as early:
        problems.complete_action(store=store, record_id=pr3, action_id="a1", completed_on=TODAY + dt.timedelta(1),
                                 user=user("P1"), submission_id=new_submission_id(), base_version=saved.version,
                                 today=TODAY)
    assert early.value.errors == {"completed_on": "cannot be in the future (today is 30/06/2025)"}
    with pytest.raises(ValidationError) as unknown:
        problems.complete_action(store=store, record_id=pr3, action_id="a9", completed_on=TODAY, user=user("P1"),
                                 submission_id=new_submission_id(), base_version=saved.version, today=TODAY)
    assert unknown.value.errors == {"action_id": "is not an action of this problem"}
    problems.complete_action(store=store, record_id=pr3, action_id="a1", completed_on=TODAY, user=user("P1"),
                             submission_id=new_submission_id(), base_version=saved.version, today=TODAY)
    problem = problems.get_problem(store, pr3, user=user("S1"))
    assert problem["actions"] == [{"action_id": "a1", "text": "Clear the brush", "partner": "Parks",
                                   "planned_on": dt.date(2025, 7, 2), "completed_on": TODAY, "officer_id": "P1"}]
    assert problem["partners"] == ["Parks"]


def test_saving_the_same_submission_twice_writes_once(store):
    sid = new_submission_id()
    values = {"title": "Litter", "statement": "Bins overflow", "area_code": "A1", "ward_codes": ["W1"],
              "review_on": TODAY}
    first = problems.open_problem(store=store, values=values, user=user("P1"), submission_id=sid, today=TODAY)
    again = problems.open_problem(store=store, values=values, user=user("P1"), submission_id=sid, today=TODAY)
    assert first.record_id == again.record_id
    assert len(db.rows(f"SELECT 1 FROM {store.relation('problems')}")) == 5
