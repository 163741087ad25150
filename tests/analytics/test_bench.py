"""The benchmark at a tiny size: every registered page runs three ways and the answers agree."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import json
import pkgutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from analytics.bench import floors, registry, runner
from analytics.bench.floor import write_floor_files
from analytics.filters import Filters
from data import db, demo
from data.store import Store
from tests.azurite import STORAGE_OPTIONS

CORE = {"events_overview", "summary"}


@pytest.fixture(scope="module")
def report() -> dict:
    # run() raises AssertionError if the store, DuckDB floor and pandas answers differ.
    return runner.run(rows=3000, store_path=None, repeat=1, periods=["last_28", "all"],
                     today=dt.date(2026, 1, 15), saves=2, say=lambda _: None)


def test_report_has_the_documented_shape(report):
    assert {"rows", "pages", "commit_ms", "peak_rss_mb"} <= set(report)
    assert report["rows"] > 2500
    json.dumps(report)  # plain JSON values only
    for name, figures in report["pages"].items():
        assert set(figures) == {"cold_ms", "median_ms", "duckdb_ms", "pandas_ms", "load_1m"}, name
        assert all(v >= 0 for v in figures.values()), name
    assert report["commit_ms"] > 0 and report["peak_rss_mb"] > 0


def test_every_registered_page_is_measured_for_each_period(report):
    names = {page.name for page in registry.registered_pages()}
    assert names >= CORE
    assert set(report["pages"]) == names | {f"{n}@all" for n in names}


FLOOR_MAY_IMPORT = {"duckdb", "pandas", "wordcloud"} | set(sys.stdlib_module_names)


def foreign_imports(source: str) -> list[str]:
    """The modules `source` imports that a floor may not: anything but the standard library, DuckDB,
    pandas, wordcloud (its stop words) and the floors' own package."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    own = floors.__name__
    return [n for n in names if n.split(".")[0] not in FLOOR_MAY_IMPORT and n != own and not n.startswith(own + ".")]


def test_foreign_imports_finds_page_code():
    assert foreign_imports("from analytics import demand\nimport analytics.sql\nfrom data.db import run\n"
                           "from . import core\nimport duckdb, json\nfrom analytics.bench.floors import run\n"
                           "from analytics.bench.registry import Window") == [
        "analytics", "analytics.sql", "data.db", ".", "analytics.bench.registry"]


def test_every_floor_is_hand_written_sql_that_calls_no_page_code():
    modules = [floors.__name__] + [f"{floors.__name__}.{m.name}" for m in pkgutil.iter_modules(floors.__path__)]
    assert len(modules) > 5
    for name in modules:
        assert foreign_imports(Path(importlib.import_module(name).__file__).read_text()) == [], name
    for page in registry.registered_pages():
        assert page.run_floor.__module__ in modules, page.name


def test_register_adds_and_replaces_by_name():
    page = registry.registered_pages()[0]
    try:
        registry.register(registry.BenchPage("tiny", page.run_store, page.run_floor, page.run_pandas,
                                       page.comparable, page.tables))
        assert "tiny" in {p.name for p in registry.registered_pages()}
    finally:
        registry._registry.pop("tiny", None)


def test_disagreeing_answers_fail_the_run(monkeypatch):
    page = registry._registry["summary"]
    wrong = registry.BenchPage("summary", page.run_store, page.run_floor,
                            lambda frames, window: {**page.run_pandas(frames, window), "ccrs": -1},
                            page.comparable, page.tables)
    monkeypatch.setitem(registry._registry, "summary", wrong)
    with pytest.raises(AssertionError, match="store and pandas disagree"):
        runner.run(rows=1500, store_path=None, repeat=1, periods=["all"], today=dt.date(2026, 1, 15),
                  pages=["summary"], saves=1, say=lambda _: None)


@pytest.mark.parametrize("name", ["engagement_vs_demand", "representativeness"])
def test_crime_and_census_pages_agree_on_figures_that_are_there(tmp_path, name):
    """The demo's crime and census rows reach these pages, so agreeing means something."""
    store = Store(tmp_path / "store")
    demo.generate(store, scale=1500, seed=2, today=dt.date(2026, 1, 15))
    page = next(p for p in registry.registered_pages() if p.name == name)
    paths = write_floor_files(store, tmp_path, list(page.tables))
    frames = {t: pd.read_parquet(paths[t], columns=list(c)) for t, c in page.tables.items()}
    ours = page.comparable(registry.as_analyst(page.run_store)(store, Filters()))
    assert ours == page.comparable(page.run_floor(paths, None)) == page.comparable(page.run_pandas(frames, None))
    if name == "engagement_vs_demand":
        assert ours["crime_months"] == 17 and ours["unplaced"] > 0
        assert sum(row[4] + row[5] for row in ours["wards"]) > 1000  # crimes + ASB placed in wards
    else:
        assert len(ours["areas"]) == 9  # Staffordshire's local authorities
        assert sum(int(row[3]) for row in ours["groups"]) > 1_000_000  # Staffordshire's census population


def test_pending_saves_and_edits_are_resolved_alike_by_all_three(tmp_path):
    # Three new events and CCRs plus one edit each, left uncompacted: the store reads them
    # through its recent files and edits, and the answers must still agree with the floor and pandas.
    # The same store compacted (a copy) gives the same answers (checked by the run), timed beside it.
    root = tmp_path / "store"
    report = runner.run(rows=3000, store_path=str(root), repeat=1, periods=["all"], today=dt.date(2026, 1, 15),
                        saves=1, pages=["events_overview", "ccr_outcomes"], pending=3, say=lambda _: None)
    assert all(r["compacted_ms"] > 0 for r in report["pages"].values())
    assert "between compactions" in runner.format_table(report)
    store = Store(root)
    for table in ("events", "ccrs"):
        snap = store.snapshot(table)
        assert len(snap.touched) == 1 and len(snap.recent) == 1, table  # the edit, awaiting compaction
        written = db.rows(
            f"SELECT version > 1 AS edit, count(*) FROM {db.parquet_scan(snap.files)} WHERE written_by = 'bench'"
            " GROUP BY ALL ORDER BY ALL")
        assert written == [(False, 3), (True, 1)], table


def test_the_bench_takes_a_store_on_object_storage_by_its_uri(azurite, tmp_path, monkeypatch):
    # Generated into the URI, read through the file cache; saves are timed on a local copy of the events table.
    root = azurite.new_root()
    monkeypatch.setenv("BEATBOOK_STORAGE_OPTIONS", json.dumps(STORAGE_OPTIONS))
    monkeypatch.setenv("BEATBOOK_CACHE_DIR", str(tmp_path / "cache"))
    report = runner.run(rows=1500, store_path=root, repeat=1, periods=["all"], today=dt.date(2026, 1, 15), saves=2,
                       pages=["summary", "events_overview"], say=lambda _: None)
    assert set(report["pages"]) == {"summary", "events_overview"} and report["commit_ms"] > 0
    store = Store(root, storage_options=dict(STORAGE_OPTIONS), cache_dir=tmp_path / "reader")
    beat_meetings = db.row(f"SELECT count(*) FROM {store.relation('events')}"
                                        " WHERE event_type = 'Beat meeting'")[0]  # the Guarantee's
    assert report["rows"] == 1500 + beat_meetings  # current activity rows: every row the demo generated
    assert store.check()["events"]["current_rows"] == demo.activity_counts(1500)["events"] + beat_meetings
    assert db.row(f"SELECT count(*) FROM {store.relation('events')} WHERE written_by = 'bench'"
                               ) == (0,), "the timed saves went to the local copy"
