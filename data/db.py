"""The one owner of DuckDB connections: one per process, a cursor per call.

`data/` runs its statements through `run`, `rows`, `row`, `scalar` and `arrow`, with bound
parameters; `tables` names Arrow tables (or DataFrames) a statement reads by name.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
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


def _cursor(tables: Mapping[str, Any] | None) -> duckdb.DuckDBPyConnection:
    cur = cursor()
    for name, table in (tables or {}).items():
        cur.register(name, table)
    return cur


def _execute(sql: str, params: Sequence[Any] | None, tables: Mapping[str, Any] | None) -> duckdb.DuckDBPyConnection:
    return _cursor(tables).execute(sql, list(params) if params is not None else None)


def run(sql: str, params: Sequence[Any] | None = None, *, tables: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """One statement's result as a DataFrame."""
    return _execute(sql, params, tables).df()


def rows(sql: str, params: Sequence[Any] | None = None, *,
         tables: Mapping[str, Any] | None = None) -> list[tuple]:
    """One statement's result rows as tuples."""
    return _execute(sql, params, tables).fetchall()


def row(sql: str, params: Sequence[Any] | None = None, *, tables: Mapping[str, Any] | None = None) -> tuple | None:
    """One statement's first row (None for none)."""
    return _execute(sql, params, tables).fetchone()


def scalar(sql: str, params: Sequence[Any] | None = None, *, tables: Mapping[str, Any] | None = None) -> Any:
    """The first value of one statement's first row (None for no row)."""
    found = row(sql, params, tables=tables)
    return None if found is None else found[0]


def records(sql: str, params: Sequence[Any] | None = None, *,
            tables: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """One statement's result rows as dicts (column name -> value)."""
    result = _execute(sql, params, tables)
    names = [d[0] for d in result.description]
    return [dict(zip(names, values, strict=True)) for values in result.fetchall()]


def arrow(sql: str, params: Sequence[Any] | None = None, *, tables: Mapping[str, Any] | None = None) -> pa.Table:
    """One statement's result as an Arrow table."""
    return _cursor(tables).sql(sql, params=list(params) if params is not None else None).to_arrow_table()


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
