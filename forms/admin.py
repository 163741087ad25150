"""Administration: users and roles, areas and wards (with boundaries), pick-lists, quick links, news and settings.

Every function requires the `administer` capability, validates everything
before writing anything, writes each change as a new version of the record it
changes (so its history shows what it was) and logs an `admin_change` audit
entry. Nothing is deleted: a user who leaves is deactivated, a pick-list value
is retired. Saving the same `submission_id` again writes nothing more.
A change to an existing record names the version of it the page showed
(`base_version`; 0 for a pick-list value or setting shown as not yet stored):
if someone changed it since, the change is refused (`EditConflict`, naming who
and when) and nothing is written, audit entry included.
Reference data (`data.reference`) is read per table version, so a change shows
on the next rerun of any page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from analytics import alerts, quality
from analytics.activity import QUICK_LINK_PREFIX
from analytics.admin import find_record, list_records
from data import access, audit, picklists, retention
from data.checked import text_problem
from data.imports import boundaries
from data.imports.common import ImportReport
from data.schema import TABLES
from data.store import Saved, Store, ValidationError
from forms.checks import code_like, shown, text_or_none
from forms.conflicts import naming_who, refuse_withdrawn, withdrawn_since
from forms.links import MAX_LABEL, valid_url
from forms.news import save_news
from forms.rules import check_record

TEAM_ROLES = sorted(access.TEAM_ROLES)
LABELS = {
    "user_id": "User id (collar or staff number)", "name": "Name", "email": "Sign-in email", "role": "Role",
    "rank": "Rank or grade", "area_code": "Area", "active": "Active",
    "ward_code": "Ward code (ONS)", "centre_lat": "Centre latitude", "centre_lon": "Centre longitude",
    "list_name": "Pick-list", "value": "Value", "label": "Label", "url": "Link", "key": "Setting",
    "file": "GeoJSON file", "code_property": "Code property", "name_property": "Name property",
    "area_property": "Area property",
}
FORCE_SETTINGS = {rule.setting: f"{rule.summary} ({rule.unit}; empty or 0 keeps for ever; default "
                                 f"{rule.default if rule.default else 'keep for ever'})" for rule in retention.RULES}
FORCE_SETTINGS |= {f"{quality.SHARE_KEY}{table}": f"Share of the team's {table.replace('_', ' ')} sampled for dip "
                                                  f"checks (0 to 1; default {quality.DEFAULT_SHARE})"
                   for table in quality.CHECKED_TABLES}
FORCE_SETTINGS |= {
    alerts.THRESHOLD_SETTING: "ASB Case Review (community trigger) threshold: complaints about the same place or "
                              f"issue in six months that flag a case (1 to {alerts.STATUTORY_MAXIMUM}; default "
                              f"{alerts.STATUTORY_MAXIMUM}; the law allows no more than {alerts.STATUTORY_MAXIMUM})",
    alerts.GAP_SETTING: "Days without engagement in a ward before it is flagged as a coverage gap (1 to "
                        f"{alerts.MAX_GAP_DAYS}; default {alerts.DEFAULT_GAP_DAYS})",
}
"""Rows of the `settings` table admins may change here (quick links and news have their own functions)."""
SETTING_PARSERS = {alerts.THRESHOLD_SETTING: alerts.parse_threshold, alerts.GAP_SETTING: alerts.parse_gap_days}
"""The settings checked by a parser of their own (an empty value restores the default)."""
FORCE_SETTING_NAMES = {alerts.THRESHOLD_SETTING: "The ASB trigger threshold",
                       alerts.GAP_SETTING: "The coverage gap"}
SHARE_TEXT = re.compile(r"[0-9]{1,3}(\.[0-9]{0,12})?|\.[0-9]{1,12}")


# -- users --------------------------------------------------------------------------


def add_user(*, store: Store, values: Mapping[str, Any], user: Mapping[str, Any], submission_id: str) -> Saved:
    """Add a user (user_id, name, email, role, rank, area_code); the id and email must be new."""
    actor = access.require(user, "administer")
    if earlier := store.find_submission("users", submission_id):
        return earlier
    record = _pick(values, ("user_id", "name", "email", "role", "rank", "area_code")) | {"active": True}
    errors = _user_errors(store, record, user=user)
    if not errors.get("user_id") and _exists(store, "users", "user_id", record["user_id"], user):
        errors["user_id"] = "is already taken (users are never deleted: change or reactivate that one)"
    model = check_record("users", record, required=("user_id", "name", "email", "role", "rank"), errors=errors)
    saved = store.save("users", model, user=actor, submission_id=submission_id)
    return _audited(store, user, "users", saved, f"added user {record['user_id']} as {record['role']}"
                    + (f" in {record['area_code']}" if record.get("area_code") else ""))


def update_user(*, store: Store, user_id: str, values: Mapping[str, Any], user: Mapping[str, Any],
                submission_id: str, base_version: int) -> Saved:
    """Change a user's name, email, role, rank, area or active flag (a new version of their record, made from
    `base_version`)."""
    actor = access.require(user, "administer")
    current = _current(store, "users", "user_id", user_id, user=user)
    changes = _pick(values, ("name", "email", "role", "rank", "area_code", "active"), only_given=True)
    record = _fields(current, "users") | changes
    errors = _user_errors(store, record, user=user, user_id=user_id)
    if user_id == actor and (record["role"] != "admin" or not record["active"]):
        errors["role" if record["role"] != "admin" else "active"] = \
            "you cannot remove your own admin access; ask another admin"
    model = check_record("users", record, required=("name", "email", "role", "rank"), errors=errors)
    saved = _save(store, "users", model, actor=actor, submission_id=submission_id, record_id=current["record_id"],
                  base_version=base_version)
    return _audited(store, user, "users", saved, f"changed user {user_id}: {_changed(current, changes)}")


def deactivate_user(*, store: Store, user_id: str, user: Mapping[str, Any], submission_id: str,
                    base_version: int) -> Saved:
    """Mark a user inactive (they can no longer act); their record and everything they wrote stays."""
    return update_user(store=store, user_id=user_id, values={"active": False}, user=user,
                       submission_id=submission_id, base_version=base_version)


def _user_errors(store: Store, record: dict, *, user: Mapping[str, Any], user_id: str | None = None) -> dict:
    errors = {}
    email = record.get("email")
    if email is not None and not isinstance(email, str):
        errors["email"] = "must be an email address"
        email = None
    email = (email or "").strip()
    if email and ("@" not in email or email.startswith("@") or email.endswith("@") or " " in email):
        errors["email"] = "must be an email address"
    elif email and not text_problem(email):
        taken = list_records(store, table="users", user=user)
        others = taken[(taken["email"].str.lower() == email.lower()) & (taken["user_id"] != user_id)]
        if not others.empty:
            errors["email"] = f"is already used by {others['user_id'].iloc[0]}"
    role, area_code = record.get("role"), record.get("area_code")
    if role is not None and (not isinstance(role, str) or role not in picklists.ROLES):
        errors["role"] = f"must be one of {', '.join(picklists.ROLES)}"
    if area_code is not None and not isinstance(area_code, str):
        errors["area_code"] = "must be an area code"
    elif role in TEAM_ROLES and not area_code:
        errors["area_code"] = f"is required for {' and '.join(r + 's' for r in TEAM_ROLES)} (their team)"
    elif area_code and not _exists(store, "areas", "area_code", area_code, user):
        errors["area_code"] = f"{shown(area_code)} is not an area"
    return errors


# -- areas and wards ------------------------------------------------------------------


def add_area(*, store: Store, values: Mapping[str, Any], user: Mapping[str, Any], submission_id: str) -> Saved:
    """Add a local policing area (area_code, name, centre_lat, centre_lon); the code must be new."""
    actor = access.require(user, "administer")
    if earlier := store.find_submission("areas", submission_id):
        return earlier
    record = _pick(values, ("area_code", "name", "centre_lat", "centre_lon"))
    errors = {}
    if record.get("area_code") and _exists(store, "areas", "area_code", record["area_code"], user):
        errors["area_code"] = "is already an area"
    model = check_record("areas", record, required=("area_code", "name"), errors=errors)
    saved = store.save("areas", model, user=actor, submission_id=submission_id)
    return _audited(store, user, "areas", saved, f"added area {record['area_code']} {record['name']!r}")


def update_area(*, store: Store, area_code: str, values: Mapping[str, Any], user: Mapping[str, Any],
                submission_id: str, base_version: int) -> Saved:
    """Rename an area or move its centre (its code stays: records refer to it), from `base_version` of it."""
    actor = access.require(user, "administer")
    current = _current(store, "areas", "area_code", area_code, user=user)
    changes = _pick(values, ("name", "centre_lat", "centre_lon"), only_given=True)
    record = _fields(current, "areas") | changes
    model = check_record("areas", record, required=("name",))
    saved = _save(store, "areas", model, actor=actor, submission_id=submission_id, record_id=current["record_id"],
                  base_version=base_version)
    return _audited(store, user, "areas", saved, f"changed area {area_code}: {_changed(current, changes)}")


def add_ward(*, store: Store, values: Mapping[str, Any], user: Mapping[str, Any], submission_id: str) -> Saved:
    """Add a ward (ward_code, name, area_code, centre_lat, centre_lon); the code must be new, the area must exist."""
    actor = access.require(user, "administer")
    if earlier := store.find_submission("wards", submission_id):
        return earlier
    record = _pick(values, ("ward_code", "name", "area_code", "centre_lat", "centre_lon"))
    errors = {}
    if record.get("ward_code") and _exists(store, "wards", "ward_code", record["ward_code"], user):
        errors["ward_code"] = "is already a ward"
    if record.get("area_code") and not _exists(store, "areas", "area_code", record["area_code"], user):
        errors["area_code"] = f"{shown(record['area_code'])} is not an area"
    model = check_record("wards", record, required=("ward_code", "name", "area_code"), errors=errors)
    saved = store.save("wards", model, user=actor, submission_id=submission_id)
    return _audited(store, user, "wards", saved,
                    f"added ward {record['ward_code']} {record['name']!r} to {record['area_code']}")


def update_ward(*, store: Store, ward_code: str, values: Mapping[str, Any], user: Mapping[str, Any],
                submission_id: str, base_version: int) -> Saved:
    """Rename a ward, assign it to another area or move its centre (its code and boundary stay), from
    `base_version` of it."""
    actor = access.require(user, "administer")
    current = _current(store, "wards", "ward_code", ward_code, user=user)
    changes = _pick(values, ("name", "area_code", "centre_lat", "centre_lon"), only_given=True)
    record = _fields(current, "wards") | changes
    errors = {}
    if not _exists(store, "areas", "area_code", record.get("area_code"), user):
        errors["area_code"] = f"{shown(record.get('area_code'))} is not an area"
    model = check_record("wards", record, required=("name", "area_code"), errors=errors)
    saved = _save(store, "wards", model, actor=actor, submission_id=submission_id, record_id=current["record_id"],
                  base_version=base_version)
    return _audited(store, user, "wards", saved, f"changed ward {ward_code}: {_changed(current, changes)}")


# -- ward boundaries ---------------------------------------------------------------


def load_boundaries(*, store: Store, text: str | bytes, code_property: str, name_property: str,
                    area_code: str | None = None, area_property: str | None = None,
                    user: Mapping[str, Any]) -> ImportReport:
    """Load a GeoJSON file's wards with the importer (`data.imports.boundaries`), all or nothing.

    New codes are added to `area_code`, or each one's `area_property` area (which
    must exist: areas are added here first); known codes get the boundary, name
    and centre as a new version (and keep their area unless `area_property` gives
    one). Any bad feature refuses the whole file. One commit for the wards, one
    `admin_change` audit entry. Returns the import report (imported, updated, unchanged).
    """
    access.require(user, "administer")
    errors = {field: "is required" for field, value in (("code_property", code_property),
                                                       ("name_property", name_property)) if not value}
    if errors:
        raise ValidationError(errors)
    return boundaries.load_boundaries(
        store, text.encode() if isinstance(text, str) else text, user=user, code_field=code_property,
        name_field=name_property, area_field=area_property or None, area_code=area_code or "",
        new_areas=False, all_or_nothing=True, audit_action="admin_change")


# -- pick-lists ---------------------------------------------------------------------


def list_picklist(store: Store, *, list_name: str, user: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every value of a pick-list, retired ones included, in order: record_id, value, position, active.

    A list the store holds no values for shows its built-in defaults (record_id None).
    """
    access.require(user, "administer")
    _check_list(list_name)
    rows = list_records(store, table="picklists", user=user, where={"list_name": list_name})
    if rows.empty:
        return [{"record_id": None, "version": 0, "value": v, "position": i, "active": True}
                for i, v in enumerate(picklists.DEFAULTS[list_name])]
    return [{k: row[k] for k in ("record_id", "version", "value", "position", "active")}
            for row in rows.to_dict("records")]


