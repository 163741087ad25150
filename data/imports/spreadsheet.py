"""Past engagement events and CCRs from a spreadsheet (a Microsoft Forms or Lists export, CSV or Excel).

    frame = read_sheet("events.xlsx")
    mapping = suggest_mapping("events", frame.columns)          # Beatbook field -> spreadsheet column
    preview = check_rows(store, "events", frame, mapping)       # what each row becomes, and why not
    report = import_spreadsheet(store, "events", frame, mapping=mapping, user=analyst, name="events.xlsx")

Cells are read as text and turned into Beatbook's values: areas and wards by
code or name (the area from the ward when only the ward is given), officers
by user id, email or name, pick-list answers matched whatever their case,
several answers in one cell separated by ";" (as Microsoft Forms writes them),
yes/no as true/false, UK dates (day first) or ISO dates, and ethnicity as an
ONS code, its label or the 2011 census wording. A date column plus start and
end time columns may stand in for the start and end. Fields the sheet does not
have may be given one value for every row (`defaults`).

Every row is checked as the forms check it (the table's schema, the area's
wards, the pick-lists, the officers). The good rows are written in one Delta
commit; the rejected ones come back, as they were, with the reason per row.
A row's id is its content (or its id in the old system, when a column holds
one), so importing the same file again adds nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from data import db, picklists
from data.imports.census import category_code
from data.imports.common import (
    INT64_MAX,
    ImportReport,
    Progress,
    begin,
    content_id,
    finish,
    record_table,
    rejected_frame,
    write_records,
)
from data.imports.limits import ImportRefused
from data.imports.reading import Source, read_sheet, source_name
from data.schema import TABLES
from data.store import Store, ValidationError, validate

TABLES_IMPORTED = ("events", "ccrs")
LIST_SEPARATOR = re.compile(r"\s*[;\n]\s*")
TRUE = {"yes", "y", "true", "t", "1", "ticked", "checked"}
FALSE = {"no", "n", "false", "f", "0", ""}
PROGRESS_EVERY = 500
MAX_SHEET_ROWS = 200_000
"""Rows of one spreadsheet import: every row is checked one by one as a form checks it, and a force's past
events or CCRs over several years are tens of thousands."""


@dataclasses.dataclass(frozen=True)
class Field:
    """One thing a spreadsheet column can fill: a Beatbook field, or a helper (date, times, source id)."""

    name: str
    label: str
    kind: str  # text, area, ward, user, users, pick, picks, choice, int, float, bool, datetime, date, time, ethnicity
    required: bool = False
    options: str | tuple[str, ...] | None = None  # pick-list name, or fixed choices
    aliases: tuple[str, ...] = ()


SOURCE_ID = Field("source_id", "Id in the old system (e.g. the Forms 'ID')", "text", aliases=("id", "item id"))
_COMMON = (
    Field("area_code", "Area (code or name)", "area", aliases=("area", "lpa", "local policing area", "lpt",
                                                               "neighbourhood area")),
    Field("ward_code", "Ward (code or name)", "ward", True, aliases=("ward", "ward name", "neighbourhood")),
    Field("lat", "Latitude", "float", aliases=("latitude",)),
    Field("lon", "Longitude", "float", aliases=("longitude", "long")),
    Field("issues", "Issues (pick-list, ; between several)", "picks", options="issue_categories",
          aliases=("issues raised", "issue categories")),
    Field("issues_text", "Issues in the officer's words", "text", aliases=("issues text", "issue details")),
)
FIELDS: dict[str, tuple[Field, ...]] = {
    "events": (
        SOURCE_ID,
        Field("title", "Title", "text", True, aliases=("event title", "event name", "name of event")),
        Field("event_type", "Event type", "pick", True, "event_types", aliases=("type", "type of event")),
        *_COMMON,
        Field("place", "Venue or street", "text", True, aliases=("venue", "location", "address")),
        Field("start", "Start (date and time)", "datetime", aliases=("starts", "event start", "start date")),
        Field("end", "End (date and time)", "datetime", aliases=("ends", "event end", "end date")),
        Field("date", "Date (with start and end times)", "date", aliases=("event date", "date of event")),
        Field("start_time", "Start time of day", "time", aliases=("from", "time from")),
        Field("end_time", "End time of day", "time", aliases=("to", "time to", "finish time")),
        Field("organiser", "Organiser (user id, email or name)", "user", True,
              aliases=("organised by", "officer", "email", "booked by")),
        Field("officers_attending", "Officers attending", "users", aliases=("officers",)),
        Field("communities_targeted", "Communities targeted", "picks", options="communities",
              aliases=("communities", "target communities")),
        Field("status", "Status", "choice", options=picklists.EVENT_STATUSES),
        Field("attendees", "Members of the public attending", "int",
              aliases=("attendance", "number attending", "people engaged")),
        Field("officers_involved", "Officers and staff involved", "int", aliases=("officers involved",)),
        Field("communities_supported", "Communities reached", "picks", options="communities",
              aliases=("communities reached",)),
        Field("quality_rating", "Quality rating (1-5)", "int", aliases=("quality", "rating")),
        Field("quality_note", "Why that rating", "text"),
        Field("public_feedback", "Public feedback", "text", aliases=("feedback",)),
        Field("intel_submissions", "Intelligence submissions", "int", aliases=("intelligence submitted",)),
        Field("suitable_for_publishing", "Suitable for publishing", "bool", aliases=("publish",)),
        Field("value_gained", "Value gained", "text", aliases=("outcome",)),
        Field("cancel_reason", "Reason cancelled", "text"),
    ),
    "ccrs": (
        SOURCE_ID,
        Field("contact_at", "Date and time of contact", "datetime", aliases=("when", "date and time",
                                                                             "date and time of contact")),
        Field("date", "Date of contact (a time column may give the time; else 12:00)", "date",
              aliases=("date", "date of contact", "contact date")),
        Field("start_time", "Time of contact", "time", aliases=("time", "time of contact")),
        *_COMMON,
        Field("place", "Street or venue", "text", aliases=("location", "venue", "street")),
        Field("officer_id", "Officer (user id, email or name)", "user", True,
              aliases=("officer", "email", "officer email", "recorded by")),
        Field("contact_method", "Contact method", "pick", True, "contact_methods",
              aliases=("method", "method of contact", "how")),
        Field("info_submitted", "Information submitted", "bool", aliases=("intelligence submitted",)),
        Field("info_text", "What was submitted", "text"),
        Field("smart_alert_signup", "Signed up to community messaging", "bool",
              aliases=("smart alert", "community messaging")),
        Field("diversity_consent", "Consent to diversity questions", "bool", aliases=("consent",)),
        Field("age_band", "Age band", "choice", options=picklists.AGE_BANDS, aliases=("age", "age range")),
        Field("ethnicity", "Ethnicity (code, label or 2011 wording)", "ethnicity",
              aliases=("self-defined ethnicity", "ethnic group")),
        Field("religion", "Religion", "choice", options=picklists.RELIGIONS),
        Field("sex", "Sex", "choice", options=picklists.SEXES, aliases=("gender",)),
        Field("disability", "Disability", "choice", options=picklists.DISABILITY, aliases=("disabled",)),
    ),
}
HELPERS = ("source_id", "date", "start_time", "end_time")


@dataclasses.dataclass
class Checked:
    """What `check_rows` found: each good row's values, each bad row's reason, by position in the sheet."""

    good: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)
    bad: dict[int, str] = dataclasses.field(default_factory=dict)
    cells: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)  # a bad row's cells, as given

    def preview(self, frame: pd.DataFrame, table: str, *, rows: int = 20) -> pd.DataFrame:
        """The first `rows` rows as Beatbook will store them, with the reason for each rejected one."""
        names = [f.name for f in FIELDS[table] if f.name not in HELPERS]
        out = []
        for position in sorted(set(self.good) | set(self.bad))[:rows]:
            values = self.good.get(position) or self.cells.get(position, {})
            out.append({"row": position + 2, "ok": position in self.good, "reason": self.bad.get(position, ""),
                        **{n: _shown(values.get(n)) for n in names}})
        return pd.DataFrame(out)


def fields(table: str) -> tuple[Field, ...]:
    if table not in FIELDS:
        raise ValueError(f"spreadsheets import into {', '.join(TABLES_IMPORTED)}, not {table!r}")
    return FIELDS[table]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def suggest_mapping(table: str, columns: Iterable[str]) -> dict[str, str]:
    """Beatbook field -> spreadsheet column, for columns whose heading names the field (or a usual alias)."""
    by_name = {}
    for column in columns:
        by_name.setdefault(_norm(column), column)
    mapping: dict[str, str] = {}
    for field in fields(table):
        for candidate in (field.name, field.label, *field.aliases):
            column = by_name.get(_norm(candidate))
            if column is not None and column not in mapping.values():
                mapping[field.name] = column
                break
    return mapping


class _Reference:
    """The store's areas, wards, users and pick-lists, for turning cells into codes."""

    def __init__(self, store: Store):
        areas = db.rows(f"SELECT area_code, name FROM {store.relation('areas')}")
        wards = db.rows(f"SELECT ward_code, name, area_code FROM {store.relation('wards')}")
        users = db.rows(f"SELECT user_id, email, name FROM {store.relation('users')}")
        picks = db.rows(f"SELECT list_name, value FROM {store.relation('picklists')} WHERE active"
                        " ORDER BY list_name, position")
        self.areas = {_norm(c): c for c, _ in areas} | {_norm(n): c for c, n in areas}
        self.ward_area = {c: a for c, _, a in wards}
        self.wards = {_norm(c): [c] for c, _, _ in wards}
        for code, name, _ in wards:
            self.wards.setdefault(_norm(name), []).append(code)
        self.users: dict[str, str] = {}
        for user_id, email, name in users:
            for key in (user_id, email, name):
                if key:
                    self.users.setdefault(_norm(key), user_id)
        self.picks: dict[str, dict[str, str]] = {}
        for name, value in picks:
            self.picks.setdefault(name, {})[_norm(value)] = value
        for name, values in picklists.DEFAULTS.items():
            if name not in self.picks:
                self.picks[name] = {_norm(v): v for v in values}


