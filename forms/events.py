"""Engagement events: booking one, with every rule checked before anything is written.

`save_event` takes the booking form's values (keyed by `FIELDS`), checks the
schema's rules and the rules that need reference data (the ward lies in the
area, the type and communities are on their pick-lists, the officers are
known, the date is within the booking window) and writes one record through
the store. Errors are keyed by form field, so the page shows each one by
the widget it belongs to.

After the booking, `complete_event` records what happened (once the event
has started), `cancel_event` records why it was called off and
`update_event` changes its details: each writes a new version of the record,
and none touches an event already completed or cancelled. Each names the
version of the event the form showed (`base_version`): if someone
changed it since, the change is refused (`EditConflict`, naming who and when)
and nothing is written. The version is required of every caller.

Every one needs the `log_activity` capability in the event's area: an
officer or supervisor books and changes events of their own area only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from data import access, reference
from data.schema import TABLES
from data.store import Saved, Store, ValidationError, validate
from forms import checks
from forms.conflicts import naming_who, refuse_withdrawn, withdrawn_since

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
    issue_categories: list[str] = dataclasses.field(default_factory=list)


def event_form_options(store: Store, *, area_code: str | None, user: Mapping[str, Any]) -> EventFormOptions:
    """Choices for the booking form: the areas the user may book in, the area's wards and officers (and the
    user), the pick-lists."""
    officers = reference.list_users(store, area_code=area_code).to_dict("records") if area_code else []
    officer_names = {u["user_id"]: u["name"] for u in sorted(officers, key=lambda u: u["name"]) if u["active"]}
    officer_names.setdefault(str(user["user_id"]), str(user["name"]))
    return EventFormOptions(
        areas=access.areas_in_scope(user, reference.area_names(store)),
        wards=reference.ward_names(store, area_code=area_code) if area_code else {},
        event_types=list(reference.picklist(store, "event_types")),
        communities=list(reference.picklist(store, "communities")),
        officers=officer_names,
        issue_categories=list(reference.picklist(store, "issue_categories")),
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

    Saving the same `submission_id` again returns the first save and writes nothing. Raise NotAllowed
    unless the user may log activity in the event's area.
    """
    _require(user, checks.known_area(store, values.get("area_code")) if isinstance(values, Mapping) else None)
    record, errors = _record_from_form(values, organiser=str(user.get("user_id") or ""))
    model = None
    if record is not None:
        model, found = _booking_errors(store, record, today=today)
        errors.update({k: v for k, v in found.items() if k not in errors})
    if errors:
        raise ValidationError(errors)
    return store.save(TABLE, model, user=str(user["user_id"]), submission_id=submission_id)


def _require(user: Mapping[str, Any], area_code: Any) -> None:
    """NotAllowed unless the user may log activity (in `area_code`, when it names an area)."""
    access.require(user, "log_activity", area_code if isinstance(area_code, str) and area_code else None)


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
    officers = checks.check_list(errors, "officers_attending", values.get("officers_attending"), max_items=50)
    communities = checks.check_list(errors, "communities_targeted", values.get("communities_targeted"),
                                    max_items=20)
    if errors:
        return None, errors
    for field in ("title", "place"):  # named with its length, never cut; the other rules are checked too
        checks.check_text(errors, field, values.get(field), max_length=200)
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
        "officers_attending": officers,
        "communities_targeted": communities,
        "status": "booked",
    }
    return record, errors


def _reference_errors(store: Store, record: Mapping[str, Any], *, today: dt.date | None) -> dict[str, str]:
    """Rules that need the store's reference data or today's date."""
    errors: dict[str, str] = {}
    checks.check_area_ward(store, errors, record["area_code"], record["ward_code"])
    checks.check_picklist(store, errors, "event_type", record["event_type"], "event_types", "event type")
    checks.check_picklist_items(store, errors, "communities_targeted", record["communities_targeted"],
                                "communities", "communities")
    checks.check_officers(store, errors, "officers_attending", record["officers_attending"])
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


# -- after the booking: complete, cancel or change it ---------------------------

COMPLETION_LABELS: dict[str, str] = {
    "attendees": "Attendance (members of the public)",
    "officers_involved": "Officers involved",
    "communities_supported": "Communities supported",
    "quality_rating": "Quality of engagement",
    "quality_note": "Why that rating",
    "public_feedback": "Public feedback",
    "issues": "Issues raised",
    "issues_text": "Issues in their words",
    "intel_submissions": "Intelligence reports submitted",
    "suitable_for_publishing": "Suitable for publishing",
    "value_gained": "Value gained",
}
COMPLETION_FIELDS = tuple(COMPLETION_LABELS)
CANCEL_LABELS: dict[str, str] = {"cancel_reason": "Reason for cancelling"}
CANCEL_FIELDS = tuple(CANCEL_LABELS)
QUALITY_RATINGS = {1: "1 Poor", 2: "2", 3: "3", 4: "4", 5: "5 Excellent"}

_DONE = {"completed": "completed", "cancelled": "cancelled"}