def add_picklist_value(*, store: Store, list_name: str, value: str, user: Mapping[str, Any],
                       submission_id: str) -> Saved:
    """Add a value at the end of a pick-list; a value already there (even retired) is refused."""
    actor = access.require(user, "administer")
    _check_list(list_name)
    if earlier := store.find_submission("picklists", submission_id):
        return earlier
    values = list_picklist(store, list_name=list_name, user=user)
    text = (value or "").strip() if isinstance(value, str) else value
    errors = {}
    if isinstance(text, str) and text and any(v["value"].casefold() == text.casefold() for v in values):
        errors["value"] = "is already in the list (reactivate it if it was retired)"
    record = {"list_name": list_name, "value": text, "position": max((v["position"] for v in values), default=-1) + 1,
              "active": True}
    model = check_record("picklists", record, required=("value",), errors=errors)
    _materialise(store, list_name, values, user=user, submission_id=submission_id)
    saved = store.save("picklists", model, user=actor, submission_id=submission_id)
    return _audited(store, user, "picklists", saved, f"added {text!r} to {list_name}")


def move_picklist_value(*, store: Store, list_name: str, value: str, offset: int, user: Mapping[str, Any],
                        submission_id: str, base_versions: Mapping[str, int]) -> list[str]:
    """Move a value `offset` places up (-1) or down (+1); positions are renumbered 0, 1, 2, ... The ids changed.

    `base_versions` maps each value to the version of it the page showed (0 while the list was on its
    built-in defaults): the values renumbered are saved from those versions in one commit, all or none
    (a value added since the page showed the list, from its version now).
    """
    actor = access.require(user, "administer")
    _check_list(list_name)
    values = list_picklist(store, list_name=list_name, user=user)
    names = [v["value"] for v in values]
    if value not in names:
        raise ValidationError({"value": f"{shown(value, quoted=True)} is not in {list_name}"})
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise ValidationError({"value": "can move by a whole number of places"})
    start = names.index(value)
    end = min(max(start + offset, 0), len(values) - 1)
    values.insert(end, values.pop(start))
    on_defaults = values[0]["record_id"] is None
    values = _materialise(store, list_name, values, user=user, submission_id=submission_id)
    rows = [({"list_name": list_name, "value": v["value"], "position": i, "active": bool(v["active"])},
             v["record_id"], int(v["version"]) if on_defaults else int(base_versions.get(v["value"], v["version"])))
            for i, v in enumerate(values) if v["position"] != i]
    if not rows:
        return []
    with naming_who(store):
        saved = store.save_many("picklists", rows, user=actor, submission_id=submission_id + ":order")
    if saved[0].duplicate:
        return []
    written = [s.record_id for s in saved]
    audit.log(store, user, "admin_change", table="picklists", target_ids=written,
              detail=f"moved {value!r} in {list_name} from place {start + 1} to {end + 1}")
    return written


