"""The one owner of DuckDB connections: one per process, a cursor per call."""

from __future__ import annotations

import os
import threading

import duckdb

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
