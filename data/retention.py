"""Retention: remove personal data once it is older than the force keeps it.

Rules (each a setting in the `settings` table, which admins change on the
Admin pages; an empty value or 0 turns a rule off):

- `retention.ccr_diversity_months` (default 12): the diversity answers (age band,
  ethnicity, religion, sex, disability) and the consent flag are emptied on
  CCRs whose contact is older than this. The rest of the CCR stays.
- `retention.app_feedback_months` (default 24): app feedback and bug reports
  sent longer ago than this are deleted.
- `retention.audit_years` (default off): audit entries older than this are deleted.

The store keeps every version of every record, so emptying the current
version is not enough: a run rewrites every stored version (`Store.rewrite`,
`Store.delete_rows`), then deletes at once the files the rewrite replaced and
the transaction-log entries whose file statistics could still show the answers
(`Store.purge`). After a run nothing removed is left on disk and the tables
cannot be read as they were before it (no time travel past the run).

A run that is killed (or fails) part-way never leaves data behind for good:
before rewriting a table it records a "purge pending" marker in the store
(`Store.begin_purge`, naming the files the rewrite may replace), removed only
once the purge has completed and the configured log retention
(`store.LOG_RETENTION`) is back in place. The next retention run, and every
maintenance pass, first finishes any pending purge (`Store.finish_purges`).

A run holds the store's maintenance lock, so it never races compaction, and
logs one `retention` audit entry with what it changed. A dry run changes nothing
and reports the same counts.
"""

from __future__ import annotations

import calendar
import contextlib
import dataclasses
import datetime as dt
import json
from typing import Any

from data import audit, db, reference
from data.compaction import crash_point
from data.schema import DIVERSITY_FIELDS
from data.store import Store

RUN_BY = "retention"
"""The user id retention runs and audits under."""


@dataclasses.dataclass(frozen=True)
class Rule:
    """One retention rule: what goes from which table after how long."""

    name: str
    setting: str
    table: str
    unit: str  # "months" or "years"
    default: int | None
    summary: str


RULES = (
    Rule("ccr_diversity", "retention.ccr_diversity_months", "ccrs", "months", 12,
         "Diversity answers and the consent flag are removed from CCRs whose contact is older than this."),
    Rule("app_feedback", "retention.app_feedback_months", "app_feedback", "months", 24,
         "App feedback and bug reports are deleted this long after they were sent."),
    Rule("audit", "retention.audit_years", "audit", "years", None,
         "Audit entries are deleted after this long."),
)
RULES_BY_SETTING = {rule.setting: rule for rule in RULES}
CCR_FIELDS = (*DIVERSITY_FIELDS, "diversity_consent")
"""The CCR columns the diversity rule empties."""
_CHUNK = 500