def set_picklist_value_active(*, store: Store, list_name: str, value: str, active: bool,
                              user: Mapping[str, Any], submission_id: str, base_version: int) -> Saved:
    """Retire a value (forms stop offering it; records keep it) or bring it back, from `base_version` of it
    (0 while the list was on its built-in defaults)."""
    actor = access.require(user, "administer")
    _check_list(list_name)
    values = list_picklist(store, list_name=list_name, user=user)
    on_defaults = bool(values) and values[0]["record_id"] is None
    values = _materialise(store, list_name, values, user=user, submission_id=submission_id)
    found = [v for v in values if v["value"] == value]
    if not found:
        raise ValidationError({"value": f"{shown(value, quoted=True)} is not in {list_name}"})
    current = found[0]
    record = {"list_name": list_name, "value": value, "position": int(current["position"]), "active": bool(active)}
    saved = _save(store, "picklists", record, actor=actor, submission_id=submission_id + ":active",
                  record_id=current["record_id"], base_version=int(current["version"]) if on_defaults else base_version)
    return _audited(store, user, "picklists", saved,
                    f"{'reactivated' if active else 'retired'} {value!r} in {list_name}")


def _check_list(list_name: str) -> None:
    if not isinstance(list_name, str) or list_name not in picklists.DEFAULTS:
        raise ValidationError({"list_name": f"must be one of {', '.join(picklists.DEFAULTS)}"})


