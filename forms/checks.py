"""Checks the officer forms share: required fields, types, time windows, reference data.

Each check adds `field -> message` to an errors dict (the first message per
field wins), so a form reports every problem at once, each by the widget it
belongs to. Messages read after the field's label ("Ward: is not a ward of
the chosen area").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from data import access, reference
from data.checked import INT64_MAX, text_problem
from data.store import Saved, Store, ValidationError, validate

# A phone's clock and the server's may differ a little; a record "now" is not in the future.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
LOOK_BACK = dt.timedelta(days=365)

FRIENDLY = {
    "String should have at least 1 character": "is required",
    "end must be after start": "must be after the start",
    "end must be within 16 hours of start": "must be within 16 hours of the start",
    "Input should be greater than or equal to 0": "cannot be negative",
    "Input should be greater than 0": "must be more than 0",
}


def add(errors: dict[str, str], field: str, message: str) -> None:
    errors.setdefault(field, message)


def unknown_fields(errors: dict[str, str], values: Mapping[str, Any], fields: Iterable[str]) -> None:
    unknown = sorted(shown(k) for k in set(values) - set(fields))
    if unknown:
        add(errors, "record", f"unknown fields: {', '.join(unknown)}")


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def required(errors: dict[str, str], values: Mapping[str, Any], fields: Iterable[str]) -> None:
    for field in fields:
        if blank(values.get(field)):
            add(errors, field, "is required")


def is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def check_date(errors: dict[str, str], field: str, value: Any) -> bool:
    if value is not None and not is_date(value):
        add(errors, field, "must be a date")
        return False
    return value is not None


def check_time(errors: dict[str, str], field: str, value: Any) -> bool:
    """A local time of day (one with a time zone is refused: stored times are the force's local time)."""
    if value is not None and (not isinstance(value, dt.time) or value.tzinfo is not None):
        add(errors, field, "must be a time of day")
        return False
    return value is not None


def check_text(errors: dict[str, str], field: str, value: Any, *, max_length: int = 4000) -> None:
    """Text (None passes: `required` decides) of at most `max_length` characters, without control characters."""
    if value is None:
        return
    if not isinstance(value, str):
        add(errors, field, "must be text")
    elif problem := text_problem(value):
        add(errors, field, problem)
    elif len(value.strip()) > max_length:
        length = len(value.strip())
        add(errors, field, f"is too long: {length:,} characters, {length - max_length:,} more than the"
                           f" {max_length:,} it can hold (nothing was cut: shorten it)")


def check_bool(errors: dict[str, str], field: str, value: Any) -> None:
    if not isinstance(value, bool):
        add(errors, field, "must be yes or no")


def check_count(errors: dict[str, str], field: str, value: Any, *, maximum: int = 100_000) -> None:
    """A whole number from 0 to `maximum` (None passes: `required` decides)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not value.is_integer()):
        add(errors, field, "must be a whole number")
    elif value < 0:
        add(errors, field, "cannot be negative")
    elif value > maximum:
        add(errors, field, f"can be at most {maximum:,}")


def check_list(errors: dict[str, str], field: str, value: Any, *, max_items: int) -> list:
    """The value as a list of strings, or [] with an error."""
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        add(errors, field, "must be a list of choices")
        return []
    if len(value) > max_items:
        add(errors, field, f"can have at most {max_items} choices")
    return list(value)


def check_recent(errors: dict[str, str], field: str, moment: dt.datetime, *, now: dt.datetime,
                 what: str = "") -> None:
    """Not in the future (beyond a few minutes' clock drift) and not over a year ago."""
    if moment > now + FUTURE_TOLERANCE:
        add(errors, field, f"cannot be in the future{what}")
    elif moment < now - LOOK_BACK:
        add(errors, field, "can be at most a year ago")


def check_day(errors: dict[str, str], field: str, day: dt.date, *, today: dt.date) -> bool:
    """The date of something that happened: not after today, nor over a year ago (named by the date's own field,
    whatever the time). Whether it passed."""
    if day > today:
        add(errors, field, f"cannot be in the future (today is {today:%d/%m/%Y})")
    elif day < today - LOOK_BACK:
        add(errors, field, "can be at most a year ago")
    else:
        return True
    return False


def check_picklist(store: Store, errors: dict[str, str], field: str, value: Any, list_name: str,
                   label: str) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        add(errors, field, f"must be one of the {label} list")
    elif value not in reference.picklist(store, list_name):
        add(errors, field, f"{shown(value, quoted=True)} is not on the {label} list")


def check_picklist_items(store: Store, errors: dict[str, str], field: str, values: list[str], list_name: str,
                         label: str) -> None:
    allowed = set(reference.picklist(store, list_name))
    unknown = [v for v in values if v not in allowed]
    if unknown:
        add(errors, field, f"not on the {label} list: {', '.join(shown(v) for v in unknown)}")


def code_like(value: Any) -> bool:
    """Whether a value may be looked up as a code: text without control characters (nor lone surrogates,
    which no query can take)."""
    return isinstance(value, str) and not text_problem(value)


def check_area_ward(store: Store, errors: dict[str, str], area_code: Any, ward_code: Any) -> None:
    if not code_like(area_code) or area_code not in reference.area_names(store):
        add(errors, "area_code", "is not a known area")
        return
    if ward_code is not None and (
        not code_like(ward_code) or not reference.ward_in_area(store, ward_code=ward_code, area_code=area_code)
    ):
        add(errors, "ward_code", "is not a ward of the chosen area")


def check_officers(store: Store, errors: dict[str, str], field: str, user_ids: list[str]) -> None:
    if user_ids:
        known = set(reference.list_users(store)["user_id"])
        strangers = [u for u in user_ids if u not in known]
        if strangers:
            add(errors, field, f"unknown officers: {', '.join(strangers)}")


def validated(table: str, record: Mapping[str, Any],
              form_field: Mapping[str, str]) -> tuple[BaseModel | None, dict[str, str]]:
    """The record as its table's model (for `Store.save`), or None and the schema's messages, each keyed by the
    form field that shows it."""
    try:
        return validate(table, record), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for field, message in exc.errors.items():
            head = field.split(".")[0]
            add(errors, form_field.get(head, head), FRIENDLY.get(message, message))
        return None, errors


def checked_model(table: str, record: Mapping[str, Any], errors: dict[str, str], form_field: Mapping[str, str], *,
                  model: BaseModel | None = None) -> BaseModel:
    """`model`, or the record validated as its table's model, once the form has no errors; else ValidationError
    naming every error, the schema's keyed by the form field that shows it."""
    if model is None and not errors:
        model, errors = validated(table, record, form_field)
    if errors:
        raise ValidationError(errors)
    return model


def start_activity_log(store: Store, values: Any, user: Mapping[str, Any], *, fields: Iterable[str],
                       needed: Iterable[str], in_area: bool = True) -> tuple[dict[str, str], str]:
    """NotAllowed unless the user may log activity (in the form's area, when `in_area` and it names a known one);
    else the form's first errors (unknown fields, blanks, no signed-in user) and the officer's user id."""
    area_code = values.get("area_code") if in_area and isinstance(values, Mapping) else None
    access.require(user, "log_activity", known_area(store, area_code))
    errors: dict[str, str] = {}
    unknown_fields(errors, values, fields)
    required(errors, values, needed)
    officer = str(user.get("user_id") or "")
    if not officer:
        add(errors, "record", "no signed-in user to record as the officer")
    return errors, officer


def save_activity(store: Store, table: str, record: Mapping[str, Any], errors: dict[str, str], *,
                  form_field: Mapping[str, str], officer: str, submission_id: str) -> Saved:
    """Write the record as a new row of `table` once it and the form have no errors (ValidationError otherwise);
    saving the same `submission_id` again returns the first save and writes nothing."""
    return store.save(table, checked_model(table, record, errors, form_field), user=officer,
                      submission_id=submission_id)


def known_area(store: Store, value: Any) -> str | None:
    """A form's area code to check access against before anything else: a known area's code, else None (the
    form's checks name an unknown area as a field error)."""
    return value if code_like(value) and value in reference.area_names(store) else None


def text_or_none(value: Any) -> Any:
    """Trimmed text, None for blank text; anything else unchanged (the schema judges it).

    Text holding control characters is left as it is, for the schema to refuse: it is never blanked.
    """
    if not isinstance(value, str) or text_problem(value):
        return value
    return value.strip() or None


def shown(value: Any, *, quoted: bool = False, limit: int = 60) -> str:
    """Text as a message may quote it: as it is (or quoted) if printable, else its repr; cut to `limit` characters.

    Anything but text is named by its type (the str of a huge number cannot even be made).
    """
    if not isinstance(value, str):
        return type(value).__name__
    text = value if value.isprintable() and not quoted else repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def record_to_change(store: Store, table: str, record_id: Any, base_version: Any, *, what: str) -> dict:
    """The current version of the record a change is made to; ValidationError (under "record") when the version
    the page showed is not a whole number or there is no such record (`what` names the kind, e.g. "query")."""
    if isinstance(base_version, bool) or not isinstance(base_version, int) or not 0 <= base_version <= INT64_MAX:
        raise ValidationError({"record": "the version the page showed must be a whole number"})
    known = isinstance(record_id, str) and 0 < len(record_id) <= 64 and not text_problem(record_id)
    current = store.get(table, record_id) if known else None
    if current is None:
        raise ValidationError({"record": f"no such {what}"})
    return current