def parse_period(value: str | None) -> int | None:
    """A setting's value as a whole number of months or years; None (rule off) for empty or 0. ValueError if not."""
    text = (value or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 4 or int(text) > 1200:
        raise ValueError("must be a whole number from 0 to 1200 (empty or 0: keep for ever)")
    return int(text) or None


def periods(store: Store) -> dict[str, int | None]:
    """Each rule's period from the settings table (its default where unset)."""
    found = {}
    for rule in RULES:
        value = reference.get_setting(store, rule.setting)
        found[rule.name] = rule.default if value is None else parse_period(value)
    return found


def cutoff(today: dt.date, amount: int, unit: str) -> dt.date:
    """The date `amount` months or years before `today` (the last day of a shorter month)."""
    months = amount * (12 if unit == "years" else 1)
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def run(store: Store, *, today: dt.date | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Apply every rule that is on (or with `dry_run`, only count); the report per rule.

    Each rule reports `period`, `cutoff`, `rows` (stored versions changed or
    removed) and `records`; a real run adds what `Store.purge` deleted.
    """
    today = today or dt.date.today()
    # Counting alone needs no lock; a real run holds the maintenance lock so it never races compaction.
    with store.compaction_lock(wait=True) if not dry_run else contextlib.nullcontext(True) as held:
        if not held:
            raise RuntimeError("the store is busy with compaction or another retention run; try again later")
        report: dict[str, Any] = {"today": today.isoformat(), "dry_run": dry_run, "rules": {}}
        if not dry_run:
            resumed = store.finish_purges()  # what a killed run left, first
            if resumed:
                report["resumed"] = resumed
        for rule, period in zip(RULES, periods(store).values(), strict=True):
            entry: dict[str, Any] = {"table": rule.table, "period": period, "unit": rule.unit}
            report["rules"][rule.name] = entry
            if period is None:
                entry.update(cutoff=None, rows=0, records=0)
                continue
            limit = cutoff(today, period, rule.unit)
            entry["cutoff"] = limit.isoformat()
            entry.update(_APPLY[rule.name](store, limit, dry_run=dry_run))
    if not dry_run:
        changed = {name: {k: entry[k] for k in ("cutoff", "rows", "records")}
                   for name, entry in report["rules"].items() if entry["rows"]}
        detail = {"today": report["today"], "changed": changed}
        if report.get("resumed"):
            detail["resumed_purges"] = sorted(report["resumed"])
        audit.log(store, RUN_BY, "retention", detail=json.dumps(detail))
    return report


def _ccr_diversity(store: Store, limit: dt.date, *, dry_run: bool) -> dict[str, Any]:
    # Every stored version whose contact is before the cutoff and still holds any answer or the flag.
    held = " OR ".join(f"{column} IS NOT NULL" for column in CCR_FIELDS)
    rows, records = _count(store, "ccrs", f"contact_at < ? AND ({held})", [_midnight(limit)])
    result = {"rows": rows, "records": records}
    if rows and not dry_run:
        # The cutoff is a date made here, never user input.
        predicate = f"contact_at < '{_midnight(limit).isoformat(sep=' ')}' AND ({held})"
        result |= _rewrite(store, "ccrs", lambda: store.rewrite(
            "ccrs", predicate=predicate, updates={column: "NULL" for column in CCR_FIELDS}))
    return result


def _app_feedback(store: Store, limit: dt.date, *, dry_run: bool) -> dict[str, Any]:
    # Whole records (every version) first sent before the cutoff.
    ids = _records_created_before(store, "app_feedback", _midnight(limit))
    return _delete_records(store, "app_feedback", ids, dry_run=dry_run)


def _audit(store: Store, limit: dt.date, *, dry_run: bool) -> dict[str, Any]:
    ids = _records_created_before(store, "audit", _midnight(limit))
    return _delete_records(store, "audit", ids, dry_run=dry_run)


_APPLY = {"ccr_diversity": _ccr_diversity, "app_feedback": _app_feedback, "audit": _audit}


def _delete_records(store: Store, table: str, ids: list[str], *, dry_run: bool) -> dict[str, Any]:
    rows = _count(store, table, "list_contains(?, record_id)", [ids])[0] if ids else 0
    result = {"rows": rows, "records": len(ids)}
    if rows and not dry_run:
        def delete() -> int:
            removed = 0
            for start in range(0, len(ids), _CHUNK):
                chunk = ", ".join(db.sql_string(i) for i in ids[start:start + _CHUNK])
                removed += store.delete_rows(table, predicate=f"record_id IN ({chunk})")
            return removed
        result |= _rewrite(store, table, delete)
    return result


def _rewrite(store: Store, table: str, operation) -> dict[str, Any]:
    """Rewrite a table, then purge it; a marker recorded first lets the next run finish a killed one."""
    store.begin_purge(table)
    crash_point("retention:marked")
    changed = operation()
    crash_point("retention:rewritten")
    return {"rows_rewritten": changed, **store.purge(table)}


def _count(store: Store, table: str, where: str, params: list) -> tuple[int, int]:
    """Stored rows (every version) matching `where`, and their distinct records."""
    files = store.snapshot(table).files
    if not files:
        return 0, 0
    scan = db.parquet_scan(files)
    rows, records = db.row(f"SELECT count(*), count(DISTINCT record_id) FROM {scan} WHERE {where}", params)
    return int(rows), int(records)


def _records_created_before(store: Store, table: str, moment: dt.datetime) -> list[str]:
    files = store.snapshot(table).files
    if not files:
        return []
    scan = db.parquet_scan(files)
    found = db.rows(f"SELECT record_id FROM {scan} GROUP BY record_id HAVING min(written_at) < ? ORDER BY record_id",
                    [moment])
    return [row[0] for row in found]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())
