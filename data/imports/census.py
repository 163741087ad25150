"""Census ethnicity by local authority (Nomis tables: 2011 QS201EW, 2021 TS021) into `census_population`.

    import_census(store, "census2011_ethnic_group_by_la.csv", user=analyst, area_lookup={"E07000197": "ST-STA"})

The file has one row per local authority: its code ("geography code"), name,
census date, and one column per ethnic category ("Ethnic Group: Asian/Asian
British: Indian; measures: Value"). Each detailed category becomes a row with
its ONS 2021 code and high-level group; group subtotals and the "All
categories" column are not stored, but a row whose categories do not add up
to its "All categories" total is rejected, and so is a row with a count too
large to store (past int64), its reason naming the row and the column.

Each local authority is matched to a Beatbook area: through `area_lookup`
(local-authority code -> area code, a mapping or a CSV with those two
columns) if given, else an area with the same code (wards loaded by local
authority) or the same name. Unmatched ones are stored too; the
representativeness view matches their code to area codes when it runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from data import db, picklists
from data.imports.boundaries import find_field
from data.imports.common import (
    INT64_MAX,
    ImportReport,
    begin,
    content_id,
    finish,
    record_table,
    rejected_frame,
    write_records,
)
from data.imports.limits import ImportRefused
from data.imports.reading import Source, read_sheet, source_name
from data.store import Store, ValidationError, validate

# (words in the last part of the category's label, ONS 2021 code); the first match wins, so the
# specific labels ("white and black african") come before the general ones ("african").
CATEGORIES = (
    ("white and black caribbean", "M3"), ("white and black african", "M2"), ("white and asian", "M1"),
    ("other mixed", "M4"),
    ("english", "W1"), ("irish traveller", "W3"), ("roma", "W4"), ("other white", "W5"),
    ("indian", "A3"), ("pakistani", "A4"), ("bangladeshi", "A1"), ("chinese", "A2"), ("other asian", "A5"),
    ("african", "B1"), ("caribbean", "B2"), ("other black", "B3"),
    ("arab", "O1"), ("any other ethnic group", "O2"),
)
TOTAL = "all categories"
MAX_CENSUS_ROWS = 20_000
"""Rows (places) of one census table: England and Wales have ~330 local authorities and ~8,000 wards."""


def category_code(column: str) -> str | None:
    """The ONS 2021 code of a detailed category column, None for totals, subtotals and other columns."""
    label = column.lower().split(";")[0]
    if not label.startswith("ethnic group") or TOTAL in label or label.count(":") < 2:
        return None  # "Ethnic Group: White; measures: Value" is a subtotal
    last = label.rsplit(":", 1)[1].strip()
    if last == "irish":
        return "W2"
    return next((code for words, code in CATEGORIES if words in last), None)


def import_census(store: Store, source: Source, *, user: Mapping[str, Any], census_year: int | None = None,
                  area_lookup: Mapping[str, str] | Source | None = None, name: str | None = None) -> ImportReport:
    """Import a census ethnicity-by-local-authority table; the report counts local authorities."""
    user_id = begin(store, user)
    label = source_name(source, name)
    report = ImportReport("census_population", files=[label])
    frame = read_sheet(source, name=label, max_rows=MAX_CENSUS_ROWS)
    columns = list(frame.columns)
    code_column = find_field(columns, ("geography code", r"\w*\d\dCD", "code"))
    name_column = find_field(columns, ("geography", r"\w*\d\dNM", "name"))
    total_column = next((c for c in columns if TOTAL in c.lower()), None)
    categories = {c: category_code(c) for c in columns if category_code(c)}
    if len(set(categories.values())) != len(categories):
        raise ImportRefused(label, "two columns name the same ethnic category")
    if code_column is None or name_column is None or not categories:
        raise ImportRefused(label, "is not a census ethnicity table: it needs a geography code column, a "
                                   "geography name column and 'Ethnic Group: ...' columns")
    report.read = len(frame)
    areas = _area_matcher(store, area_lookup)
    rows, bad, why = [], [], []
    for position, row in enumerate(frame.to_dict("records")):
        code = row[code_column].strip()
        year = census_year or _year(row.get("date", ""))
        counts = {c: count(row[c]) for c in categories}
        total = count(row[total_column]) if total_column else None
        too_large = next((c for c in [*categories, total_column] if c and count(row[c]) == TOO_LARGE), None)
        reason = None
        if not code:
            reason = "no geography code"
        elif year is None:
            reason = "no census year (give one)"
        elif too_large:
            reason = (f"row {position + 2}, column '{too_large}': the count is too large to store (at most "
                      f"{INT64_MAX:,})")
        elif any(v is None for v in counts.values()):
            reason = "a count is not a whole number"
        elif total_column and sum(counts.values()) != total:
            reason = "the categories do not add up to the 'All categories' total"
        place = []
        if not reason:
            area_code = areas(code, row[name_column].strip())
            for column, ethnicity in categories.items():
                values = {"census_year": year, "geography_code": code, "geography_name": row[name_column].strip(),
                          "area_code": area_code, "ethnicity_code": ethnicity,
                          "ethnic_group": picklists.ETHNICITY[ethnicity][1], "people": counts[column],
                          "source_file": label[:200]}
                try:
                    validate("census_population", values)
                except ValidationError as exc:
                    reason = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
                    break
                record_id = content_id("census", year, code, ethnicity)
                place.append(values | {"record_id": record_id,
                                       "submission_id": content_id(record_id, *(values[k] for k in sorted(values)
                                                                                if k != "source_file"))})
        if reason:
            bad.append(position)
            why.append(reason)
            continue
        rows.extend(place)
    report.rejected = len(bad)
    report.reasons.update(why)
    report.rejected_rows = rejected_frame(frame, bad, why)
    cells = ImportReport("census_population")
    outcomes = write_records(store, "census_population", record_table("census_population", rows),
                             user_id=user_id, report=cells)
    # Counted per local authority, as read: new if any category is new, else updated if any changed.
    by_place: dict[str, set[str]] = {}
    for row, outcome in zip(rows, outcomes, strict=True):
        by_place.setdefault(row["geography_code"], set()).add(outcome)
    for outcomes_of_place in by_place.values():
        kind = next(k for k in ("imported", "updated", "unchanged") if k in outcomes_of_place)
        setattr(report, kind, getattr(report, kind) + 1)
    report.notes.append(f"{cells.imported:,} category counts stored, {cells.updated:,} changed, "
                        f"{cells.unchanged:,} already stored")
    matched = len({r["geography_code"] for r in rows if r["area_code"]})
    report.notes.append(f"{matched:,} of {len(by_place):,} local authorities matched to a Beatbook area")
    return finish(store, user, report)


TOO_LARGE = -1
"""What `count` gives for a whole number too large for a stored count."""


def count(text: str) -> int | None:
    """A cell's count of people as an int (commas allowed), TOO_LARGE past int64, None if not a whole number."""
    clean = str(text).replace(",", "").strip()
    if re.fullmatch(r"\d{1,40}", clean):
        number = int(clean)
    else:
        value = pd.to_numeric(clean, errors="coerce") if clean and len(clean) <= 40 else None
        if value is None or pd.isna(value) or value < 0:
            return None
        if value == float("inf") or float(value) > INT64_MAX:
            return TOO_LARGE
        if value != int(value):
            return None
        number = int(value)
    return TOO_LARGE if number > INT64_MAX else number


