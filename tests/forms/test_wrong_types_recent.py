"""The forms added after `test_wrong_types.py` (problem solving, community queries, named ward officers) under
the same fuzzing: whatever wrong-typed value comes in, each saves or refuses with a `ValidationError` (or
`NotAllowed`) naming fields the form has; never another exception. And nobody (no user) is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data import db
from data.access import NotAllowed
from data.store import new_submission_id
from forms import community_queries, problems, ward_officers
from tests.analytics.guarantee_fixture import build_guarantee_store
from tests.analytics.problem_fixture import build_problem_store, record_ids
from tests.analytics.problem_fixture import user as problem_user
from tests.forms.test_wrong_types import refused_or_saved, wrong

FUZZ = settings(max_examples=40, deadline=None, derandomize=True)
TODAY = dt.date(2025, 6, 30)
NOW = dt.datetime(2025, 7, 1, 12)
OFFICER = {"user_id": "P1", "name": "Ann Able", "role": "officer", "area_code": "A1", "active": True}
ADMIN = {"user_id": "AD", "name": "Ada Admin", "role": "admin", "area_code": None, "active": True}
PROBLEM_FIELDS = {*problems.OPEN_FIELDS, *problems.EDIT_FIELDS, *problems.ACTION_FIELDS, "stage", "action_id",
                  "completed_on", "record"}
QUERY_FIELDS = {*community_queries.LOG_FIELDS, *community_queries.ANSWER_FIELDS, "record"}
WARD_OFFICER_FIELDS = {*ward_officers.FIELDS, "record"}


@pytest.fixture(scope="module")
def problem_store(tmp_path_factory):
    return build_problem_store(tmp_path_factory.mktemp("wrong-problems") / "store")


@pytest.fixture(scope="module")
def problem_ids(problem_store) -> dict[str, str]:
    """The fixture's problems by name, read before any test adds one."""
    return record_ids(problem_store)


@pytest.fixture(scope="module")
def query_store(tmp_path_factory):
    return build_guarantee_store(tmp_path_factory.mktemp("wrong-queries") / "store")


def _version(store, table: str, record_id: str) -> int:
    return len(store.history(table, record_id))


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(problems.OPEN_FIELDS), wrong, min_size=1, max_size=3))
def test_open_problem_refuses_wrong_types_by_field(problem_store, problem_ids, changes):
    values = {"title": "Graffiti", "statement": "Tags on the underpass", "area_code": "A1", "ward_codes": ["W2"],
              "review_on": TODAY + dt.timedelta(days=28)} | changes
    refused_or_saved(lambda: problems.open_problem(store=problem_store, values=values, user=problem_user("P1"),
                                                   submission_id=new_submission_id(), today=TODAY), PROBLEM_FIELDS)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(problems.EDIT_FIELDS), wrong, min_size=1, max_size=3),
       record_id=st.one_of(st.just("pr1"), wrong), base_version=st.one_of(st.just("current"), wrong))
def test_update_problem_refuses_wrong_types_by_field(problem_store, problem_ids, changes, record_id, base_version):
    real = problem_ids["pr1"]
    record_id = real if record_id == "pr1" else record_id
    version = _version(problem_store, "problems", real) if base_version == "current" else base_version
    refused_or_saved(lambda: problems.update_problem(store=problem_store, record_id=record_id, values=changes,
                                                     user=problem_user("P1"), submission_id=new_submission_id(),
                                                     base_version=version, today=TODAY), PROBLEM_FIELDS)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(problems.ACTION_FIELDS), wrong, min_size=1, max_size=3),
       stage=wrong, action_id=wrong, day=wrong)
def test_actions_and_stages_refuse_wrong_types_by_field(problem_store, problem_ids, changes, stage, action_id, day):
    pr3 = problem_ids["pr3"]
    version = _version(problem_store, "problems", pr3)
    common = {"store": problem_store, "record_id": pr3, "user": problem_user("P1"), "base_version": version,
              "today": TODAY}
    values = {"text": "Clear the brush", "partner": "Parks", "planned_on": TODAY} | changes
    refused_or_saved(lambda: problems.add_action(values=values, submission_id=new_submission_id(), **common),
                     PROBLEM_FIELDS)
    refused_or_saved(lambda: problems.move_stage(stage=stage, submission_id=new_submission_id(), **common),
                     PROBLEM_FIELDS)
    refused_or_saved(lambda: problems.complete_action(action_id=action_id, completed_on=day,
                                                      submission_id=new_submission_id(), **common), PROBLEM_FIELDS)
    assert problems.get_problem(problem_store, action_id, user=problem_user("P1")) is None


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(community_queries.LOG_FIELDS), wrong, min_size=1, max_size=3))
def test_log_query_refuses_wrong_types_by_field(query_store, changes):
    values = {"received_date": dt.date(2025, 7, 1), "received_time": dt.time(9, 30), "channel": "Phone",
              "area_code": "A1", "ward_code": "W2", "topic": "Parking", "officer_id": "P1",
              "summary": "Vans on the verge"} | changes
    refused_or_saved(lambda: community_queries.log_query(store=query_store, values=values, user=OFFICER,
                                                         submission_id=new_submission_id(), now=NOW), QUERY_FIELDS)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(community_queries.ANSWER_FIELDS), wrong, min_size=1, max_size=3),
       record_id=wrong, base_version=wrong)
def test_answer_query_refuses_wrong_types_by_field(query_store, changes, record_id, base_version):
    values = {"answered_date": dt.date(2025, 7, 1), "answered_time": dt.time(11), "answer_channel": "E-mail"} | changes
    refused_or_saved(lambda: community_queries.answer_query(
        store=query_store, record_id=record_id, values=values, user=OFFICER, submission_id=new_submission_id(),
        base_version=base_version, now=NOW), QUERY_FIELDS)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(ward_officers.FIELDS), wrong, min_size=1, max_size=3),
       end_date=wrong, base_version=wrong)
def test_ward_officers_refuse_wrong_types_by_field(query_store, changes, end_date, base_version):
    values = {"ward_code": "W1", "officer_id": "P1", "start_date": dt.date(2025, 7, 1)} | changes
    refused_or_saved(lambda: ward_officers.save_ward_officer(store=query_store, values=values, user=ADMIN,
                                                             submission_id=new_submission_id()), WARD_OFFICER_FIELDS)
    (record_id,) = db.row(f"SELECT record_id FROM {query_store.relation('ward_officers')} ORDER BY record_id LIMIT 1")
    refused_or_saved(lambda: ward_officers.end_ward_officer(
        store=query_store, record_id=record_id, end_date=end_date, user=ADMIN, submission_id=new_submission_id(),
        base_version=base_version), WARD_OFFICER_FIELDS)


@pytest.mark.parametrize("nobody", [None, {}])
def test_every_recent_form_refuses_nobody(problem_store, problem_ids, query_store, nobody):
    pr1 = problem_ids["pr1"]
    calls = [
        lambda: problems.open_problem(store=problem_store, values={}, user=nobody, submission_id="x", today=TODAY),
        lambda: problems.update_problem(store=problem_store, record_id=pr1, values={}, user=nobody,
                                        submission_id="x", base_version=1, today=TODAY),
        lambda: community_queries.log_query(store=query_store, values={}, user=nobody, submission_id="x", now=NOW),
        lambda: ward_officers.save_ward_officer(store=query_store, values={}, user=nobody, submission_id="x"),
    ]
    for call in calls:
        with pytest.raises(NotAllowed):
            call()
