"""Useful information's area rules, and the checks the officer app's small forms share.

Roles and capabilities are in `data.access`; the rules here add what is
particular to useful information: every role sees only its own area's. Pages
hide what a user may not do; these rules refuse it inside the write functions,
so a bypassed page changes nothing. A refusal is a `NotAllowed`: a
`ValidationError` keyed by "record", so a form shows it like any other error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from analytics.search import info_area
from data import access
from data.access import NotAllowed  # noqa: F401  (the forms import it from here)
from data.schema import TABLES
from data.store import ValidationError, validate

FRIENDLY = {
    "String should have at least 1 character": "is required",
    "String should have at most 200 characters": "must be at most 200 characters",
    "String should have at most 4000 characters": "must be at most 4000 characters",
}


def may_see_info(user: Mapping[str, Any], area_code: str | None) -> bool:
    """Useful information is visible to the area's own team only (whatever the role's wider scope)."""
    return area_code is not None and access.can(user, "share") and info_area(user) == area_code


def may_edit_info(user: Mapping[str, Any], area_code: str | None) -> bool:
    """Anyone in the area's team may keep its useful information up to date."""
    return may_see_info(user, area_code)


def may_add_info(user: Mapping[str, Any], area_code: str | None) -> bool:
    """The area's supervisors and admins (`add_info`) may add useful information for it."""
    return may_see_info(user, area_code) and access.can(user, "add_info")


# -- checks -----------------------------------------------------------------------


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_record(table: str, record: Mapping[str, Any], *, required: Iterable[str] = (),
                 errors: Mapping[str, str] | None = None) -> BaseModel:
    """The record as its table's model, for `Store.save`; raise ValidationError (field -> message) if a required
    field is blank or the schema refuses the record.

    `errors` already found by the caller are reported with these.
    """
    found = dict(errors or {})
    unknown = sorted(set(record) - set(TABLES[table].model_fields))
    if unknown:
        found.setdefault("record", f"unknown fields: {', '.join(unknown)}")
    for field in required:
        if blank(record.get(field)):
            found.setdefault(field, "is required")
    if not found:
        try:
            return validate(table, record)
        except ValidationError as exc:
            for field, message in exc.errors.items():
                found.setdefault(field.split(".")[0], FRIENDLY.get(message, message))
    raise ValidationError(found)


def user_id_of(user: Mapping[str, Any], capability: str = "share") -> str:
    """The acting user's id; NotAllowed for nobody, an inactive user or a role without `capability`."""
    return access.require(user, capability)