def completion_defaults(event: Mapping[str, Any]) -> dict[str, Any]:
    """A fresh completion form for `event`: its planned officers and communities, nothing counted yet."""
    return {
        "attendees": None,
        "officers_involved": list(event.get("officers_attending") or []),
        "communities_supported": list(event.get("communities_targeted") or []),
        "quality_rating": None,
        "quality_note": "",
        "public_feedback": "",
        "issues": [],
        "issues_text": "",
        "intel_submissions": 0,
        "suitable_for_publishing": False,
        "value_gained": "",
    }


def complete_event(
    *,
    store: Store,
    record_id: str,
    values: Mapping[str, Any],
    user: Mapping[str, Any],
    submission_id: str,
    base_version: int,
    now: dt.datetime | None = None,
) -> Saved:
    """Complete a booked event that has started: a new version with what happened, made from `base_version`.

    `officers_involved` is a list of user ids: the stored event lists them as the
    officers who attended and counts them in `officers_involved`. Raise
    ValidationError (field -> message) and write nothing if invalid; saving the
    same `submission_id` again returns the first save and writes nothing.
    """
    now = now or dt.datetime.now()
    return _edit(store, record_id, user=user, submission_id=submission_id, base_version=base_version,
                 change=lambda event: _completion(store, event, values, now=now))


def _completion(store: Store, event: dict[str, Any], values: Mapping[str, Any], *,
                now: dt.datetime) -> tuple[dict[str, Any], dict[str, str], None]:
    """The completed event's record and the completion form's errors."""
    errors: dict[str, str] = {}
    checks.unknown_fields(errors, values, COMPLETION_FIELDS)
    checks.required(errors, values, ("attendees", "quality_rating"))
    if event["start"] > now:
        checks.add(errors, "record", f"this event has not started yet (it starts {event['start']:%a %d %b %Y %H:%M})")
    for field in ("attendees", "intel_submissions"):
        checks.check_count(errors, field, values.get(field))
    rating = values.get("quality_rating")
    if rating is not None and (isinstance(rating, bool) or rating not in tuple(QUALITY_RATINGS)):
        checks.add(errors, "quality_rating", "must be from 1 to 5")
    officers = checks.check_list(errors, "officers_involved", values.get("officers_involved"), max_items=50)
    if not officers and "officers_involved" not in errors:
        checks.add(errors, "officers_involved", "choose at least one officer")
    checks.check_officers(store, errors, "officers_involved", officers)
    communities = checks.check_list(errors, "communities_supported", values.get("communities_supported"),
                                    max_items=20)
    checks.check_picklist_items(store, errors, "communities_supported", communities, "communities", "communities")
    issues = checks.check_list(errors, "issues", values.get("issues"), max_items=20)
    checks.check_picklist_items(store, errors, "issues", issues, "issue_categories", "issue categories")
    for field in ("quality_note", "public_feedback", "issues_text", "value_gained"):
        checks.check_text(errors, field, values.get(field))
    publish = values.get("suitable_for_publishing")
    if publish is not None:
        checks.check_bool(errors, "suitable_for_publishing", publish)
    record = {
        **event,
        "status": "completed",
        "attendees": values.get("attendees"),
        "officers_attending": list(dict.fromkeys(officers)),
        "officers_involved": len(set(officers)),
        "communities_supported": communities,
        "quality_rating": rating,
        "quality_note": checks.text_or_none(values.get("quality_note")),
        "public_feedback": checks.text_or_none(values.get("public_feedback")),
        "issues": issues,
        "issues_text": checks.text_or_none(values.get("issues_text")),
        "intel_submissions": values.get("intel_submissions") or 0,
        "suitable_for_publishing": publish is True,
        "value_gained": checks.text_or_none(values.get("value_gained")),
    }
    return record, errors, None


def cancel_event(
    *,
    store: Store,
    record_id: str,
    values: Mapping[str, Any],
    user: Mapping[str, Any],
    submission_id: str,
    base_version: int,
) -> Saved:
    """Cancel a booked event, with a reason: a new version of the record, made from `base_version`."""
    return _edit(store, record_id, user=user, submission_id=submission_id, base_version=base_version,
                 change=lambda event: _cancellation(event, values))


def _cancellation(event: dict[str, Any], values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str], None]:
    """The cancelled event's record and the cancel form's errors."""
    errors: dict[str, str] = {}
    checks.unknown_fields(errors, values, CANCEL_FIELDS)
    checks.required(errors, values, CANCEL_FIELDS)
    checks.check_text(errors, "cancel_reason", values.get("cancel_reason"))
    record = {**event, "status": "cancelled", "cancel_reason": checks.text_or_none(values.get("cancel_reason"))}
    return record, errors, None


def update_event(
    *,
    store: Store,
    record_id: str,
    values: Mapping[str, Any],
    user: Mapping[str, Any],
    submission_id: str,
    base_version: int,
    today: dt.date | None = None,
) -> Saved:
    """Change a booked event's details (the booking form's fields): a new version made from `base_version`
    (the version the form showed); the organiser stays.

    The user must be able to log activity both in the event's area and in the area it moves to.
    """
    return _edit(store, record_id, user=user, submission_id=submission_id, base_version=base_version,
                 change=lambda event: _update(store, event, values, today=today))