def _materialise(store: Store, list_name: str, values: list[dict], *, user: Mapping[str, Any],
                 submission_id: str) -> list[dict]:
    """Write a list still on its built-in defaults into the store first, so changing it keeps the others."""
    if not values or values[0]["record_id"] is not None:
        return values
    rows = [({"list_name": list_name, "value": v["value"], "position": v["position"], "active": True}, None, None)
            for v in values]
    store.save_many("picklists", rows, user=str(user["user_id"]), submission_id=submission_id + ":defaults")
    stored = {v["value"]: v for v in list_records(store, table="picklists", user=user,
                                                  where={"list_name": list_name}).to_dict("records")}
    return [v | {k: stored[v["value"]][k] for k in ("record_id", "version", "position")} for v in values]


# -- quick links, news, settings ----------------------------------------------------


def save_quick_link(*, store: Store, label: str, url: str, user: Mapping[str, Any], submission_id: str) -> Saved:
    """Set a quick link (a new version of its setting if it exists); an empty URL hides it.

    The form names a label, not a record it showed, so there is no version to check: the link is set
    as given, whoever set it last.
    """
    access.require(user, "administer")
    errors = {}
    if not isinstance(label, str | None):
        errors["label"], label = "must be text", ""
    if not isinstance(url, str | None):
        errors["url"], url = "must be an http:// or https:// address", ""
    label, url = (label or "").strip(), (url or "").strip()
    if not label:
        errors["label"] = "is required"
    elif len(label) > MAX_LABEL:
        errors["label"] = f"must be at most {MAX_LABEL} characters"
    if url and not valid_url(url) and "url" not in errors:
        errors["url"] = "must be an http:// or https:// address"
    if errors:
        raise ValidationError(errors)
    return _save_setting(store, QUICK_LINK_PREFIX + label, url, user=user, submission_id=submission_id,
                         base_version=None, detail=f"set quick link {label!r} to {url or '(hidden)'}")


