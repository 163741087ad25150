"""App feedback and bug reports: what the user thinks of Beatbook, or what went wrong."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from data.store import Saved, Store
from forms.rules import check_record, user_id_of

TABLE = "app_feedback"
KINDS = {"feedback": "Feedback or an idea", "bug": "Something went wrong (a bug)"}
LABELS = {"kind": "What is it?", "text": "Tell us"}
FIELDS = tuple(LABELS)


def feedback_defaults() -> dict[str, Any]:
    return {"kind": "feedback", "text": ""}


def save_feedback(*, store: Store, values: Mapping[str, Any], user: Mapping[str, Any], submission_id: str) -> Saved:
    """Send feedback or a bug report; raise ValidationError and write nothing if invalid."""
    user_id = user_id_of(user, "share")
    record = {field: values.get(field) for field in FIELDS}
    errors = {}
    if set(values) - set(FIELDS):
        errors["record"] = f"unknown fields: {', '.join(sorted(map(str, set(values) - set(FIELDS))))}"
    if record["kind"] is not None and not (isinstance(record["kind"], str) and record["kind"] in KINDS):
        errors["kind"] = "choose feedback or bug"
    model = check_record(TABLE, record, required=FIELDS, errors=errors)
    return store.save(TABLE, model, user=user_id, submission_id=submission_id)