def _update(store: Store, event: dict[str, Any], values: Mapping[str, Any], *,
            today: dt.date | None) -> tuple[dict[str, Any], dict[str, str], BaseModel | None]:
    """The changed event's record, the booking form's errors and the record as the table's model (None if refused)."""
    booking, errors = _record_from_form(values, organiser=str(event["organiser"]))
    if booking is None:
        return event, errors, None
    record = {**event, **booking}
    model, found = _booking_errors(store, record, today=today)
    errors.update({k: v for k, v in found.items() if k not in errors})
    return record, errors, model


def _edit(store: Store, record_id: str, *, user: Mapping[str, Any], submission_id: str, base_version: int | None,
          change: Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, str], BaseModel | None]]) -> Saved:
    """Save a new version of a booked event, made from `base_version`: the record `change` makes of the stored
    event, once the form's errors are none (`change` may give the record validated already).

    Saving the same `submission_id` again returns the first save. An edit that moves the event may move it
    to an area of the user's only.
    """
    _require(user, None)
    if earlier := store.find_submission(TABLE, submission_id):
        return earlier
    event = _booked_event(store, record_id, base_version, user)
    _require(user, event["area_code"])
    record, errors, model = change(event)
    if not user.get("user_id"):
        checks.add(errors, "record", "no signed-in user")
    model = checks.checked_model(TABLE, record, errors, _FORM_FIELD, model=model)
    if record["area_code"] != event["area_code"]:
        _require(user, record["area_code"])
    with naming_who(store):
        return store.save(TABLE, model, user=str(user["user_id"]), submission_id=submission_id,
                          record_id=record_id, base_version=base_version)


def _booking_errors(store: Store, record: Mapping[str, Any], *,
                    today: dt.date | None) -> tuple[BaseModel | None, dict[str, str]]:
    """The booking as the table's model (None if the schema refuses it), and every error the form shows."""
    errors: dict[str, str] = {}
    model = None
    try:
        model = validate(TABLE, record)
    except ValidationError as exc:
        for field, message in exc.errors.items():
            _add(errors, _form_field(field), _FRIENDLY.get(message, message))
    errors.update({k: v for k, v in _reference_errors(store, record, today=today).items() if k not in errors})
    return model, errors


def _booked_event(store: Store, record_id: str, base_version: int | None, user: Mapping[str, Any]) -> dict[str, Any]:
    """The event's stored fields; ValidationError if it is missing or no longer booked (EditConflict if it
    was withdrawn after `base_version`)."""
    event = store.get(TABLE, record_id) if isinstance(record_id, str) and record_id else None
    if event is None:
        gone = withdrawn_since(store, TABLE, record_id, base_version)
        if gone is not None and access.can(user, "log_activity", gone["area_code"]):
            refuse_withdrawn(store, TABLE, record_id, gone)
        raise ValidationError({"record": "there is no such event"})
    if event["status"] in _DONE:
        raise ValidationError({"record": f"this event is already {_DONE[event['status']]}; it cannot be changed"})
    fields = TABLES[TABLE].model_fields
    return {k: (list(v) if isinstance(v, list | tuple) else v) for k, v in event.items() if k in fields}


def get_event(store: Store, record_id: Any, *, user: Mapping[str, Any]) -> dict[str, Any] | None:
    """The current version of one event (its fields, record_id and version), or None.

    None too for an event outside the user's area; NotAllowed unless the user may log activity.
    """
    _require(user, None)
    if not isinstance(record_id, str) or not record_id or len(record_id) > 64:
        return None
    event = store.get(TABLE, record_id)
    if event is None or not access.in_scope(user, event["area_code"]):
        return None
    keep = {*TABLES[TABLE].model_fields, "record_id", "version"}
    return {k: (list(v) if isinstance(v, list | tuple) else v) for k, v in event.items() if k in keep}


def event_summary(event: Mapping[str, Any], *, ward: str | None = None) -> str:
    """'Street meeting · Tue 01 Dec 2026 18:00–19:30 · Market Square, Abbey · booked'."""
    where = ", ".join(p for p in (event.get("place"), ward) if p)
    return (f"{event['event_type']} · {event['start']:%a %d %b %Y %H:%M}–{event['end']:%H:%M} · {where}"
            f" · {event['status']}")


DETAIL_FIELDS = ("title", "place", "date", "start_time", "end_time")


def booking_values(event: Mapping[str, Any]) -> dict[str, Any]:
    """The booking form's values for a stored event: what `update_event` starts from."""
    return {
        "title": event["title"],
        "event_type": event["event_type"],
        "area_code": event["area_code"],
        "ward_code": event["ward_code"],
        "place": event["place"],
        "date": event["start"].date(),
        "start_time": event["start"].time(),
        "end_time": event["end"].time(),
        "officers_attending": list(event.get("officers_attending") or []),
        "communities_targeted": list(event.get("communities_targeted") or []),
        "lat": event.get("lat"),
        "lon": event.get("lon"),
    }
