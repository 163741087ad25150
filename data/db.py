"""The one owner of DuckDB connections: one per process, a cursor per call."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Sequence

import duckdb
import pyarrow.parquet as pq

_lock = threading.Lock()
_con: duckdb.DuckDBPyConnection | None = None
_pid: int | None = None


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on this process's in-memory DuckDB (safe across threads)."""
    global _con, _pid
    with _lock:
        if _con is None or _pid != os.getpid():
            _con = duckdb.connect(":memory:", config={"threads": os.cpu_count() or 2})
            # Keep each Parquet file's footer in memory between statements. Table files are
            # immutable (every write and rewrite makes new file names), and DuckDB checks a
            # cached footer against the file's modification time before using it.
            _con.execute("SET parquet_metadata_cache = true")
            _pid = os.getpid()
        return _con.cursor()


def sql_string(value: str) -> str:
    """Quote a trusted identifier-like literal (a file path) for SQL text."""
    return "'" + value.replace("'", "''") + "'"


def parquet_scan(files: Sequence[str]) -> str:
    """`read_parquet` of these files for SQL text, matching columns by name only where it must.

    Files written before a table gained a column lack it, and need `union_by_name` (read as
    empty); that option makes every statement read every file's column list while it is
    planned, so it is used only when the files' columns differ.
    """
    listed = ", ".join(sql_string(f) for f in files)
    if len({_columns(f) for f in files}) > 1:
        return f"read_parquet([{listed}], union_by_name=true)"
    return f"read_parquet([{listed}])"


def columns_of(path: str) -> tuple[tuple[str, str], ...]:
    """A data file's (column name, type) pairs; read once per path (a table's files never change)."""
    return _columns(path)


@functools.lru_cache(maxsize=16_384)
def _columns(path: str) -> tuple[tuple[str, str], ...]:
    # A table's files are never rewritten under the same name, so a path's columns never change.
    return tuple((field.name, str(field.type)) for field in pq.read_schema(path))
