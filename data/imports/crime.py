"""data.police.uk street-level crime files (plain or gzipped CSV, one or many months) into `crimes`.

    import_crime(store, ["2019-01-staffordshire-street.csv", "2019-02-...csv.gz"], user=analyst)

A file that cannot be read (see `reading.read_sheet` for the limits) or is not
a street-level crime file refuses the whole import: nothing is written.
Every row is kept unless it cannot be read (no month, no crime type, a
location that is not a number or not in Great Britain): those are rejected
with the reason. Rows with no location ("No Location") are stored without
coordinates and left off the maps. Each located crime is given the ward whose
boundary contains it (point in polygon over the store's ward boundaries) and
that ward's area; crimes outside every ward (an LSOA over the force border,
e.g. "Birmingham 001D") are stored with no ward and reported by local
authority.

Ids: a crime is its crime id and month; anti-social behaviour has no id, so
its row's content (and how many identical rows came before it) is its id.
Importing the same file again writes nothing; a later download of the same
month with new outcomes stores them as new versions of the same crimes.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from data import db, geo
from data.arrow_schema import arrow_schema
from data.imports.common import ImportReport, Progress, begin, content_id, finish, write_records
from data.imports.limits import ImportRefused
from data.imports.reading import Source, read_sheet, source_name
from data.store import Store

COLUMNS = {  # file column -> crimes field
    "Crime ID": "crime_id", "Month": "month", "Reported by": "reported_by", "Falls within": "falls_within",
    "Longitude": "lon", "Latitude": "lat", "Location": "location", "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name", "Crime type": "crime_type", "Last outcome category": "last_outcome",
    "Context": "context",
}
REQUIRED = ("Month", "Longitude", "Latitude", "Crime type")
ASB = "Anti-social behaviour"
LIMITS = {"location": 200, "lsoa_code": 20, "lsoa_name": 100, "crime_type": 200, "last_outcome": 200,
          "reported_by": 200, "falls_within": 200, "crime_id": 100, "context": 4000}
LAT, LON = (49.8, 60.9), (-8.7, 1.8)


def import_crime(store: Store, sources: Sequence[Source], *, user: Mapping[str, Any],
                 names: Sequence[str] | None = None, progress: Progress | None = None) -> ImportReport:
    """Import street-level crime files; the report counts rows read, imported, rejected (why) and notes."""
    user_id = begin(store, user)
    tell = progress or (lambda fraction, message: None)
    files = [source_name(s, names[i] if names else None) for i, s in enumerate(sources)]
    report = ImportReport("crimes", files=files)
    frames = []
    for i, (source, name) in enumerate(zip(sources, files, strict=True)):
        tell(0.6 * i / len(sources), f"Reading {name}")
        frame = read_sheet(source, name=name)
        missing = [c for c in REQUIRED if c not in frame.columns]
        if missing:
            raise ImportRefused(name, f"is not a data.police.uk street-level crime file: no "
                                      f"{', '.join(missing)} column")
        frame = frame.reindex(columns=list(COLUMNS), fill_value="")
        frame["source_file"] = name
        frame["_row"] = np.arange(len(frame)) + 2
        frames.append(frame)
    raw = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*COLUMNS, "source_file"])
    report.read = len(raw)
    tell(0.6, "Checking rows")
    rows, reasons = _parse(raw)
    bad = reasons != ""
    report.rejected = int(bad.sum())
    report.reasons.update(collections.Counter(reasons[bad]))
    report.rejected_rows = raw.loc[bad].drop(columns=["_row"]).assign(row=raw.loc[bad, "_row"],
                                                                       reason=reasons[bad])
    rows = rows.loc[~bad].reset_index(drop=True)

    tell(0.7, "Finding each crime's ward")
    _assign_wards(store, rows, report)
    rows["record_id"] = _record_ids(rows)
    content = [c for c in rows.columns if c not in ("record_id", "source_file")]  # the same rows in a renamed file
    rows["submission_id"] = [content_id(*values) for values in
                             rows[["record_id", *content]].astype(object).itertuples(index=False, name=None)]
    duplicates = int(rows["crime_id"].notna().sum() - rows.loc[rows["crime_id"].notna(), "record_id"].nunique())
    if duplicates:
        report.notes.append(f"{duplicates:,} rows repeat a crime id of the same month; the last one is kept")
        rows = rows.iloc[::-1].drop_duplicates("record_id").iloc[::-1].reset_index(drop=True)
        report.unchanged += duplicates
    tell(0.85, "Writing")
    write_records(store, "crimes", _arrow(rows), user_id=user_id, report=report)
    tell(1.0, "Done")
    return finish(store, user, report)


def _parse(raw: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Typed crimes columns, and per row the reason it is rejected ("" for a good row)."""
    text = {field: raw[column].astype(str).str.strip() for column, field in COLUMNS.items()}
    out = pd.DataFrame({field: values.where(values != "", None) for field, values in text.items()})
    reasons = np.full(len(raw), "", dtype=object)

    def reject(mask: pd.Series | np.ndarray, reason: str) -> None:
        mask = np.asarray(mask, dtype=bool) & (reasons == "")
        reasons[mask] = reason

    month = pd.to_datetime(text["month"], format="%Y-%m", errors="coerce")
    reject(month.isna(), "Month is not a month (YYYY-MM)")
    out["month"] = month.dt.date
    reject(text["crime_type"] == "", "no Crime type")
    lat = pd.to_numeric(text["lat"], errors="coerce")
    lon = pd.to_numeric(text["lon"], errors="coerce")
    given = (text["lat"] != "") | (text["lon"] != "")
    reject(given & (lat.isna() | lon.isna()), "Latitude or Longitude is not a number")
    reject(given & ~(lat.between(*LAT) & lon.between(*LON)), "location is outside Great Britain")
    out["lat"], out["lon"] = lat.where(given), lon.where(given)
    for field, limit in LIMITS.items():
        reject(text[field].str.len() > limit, f"{field} is longer than {limit} characters")
    for field in ("reported_by", "falls_within"):
        out[field] = out[field].fillna("Unknown")
    out["source_file"] = raw["source_file"].to_numpy()
    return out, reasons


