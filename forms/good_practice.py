"""What works well: share a piece of good practice (problem, what was done, result, tags)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from data import access, reference
from data.store import Saved, Store
from forms.checks import known_area
from forms.rules import check_record

TABLE = "good_practice"
LABELS = {
    "title": "Title",
    "area_code": "Area",
    "problem": "The problem",
    "action": "What was done",
    "result": "The result",
    "tags": "Tags",
}
FIELDS = tuple(LABELS)
REQUIRED = ("title", "area_code", "problem", "action", "result")
MAX_TAGS = 10


def good_practice_defaults(user: Mapping[str, Any]) -> dict[str, Any]:
    """A fresh form: the user's own area, nothing typed."""
    return {"title": "", "area_code": user.get("area_code"), "problem": "", "action": "", "result": "", "tags": []}


def clean_tags(tags: Sequence[str] | str | None) -> list[str]:
    """Tags trimmed, blanks dropped, repeats (ignoring case) removed; a string splits on commas."""
    if tags is None:
        return []
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    seen: dict[str, str] = {}
    for tag in items:
        text = str(tag).strip()
        if text:
            seen.setdefault(text.casefold(), text)
    return list(seen.values())


def save_good_practice(*, store: Store, values: Mapping[str, Any], user: Mapping[str, Any],
                       submission_id: str) -> Saved:
    """Share good practice; raise ValidationError (field -> message) and write nothing if invalid.

    Anyone may share; an officer or supervisor only for their own area (NotAllowed otherwise).
    """
    user_id = access.require(user, "share", known_area(store, values.get("area_code")))
    record = {field: values.get(field) for field in FIELDS}
    errors = {}
    tags = values.get("tags")
    if tags is not None and not (isinstance(tags, str) or (isinstance(tags, list | tuple)
                                                         and all(isinstance(t, str) for t in tags))):
        errors["tags"] = "must be a list of words"
        tags = None
    record["tags"] = clean_tags(tags)
    if set(values) - set(FIELDS):
        errors["record"] = f"unknown fields: {', '.join(sorted(map(str, set(values) - set(FIELDS))))}"
    if "tags" not in errors and len(record["tags"]) > MAX_TAGS:
        errors["tags"] = f"at most {MAX_TAGS} tags"
    elif "tags" not in errors and any(len(tag) > 40 for tag in record["tags"]):
        errors["tags"] = "each tag must be at most 40 characters"
    area = record["area_code"]
    if area is not None and not (isinstance(area, str) and area in reference.area_names(store)):
        errors["area_code"] = "is not a known area"
    model = check_record(TABLE, record, required=REQUIRED, errors=errors)
    return store.save(TABLE, model, user=user_id, submission_id=submission_id)
