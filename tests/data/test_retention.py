"""Retention on a small store whose affected rows are counted by hand.

Today is 2025-06-15. Settings: CCR diversity answers kept 12 months (cutoff
2024-06-15), app feedback 6 months (cutoff 2024-12-15), audit entries 1 year
(cutoff 2024-06-15).

CCRs (contact; stored versions; answers):
  A  2023-03-01, 2 versions, consent + answers (ethnicity W4)   -> 2 rows emptied
  B  2024-01-10, 1 version, no consent (flag false)             -> 1 row emptied
  D  2024-06-14 23:00, 1 version, consent + answers (O1)        -> 1 row emptied
  C  2025-05-01, 2 versions, consent + answers (A3)             -> kept
  E  2024-06-15 09:00, 1 version, consent + answers (B2)        -> kept
  = 4 rows of 3 records.
App feedback (first sent; versions): F1 2024-03-01 (2 versions, the second
2025-02-01), F3 2024-12-14 (1) -> 3 rows of 2 records deleted; F2 2025-01-10 kept.
Audit: one entry of 2024-01-01 deleted, one of 2025-01-01 kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from data import retention
from data.__main__ import main
from data.arrow_schema import arrow_schema
from data.schema import TABLES
from data.store import Store
from tests.azurite import STORAGE_OPTIONS

TODAY = "2025-06-15"
CUTOFF = dt.datetime(2024, 6, 15)
ANSWERS = {"age_band": "25-34", "religion": "Jewish", "sex": "Female", "disability": "No"}


def _ccr(contact_at: dt.datetime, *, consent: bool, ethnicity: str | None = None, place: str = "High Street") -> dict:
    values = {"contact_at": contact_at, "area_code": "N1", "ward_code": "E05000001", "officer_id": "pc1",
              "contact_method": "Face to face", "place": place, "diversity_consent": consent}
    if consent:
        values |= ANSWERS | {"ethnicity": ethnicity}
    return values


def _row(table: str, record_id: str, version: int, written_at: dt.datetime, *, superseded: bool = False,
         **values) -> dict:
    row = {name: None for name in arrow_schema(table).names} | values
    return row | {"record_id": record_id, "version": version, "deleted": False, "written_at": written_at,
                  "written_by": "pc1", "submission_id": f"{record_id}.{version}", "superseded": superseded}


@pytest.fixture
def fixture_store(tmp_path) -> Store:
    return _fill(Store(tmp_path / "store"))


@pytest.fixture(params=["local", "azurite"])
def any_fixture_store(request, tmp_path, monkeypatch) -> Store:
    """The fixture store on a local folder and (a second run) on azurite. There, the commands a test runs
    open it by its URI and share this store's file cache, as processes on one machine do."""
    if request.param == "local":
        return _fill(Store(tmp_path / "store"))
    root = request.getfixturevalue("azurite").new_root()
    monkeypatch.setenv("BEATBOOK_STORAGE_OPTIONS", json.dumps(STORAGE_OPTIONS))
    monkeypatch.setenv("BEATBOOK_CACHE_DIR", str(tmp_path / "cache"))
    return _fill(Store(root, storage_options=dict(STORAGE_OPTIONS)))


def _fill(store: Store) -> Store:
    store.create()
    a = store.save("ccrs", _ccr(dt.datetime(2023, 3, 1, 10), consent=True, ethnicity="W4"), user="pc1",
                   submission_id="A")
    store.save("ccrs", _ccr(dt.datetime(2023, 3, 1, 10), consent=True, ethnicity="W4", place="Market Square"),
               user="pc1", submission_id="A2", record_id=a.record_id)
    store.save("ccrs", _ccr(dt.datetime(2024, 1, 10, 14), consent=False), user="pc1", submission_id="B")
    store.compact("ccrs")  # A and B now share one packed file with history
    store.save("ccrs", _ccr(dt.datetime(2024, 6, 14, 23), consent=True, ethnicity="O1"), user="pc1",
               submission_id="D")
    c = store.save("ccrs", _ccr(dt.datetime(2025, 5, 1, 9), consent=True, ethnicity="A3"), user="pc1",
                   submission_id="C")
    store.save("ccrs", _ccr(dt.datetime(2025, 5, 1, 9), consent=True, ethnicity="A3", place="Park"),
               user="pc1", submission_id="C2", record_id=c.record_id)
    store.save("ccrs", _ccr(dt.datetime(2024, 6, 15, 9), consent=True, ethnicity="B2"), user="pc1",
               submission_id="E")
    store.append_rows("app_feedback", [
        _row("app_feedback", "F1", 1, dt.datetime(2024, 3, 1), superseded=True, kind="bug", text="Map is blank"),
        _row("app_feedback", "F1", 2, dt.datetime(2025, 2, 1), kind="bug", text="Map is blank on my phone"),
        _row("app_feedback", "F2", 1, dt.datetime(2025, 1, 10), kind="feedback", text="Quick to use"),
        _row("app_feedback", "F3", 1, dt.datetime(2024, 12, 14), kind="feedback", text="Add a dark mode"),
    ])
    store.append_rows("audit", [
        _row("audit", "U1", 1, dt.datetime(2024, 1, 1), user_id="an1", action="export", table_name="ccrs"),
        _row("audit", "U2", 1, dt.datetime(2025, 1, 1), user_id="an1", action="export", table_name="ccrs"),
    ])
    for key, value in {"retention.ccr_diversity_months": "12", "retention.app_feedback_months": "6",
                       "retention.audit_years": "1"}.items():
        store.save("settings", {"key": key, "value": value}, user="admin1", submission_id=key)
    return store