def _assign_wards(store: Store, rows: pd.DataFrame, report: ImportReport) -> None:
    """Fill ward_code and area_code by point in polygon; note the crimes no ward holds."""
    wards = db.rows(f"SELECT ward_code, area_code, geojson FROM {store.relation('wards')}"
                    " WHERE geojson IS NOT NULL ORDER BY ward_code")
    located = rows["lat"].notna().to_numpy()
    no_location = int((~located).sum())
    if no_location:
        report.notes.append(f"{no_location:,} rows have no location: stored, not mapped")
    if not wards:
        rows["ward_code"] = None
        rows["area_code"] = None
        report.notes.append("no ward boundaries in the store: crimes are stored without wards (load boundaries"
                            " first, then import the files again to place them)")
        return
    polygons = geo.build_polygons([w[0] for w in wards], [w[2] for w in wards])
    found = geo.locate(rows["lon"].to_numpy(dtype=float), rows["lat"].to_numpy(dtype=float), polygons)
    codes = np.array([w[0] for w in wards] + [None], dtype=object)
    areas = np.array([w[1] for w in wards] + [None], dtype=object)
    rows["ward_code"] = codes[found]  # -1 picks the trailing None
    rows["area_code"] = areas[found]
    outside = located & (found < 0)
    placed = int(located.sum() - outside.sum())
    if located.any():
        report.notes.append(f"{placed:,} of {int(located.sum()):,} located rows "
                            f"({placed / located.sum():.1%}) fall in a ward")
    if outside.any():
        places = rows.loc[outside, "lsoa_name"].fillna("unknown LSOA").str.replace(r"\s+\w+$", "", regex=True)
        top = ", ".join(f"{name} {count:,}" for name, count in places.value_counts().head(8).items())
        report.notes.append(f"{int(outside.sum()):,} located rows fall outside every ward (kept, no ward): {top}")


def _record_ids(rows: pd.DataFrame) -> list[str]:
    """Crime id and month; for rows with no id, the row's content and its repeat number."""
    has_id = rows["crime_id"].notna().to_numpy()
    key = rows[["month", "falls_within", "lat", "lon", "location", "lsoa_code", "crime_type", "context"]]
    key = key.astype(object).where(key.notna(), "").astype(str)
    repeat = key.groupby(list(key.columns), sort=False, dropna=False).cumcount().to_numpy()
    months = rows["month"].astype(str).to_numpy()
    ids = rows["crime_id"].to_numpy()
    return [content_id("crime", ids[i], months[i]) if has_id[i]
            else content_id("asb", *key_row, repeat[i])
            for i, key_row in enumerate(key.itertuples(index=False, name=None))]


def _arrow(rows: pd.DataFrame) -> pa.Table:
    schema = arrow_schema("crimes")
    names = [n for n in schema.names if n in rows.columns]
    columns = []
    for name in names:
        values = rows[name]
        kind = schema.field(name).type
        if pa.types.is_floating(kind):
            columns.append(pa.array(values.to_numpy(dtype=float), type=kind, from_pandas=True))
        else:
            columns.append(pa.array(values.astype(object).where(values.notna(), None).tolist(), type=kind))
    return pa.Table.from_arrays(columns, schema=pa.schema([schema.field(n) for n in names]))