def _year(text: str) -> int | None:
    match = re.search(r"(19|20)\d\d", str(text))
    return int(match.group(0)) if match else None


def _area_matcher(store: Store, lookup: Mapping[str, str] | Source | None):
    """(local-authority code, name) -> Beatbook area code or None."""
    areas = db.rows(f"SELECT area_code, name FROM {store.relation('areas')}")
    by_code = {code for code, _ in areas}
    by_name = {str(n).strip().lower(): code for code, n in areas}
    if lookup is None:
        mapping: dict[str, str] = {}
    elif isinstance(lookup, Mapping):
        mapping = dict(lookup)
    else:
        label = source_name(lookup, None if isinstance(lookup, str | Path) else "the area lookup")
        frame = read_sheet(lookup, name=label, max_rows=MAX_CENSUS_ROWS)
        key = find_field(list(frame.columns), (r"LAD\d\dCD", "geography_code", "lad_code"))
        value = find_field(list(frame.columns), ("area_code", "area"))
        if key is None or value is None:
            raise ImportRefused(label, "needs a local-authority code column and an area_code column",
                                field="area_lookup")
        mapping = dict(zip(frame[key].str.strip(), frame[value].str.strip(), strict=True))

    def match(code: str, name: str) -> str | None:
        if code in mapping:
            return mapping[code] or None
        if code in by_code:
            return code
        return by_name.get(name.lower())

    return match
