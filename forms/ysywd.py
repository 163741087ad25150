""""You said, we did": raise an item, link where it was raised, add actions and feedback, move its status.

Every function here writes one new version of the item (who and when are on
the version), checks the acting user may edit items in the item's area
(`ysywd_edit`), checks the values against the pick-lists and the schema's rules,
and raises `ValidationError({field: message})` writing nothing when anything is
wrong. Every change to an existing item names the version of it the page
showed (`base_version`): if someone changed or withdrew the item since, the
change is refused (`EditConflict`, naming who and when) and nothing is written.

The status flow: open -> in progress -> action taken -> feedback given ->
closed. Adding the first action moves an open or in-progress item to "action
taken"; adding feedback moves it to "feedback given"; a later action that the
community has not yet been told of moves it back to "action taken". An item is
closed only once feedback was given, and a supervisor may reopen a closed item
(back to "in progress") or withdraw one raised in error before any action. No
date is before the date raised or in the future.

`publish_summary` gives the public summary of an area or ward (audited);
`data.police_uk.import_priorities` loads what a force already publishes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from analytics.ysywd import list_publishable, summary_priorities
from data import access, audit
from data.checked import INT64_MAX, text_problem
from data.picklists import YSYWD_SOURCES
from data.police_uk import Priority
from data.schema import TABLES
from data.store import Saved, Store, ValidationError
from forms import checks
from forms.conflicts import naming_who, refuse_withdrawn, withdrawn_since

TABLE = "ysywd"
STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "action_taken": "Action taken",
                 "feedback_given": "Feedback given", "closed": "Closed"}
SOURCE_LABELS = {"event": "Event", "ccr": "Contact (CCR)", "meeting": "Meeting", "online": "Online",
                 "manual": "By hand", "import": "Imported priority"}
LABELS = {"issue_category": "Issue", "issue_text": "What the community said", "source": "Raised at",
          "area_code": "Area", "ward_code": "Ward", "raised_on": "Date raised", "publishable": "May be published",
          "action_type": "Action type", "text": "What was done", "date": "Date", "channel": "Channel",
          "status": "Status", "record": "Item"}
RAISE_FIELDS = ("issue_category", "issue_text", "source", "area_code", "ward_code", "raised_on", "publishable")
MOVES: dict[str, tuple[str, ...]] = {
    # status -> the statuses a user may move it to by hand (actions and feedback move it too)
    "open": ("in_progress",),
    "in_progress": (),
    "action_taken": (),
    "feedback_given": ("closed",),
    "closed": ("in_progress",),
}
REOPENERS = ("supervisor",)
"""Roles that may reopen a closed item or withdraw one raised in error."""
RAISED_AT = tuple(s for s in YSYWD_SOURCES if s != "import")
"""Where an officer can say an item was raised (imports come only from `import_priorities`)."""
LOOK_BACK = dt.timedelta(days=366)


# -- reading one item -------------------------------------------------------------


def get_item(store: Store, record_id: Any, *, user: Mapping[str, Any]) -> dict[str, Any] | None:
    """The current version of one item (fields, record_id, version), or None; needs `ysywd_read` in its area."""
    access.require(user, "ysywd_read")
    if not _plain_id(record_id):
        return None
    row = store.get(TABLE, record_id)
    if row is None:
        return None
    access.require(user, "ysywd_read", row["area_code"])
    keep = {*TABLES[TABLE].model_fields, "record_id", "version", "written_at", "written_by"}
    item = {k: v for k, v in row.items() if k in keep}
    for name in ("linked_events", "linked_ccrs", "actions", "feedback"):
        item[name] = [dict(x) if isinstance(x, Mapping) else x for x in (item.get(name) or [])]
    return item


def _plain_id(record_id: Any) -> bool:
    """Whether a record id is worth looking up: text of at most 64 characters, no control characters."""
    return isinstance(record_id, str) and 0 < len(record_id) <= 64 and not text_problem(record_id)


def item_history(store: Store, record_id: str, *, user: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every version of the item, newest first: version, written_at, written_by, status, counts."""
    versions = store.history(TABLE, record_id)
    access.require(user, "ysywd_read", versions[0]["area_code"] if versions else None)
    return [{"version": v["version"], "written_at": v["written_at"], "written_by": v["written_by"],
             "status": v["status"], "actions": len(v["actions"] or []), "feedback": len(v["feedback"] or [])}
            for v in versions]


def _record(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in TABLES[TABLE].model_fields if k in item}


