"""log_query and answer_query: a query is logged in the user's area, answered once, never before it came in."""

from __future__ import annotations

import datetime as dt

import pytest

from data import db
from data.access import NotAllowed
from data.store import ValidationError, new_submission_id
from forms.community_queries import answer_query, log_query, query_defaults, query_form_options
from tests.analytics.guarantee_fixture import build_guarantee_store

NOW = dt.datetime(2025, 7, 1, 12, 0)
OFFICER = {"user_id": "P1", "name": "Ann Able", "role": "officer", "area_code": "A1", "active": True}
OTHER_AREA = {"user_id": "P3", "name": "Cat Cole", "role": "officer", "area_code": "A2", "active": True}
ANALYST = {"user_id": "AN", "role": "analyst", "area_code": None, "active": True}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_guarantee_store(tmp_path_factory.mktemp("queries") / "store")


def _count(store) -> int:
    return db.row(f"SELECT count(*) FROM {store.relation('community_queries')}")[0]


def _values(**overrides) -> dict:
    values = {"received_date": dt.date(2025, 7, 1), "received_time": dt.time(9, 30), "channel": "Phone",
              "area_code": "A1", "ward_code": "W2", "topic": "Parking", "officer_id": "P1",
              "summary": "  Vans parked on the verge  "}
    values.update(overrides)
    return values


def _log(store, user=OFFICER, **overrides):
    return log_query(store=store, values=_values(**overrides), user=user, submission_id=new_submission_id(), now=NOW)


def _answer(store, record_id, base_version=1, user=OFFICER, **overrides):
    values = {"answered_date": dt.date(2025, 7, 1), "answered_time": dt.time(11, 0), "answer_channel": "E-mail"}
    values.update(overrides)
    return answer_query(store=store, record_id=record_id, values=values, user=user,
                        submission_id=new_submission_id(), base_version=base_version, now=NOW)


def test_a_query_is_logged_with_exact_values(store):
    saved = _log(store)
    row = store.get("community_queries", saved.record_id)
    assert {k: row[k] for k in ("received_at", "channel", "area_code", "ward_code", "topic", "officer_id", "summary",
                                "answered_at", "answer_channel", "written_by")} == {
        "received_at": dt.datetime(2025, 7, 1, 9, 30), "channel": "Phone", "area_code": "A1", "ward_code": "W2",
        "topic": "Parking", "officer_id": "P1", "summary": "Vans parked on the verge", "answered_at": None,
        "answer_channel": None, "written_by": "P1"}


def test_the_same_submission_is_stored_once(store):
    before, submission = _count(store), new_submission_id()
    for _ in range(2):
        log_query(store=store, values=_values(), user=OFFICER, submission_id=submission, now=NOW)
    assert _count(store) == before + 1


def test_another_officer_of_the_area_may_own_it(store):
    saved = _log(store, officer_id="P2")
    assert store.get("community_queries", saved.record_id)["officer_id"] == "P2"


INVALID = {
    "owner of another area": ({"officer_id": "P3"}, "officer_id", "active officer of the chosen area"),
    "inactive owner": ({"officer_id": "P9"}, "officer_id", "active officer"),
    "unknown channel": ({"channel": "Carrier pigeon"}, "channel", "must be one of"),
    "ward of another area": ({"ward_code": "W3"}, "ward_code", "not a ward of the chosen area"),
    "unknown topic": ({"topic": "Golf"}, "topic", "list"),
    "no ward": ({"ward_code": None}, "ward_code", "required"),
    "tomorrow": ({"received_date": dt.date(2025, 7, 2)}, "received_date", "future"),
    "summary too long": ({"summary": "x" * 1001}, "summary", "1,000"),
    "unknown field": ({"answered_at": NOW}, "record", "answered_at"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_a_bad_query_names_the_field_and_writes_nothing(store, case):
    overrides, field, words = INVALID[case]
    before = _count(store)
    with pytest.raises(ValidationError) as refused:
        _log(store, **overrides)
    assert field in refused.value.errors and words in refused.value.errors[field], refused.value.errors
    assert _count(store) == before


def test_only_the_areas_team_logs_and_answers(store):
    before = _count(store)
    with pytest.raises(NotAllowed, match="A1 is outside your area"):
        _log(store, user=OTHER_AREA, officer_id=None)
    with pytest.raises(NotAllowed):
        _log(store, user=ANALYST)
    saved = _log(store)
    with pytest.raises(NotAllowed, match="outside your area"):
        _answer(store, saved.record_id, user=OTHER_AREA)
    assert _count(store) == before + 1 and store.get("community_queries", saved.record_id)["answered_at"] is None


def test_a_query_is_answered_once(store):
    saved = _log(store)
    answered = _answer(store, saved.record_id)
    row = store.get("community_queries", saved.record_id)
    assert (answered.version, row["answered_at"], row["answer_channel"]) == (2, dt.datetime(2025, 7, 1, 11),
                                                                             "E-mail")
    with pytest.raises(ValidationError, match="already answered on 01/07/2025 11:00"):
        _answer(store, saved.record_id, base_version=2)


def test_an_answer_before_the_query_came_in_is_refused_naming_the_field(store):
    saved = _log(store)
    with pytest.raises(ValidationError) as refused:
        _answer(store, saved.record_id, answered_time=dt.time(9, 0))
    assert refused.value.errors == {
        "answered_date": "cannot be before the query was received (01/07/2025 09:30)"}
    assert len(store.history("community_queries", saved.record_id)) == 1
    assert store.get("community_queries", saved.record_id)["answered_at"] is None


def test_an_answer_made_from_an_old_version_is_refused(store):
    saved = _log(store)
    _answer(store, saved.record_id)
    with pytest.raises(ValidationError):
        _answer(store, saved.record_id, base_version=1)


def test_the_form_offers_the_users_area_and_its_officers(store):
    options = query_form_options(store, area_code="A1", user=OFFICER)
    assert options.areas == {"A1": "North"} and set(options.wards) == {"W1", "W2"}
    assert options.officers == {"P1": "Ann Able", "P2": "Ben Best", "S1": "Sue Sarge"}
    assert query_defaults(OFFICER, now=NOW)["officer_id"] == "P1"


@pytest.mark.parametrize(("record_id", "base_version", "message"), [
    ("no-such-query", 1, "no such query"), ("q1\x00", 1, "no such query"),
    ("q1", "1", "the version the page showed must be a whole number"),
    ("q1", True, "the version the page showed must be a whole number")])
def test_answering_something_that_is_not_a_query_writes_nothing(store, record_id, base_version, message):
    with pytest.raises(ValidationError) as refused:
        _answer(store, record_id, base_version=base_version)
    assert refused.value.errors == {"record": message}
