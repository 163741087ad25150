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
            _con.execute("SET enable_object_cache = true")
            _pid = os.getpid()
        return _con.cursor()


def sql_string(value: str) -> str:
    """Quote a trusted identifier-like literal (a file path) for SQL text."""
    return "'" + value.replace("'", "''") + "'"