def check_rows(store: Store, table: str, frame: pd.DataFrame, mapping: Mapping[str, str], *,
               defaults: Mapping[str, Any] | None = None, limit: int | None = None,
               progress: Progress | None = None) -> Checked:
    """Turn each row into the table's values and check it; nothing is written."""
    known = {f.name: f for f in fields(table)}
    unknown = sorted(set(mapping) - set(known)) + sorted(c for c in mapping.values() if c not in frame.columns)
    if unknown:
        raise ValidationError({"mapping": f"unknown field or column: {', '.join(map(str, unknown))}"})
    reference = _Reference(store)
    checked = Checked()
    total = len(frame) if limit is None else min(limit, len(frame))
    records = frame.iloc[:total].to_dict("records")
    for position, row in enumerate(records):
        if progress and position % PROGRESS_EVERY == 0:
            progress(position / max(total, 1), f"Checking row {position + 2:,} of {total + 1:,}")
        cells = {name: row[column] for name, column in mapping.items()}
        for name, value in (defaults or {}).items():
            if _blank(cells.get(name)) and not _blank(value):
                cells[name] = value
        try:
            checked.good[position] = _convert(table, known, cells, reference)
        except ValidationError as exc:
            checked.bad[position] = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
            checked.cells[position] = cells
    if progress:
        progress(1.0, f"Checked {total:,} rows")
    return checked


