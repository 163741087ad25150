"""Engagement events: booking one, with every rule checked before anything is written.

`save_event` takes the booking form's values (keyed by `FIELDS`), checks the
schema's rules and the rules that need reference data (the ward lies in the
area, the type and communities are on their pick-lists, the officers are
known, the date is within the booking window) and writes one record through
the store. Errors are keyed by form field, so the page shows each one by
the widget it belongs to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from data import reference
from data.store import Saved, Store, ValidationError, validate

TABLE = "events"

LABELS: dict[str, str] = {
    "title": "Title",
    "event_type": "Event type",
    "area_code": "Area",
    "ward_code": "Ward",
    "place": "Place",
    "date": "Date",
    "start_time": "Start time",
    "end_time": "End time",
    "officers_attending": "Officers attending",
    "communities_targeted": "Communities targeted",
    "lat": "Latitude",
    "lon": "Longitude",
}
FIELDS = tuple(LABELS)
REQUIRED = ("title", "event_type", "area_code", "ward_code", "place", "date", "start_time", "end_time")

BOOK_BACK = dt.timedelta(days=365)
BOOK_AHEAD = dt.timedelta(days=2 * 365)

# Schema fields that the form shows under another widget.
_FORM_FIELD = {"start": "date", "end": "end_time"}
_FRIENDLY = {
    "String should have at least 1 character": "is required",
    "end must be after start": "must be after the start time",
}


@dataclasses.dataclass(frozen=True)
class EventFormOptions:
    """The choices the booking form offers: code -> display name, or pick-list values."""

    areas: dict[str, str]
    wards: dict[str, str]
    event_types: list[str]
    communities: list[str]
    officers: dict[str, str]


def event_form_options(store: Store, *, area_code: str | None, user: Mapping[str, Any]) -> EventFormOptions:
    """Choices for the booking form: the area's wards and officers (and the user), the pick-lists."""
    officers = reference.list_users(store, area_code=area_code).to_dict("records") if area_code else []
    officer_names = {u["user_id"]: u["name"] for u in sorted(officers, key=lambda u: u["name"]) if u["active"]}
    officer_names.setdefault(str(user["user_id"]), str(user["name"]))
    return EventFormOptions(
        areas=reference.area_names(store),
        wards=reference.ward_names(store, area_code=area_code) if area_code else {},
        event_types=list(reference.picklist(store, "event_types")),
        communities=list(reference.picklist(store, "communities")),
        officers=officer_names,
    )


def booking_defaults(user: Mapping[str, Any], *, now: dt.datetime | None = None) -> dict[str, Any]:
    """A fresh booking form: the user's area, attending themselves, today at the next whole hour."""
    now = now or dt.datetime.now()
    start = dt.time(min(now.hour + 1, 22))
    return {
        "title": "",
        "event_type": None,
        "area_code": user.get("area_code"),
        "ward_code": None,
        "place": "",
        "date": now.date(),
        "start_time": start,
        "end_time": dt.time(start.hour + 1),
        "officers_attending": [user["user_id"]] if user.get("area_code") else [],
        "communities_targeted": [],
        "lat": None,
        "lon": None,
    }


def save_event(
    *,
    store: Store,
    values: Mapping[str, Any],
    user: Mapping[str, Any],
    submission_id: str,
    today: dt.date | None = None,
) -> Saved:
    """Book an event from the form's values; raise ValidationError (field -> message) and write nothing if invalid.

    Saving the same `submission_id` again returns the first save and writes nothing.
    """
    record, errors = _record_from_form(values, organiser=str(user.get("user_id") or ""))
    if record is not None:
        try:
            validate(TABLE, record)
        except ValidationError as exc:
            for field, message in exc.errors.items():
                _add(errors, _form_field(field), _FRIENDLY.get(message, message))
        errors.update({k: v for k, v in _reference_errors(store, record, today=today).items() if k not in errors})
    if errors:
        raise ValidationError(errors)
    return store.save(TABLE, record, user=str(user["user_id"]), submission_id=submission_id)


def _record_from_form(values: Mapping[str, Any], *, organiser: str) -> tuple[dict | None, dict[str, str]]:
    """The event record the form describes, or None with the errors that stop it being built."""
    errors: dict[str, str] = {}
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        errors["record"] = f"unknown fields: {', '.join(unknown)}"
    for field in REQUIRED:
        value = values.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[field] = "is required"
    start_time, end_time = values.get("start_time"), values.get("end_time")
    if isinstance(start_time, dt.time) and isinstance(end_time, dt.time) and end_time <= start_time:
        errors["end_time"] = _FRIENDLY["end must be after start"]
    lat, lon = values.get("lat"), values.get("lon")
    if (lat is None) != (lon is None):
        errors["lon" if lon is None else "lat"] = "give both latitude and longitude, or neither"
    if not organiser:
        errors["record"] = "no signed-in user to record as organiser"
    if errors:
        return None, errors
    date, start_time, end_time = values["date"], values["start_time"], values["end_time"]
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        errors["date"] = "must be a date"
    for field in ("start_time", "end_time"):
        if not isinstance(values[field], dt.time):
            errors[field] = "must be a time of day"
    if errors:
        return None, errors
    record = {
        "title": values["title"],
        "event_type": values["event_type"],
        "area_code": values["area_code"],
        "ward_code": values["ward_code"],
        "place": values["place"],
        "lat": lat,
        "lon": lon,
        "start": dt.datetime.combine(date, start_time),
        "end": dt.datetime.combine(date, end_time),
        "organiser": organiser,
        "officers_attending": list(values.get("officers_attending") or []),
        "communities_targeted": list(values.get("communities_targeted") or []),
        "status": "booked",
    }
    return record, errors


def _reference_errors(store: Store, record: Mapping[str, Any], *, today: dt.date | None) -> dict[str, str]:
    """Rules that need the store's reference data or today's date."""
    errors: dict[str, str] = {}
    if record["area_code"] not in reference.area_names(store):
        errors["area_code"] = "is not a known area"
    if not reference.ward_in_area(store, ward_code=record["ward_code"], area_code=record["area_code"]):
        errors["ward_code"] = "is not a ward of the chosen area"
    if record["event_type"] not in reference.picklist(store, "event_types"):
        errors["event_type"] = f"{record['event_type']!r} is not on the event type list"
    communities = set(reference.picklist(store, "communities"))
    unknown = [c for c in record["communities_targeted"] if c not in communities]
    if unknown:
        errors["communities_targeted"] = f"not on the communities list: {', '.join(unknown)}"
    if record["officers_attending"]:
        known = set(reference.list_users(store)["user_id"])
        strangers = [o for o in record["officers_attending"] if o not in known]
        if strangers:
            errors["officers_attending"] = f"unknown officers: {', '.join(strangers)}"
    now = dt.datetime.combine(today or dt.date.today(), dt.time())
    if record["start"] < now - BOOK_BACK:
        errors["date"] = "can be at most a year ago"
    elif record["start"] > now + BOOK_AHEAD:
        errors["date"] = "can be at most two years ahead"
    return errors


def _form_field(field: str) -> str:
    head = field.split(".")[0]
    return _FORM_FIELD.get(head, head)


def _add(errors: dict[str, str], field: str, message: str) -> None:
    errors.setdefault(field, message)
