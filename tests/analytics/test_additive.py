"""Sums worked out file by file (`sql.additive`): the same answers as the statement over the whole table,
through saves, edits and withdrawals between compactions, with each data file's part read once."""

from __future__ import annotations

import pytest

from analytics import sql
from data.store import Store, new_submission_id
from tests.data.test_store import make_event


def by_ward(rel: str) -> sql.Query:
    return f"SELECT ward_code, count(*) AS n, count(*) FILTER (WHERE place = 'Hall') AS at_hall FROM {rel}" \
           " GROUP BY ward_code", []


def by_officer(rel: str) -> sql.Query:
    return f"SELECT officer, count(*) AS n FROM (SELECT unnest(officers_attending) AS officer FROM {rel})" \
           " GROUP BY officer", []


def save(store: Store, **values) -> object:
    return store.save("events", make_event(**values), user="u1", submission_id=new_submission_id())


def answer(frame, key: str) -> dict:
    return {row[key]: tuple(int(v) for v in row.drop(key)) for _, row in frame.iterrows()}


def whole(store: Store, statement, key: str) -> dict:
    return answer(sql.run(*statement(store.relation("events"))), key)


def added(store: Store, statement, key: str) -> dict:
    return answer(sql.additive(sql.Relation(store.snapshot("events")), statement, keys=[key], rows="n"), key)


@pytest.fixture
def store(tmp_path):
    sql.clear_parts()
    made = Store(tmp_path / "store")
    made.create()
    yield made
    sql.clear_parts()


def test_sums_agree_with_the_whole_table_through_edits_and_withdrawals(store):
    # Compacted: W1 three events (one at the Hall), W2 one; officers a (3 events), b (1).
    first = [save(store, ward_code="W1", place="Hall", officers_attending=["a"]),
             save(store, ward_code="W1", officers_attending=["a", "b"]),
             save(store, ward_code="W1", officers_attending=["a"]),
             save(store, ward_code="W2", officers_attending=[])]
    store.compact("events")
    # Between compactions: a new event in W3; the W2 event moved to W3 with officer c; a W1 event withdrawn.
    save(store, ward_code="W3", officers_attending=["b"])
    store.save("events", make_event(ward_code="W3", officers_attending=["c"]), user="u1",
               submission_id=new_submission_id(), record_id=first[3].record_id, base_version=first[3].version)
    store.delete("events", first[1].record_id, user="u1", submission_id=new_submission_id())
    parts = store.snapshot("events").parts()
    assert any(p.sign == -1 for p in parts)  # the compacted file's edited and withdrawn rows are taken away

    # By hand: W1 keeps the Hall event and one other; W2 has none left (its one event moved); W3 two.
    expected_wards = {"W1": (2, 1), "W3": (2, 0)}
    assert added(store, by_ward, "ward_code") == whole(store, by_ward, "ward_code") == expected_wards
    # Officers: a on two events (the withdrawn one is gone), b on the new one only, c on the moved one.
    expected_officers = {"a": (2,), "b": (1,), "c": (1,)}
    assert added(store, by_officer, "officer") == whole(store, by_officer, "officer") == expected_officers


def test_each_file_is_read_once_and_a_save_reads_only_the_latest_saves(store):
    for ward in ("W1", "W1", "W2"):
        save(store, ward_code=ward)
    store.compact("events")
    save(store, ward_code="W2")
    parts = len(store.snapshot("events").parts())
    with sql.trace() as statements:
        assert added(store, by_ward, "ward_code") == {"W1": (2, 0), "W2": (2, 0)}
        first = len(statements)
        assert first == parts  # one statement per part, the first time
        assert added(store, by_ward, "ward_code") == {"W1": (2, 0), "W2": (2, 0)}
        assert len(statements) == first  # every part kept: no statement at all
        save(store, ward_code="W3")
        assert added(store, by_ward, "ward_code") == {"W1": (2, 0), "W2": (2, 0), "W3": (1, 0)}
        assert len(statements) == first + 1  # the recent files' part only


def test_an_empty_table_sums_to_no_groups_and_zero_totals(store):
    assert added(store, by_ward, "ward_code") == {}
    total = sql.additive(sql.Relation(store.snapshot("events")), lambda rel: (
        f"SELECT count(*) AS n, coalesce(sum(attendees), 0) AS attendees FROM {rel}", []))
    assert total.to_dict("records") == [{"n": 0, "attendees": 0}]
