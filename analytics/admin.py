"""What the Admin pages list: the configuration tables' current records (with their record ids) and histories.

Every function takes the acting user and requires `administer`: user records
hold names and email addresses, and this is where admins find what to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analytics import sql
from data import access
from data.schema import TABLES
from data.store import Store

ADMIN_TABLES = {
    # table: (columns listed, order)
    "users": (("user_id", "name", "email", "role", "rank", "area_code", "active"), ("user_id",)),
    "areas": (("area_code", "name", "centre_lat", "centre_lon"), ("name", "area_code")),
    "wards": (("ward_code", "name", "area_code", "centre_lat", "centre_lon"), ("name", "ward_code")),
    "picklists": (("list_name", "value", "position", "active"), ("list_name", "position", "value")),
    "settings": (("key", "value"), ("key", "written_at")),
    "news": (("title", "body", "published_on"), ("published_on", "written_at")),
}
"""The tables admins manage; columns and order are fixed here, never taken from input."""
SYSTEM = ("record_id", "version", "written_at", "written_by")


def list_records(store: Store, *, table: str, user: Mapping[str, Any],
                 where: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Current records of an admin table (record_id, version, written_at, written_by and its columns).

    `where` keeps rows whose columns (of that table's listed ones) equal the values.
    """
    access.require(user, "administer")
    columns, order = ADMIN_TABLES[table]
    conditions = {k: v for k, v in (where or {}).items() if v is not None}
    unknown = set(conditions) - set(columns)
    if unknown:
        raise KeyError(f"cannot filter {table} on {sorted(unknown)}")
    query = f"SELECT {', '.join(_quote(c) for c in (*SYSTEM, *columns))} FROM {store.relation(table)}"
    if conditions:
        query += " WHERE " + " AND ".join(f"{_quote(c)} = ?" for c in conditions)
    query += " ORDER BY " + ", ".join(_quote(c) for c in (*order, "record_id"))
    return sql.run(query, list(conditions.values()))


def find_record(store: Store, *, table: str, column: str, value: Any,
                user: Mapping[str, Any]) -> dict[str, Any] | None:
    """The current record of an admin table whose `column` equals `value` (the latest written if several)."""
    if value is None:
        return None
    rows = list_records(store, table=table, user=user, where={column: value})
    if rows.empty:
        return None
    row = rows.sort_values("written_at").iloc[-1].to_dict()
    return {k: (None if _missing(v) else v) for k, v in row.items()}


def record_history(store: Store, *, table: str, record_id: str, user: Mapping[str, Any]) -> pd.DataFrame:
    """Every stored version of one record, newest first: version, written_at, written_by, deleted and its fields."""
    access.require(user, "administer")
    if table not in ADMIN_TABLES:
        raise KeyError(f"{table} is not an admin table")
    fields = [f for f in TABLES[table].model_fields if f != "geojson"]
    rows = [{k: row.get(k) for k in ("version", "written_at", "written_by", "deleted", *fields)}
            for row in store.history(table, record_id)]
    return pd.DataFrame(rows, columns=["version", "written_at", "written_by", "deleted", *fields])


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