def _editable(store: Store, record_id: Any, user: Mapping[str, Any],
              base_version: int) -> tuple[dict[str, Any], str]:
    if isinstance(base_version, bool) or not isinstance(base_version, int) or not 0 <= base_version <= INT64_MAX:
        raise ValidationError({"record": "the version the page showed must be a whole number"})
    item = get_item(store, record_id, user=user)
    if item is None:
        gone = withdrawn_since(store, TABLE, record_id, base_version) if _plain_id(record_id) else None
        if gone is not None and access.can(user, "ysywd_edit", gone["area_code"]):
            refuse_withdrawn(store, TABLE, record_id, gone)
        raise ValidationError({"record": "no such item"})
    return item, access.require(user, "ysywd_edit", item["area_code"])


def _write(store: Store, record: dict[str, Any], *, user_id: str, submission_id: str,
           record_id: str | None = None, base_version: int | None = None,
           errors: dict[str, str] | None = None) -> Saved:
    found = dict(errors or {})
    model, schema = checks.validated(TABLE, record, {})
    found.update({k: v for k, v in schema.items() if k not in found})
    if found:
        raise ValidationError(found)
    with naming_who(store):
        return store.save(TABLE, model, user=user_id, submission_id=submission_id, record_id=record_id,
                          base_version=base_version)


def _check_day(errors: dict[str, str], field: str, value: Any, *, raised_on: dt.date | None, today: dt.date) -> None:
    if not checks.check_date(errors, field, value):
        if value is None:
            checks.add(errors, field, "is required")
        return
    if value > today:
        checks.add(errors, field, "cannot be in the future")
    elif raised_on is not None and value < raised_on:
        checks.add(errors, field, f"cannot be before the date raised ({raised_on:%d/%m/%Y})")


# -- raising -----------------------------------------------------------------------