def save_setting(*, store: Store, key: str, value: str, user: Mapping[str, Any], submission_id: str,
                 base_version: int) -> Saved:
    """Set one of the `FORCE_SETTINGS` (the retention periods), checked, as a new version of its setting made from
    `base_version` (0: the page showed it as not yet set)."""
    access.require(user, "administer")
    if key not in FORCE_SETTINGS:
        raise ValidationError({"key": f"must be one of {', '.join(FORCE_SETTINGS)}"})
    text = value.strip() if isinstance(value, str) else str(value if value is not None else "")
    if key in retention.RULES_BY_SETTING:
        try:
            retention.parse_period(text)
        except ValueError as exc:
            raise ValidationError({"value": str(exc)}) from None
    elif key.startswith(quality.SHARE_KEY) and not _share(text):
        raise ValidationError({"value": "must be a number from 0 to 1 (e.g. 0.1 for one in ten)"})
    elif key in SETTING_PARSERS and text:
        try:
            text = str(SETTING_PARSERS[key](text))
        except ValueError as exc:
            raise ValidationError({"value": f"{FORCE_SETTING_NAMES[key]} {exc}"}) from None
    return _save_setting(store, key, text, user=user, submission_id=submission_id, base_version=base_version,
                         detail=f"set {key} to {text or '(empty)'}")


def _share(text: str) -> bool:
    """Whether text is a plain decimal from 0 to 1 (ASCII digits only: `float` would take '١' or '1_0')."""
    return bool(SHARE_TEXT.fullmatch(text)) and 0 <= float(text) <= 1


