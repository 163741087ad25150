"""Edit or withdraw my own records from My activity.

An edit writes a new version of the record (checked again against its
schema); a withdrawal writes a deletion marker. Both keep the history and
both are refused for a record that is not the user's: the officer named on
it (organiser, officer), or its creator for shared records. Useful
information may be edited by anyone in its area's team and withdrawn by its
creator or the area's supervisors and admins. Changing a record needs the
capability that records it (`CAPABILITY`): a user whose role lost it (or an
inactive user) changes nothing. Both name the version of the record the page
showed (`base_version`): if someone changed or withdrew it since, the change
is refused (`EditConflict`, naming who and when) and nothing is written. The
version is required: every caller passes the one it showed or just read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analytics.activity import MINE, OWNER_COLUMNS
from data import refs
from data.access import NotAllowed, may_add_info, may_edit_info
from data.schema import TABLES
from data.store import Saved, Store
from forms.conflicts import naming_who, refuse_withdrawn, withdrawn_since
from forms.rules import check_record, user_id_of

EDITABLE: dict[str, tuple[str, ...]] = {
    "events": ("title", "place", "issues_text", "public_feedback"),
    "ccrs": ("place", "issues_text", "info_text"),
    "patrols": ("places", "tasking", "outcomes"),
    "abstractions": ("hours", "duty_taken_to"),
    "good_practice": ("title", "problem", "action", "result"),
    "useful_info": ("title", "folder", "body"),
    "app_feedback": ("text",),
}
"""The fields My activity lets the user change, by table."""
assert set(EDITABLE) == set(MINE)
CAPABILITY = {"events": "log_activity", "ccrs": "log_activity", "patrols": "log_activity",
              "abstractions": "log_activity", "good_practice": "share", "useful_info": "share",
              "app_feedback": "share"}
"""The capability needed to change or withdraw a record of each table."""
assert set(CAPABILITY) == set(EDITABLE)

FIELD_LABELS = {
    "title": "Title", "place": "Place", "issues_text": "Issues raised", "public_feedback": "Public feedback",
    "info_text": "Information submitted", "places": "Places covered", "tasking": "Tasking", "outcomes": "Outcomes",
    "hours": "Hours", "duty_taken_to": "Duty taken to", "problem": "The problem", "action": "What was done",
    "result": "The result", "folder": "Folder", "body": "Details", "text": "Text",
    "area_code": "Area", "ward_code": "Ward", "officer_id": "Officer", "organiser": "Organiser",
    "written_at": "Last written", "written_by": "Last written by", "smart_alert_signup": "Community messaging sign-up",
}
SHORT_FIELDS = ("title", "place", "folder", "duty_taken_to")
"""Edited in a one-line box; the others in a text area (`hours` in a number box)."""


def creator_of(store: Store, table: str, record_id: str) -> str | None:
    """Who wrote the record's first version."""
    history = store.history(table, record_id)
    return history[-1]["written_by"] if history else None


def is_mine(store: Store, table: str, row: Mapping[str, Any], user_id: str) -> bool:
    """Whether the record is the user's own (see the module docstring)."""
    if table in OWNER_COLUMNS:
        return row.get(OWNER_COLUMNS[table]) == user_id
    return creator_of(store, table, row["record_id"]) == user_id


def _current(store: Store, table: str, record_id: str, base_version: int | None, user: Mapping[str, Any],
             user_id: str) -> dict:
    if table not in EDITABLE:
        raise NotAllowed(f"{table} records are not changed from My activity")
    row = store.get(table, record_id)
    if row is None:
        gone = withdrawn_since(store, table, record_id, base_version)
        if gone is not None and _may_change(store, table, gone, user, user_id):
            refuse_withdrawn(store, table, record_id, gone)
        raise NotAllowed("this record does not exist or was withdrawn")
    return row


def _may_change(store: Store, table: str, row: Mapping[str, Any], user: Mapping[str, Any], user_id: str) -> bool:
    return may_edit_info(user, row["area_code"]) if table == "useful_info" else is_mine(store, table, row, user_id)