def read_spreadsheet(source: Source, *, name: str | None = None) -> pd.DataFrame:
    """A spreadsheet file as text cells, within the import limits (`read_sheet`, at most MAX_SHEET_ROWS rows)."""
    return read_sheet(source, name=name, max_rows=MAX_SHEET_ROWS)


def import_spreadsheet(store: Store, table: str, source: Source | pd.DataFrame, *, mapping: Mapping[str, str],
                       user: Mapping[str, Any], defaults: Mapping[str, Any] | None = None, name: str | None = None,
                       progress: Progress | None = None) -> ImportReport:
    """Check every row, write the good ones in one commit; the report's `rejected_rows` says why per row."""
    user_id = begin(store, user)
    label = source_name(source, name) if not isinstance(source, pd.DataFrame) else (name or "spreadsheet")
    frame = source if isinstance(source, pd.DataFrame) else read_spreadsheet(source, name=label)
    if len(frame) > MAX_SHEET_ROWS:
        raise ImportRefused(label, f"has {len(frame):,} rows; at most {MAX_SHEET_ROWS:,} are imported at once: "
                                   "split it into smaller files")
    report = ImportReport(table, files=[label], read=len(frame))
    checked = check_rows(store, table, frame, mapping, defaults=defaults,
                         progress=(lambda f, m: progress(0.9 * f, m)) if progress else None)
    bad = sorted(checked.bad)
    report.rejected = len(bad)
    report.reasons.update(_short(checked.bad[p]) for p in bad)
    report.rejected_rows = rejected_frame(frame, bad, [checked.bad[p] for p in bad])
    source_column = mapping.get("source_id")
    repeats: dict[str, int] = {}
    rows = []
    for position in sorted(checked.good):
        values = checked.good[position]
        if source_column and str(frame.iloc[position][source_column]).strip():
            key = content_id(table, "source", str(frame.iloc[position][source_column]).strip())
        else:
            content = content_id(table, *(values.get(n) for n in sorted(values)))
            repeats[content] = repeats.get(content, 0) + 1
            key = content_id(content, repeats[content])
        rows.append(values | {"record_id": key,
                              "submission_id": content_id(key, *(values.get(n) for n in sorted(values)))})
    if progress:
        progress(0.95, f"Writing {len(rows):,} rows")
    write_records(store, table, record_table(table, rows), user_id=user_id, report=report)
    if progress:
        progress(1.0, "Done")
    mapped = ", ".join(f"{k}<-{v}" for k, v in sorted(mapping.items()))
    return finish(store, user, report, detail=f"mapping {mapped}")


