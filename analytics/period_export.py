"""Export a period's current records to Parquet files and one Excel workbook (`python -m analytics export`).

One Parquet file per table (for Power BI, Spark or pandas) and one workbook
with a sheet per table (text cells neutralised, see `analytics.export`).
Only current records are exported, filtered by the table's own date column
and by area. CCR diversity answers are never exported record by record: the
dashboards give them as suppressed counts. Every export is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from analytics import sql
from analytics.export import to_excel_bytes
from analytics.filters import Filters, within_scope
from data import access, audit
from data.schema import DIVERSITY_FIELDS
from data.store import Store

DATE_COLUMNS = {"events": ("start", True), "ccrs": ("contact_at", True), "patrols": ("start", True),
                "abstractions": ("date", False), "ysywd": ("raised_on", False), "crimes": ("month", False)}
"""Tables that can be exported, with the date column the period applies to (and whether it is a timestamp)."""
KEPT_SYSTEM = ("record_id", "version", "written_at", "written_by")
DROPPED_SYSTEM = ("deleted", "submission_id", "superseded")
EXCEL_MAX_ROWS = 1_048_575
WORKBOOK = "beatbook-export.xlsx"


def export_period(store: Store, out_dir: str | Path, *, user: Mapping[str, Any], start: dt.date | None = None,
                  end: dt.date | None = None, areas: Sequence[str] = (),
                  tables: Sequence[str] | None = None) -> dict[str, int]:
    """Write `<table>.parquet` for each table and the workbook into `out_dir`; rows per table.

    Team roles export their own area only: naming another area is refused (`NotAllowed`).
    """
    access.require(user, "export")
    areas = within_scope(Filters(areas=tuple(areas)), user).areas
    chosen = list(tables or DATE_COLUMNS)
    unknown = sorted(set(chosen) - set(DATE_COLUMNS))
    if unknown:
        raise ValueError(f"cannot export {', '.join(unknown)}; choose from {', '.join(DATE_COLUMNS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts, sheets, notes = {}, {}, []
    for table in chosen:
        data = _period(store, table, start=start, end=end, areas=areas)
        pq.write_table(data, out / f"{table}.parquet", compression="zstd")
        counts[table] = data.num_rows
        if data.num_rows > EXCEL_MAX_ROWS:
            notes.append(f"{table}: {data.num_rows:,} rows is more than a sheet holds; in {table}.parquet only")
            continue
        sheets[table] = data.to_pandas()
    (out / WORKBOOK).write_bytes(to_excel_bytes(sheets))
    period = f"{start or 'beginning'} to {end or 'latest'}"
    audit.log(store, user, "export", table=chosen[0] if len(chosen) == 1 else None,
              detail=(f"tables {', '.join(chosen)}; period {period}; areas {', '.join(areas) or 'all'};"
                      f" rows {counts}; to {out}")[:4000])
    return counts


def _period(store: Store, table: str, *, start: dt.date | None, end: dt.date | None, areas: Sequence[str]):
    column, is_timestamp = DATE_COLUMNS[table]
    parts, params = [], []
    if start is not None:
        parts.append(f"{column} >= ?")
        params.append(dt.datetime.combine(start, dt.time()) if is_timestamp else
                      (start.replace(day=1) if table == "crimes" else start))
    if end is not None:
        parts.append(f"{column} < ?")
        params.append(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()) if is_timestamp
                      else end + dt.timedelta(days=1))
    if areas:
        parts.append(f"area_code IN ({', '.join('?' for _ in areas)})")
        params.extend(areas)
    where = " AND ".join(parts) or "TRUE"
    dropped = [*DROPPED_SYSTEM, *(DIVERSITY_FIELDS if table == "ccrs" else ())]
    return sql.arrow(
        f"SELECT * EXCLUDE ({', '.join(dropped)}) FROM {store.relation(table)} WHERE {where}"
        f" ORDER BY {column}, record_id", params)