def _cli(capsys, *args: str) -> dict:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


@contextlib.contextmanager
def _stored(store: Store, table: str) -> Iterator[Path]:
    """A folder holding every file stored under the table, referenced or not: the table's own folder,
    or on object storage a fresh download of every object under its prefix."""
    if store.remote is None:
        yield Path(store.uri(table))
        return
    with tempfile.TemporaryDirectory() as folder:
        for key in store.remote.list(f"{table}/"):
            store.remote.download(key, Path(folder) / key)
        yield Path(folder) / table


def _query(folder: Path, sql: str) -> list[tuple]:
    """`sql` over every Parquet data file under `folder` (`t`)."""
    files = sorted(str(p) for p in folder.rglob("*.parquet") if "_delta_log" not in p.parts)
    con = duckdb.connect()
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet({files!r}, union_by_name=true)")
    return con.execute(sql).fetchall()


def _on_disk(store: Store, table: str, sql: str) -> list[tuple]:
    """`sql` over every Parquet file stored under the table, referenced or not (`t`)."""
    with _stored(store, table) as folder:
        return _query(folder, sql)


def _in_cache(store: Store, table: str, sql: str) -> list[tuple]:
    """`sql` over every copy of the table's files in the store's local file cache (`t`)."""
    assert store.cache is not None and store.cache.keys(table), "the cache holds files of the table"
    return _query(store.cache.directory / table, sql)


def _log_text(store: Store, table: str) -> str:
    """The table's transaction log as text: its commits and its checkpoints' rows."""
    with _stored(store, table) as folder:
        log = folder / "_delta_log"
        checkpoints = [str(duckdb.connect().execute("SELECT * FROM read_parquet(?)", [str(p)]).fetchall())
                       for p in log.glob("*.checkpoint.parquet")]
        return "".join([*(p.read_text() for p in log.glob("*.json")), *checkpoints])


def _listing(store: Store) -> list[str]:
    """Every file stored under the store's root (every object under its prefix, on object storage)."""
    if store.remote is not None:
        return sorted(store.remote.list(""))
    return sorted(str(p) for p in Path(store.root).rglob("*") if p.is_file())


def _reopen(store: Store) -> Store:
    """The store as another process opens it (sharing its file cache, on object storage)."""
    return Store(store.root, storage_options=store.storage_options,
                 cache_dir=store.cache.directory if store.cache is not None else None)


EXPECTED = {"ccr_diversity": (4, 3), "app_feedback": (3, 2), "audit": (1, 1)}


def test_dry_run_changes_nothing_and_counts_what_a_run_changes(any_fixture_store, capsys):
    store = any_fixture_store
    root = str(store.root)
    versions = {t: store.version(t) for t in TABLES}
    files = _listing(store)
    dry = _cli(capsys, "retention", "--store", root, "--dry-run", "--today", TODAY)
    assert {k: (v["rows"], v["records"]) for k, v in dry["rules"].items()} == EXPECTED
    assert dry["rules"]["ccr_diversity"]["cutoff"] == "2024-06-15"
    assert dry["rules"]["app_feedback"]["cutoff"] == "2024-12-15"
    assert {t: _reopen(store).version(t) for t in TABLES} == versions
    assert _listing(store) == files

    real = _cli(capsys, "retention", "--store", root, "--today", TODAY)
    assert {k: (v["rows"], v["records"]) for k, v in real["rules"].items()} == EXPECTED
    assert real["rules"]["ccr_diversity"]["rows_rewritten"] == 4
    assert real["rules"]["app_feedback"]["rows_rewritten"] == 3


