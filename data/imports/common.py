"""What every importer shares: deterministic ids, one-commit writes keyed by content, the report.

Files are read within limits by `data.imports.reading`; a file that cannot be
read is refused (`data.imports.limits.ImportRefused`) before anything is written.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from data import access, audit, db
from data.arrow_schema import SYSTEM_COLUMNS, arrow_schema, system_columns
from data.store import Store

Progress = Callable[[float, str], None]
INT64_MAX = 2**63 - 1
"""The largest whole number a stored count (int64) holds."""


@dataclasses.dataclass
class ImportReport:
    """What an import did: counted per row of the source files."""

    table: str
    files: list[str] = dataclasses.field(default_factory=list)
    read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    notes: list[str] = dataclasses.field(default_factory=list)
    rejected_rows: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    def lines(self) -> list[str]:
        """The report as lines of text (what the command line prints)."""
        out = [f"{self.table}: {self.read:,} rows read from {len(self.files)} file(s)",
               f"  imported  {self.imported:>9,}  new records",
               f"  updated   {self.updated:>9,}  new versions of records already stored",
               f"  unchanged {self.unchanged:>9,}  already stored as they are (nothing written)",
               f"  rejected  {self.rejected:>9,}"]
        out += [f"    {count:>9,}  {reason}" for reason, count in self.reasons.most_common()]
        out += [f"  note: {note}" for note in self.notes]
        return out

    def summary(self) -> dict[str, Any]:
        """The counts as a plain dict (for the audit log and JSON)."""
        return {"table": self.table, "files": self.files, "read": self.read, "imported": self.imported,
                "updated": self.updated, "unchanged": self.unchanged, "rejected": self.rejected,
                "reasons": dict(self.reasons.most_common())}


def content_id(*parts: Any) -> str:
    """A stable id (32 hex characters) from values: the same source row always gets the same id."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def begin(store: Store, user: Mapping[str, Any] | None, capability: str = "import") -> str:
    """Check the acting user may import; their id (written as `written_by`)."""
    return access.require(user, capability)


def write_records(store: Store, table: str, rows: pa.Table, *, user_id: str, report: ImportReport | None = None
                  ) -> list[str]:
    """Append rows keyed by `record_id`, versioned by content (`submission_id`), in one commit.

    `rows` holds the table's fields plus `record_id` and `submission_id`. A row
    whose submission id is already stored is left out (unchanged); a row whose
    record id is stored with other content becomes its next version (updated);
    the rest are new records (imported). Repeats within `rows` count once.
    Adds the counts to `report`; returns each row's outcome ("imported", "updated", "unchanged").
    """
    report = report or ImportReport(table)
    if not rows.num_rows:
        return []
    snap = store.snapshot(table)
    if snap.files:
        scan = db.parquet_scan(snap.files)
        known = db.rows(
            "WITH wanted AS (SELECT DISTINCT record_id FROM incoming),"
            f" stored AS (SELECT s.record_id, s.version, s.submission_id FROM {scan} s"
            "  JOIN wanted USING (record_id))"
            " SELECT record_id, max(version) AS version, list(submission_id) AS submissions"
            " FROM stored GROUP BY record_id", tables={"incoming": rows.select(["record_id", "submission_id"])})
    else:
        known = []
    latest = {record_id: version for record_id, version, _ in known}
    seen = {s for _, _, submissions in known for s in submissions}
    keep, versions, outcomes = [], [], []
    ids = rows.column("record_id").to_pylist()
    subs = rows.column("submission_id").to_pylist()
    for i, (record_id, submission) in enumerate(zip(ids, subs, strict=True)):
        if submission in seen:
            report.unchanged += 1
            outcomes.append("unchanged")
            continue
        seen.add(submission)
        version = latest.get(record_id, 0) + 1
        latest[record_id] = version
        keep.append(i)
        versions.append(version)
        outcomes.append("imported" if version == 1 else "updated")
        if version == 1:
            report.imported += 1
        else:
            report.updated += 1
    if not keep:
        return outcomes
    data = rows.take(pa.array(keep, type=pa.int64()))
    n = data.num_rows
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    system = system_columns(record_id=data.column("record_id"), submission_id=data.column("submission_id"),
                            version=versions, written_at=now, written_by=user_id, rows=n)
    schema = arrow_schema(table)
    columns = []
    for field in schema:
        if field.name in system:
            columns.append(system[field.name])
        elif field.name in data.column_names:
            columns.append(data.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(n, field.type))
    store.append_rows(table, pa.Table.from_arrays(columns, schema=schema))
    return outcomes


def record_table(table: str, rows: list[dict]) -> pa.Table:
    """Rows of a table's fields plus `record_id` and `submission_id`, typed as the table stores them."""
    schema = arrow_schema(table)
    skip = set(SYSTEM_COLUMNS) - {"record_id", "submission_id", "reference"}
    fields = [f for f in schema if f.name not in skip]
    return pa.Table.from_pylist([{f.name: r.get(f.name) for f in fields} for r in rows], schema=pa.schema(fields))


def finish(store: Store, user: Mapping[str, Any], report: ImportReport, *, detail: str = "",
           action: str = "import", target_ids: Iterable[str] = ()) -> ImportReport:
    """Log the import in the audit log (as `action`, naming `target_ids`) and hand the report back."""
    counts = report.summary()
    text = (f"{', '.join(report.files)}: read {counts['read']}, imported {counts['imported']}, updated "
            f"{counts['updated']}, unchanged {counts['unchanged']}, rejected {counts['rejected']}")
    audit.log(store, user, action, table=report.table, target_ids=target_ids,
              detail=(text + (f"; {detail}" if detail else ""))[:4000])
    return report


def rejected_frame(source: pd.DataFrame, rows: Iterable[int], reasons: Iterable[str]) -> pd.DataFrame:
    """The rejected source rows as they were, with the file row number and the reason first."""
    positions = list(rows)
    out = source.iloc[positions].copy()
    out.insert(0, "reason", list(reasons))
    out.insert(0, "row", [p + 2 for p in positions])  # the header is row 1, as a spreadsheet numbers it
    return out.reset_index(drop=True)