def editable_values(row: Mapping[str, Any], table: str) -> dict[str, Any]:
    """The record's editable fields as the edit form starts (None text as empty)."""
    return {f: ("" if row.get(f) is None and f != "hours" else row.get(f)) for f in EDITABLE[table]}


def edit_record(*, store: Store, table: str, record_id: str, changes: Mapping[str, Any],
                user: Mapping[str, Any], submission_id: str, base_version: int) -> Saved:
    """Save a new version of my record with `changes`, made from `base_version` of it; raise NotAllowed or
    ValidationError (EditConflict if it changed since) and write nothing."""
    user_id = user_id_of(user, CAPABILITY.get(table, "log_activity"))
    row = _current(store, table, record_id, base_version, user, user_id)
    if not _may_change(store, table, row, user, user_id):
        raise NotAllowed("you can only change your own records")
    outside = sorted(map(str, set(changes) - set(EDITABLE[table])))
    if outside:
        raise NotAllowed(f"these fields are not changed here: {', '.join(outside)}")
    model = TABLES[table]
    record = {f: row[f] for f in model.model_fields}
    required = []
    for field, value in changes.items():
        if model.model_fields[field].is_required():
            required.append(field)
            record[field] = value
        else:
            record[field] = None if isinstance(value, str) and not value.strip() else value
    model = check_record(table, record, required=required)
    with naming_who(store):
        return store.save(table, model, user=user_id, submission_id=submission_id, record_id=record_id,
                          base_version=base_version)


def withdraw_record(*, store: Store, table: str, record_id: str, user: Mapping[str, Any],
                    submission_id: str, base_version: int) -> Saved:
    """Withdraw my record (a deletion marker; history is kept) as shown at `base_version`; raise NotAllowed
    for anyone else's (EditConflict if it changed since)."""
    user_id = user_id_of(user, CAPABILITY.get(table, "log_activity"))
    earlier = store.find_submission(table, submission_id) if table in EDITABLE else None
    if earlier is not None:
        return earlier  # a second tap: already withdrawn
    row = _current(store, table, record_id, base_version, user, user_id)
    mine = is_mine(store, table, row, user_id)
    if table == "useful_info":
        mine = mine and may_edit_info(user, row["area_code"]) or may_add_info(user, row["area_code"])
    if not mine:
        raise NotAllowed("you can only withdraw your own records")
    with naming_who(store):
        return store.delete(table, record_id, user=user_id, submission_id=submission_id, base_version=base_version)


def withdraw_submission_id(table: str, record_id: str, version: int) -> str:
    """One id per version withdrawn: a second tap on "Yes, withdraw" stores one withdrawal."""
    return f"withdraw:{table}:{record_id}:{version}"


def describe_record(table: str, record: Mapping[str, Any], *,
                    names: Mapping[str, Mapping[str, str]] | None = None) -> list[tuple[str, str]]:
    """(label, text) for each filled-in field of a record as shown to its reader, in schema order.

    `names` maps a kind of code ("area", "ward", "user") to display names.
    """
    names = names or {}
    lines = []
    for name, value in record.items():
        if value is None or (isinstance(value, str) and not value.strip()) or name in _NOT_DESCRIBED:
            continue
        lookup = names.get(_NAMED.get(name, ""), {})
        if name == "reference":
            text = refs.label(table, value) or str(value)
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif hasattr(value, "strftime"):
            text = value.strftime("%d %b %Y, %H:%M") if hasattr(value, "hour") else value.strftime("%d %b %Y")
        elif isinstance(value, list | tuple) or type(value).__name__ == "ndarray":
            if not len(value):
                continue
            text = ", ".join(lookup.get(str(v), str(v)) for v in value)
        else:
            text = lookup.get(str(value), str(value))
        lines.append((FIELD_LABELS.get(name, name.replace("_", " ").capitalize()), text))
    return lines


_NOT_DESCRIBED = {"superseded", "lat", "lon"}
_NAMED = {"area_code": "area", "ward_code": "ward", "officer_id": "user", "organiser": "user",
          "officers_attending": "user", "written_by": "user"}
