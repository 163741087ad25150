"""Useful information (keyholders, contacts, partners...), filed in folders, for one area's team only.

The area's team sees and edits its entries; its supervisors and admins add
new ones. Both rules are checked here, whatever the page offers. An edit names
the version of the entry the form showed (`base_version`): if someone
changed or withdrew it since, the edit is refused (`EditConflict`, naming who
and when) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from data.access import NotAllowed, may_add_info, may_edit_info
from data.store import Saved, Store, ValidationError
from forms.conflicts import naming_who, refuse_withdrawn, withdrawn_since
from forms.rules import check_record, user_id_of

TABLE = "useful_info"
LABELS = {"title": "Title", "folder": "Folder", "body": "Details", "area_code": "Area"}
FIELDS = tuple(LABELS)
DEFAULT_FOLDERS = ("Keyholders", "Contacts", "Partners", "Premises")


def useful_info_defaults(user: Mapping[str, Any], *, record: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The form for a new entry in the user's area, or for editing `record`."""
    if record is not None:
        return {field: record.get(field) for field in FIELDS}
    return {"title": "", "folder": None, "body": "", "area_code": user.get("area_code")}


def save_useful_info(*, store: Store, values: Mapping[str, Any], user: Mapping[str, Any], submission_id: str,
                     record_id: str | None = None, base_version: int | None = None) -> Saved:
    """Add an entry (the area's supervisors and admins) or a new version of `record_id` (the area's team)
    made from `base_version` of it, the version the form showed: an edit must name it.

    Raise NotAllowed for anyone outside the area's team, ValidationError if invalid (EditConflict if the
    entry changed since); write nothing then.
    """
    user_id = user_id_of(user, "share")
    record = {field: values.get(field) for field in FIELDS}
    if record_id is None:
        if not may_add_info(user, record["area_code"]):
            raise NotAllowed("only the area's supervisors and admins add useful information for it")
    else:
        current = store.get(TABLE, record_id)
        if current is None:
            gone = withdrawn_since(store, TABLE, record_id, base_version)
            if gone is not None and may_edit_info(user, gone["area_code"]):
                refuse_withdrawn(store, TABLE, record_id, gone)
        if current is None or not may_edit_info(user, current["area_code"]):
            raise NotAllowed("only the area's own team may change its useful information")
        if not may_edit_info(user, record["area_code"]):
            raise NotAllowed("useful information stays in your own area")
        if base_version is None:
            raise ValidationError({"record": "an edit must name the version of the entry it was made from"})
    errors = {}
    if set(values) - set(FIELDS):
        errors["record"] = f"unknown fields: {', '.join(sorted(map(str, set(values) - set(FIELDS))))}"
    model = check_record(TABLE, record, required=FIELDS, errors=errors)
    with naming_who(store):
        return store.save(TABLE, model, user=user_id, submission_id=submission_id, record_id=record_id,
                          base_version=base_version)
