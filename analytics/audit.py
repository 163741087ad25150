"""Audit search: who did what, when, to which records, newest first.

Two sources, read side by side:

- the audit log (`data/audit.py`): sign-ins, exports, views of record-level
  personal data, imports, admin changes, retention, publishing;
- every stored version of every other table: a save (version 1), an edit (a
  later version) or a withdrawal (a version marked deleted), with who wrote it
  (`written_by`) and when (`written_at`). Versions are never overwritten, so
  this part of the trail cannot be edited either.

Only users with the `read_audit` capability may search. Every value is a bound
parameter; table names come from the schema's `TABLES`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analytics import sql
from data import access, db
from data.audit import ACTIONS as LOG_ACTIONS
from data.schema import TABLES
from data.store import Store

VERSION_ACTIONS = ("save", "edit", "withdraw")
"""Actions read from the record tables' versions."""
ACTIONS = (*VERSION_ACTIONS, *LOG_ACTIONS)
RECORD_TABLES = tuple(t for t in TABLES if t != "audit")
COLUMNS = ("written_at", "user_id", "user", "action", "table_name", "record_ids", "version", "detail")
PAGE_SIZE = 100


@dataclasses.dataclass(frozen=True)
class AuditPage:
    """One page of audit search results and how many entries match in all."""

    entries: pd.DataFrame
    total: int


def search_audit(store: Store, user: Mapping[str, Any], *, start: dt.date | None = None,
                 end: dt.date | None = None, user_id: str | None = None, action: str | None = None,
                 table: str | None = None, target: str | None = None, limit: int = PAGE_SIZE,
                 offset: int = 0) -> AuditPage:
    """Audit entries and record versions matching every filter given, newest first.

    start, end: days (inclusive) of `written_at` (UTC). user_id: who acted.
    action: one of ACTIONS. table: the table concerned. target: a record id
    (the record a version belongs to, or one of an entry's `target_ids`).
    Raises NotAllowed without `read_audit`, ValueError for an unknown action or table.
    """
    access.require(user, "read_audit")
    if action and action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if table and table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    parts, params = [], []
    if action is None or action in LOG_ACTIONS:
        query, values = _log_part(store, start=start, end=end, user_id=user_id, action=action, table=table,
                                target=target)
        parts.append(query)
        params += values
    if action is None or action in VERSION_ACTIONS:
        for name in ([table] if table else RECORD_TABLES):
            if name == "audit":
                continue
            query, values = _versions_part(store, name, start=start, end=end, user_id=user_id, action=action,
                                         target=target)
            if query:
                parts.append(query)
                params += values
    if not parts:
        return AuditPage(pd.DataFrame(columns=list(COLUMNS)), 0)
    union = " UNION ALL BY NAME ".join(f"({p})" for p in parts)
    total = int(sql.one(f"SELECT count(*) FROM ({union})", params)[0])
    entries = sql.run(
        f"""SELECT e.written_at, e.user_id, coalesce(u.name, e.user_id) AS user, e.action, e.table_name,
                   array_to_string(e.record_ids, ', ') AS record_ids, e.version, e.detail
            FROM (SELECT * FROM ({union}) ORDER BY written_at DESC, table_name, record_ids LIMIT ? OFFSET ?) e
            LEFT JOIN {store.relation('users')} u ON u.user_id = e.user_id
            ORDER BY e.written_at DESC, e.table_name, e.record_ids""",
        [*params, int(limit), int(offset)])
    return AuditPage(entries[list(COLUMNS)], total)


def _when(start: dt.date | None, end: dt.date | None) -> tuple[list[str], list[Any]]:
    conditions, params = [], []
    if start:
        conditions.append("written_at >= ?")
        params.append(dt.datetime.combine(start, dt.time()))
    if end:
        conditions.append("written_at < ?")
        params.append(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    return conditions, params


def _log_part(store: Store, *, start, end, user_id, action, table, target) -> tuple[str, list]:
    conditions, params = _when(start, end)
    for column, value in (("user_id", user_id), ("action", action), ("table_name", table)):
        if value:
            conditions.append(f"{column} = ?")
            params.append(value)
    if target:
        conditions.append("list_contains(target_ids, ?)")
        params.append(target)
    where = " AND ".join(conditions) or "true"
    return (f"SELECT written_at, user_id, action, table_name, target_ids AS record_ids,"
            f" CAST(NULL AS BIGINT) AS version, detail FROM {store.relation('audit')} WHERE {where}", params)


def _versions_part(store: Store, table: str, *, start, end, user_id, action, target) -> tuple[str | None, list]:
    files = store.snapshot(table).files  # every stored version, current or not
    if not files:
        return None, []
    conditions, params = _when(start, end)
    if user_id:
        conditions.append("written_by = ?")
        params.append(user_id)
    if target:
        conditions.append("record_id = ?")
        params.append(target)
    kind = "CASE WHEN deleted THEN 'withdraw' WHEN version = 1 THEN 'save' ELSE 'edit' END"
    if action:
        conditions.append(f"{kind} = ?")
        params.append(action)
    where = " AND ".join(conditions) or "true"
    scan = db.parquet_scan(files)
    return (f"SELECT written_at, written_by AS user_id, {kind} AS action, {db.sql_string(table)} AS table_name,"
            f" [record_id] AS record_ids, version, CAST(NULL AS VARCHAR) AS detail FROM {scan} WHERE {where}", params)