def _save_setting(store: Store, key: str, value: str, *, user: Mapping[str, Any], submission_id: str,
                  base_version: int | None, detail: str) -> Saved:
    actor = str(user["user_id"])
    record = {"key": key, "value": value}
    model = check_record("settings", record, required=("key",))
    current = find_record(store, table="settings", column="key", value=key, user=user)
    saved = _save(store, "settings", model, actor=actor, submission_id=submission_id,
                  record_id=current["record_id"] if current else None,
                  base_version=base_version if current else None)
    return _audited(store, user, "settings", saved, detail)


def post_news(*, store: Store, values: Mapping[str, Any], user: Mapping[str, Any], submission_id: str,
              today: dt.date | None = None) -> Saved:
    """Post a news item (checked by `forms.news.save_news`)."""
    saved = save_news(store=store, values=values, user=user, submission_id=submission_id, today=today)
    return _audited(store, user, "news", saved, f"posted news {values.get('title')!r}")


def withdraw_news(*, store: Store, record_id: str, user: Mapping[str, Any], submission_id: str,
                  base_version: int) -> Saved:
    """Take a news item off the reel (a withdrawn version; its history stays), as shown at `base_version`."""
    actor = access.require(user, "administer")
    if store.get("news", record_id) is None:
        gone = withdrawn_since(store, "news", record_id, base_version)
        if gone is not None:
            refuse_withdrawn(store, "news", record_id, gone)
        raise ValidationError({"record": "that news item does not exist or was already withdrawn"})
    with naming_who(store):
        saved = store.delete("news", record_id, user=actor, submission_id=submission_id, base_version=base_version)
    return _audited(store, user, "news", saved, "withdrew news")


def preview_retention(*, store: Store, user: Mapping[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """What `python -m data retention` would change today (a dry run: nothing is written)."""
    access.require(user, "administer")
    return retention.run(store, today=today, dry_run=True)


# -- helpers ------------------------------------------------------------------------


def _pick(values: Mapping[str, Any], fields: Sequence[str], *, only_given: bool = False) -> dict[str, Any]:
    """The form's values of `fields`, text trimmed (blank text is None; text with control characters is kept,
    for the schema to refuse)."""
    if not isinstance(values, Mapping):
        raise ValidationError({"record": "the form sent no values"})
    unknown = set(values) - set(fields)
    if unknown:
        raise ValidationError({"record": f"unknown fields: {', '.join(sorted(map(shown, unknown)))}"})
    picked = {f: values.get(f) for f in fields if not only_given or f in values}
    return {f: text_or_none(v) for f, v in picked.items()}


def _fields(current: Mapping[str, Any], table: str) -> dict[str, Any]:
    """The record's own fields (no system columns), to start a new version from."""
    return {name: current.get(name) for name in TABLES[table].model_fields if name in current}


def _current(store: Store, table: str, column: str, value: Any, *, user: Mapping[str, Any]) -> dict[str, Any]:
    current = find_record(store, table=table, column=column, value=value, user=user) if code_like(value) else None
    if current is None:
        raise ValidationError({column: f"{shown(value)} does not exist"})
    if table == "wards":
        current["geojson"] = (store.get("wards", current["record_id"]) or {}).get("geojson")
    return current


def _exists(store: Store, table: str, column: str, value: Any, user: Mapping[str, Any]) -> bool:
    """Whether a record has this code (only text is looked up: codes are text)."""
    return code_like(value) and bool(value) and find_record(store, table=table, column=column, value=value,
                                                            user=user) is not None


def _changed(current: Mapping[str, Any], changes: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {current.get(k)!r} -> {v!r}" for k, v in changes.items() if current.get(k) != v) \
        or "nothing"


def _audited(store: Store, user: Mapping[str, Any], table: str, saved: Saved, detail: str) -> Saved:
    if not saved.duplicate:
        audit.log(store, user, "admin_change", table=table, target_ids=[saved.record_id],
                  detail=f"{detail} (version {saved.version})")
    return saved


def _save(store: Store, table: str, record: Mapping[str, Any] | BaseModel, *, actor: str, submission_id: str,
          record_id: str | None, base_version: int | None) -> Saved:
    with naming_who(store):
        return store.save(table, record, user=actor, submission_id=submission_id, record_id=record_id,
                          base_version=base_version)
