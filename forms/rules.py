"""The checks the officer app's small forms share: required fields, the schema's rules in friendly words, and
the acting user's id. Who may do what (useful information's area rule included) is in `data.access`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from data import access
from data.schema import TABLES
from data.store import ValidationError, validate
from forms import checks

FRIENDLY = {
    "String should have at least 1 character": "is required",
    "String should have at most 200 characters": "must be at most 200 characters",
    "String should have at most 4000 characters": "must be at most 4000 characters",
}


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
    checks.required(found, record, required)
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
