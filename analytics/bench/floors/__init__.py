"""The benchmark's floors: each page's figures by hand-written DuckDB SQL over plain Parquet files.

A floor is what a careful engineer would write straight over one compacted Parquet
file per table (`analytics.bench.floor.write_floor_files`), with no store, cache or
page code around it: the modules of this package import only the standard library,
DuckDB and pandas (and `wordcloud` for its stop words), never `analytics` or `data`
(a test checks), so a floor can show when a page's own SQL is slow. Each keeps the
fastest straightforward form measured: one scan grouped by `GROUPING SETS` where a
page needs several breakdowns of the same rows, one `unnest` of a list, few statements.

Every floor is `floor(paths, window)`: `paths` maps a table to its Parquet file,
`window` is [start, end) as datetimes, or None for all time.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import duckdb
import pandas as pd

Window = tuple[dt.datetime, dt.datetime] | None
Statement = tuple[str, Sequence[Any]]

_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="bench-floor")


@functools.cache
def _connection() -> duckdb.DuckDBPyConnection:
    """The floors' own in-memory DuckDB, set up as the store's: a thread per core, Parquet footers cached."""
    con = duckdb.connect(":memory:", config={"threads": os.cpu_count() or 2})
    con.execute("SET parquet_metadata_cache = true")
    return con


def _run(statement: Statement) -> pd.DataFrame:
    query, params = statement
    return _connection().cursor().execute(query, list(params)).df()


def run(*statements: Statement) -> list[pd.DataFrame]:
    """Independent (sql, params) statements side by side, each on its own cursor, as DataFrames."""
    if len(statements) == 1:
        return [_run(statements[0])]
    return [f.result() for f in [_pool.submit(_run, s) for s in statements]]


def sources(paths: dict[str, str]) -> dict[str, str]:
    """table -> `read_parquet('file')`."""
    return {t: "read_parquet('" + p.replace("'", "''") + "')" for t, p in paths.items()}


def when(column: str, window: Window | tuple[dt.date, dt.date]) -> tuple[str, list]:
    """`column` in [start, end) as SQL and parameters (TRUE for all time)."""
    if window is None:
        return "TRUE", []
    return f"{column} >= ? AND {column} < ?", list(window)


def dates(window: Window) -> tuple[dt.date, dt.date] | None:
    """The window as [start, end) dates, for columns of dates."""
    return window and (window[0].date(), window[1].date())


def last_day(window: Window) -> dt.date:
    """The window's last day (the dashboards' "today" for a period), else the real today."""
    return window[1].date() - dt.timedelta(days=1) if window else dt.date.today()