def _short(reason: str) -> str:
    """A reason without the row's own values, so the report can count alike reasons together."""
    return re.sub(r"'[^']*'", "'…'", reason)


# -- turning cells into values ------------------------------------------------------


def _convert(table: str, known: Mapping[str, Field], cells: Mapping[str, Any],
             reference: _Reference) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, cell in cells.items():
        field = known[name]
        if _blank(cell):
            continue
        try:
            values[name] = _value(field, str(cell).strip() if not isinstance(cell, list) else cell, reference)
        except ValueError as exc:
            errors[name] = str(exc)
    _place(values, errors, reference)
    _times(table, values, errors)
    for field in known.values():
        if field.required and field.name not in values and field.name not in errors:
            errors[field.name] = "is required"
    if table == "events" and "status" not in values and "attendees" in values:
        values["status"] = "completed"  # a past event with its attendance is a completed one
    if table == "ccrs" and "diversity_consent" not in values and any(
            values.get(f) is not None for f in ("age_band", "ethnicity", "religion", "sex", "disability")):
        errors.setdefault("diversity_consent", "diversity answers need a consent column saying yes")
    if errors:
        raise ValidationError(errors)
    record = {k: v for k, v in values.items() if k not in HELPERS}
    model = validate(table, record)
    return {k: v for k, v in model.model_dump().items() if k in TABLES[table].model_fields}


def _value(field: Field, text: Any, reference: _Reference) -> Any:
    kind = field.kind
    if kind == "text":
        return text
    if kind == "area":
        if _norm(text) not in reference.areas:
            raise ValueError(f"'{text}' is not an area")
        return reference.areas[_norm(text)]
    if kind == "ward":
        codes = reference.wards.get(_norm(text))
        if not codes:
            raise ValueError(f"'{text}' is not a ward")
        return codes  # resolved with the area in _place
    if kind == "user":
        return _user(text, reference)
    if kind == "users":
        return [_user(t, reference) for t in _items(text)]
    if kind == "pick":
        return _pick(text, reference.picks.get(field.options, {}), field.options)
    if kind == "picks":
        return [_pick(t, reference.picks.get(field.options, {}), field.options) for t in _items(text)]
    if kind == "choice":
        return _pick(text, {_norm(v): v for v in field.options}, "allowed values")
    if kind == "ethnicity":
        return ethnicity_code(text)
    if kind == "int":
        number = pd.to_numeric(text.replace(",", ""), errors="coerce")
        if pd.isna(number) or not np.isfinite(float(number)) or number != int(number):
            raise ValueError(f"'{_clip(text)}' is not a whole number")
        if abs(int(number)) > INT64_MAX:
            raise ValueError(f"'{_clip(text)}' is too large a number to store")
        return int(number)
    if kind == "float":
        number = pd.to_numeric(text, errors="coerce")
        if pd.isna(number) or not np.isfinite(float(number)):
            raise ValueError(f"'{_clip(text)}' is not a number")
        return float(number)
    if kind == "bool":
        if _norm(text) in TRUE:
            return True
        if _norm(text) in FALSE:
            return False
        raise ValueError(f"'{text}' is not yes or no")
    if kind in ("datetime", "date", "time"):
        return _moment(kind, text)
    raise ValueError(f"unknown kind {kind}")


