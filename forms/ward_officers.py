"""Named ward officers (Neighbourhood Policing Guarantee): an admin names officers for wards, and ends the naming.

Every function requires the `administer` capability, validates everything
before writing anything, and logs an `admin_change` audit entry, as the other
administration does (`forms.admin`). A ward may have several named officers; an
officer may be named for several wards, but not twice for one ward over
overlapping dates. Nothing is deleted: an assignment that ends gets an end date
(a new version, so its history shows what it was). Saving the same
`submission_id` again writes nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analytics.guarantee import list_ward_officers
from data import access, audit, reference
from data.schema import TABLES
from data.store import Saved, Store, ValidationError
from forms import checks
from forms.conflicts import naming_who

TABLE = "ward_officers"
LABELS = {"ward_code": "Ward", "officer_id": "Officer", "start_date": "Named from", "end_date": "Named until",
          "record": "Assignment"}
FIELDS = ("ward_code", "officer_id", "start_date", "end_date")
NAMEABLE_ROLES = ("officer", "supervisor")
"""Roles that can be a ward's named officer (the neighbourhood team)."""


def _audited(store: Store, user: Mapping[str, Any], saved: Saved, detail: str) -> Saved:
    if not saved.duplicate:
        audit.log(store, user, "admin_change", table=TABLE, target_ids=[saved.record_id],
                  detail=f"{detail} (version {saved.version})")
    return saved


def save_ward_officer(*, store: Store, values: Mapping[str, Any], user: Mapping[str, Any],
                      submission_id: str) -> Saved:
    """Name an officer for a ward from a date (until an end date, if given); audited."""
    actor = access.require(user, "administer")
    if not isinstance(values, Mapping):
        raise ValidationError({"record": "the form sent no values"})
    earlier = store.find_submission(TABLE, submission_id) if submission_id else None
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    checks.unknown_fields(errors, values, FIELDS)
    checks.required(errors, values, ("ward_code", "officer_id", "start_date"))
    ward_code, officer_id = values.get("ward_code"), values.get("officer_id")
    start, end = values.get("start_date"), values.get("end_date")
    checks.check_date(errors, "start_date", start)
    checks.check_date(errors, "end_date", end)
    area_code = None
    if ward_code is not None:
        wards = reference.list_wards(store)
        match = wards[wards["ward_code"] == ward_code] if checks.code_like(ward_code) else wards.iloc[0:0]
        if match.empty:
            checks.add(errors, "ward_code", "is not a known ward")
        else:
            area_code = str(match["area_code"].iloc[0])
    if officer_id is not None:
        person = reference.get_user(store, officer_id) if checks.code_like(officer_id) else None
        if person is None or not person.get("active"):
            checks.add(errors, "officer_id", "is not an active user")
        elif person.get("role") not in NAMEABLE_ROLES:
            checks.add(errors, "officer_id", "must be an officer or supervisor")
    if not errors and checks.is_date(start) and (end is None or checks.is_date(end)):
        held = list_ward_officers(store, user=user)
        held = held[(held["ward_code"] == ward_code) & (held["officer_id"] == officer_id)]
        for other in held.to_dict("records"):
            other_end = None if pd.isna(other["end_date"]) else _day(other["end_date"])
            if _overlap(start, end, _day(other["start_date"]), other_end):
                checks.add(errors, "officer_id", "is already named for this ward over those dates")
                break
    record = {"ward_code": ward_code, "area_code": area_code, "officer_id": officer_id, "start_date": start,
              "end_date": end}
    model = checks.checked_model(TABLE, record, errors, {})
    with naming_who(store):
        saved = store.save(TABLE, model, user=actor, submission_id=submission_id)
    return _audited(store, user, saved, f"named {officer_id} for ward {ward_code} from {start}")


def end_ward_officer(*, store: Store, record_id: Any, end_date: Any, user: Mapping[str, Any], submission_id: str,
                     base_version: int) -> Saved:
    """End an assignment on `end_date` (its last day); audited. Refused if it changed since `base_version`."""
    actor = access.require(user, "administer")
    current = checks.record_to_change(store, TABLE, record_id, base_version, what="assignment")
    errors: dict[str, str] = {}
    if checks.check_date(errors, "end_date", end_date) and end_date < current["start_date"]:
        checks.add(errors, "end_date", f"cannot be before the officer was named ({current['start_date']:%d/%m/%Y})")
    if end_date is None:
        checks.add(errors, "end_date", "is required")
    record = {k: current[k] for k in TABLES[TABLE].model_fields} | {"end_date": end_date}
    model = checks.checked_model(TABLE, record, errors, {})
    with naming_who(store):
        saved = store.save(TABLE, model, user=actor, submission_id=submission_id, record_id=record_id,
                           base_version=base_version)
    return _audited(store, user, saved, f"ended {current['officer_id']} for ward {current['ward_code']} on {end_date}")


def _day(value: Any) -> dt.date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _overlap(start: dt.date, end: dt.date | None, other_start: dt.date, other_end: dt.date | None) -> bool:
    return (other_end is None or start <= other_end) and (end is None or other_start <= end)
