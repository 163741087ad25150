"""The query layer: statements are traced with their parameters and times, and logged on request."""

from __future__ import annotations

import logging

from analytics import queries, sql
from analytics.filters import Filters
from tests.analytics.conftest import MARCH
from tests.conftest import ANALYST

MARCH_FILTERS = Filters(start=MARCH[0], end=MARCH[1])


def test_trace_collects_each_statement_with_its_parameters_and_time():
    with sql.trace() as statements:
        frame = sql.run("SELECT ? + 1 AS n", [41])
        (row,) = sql.rows("SELECT ? AS word", ["beat"])
        first, second = sql.run_many(("SELECT 1 AS n", []), ("SELECT 2 AS n", []))
    assert int(frame["n"].iloc[0]) == 42 and row == ("beat",)
    assert [int(first["n"].iloc[0]), int(second["n"].iloc[0])] == [1, 2]
    assert [s.sql for s in statements[:2]] == ["SELECT ? + 1 AS n", "SELECT ? AS word"]
    assert [s.params for s in statements[:2]] == [(41,), ("beat",)]
    assert sorted(s.sql for s in statements[2:]) == ["SELECT 1 AS n", "SELECT 2 AS n"]  # from the pool's threads
    assert all(s.ms >= 0 for s in statements)
    sql.run("SELECT 3")
    assert len(statements) == 4  # the trace ends with its block


def test_a_page_query_is_traced_then_answered_from_the_cache(fixture_store):
    sql.clear_parts()
    with sql.trace() as statements:
        queries.events_overview(fixture_store, MARCH_FILTERS, user=ANALYST)
        first = len(statements)
        queries.events_overview(fixture_store, MARCH_FILTERS, user=ANALYST)
    # One statement per part of the events table for each sum (the grouped events, the officers attending,
    # the latest events' day counts), then the roll-up and the latest rows.
    assert first == 2 + 3 * len(fixture_store.snapshot("events").parts())
    assert len(statements) == first
    assert any("GROUPING SETS" in s.sql for s in statements)


def test_the_environment_variable_logs_every_statement(monkeypatch, caplog):
    monkeypatch.setenv(sql.TRACE_ENV, "1")
    with caplog.at_level(logging.INFO, logger="beatbook.sql"):
        sql.run("SELECT ? AS answer", [42])
    (record,) = [r for r in caplog.records if r.name == "beatbook.sql"]
    assert "SELECT ? AS answer" in record.getMessage() and "[42]" in record.getMessage()
    assert " ms " in record.getMessage()


def test_nothing_is_logged_without_it(monkeypatch, caplog):
    monkeypatch.delenv(sql.TRACE_ENV, raising=False)
    with caplog.at_level(logging.INFO, logger="beatbook.sql"):
        sql.run("SELECT 1")
    assert not [r for r in caplog.records if r.name == "beatbook.sql"]