def _clip(text: str, length: int = 40) -> str:
    """A cell's text short enough to quote in a reason."""
    return text if len(text) <= length else text[:length] + "…"


def _items(text: Any) -> list[str]:
    if isinstance(text, list):
        return [str(t) for t in text if str(t).strip()]
    return [t for t in LIST_SEPARATOR.split(str(text)) if t]


def _user(text: str, reference: _Reference) -> str:
    user_id = reference.users.get(_norm(text))
    if user_id is None:
        raise ValueError(f"'{text}' is not a Beatbook user (id, email or name)")
    return user_id


def _pick(text: str, choices: Mapping[str, str], list_name: str | None) -> str:
    value = choices.get(_norm(text))
    if value is None:
        raise ValueError(f"'{text}' is not in the {list_name} list")
    return value


def ethnicity_code(text: str) -> str:
    """An ONS 2021 ethnicity code from a code, a 2021 label or the 2011 / police 18+1 wording."""
    clean = text.strip()
    if clean.upper() in picklists.ETHNICITY:
        return clean.upper()
    labels = {_norm(label): code for code, (label, _) in picklists.ETHNICITY.items()}
    if _norm(clean) in labels:
        return labels[_norm(clean)]
    if re.search(r"not stated|prefer not|declined", clean, flags=re.IGNORECASE):
        return "NS"
    code = category_code("Ethnic group: x: " + clean.replace(" - ", ": "))
    if code is None:
        raise ValueError(f"'{text}' is not an ethnicity Beatbook knows")
    return code


def _moment(kind: str, text: str) -> dt.datetime | dt.date | dt.time:
    if kind == "time":
        match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::\d{2})?\s*(am|pm)?", text.strip().lower())
        if not match:
            raise ValueError(f"'{text}' is not a time of day (e.g. 18:30)")
        hour, minute = int(match.group(1)), int(match.group(2))
        if match.group(3) == "pm" and hour < 12:
            hour += 12
        if match.group(3) == "am" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59:
            raise ValueError(f"'{text}' is not a time of day")
        return dt.time(hour, minute)
    iso = re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].*)?", text.strip())
    moment = pd.to_datetime(text, errors="coerce", dayfirst=not iso)
    if pd.isna(moment):
        raise ValueError(f"'{text}' is not a date (day/month/year or year-month-day)")
    moment = moment.tz_localize(None) if moment.tzinfo else moment
    return moment.date() if kind == "date" else moment.to_pydatetime()


def _place(values: dict[str, Any], errors: dict[str, str], reference: _Reference) -> None:
    """Resolve the ward (a name may be shared by wards of several areas) and take the area from it."""
    codes = values.get("ward_code")
    if not isinstance(codes, list):
        return
    area = values.get("area_code")
    inside = [c for c in codes if area is None or reference.ward_area.get(c) == area]
    if not inside:
        errors["ward_code"] = f"is not a ward of {area}"
        values.pop("ward_code")
    elif len(inside) > 1:
        errors["ward_code"] = "names wards in several areas: give the area or the ward code"
        values.pop("ward_code")
    else:
        values["ward_code"] = inside[0]
        values.setdefault("area_code", reference.ward_area[inside[0]])


def _times(table: str, values: dict[str, Any], errors: dict[str, str]) -> None:
    """Build start/end (events) or contact_at (CCRs) from a date and times of day when that is what the sheet has."""
    date = values.get("date")
    if table == "events":
        for name, part in (("start", "start_time"), ("end", "end_time")):
            if name not in values and date is not None and part in values:
                values[name] = dt.datetime.combine(date, values[part])
            elif name in values and part in values:  # a date-only start column plus a time column
                values[name] = dt.datetime.combine(values[name].date(), values[part])
        for name in ("start", "end"):
            if name not in values and name not in errors:
                errors[name] = "is required (a date and time, or a date with start and end time columns)"
    else:
        if "contact_at" not in values and date is not None:
            values["contact_at"] = dt.datetime.combine(date, values.get("start_time", dt.time(12, 0)))
        elif "contact_at" in values and "start_time" in values:
            values["contact_at"] = dt.datetime.combine(values["contact_at"].date(), values["start_time"])
        if "contact_at" not in values and "contact_at" not in errors:
            errors["contact_at"] = "is required (a date and time, or a date column)"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or (isinstance(value, str)
                                                                                and not value.strip())


def _shown(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return value