def test_run_empties_old_answers_in_every_version_and_on_disk(any_fixture_store, capsys):
    store = any_fixture_store
    root = str(store.root)
    # Before: the answers are in the files (3 versions, and older copies compaction replaced); the log's
    # file statistics never hold them (the store keeps none for diversity answers).
    old_answers = "SELECT count(*) FROM t WHERE ethnicity IN ('W4', 'O1')"
    assert _on_disk(store, "ccrs", old_answers)[0][0] > 3
    assert "W4" not in _log_text(store, "ccrs") and "contact_at" in _log_text(store, "ccrs")
    if store.cache is not None:  # on object storage, the local copies hold them too
        assert _in_cache(store, "ccrs", old_answers)[0][0] > 3
    _cli(capsys, "retention", "--store", root, "--today", TODAY)
    if store.cache is not None:  # the run removed its copies from the file cache at once
        assert _in_cache(store, "ccrs", old_answers) == [(0,)]
    _cli(capsys, "vacuum", "--store", root)
    store = _reopen(store)
    fields = ", ".join(retention.CCR_FIELDS)
    held = " OR ".join(f"{c} IS NOT NULL" for c in retention.CCR_FIELDS)
    # No file under the table, referenced or not, holds an old contact's answers or flag.
    assert _on_disk(store, "ccrs", f"SELECT count(*) FROM t WHERE contact_at < TIMESTAMP '{CUTOFF}' AND ({held})") \
        == [(0,)]
    assert _on_disk(store, "ccrs", "SELECT count(*) FROM t WHERE ethnicity IN ('W4', 'O1')") == [(0,)]
    # Every stored version of the old CCRs is still there (the rest of the record stays).
    assert _on_disk(store, "ccrs", f"SELECT count(*) FROM t WHERE contact_at < TIMESTAMP '{CUTOFF}'") == [(4,)]
    # Newer CCRs keep theirs: C in both versions, E in its one.
    kept = _on_disk(store, "ccrs", f"SELECT ethnicity, {fields} FROM t WHERE contact_at >= TIMESTAMP '{CUTOFF}'"
                                   " ORDER BY ethnicity")
    assert kept == [("A3", "25-34", "A3", "Jewish", "Female", "No", True)] * 2 + \
        [("B2", "25-34", "B2", "Jewish", "Female", "No", True)]
    # Nor do the transaction log's file statistics still show them.
    log = _log_text(store, "ccrs")
    assert "W4" not in log and "O1" not in log
    # The current view agrees.
    current = duckdb.connect().execute(f"SELECT count(*) FILTER (WHERE ethnicity IS NOT NULL), count(*)"
                                       f" FROM {store.relation('ccrs')}").fetchone()
    assert current == (2, 5)


def test_run_deletes_old_feedback_and_audit_entries_and_logs_itself(any_fixture_store, capsys):
    store = any_fixture_store
    assert "Add a dark mode" not in _log_text(store, "app_feedback")  # free text has no log statistics
    _cli(capsys, "retention", "--store", str(store.root), "--today", TODAY)
    store = _reopen(store)
    assert duckdb.connect().execute(f"SELECT record_id FROM {store.relation('app_feedback')}").fetchall() == [("F2",)]
    assert _on_disk(store, "app_feedback", "SELECT DISTINCT record_id FROM t") == [("F2",)]
    if store.cache is not None:
        assert _in_cache(store, "app_feedback", "SELECT DISTINCT record_id FROM t") == [("F2",)]
    assert "Add a dark mode" not in _log_text(store, "app_feedback")
    entries = duckdb.connect().execute(f"SELECT record_id, action, detail FROM {store.relation('audit')}"
                                       " ORDER BY written_at").fetchall()
    assert [e[:2] for e in entries][:1] == [("U2", "export")]
    (run,) = [e for e in entries if e[1] == "retention"]
    assert json.loads(run[2])["changed"]["ccr_diversity"]["rows"] == 4


def test_second_run_finds_nothing(fixture_store):
    retention.run(fixture_store, today=dt.date(2025, 6, 15))
    again = retention.run(Store(fixture_store.root), today=dt.date(2025, 6, 15))
    assert {k: v["rows"] for k, v in again["rules"].items()} == {"ccr_diversity": 0, "app_feedback": 0, "audit": 0}


def test_a_rule_set_to_zero_is_off(fixture_store):
    fixture_store.save("settings", {"key": "retention.ccr_diversity_months", "value": "0"}, user="admin1",
                       submission_id="off", record_id="retention.ccr_diversity_months")
    report = retention.run(fixture_store, today=dt.date(2025, 6, 15), dry_run=True)
    assert report["rules"]["ccr_diversity"] == {"table": "ccrs", "period": None, "unit": "months", "cutoff": None,
                                                "rows": 0, "records": 0}


def test_defaults_apply_where_unset(tmp_path):
    store = Store(tmp_path / "s")
    store.create()
    assert retention.periods(store) == {"ccr_diversity": 12, "app_feedback": 24, "audit": None}


@pytest.mark.parametrize(("today", "amount", "unit", "expected"), [
    (dt.date(2025, 6, 15), 12, "months", dt.date(2024, 6, 15)),
    (dt.date(2025, 3, 31), 1, "months", dt.date(2025, 2, 28)),
    (dt.date(2024, 2, 29), 1, "years", dt.date(2023, 2, 28)),
    (dt.date(2025, 1, 10), 2, "months", dt.date(2024, 11, 10)),
])
def test_cutoff(today, amount, unit, expected):
    assert retention.cutoff(today, amount, unit) == expected


@pytest.mark.parametrize("value", ["-1", "six", "1.5", "99999"])
def test_bad_period_is_refused(value):
    with pytest.raises(ValueError):
        retention.parse_period(value)


def test_retention_waits_for_the_maintenance_lock(fixture_store):
    with fixture_store.compaction_lock(wait=False) as held:
        assert held
        with fixture_store.compaction_lock(wait=False) as second:
            assert not second  # compaction (and retention) would wait here
