"""The floors' files: one compacted Parquet file of current rows per table (the floors: `analytics.bench.floors`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from analytics import sql
from data import db
from data.store import Store


def write_floor_files(store: Store, folder: Path, tables: Sequence[str]) -> dict[str, str]:
    """One Parquet file of current rows per table, via COPY of the current view."""
    paths = {}
    for table in tables:
        path = str(folder / f"{table}.parquet")
        sql.rows(f"COPY (SELECT * FROM {store.relation(table)}) TO {db.sql_string(path)} (FORMAT parquet)")
        paths[table] = path
    return paths
