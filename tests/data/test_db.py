"""The DuckDB connection's helpers: scans of a table's Parquet files."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from data import db


def _write(path, **columns) -> str:
    pq.write_table(pa.table(columns), path)
    return str(path)


def test_files_with_the_same_columns_are_read_without_matching_by_name(tmp_path):
    first = _write(tmp_path / "a.parquet", record_id=["a"], n=[1])
    second = _write(tmp_path / "b.parquet", record_id=["b"], n=[2])
    scan = db.parquet_scan([first, second])
    assert "union_by_name" not in scan
    assert db.rows(f"SELECT record_id, n FROM {scan} ORDER BY record_id") == [("a", 1), ("b", 2)]


def test_a_file_from_before_a_new_column_is_read_by_name_with_the_column_empty(tmp_path):
    older = _write(tmp_path / "old.parquet", record_id=["a"], n=[1])
    newer = _write(tmp_path / "new.parquet", record_id=["b"], faults=["late"], n=[2])
    scan = db.parquet_scan([older, newer])
    assert "union_by_name=true" in scan
    rows = db.rows(f"SELECT record_id, n, faults FROM {scan} ORDER BY record_id")
    assert rows == [("a", 1, None), ("b", 2, "late")]


def test_run_helpers_bind_parameters_and_read_registered_tables():
    incoming = pa.table({"id": ["a", "b", "b"], "n": [1, 2, 3]})
    sql = "SELECT id, sum(n) AS n FROM incoming WHERE n >= ? GROUP BY id ORDER BY id"
    assert db.rows(sql, [2], tables={"incoming": incoming}) == [("b", 5)]
    assert db.records(sql, [1], tables={"incoming": incoming}) == [{"id": "a", "n": 1}, {"id": "b", "n": 5}]
    assert db.row(sql, [9], tables={"incoming": incoming}) is None
    assert db.scalar("SELECT count(*) FROM incoming", tables={"incoming": incoming}) == 3
    assert db.run(sql, [1], tables={"incoming": incoming})["n"].tolist() == [1, 5]
    assert db.arrow(sql, [3], tables={"incoming": incoming}).to_pylist() == [{"id": "b", "n": 3}]