def raise_defaults(user: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """A fresh "raise an item" form: the user's area, raised today, by hand."""
    return {"issue_category": None, "issue_text": "", "source": "meeting", "area_code": user.get("area_code"),
            "ward_code": None, "raised_on": today or dt.date.today(), "publishable": False}


def raise_item(*, store: Store, values: Mapping[str, Any], user: Mapping[str, Any], submission_id: str,
               linked_events: list[str] | None = None, linked_ccrs: list[str] | None = None,
               today: dt.date | None = None) -> Saved:
    """Raise a new item (status open) from the form's values; links are event / CCR record ids."""
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    checks.unknown_fields(errors, values, RAISE_FIELDS)
    checks.required(errors, values, ("issue_category", "issue_text", "source", "area_code", "raised_on"))
    user_id = access.require(user, "ysywd_edit", values.get("area_code") if isinstance(values.get("area_code"), str)
                             else None)
    checks.check_picklist(store, errors, "issue_category", values.get("issue_category"), "issue_categories",
                          "issue")
    if values.get("source") is not None and values.get("source") not in RAISED_AT:
        checks.add(errors, "source", "is not a place an item can be raised")
    checks.check_area_ward(store, errors, values.get("area_code"), checks.text_or_none(values.get("ward_code")))
    checks.check_text(errors, "issue_text", values.get("issue_text"))
    raised_on = values.get("raised_on")
    if checks.check_date(errors, "raised_on", raised_on):
        if raised_on > today:
            checks.add(errors, "raised_on", "cannot be in the future")
        elif raised_on < today - LOOK_BACK:
            checks.add(errors, "raised_on", "can be at most a year ago")
    publishable = values.get("publishable", False)
    checks.check_bool(errors, "publishable", publishable)
    record = {
        "issue_category": values.get("issue_category"), "issue_text": checks.text_or_none(values.get("issue_text")),
        "source": values.get("source"), "area_code": values.get("area_code"),
        "ward_code": checks.text_or_none(values.get("ward_code")), "raised_on": raised_on,
        "linked_events": list(linked_events or []), "linked_ccrs": list(linked_ccrs or []),
        "actions": [], "feedback": [], "status": "open", "publishable": publishable,
    }
    if errors:
        raise ValidationError(errors)
    return _write(store, record, user_id=user_id, submission_id=submission_id)


def _source_record(store: Store, table: str, record_id: Any, user: Mapping[str, Any]) -> dict[str, Any]:
    row = store.get(table, record_id) if isinstance(record_id, str) and record_id else None
    what = "event" if table == "events" else "contact"
    if row is None:
        raise ValidationError({"record": f"no such {what}"})
    access.require(user, "ysywd_edit", row["area_code"])
    if table == "events" and row["status"] != "completed":
        raise ValidationError({"record": "only a completed event's issues can be raised"})
    return row


def one_tap_id(table: str, record_id: str, issue_category: str) -> str:
    """The submission id of raising this issue of this event or CCR: a second tap, by anyone, adds nothing."""
    return hashlib.sha256(f"raise\x1f{table}\x1f{record_id}\x1f{issue_category}".encode()).hexdigest()[:32]


def raise_from_source(*, store: Store, table: str, record_id: str, issue_category: str, user: Mapping[str, Any],
                      submission_id: str | None = None, today: dt.date | None = None) -> Saved:
    """One tap: raise an item for one issue of a completed event (`events`) or a CCR (`ccrs`), linked to it.

    Without a `submission_id` the same issue of the same record is raised once however often it is tapped.
    """
    if table not in ("events", "ccrs"):
        raise ValidationError({"record": "items are raised from events or contacts"})
    row = _source_record(store, table, record_id, user)
    if issue_category not in list(row["issues"] or []):
        raise ValidationError({"issue_category": f"{issue_category!r} was not raised there"})
    when = row["start"] if table == "events" else row["contact_at"]
    text = (row.get("issues_text") or "").strip() or f"{issue_category} raised at "\
        f"{'the ' + row['title'] if table == 'events' else 'a contact'} on {when:%d %b %Y}"
    values = {"issue_category": issue_category, "issue_text": text[:4000],
              "source": "event" if table == "events" else "ccr", "area_code": row["area_code"],
              "ward_code": row["ward_code"], "raised_on": when.date(), "publishable": False}
    links = {"linked_events": [record_id]} if table == "events" else {"linked_ccrs": [record_id]}
    today = max(today or dt.date.today(), when.date())
    return raise_item(store=store, values=values, user=user, today=today, **links,
                      submission_id=submission_id or one_tap_id(table, record_id, issue_category))


def link_source(*, store: Store, record_id: str, table: str, source_id: str, user: Mapping[str, Any],
                submission_id: str, base_version: int) -> Saved:
    """Link another event or CCR where the same issue was raised to an existing item (as shown at `base_version`)."""
    if table not in ("events", "ccrs"):
        raise ValidationError({"record": "items link events or contacts"})
    item, user_id = _editable(store, record_id, user, base_version)
    row = _source_record(store, table, source_id, user)
    if row["area_code"] != item["area_code"]:
        raise ValidationError({"record": "that was raised in another area"})
    column = "linked_events" if table == "events" else "linked_ccrs"
    if source_id in item[column]:
        raise ValidationError({"record": "already linked"})
    record = _record(item)
    record[column] = [*item[column], source_id]
    return _write(store, record, user_id=user_id, submission_id=submission_id, record_id=record_id,
                  base_version=base_version)


# -- actions, feedback, status -------------------------------------------------------


def add_action(*, store: Store, record_id: str, values: Mapping[str, Any], user: Mapping[str, Any],
               submission_id: str, base_version: int, today: dt.date | None = None) -> Saved:
    """Add one action {action_type, text, date} taken by the acting officer; the item moves to action taken."""
    item, user_id = _editable(store, record_id, user, base_version)
    closed = "this item is closed: reopen it to add an action" if item["status"] == "closed" else None
    action = _entry(store, values, fields=("action_type", "text", "date"),
                    choice=("action_type", "action_types", "action type"), since=item["raised_on"], today=today,
                    refusal=closed)
    record = _record(item)
    record["actions"] = sorted([*item["actions"], {**action, "officer_id": user_id}], key=lambda a: a["date"])
    record["status"] = "action_taken"
    return _write(store, record, user_id=user_id, submission_id=submission_id, record_id=record_id,
                  base_version=base_version)


def add_feedback(*, store: Store, record_id: str, values: Mapping[str, Any], user: Mapping[str, Any],
                 submission_id: str, base_version: int, today: dt.date | None = None) -> Saved:
    """Record telling the community what was done {date, channel, text}; the item moves to feedback given."""
    item, user_id = _editable(store, record_id, user, base_version)
    first_action = min((a["date"] for a in item["actions"]), default=None)
    refusal = ("add an action first: feedback tells the community what was done" if not item["actions"]
               else "this item is closed: reopen it to give feedback" if item["status"] == "closed" else None)
    told = _entry(store, values, fields=("date", "channel", "text"), choice=("channel", "feedback_channels", "channel"),
                  since=first_action or item["raised_on"], today=today, refusal=refusal)
    record = _record(item)
    record["feedback"] = sorted([*item["feedback"], told], key=lambda f: f["date"])
    record["status"] = "feedback_given" if max(f["date"] for f in record["feedback"]) >= max(
        a["date"] for a in record["actions"]) else "action_taken"
    return _write(store, record, user_id=user_id, submission_id=submission_id, record_id=record_id,
                  base_version=base_version)


def _entry(store: Store, values: Mapping[str, Any], *, fields: tuple[str, ...], choice: tuple[str, str, str],
           since: dt.date | None, today: dt.date | None, refusal: str | None) -> dict[str, Any]:
    """An action or feedback entry from the form (`choice`: its pick-list field, list and label; its text trimmed);
    ValidationError naming every error, `refusal` as the record's, if any."""
    errors: dict[str, str] = {}
    checks.unknown_fields(errors, values, fields)
    checks.required(errors, values, fields)
    field, list_name, label = choice
    checks.check_picklist(store, errors, field, values.get(field), list_name, label)
    checks.check_text(errors, "text", values.get("text"))
    _check_day(errors, "date", values.get("date"), raised_on=since, today=today or dt.date.today())
    if refusal is not None:
        checks.add(errors, "record", refusal)
    if errors:
        raise ValidationError(errors)
    return {f: values[f].strip() if f == "text" else values[f] for f in fields}


def allowed_moves(item: Mapping[str, Any], user: Mapping[str, Any]) -> tuple[str, ...]:
    """The statuses this user may move the item to by hand."""
    if not access.can(user, "ysywd_edit", item["area_code"]):
        return ()
    moves = MOVES[item["status"]]
    if item["status"] == "closed" and user.get("role") not in REOPENERS:
        return ()
    return moves


def move_status(*, store: Store, record_id: str, status: str, user: Mapping[str, Any], submission_id: str,
                base_version: int) -> Saved:
    """Move the item to `status` by hand: start work, close once told back, or (supervisors) reopen."""
    item, user_id = _editable(store, record_id, user, base_version)
    if not isinstance(status, str) or status not in STATUS_LABELS:
        raise ValidationError({"status": f"must be one of {', '.join(STATUS_LABELS.values()).lower()}"})
    if status not in allowed_moves(item, user):
        current = STATUS_LABELS[item["status"]].lower()
        if item["status"] == "closed" and status == "in_progress":
            message = "only a supervisor may reopen a closed item"
        elif status == "closed":
            message = "an item is closed once the community was told what was done (feedback given)"
        else:
            message = f"an item {current} cannot be moved to {STATUS_LABELS.get(status, status).lower()} by hand"
        raise ValidationError({"status": message})
    record = _record(item)
    record["status"] = status
    return _write(store, record, user_id=user_id, submission_id=submission_id, record_id=record_id,
                  base_version=base_version)


def withdraw_item(*, store: Store, record_id: str, user: Mapping[str, Any], submission_id: str,
                  base_version: int) -> Saved:
    """Withdraw an item raised in error or twice (a supervisor, in their area): a deleted version; history kept."""
    item, user_id = _editable(store, record_id, user, base_version)
    if user.get("role") not in REOPENERS:
        raise access.NotAllowed("only a supervisor may withdraw an item")
    if item["actions"]:
        raise ValidationError({"record": "an item with actions cannot be withdrawn: close it once told back"})
    with naming_who(store):
        return store.delete(TABLE, record_id, user=user_id, submission_id=submission_id, base_version=base_version)


def set_publishable(*, store: Store, record_id: str, publishable: bool, user: Mapping[str, Any],
                    submission_id: str, base_version: int) -> Saved:
    """Mark whether the item may appear in the public summary (its text must hold no personal data)."""
    item, user_id = _editable(store, record_id, user, base_version)
    if not isinstance(publishable, bool):
        raise ValidationError({"publishable": "must be yes or no"})
    record = _record(item)
    record["publishable"] = publishable
    return _write(store, record, user_id=user_id, submission_id=submission_id, record_id=record_id,
                  base_version=base_version)


# -- publishing ------------------------------------------------------------------------


def publish_summary(*, store: Store, user: Mapping[str, Any], area_code: str, ward_code: str | None = None,
                    start: dt.date, end: dt.date) -> tuple[list[dict[str, Any]], list[Priority]]:
    """The public summary's items and their data.police.uk priorities; needs `ysywd_publish`; audited."""
    access.require(user, "ysywd_publish", area_code)
    errors: dict[str, str] = {}
    checks.check_area_ward(store, errors, area_code, ward_code)
    if not (checks.is_date(start) and checks.is_date(end)):
        errors["period"] = "choose a start and an end date"
    elif end < start:
        errors["period"] = "the end must not be before the start"
    if errors:
        raise ValidationError(errors)
    items = list_publishable(store, user=user, area_code=area_code, ward_code=ward_code, start=start, end=end)
    audit.log(store, user, "publish", table=TABLE, target_ids=[i["record_id"] for i in items],
              detail=f"You said, we did summary for {area_code}{' ' + ward_code if ward_code else ''},"
                     f" {start.isoformat()} to {end.isoformat()}")
    return items, summary_priorities(items)
