"""Patrol log: where, when and why an officer patrolled, and what came of it.

`save_patrol` takes the form's values (keyed by `FIELDS`), checks every field
(the ward lies in the area, the type is on its pick-list, the end is after the
start and within 16 hours, neither is in the future nor over a year ago) and
writes one record with the user as the patrolling officer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from data import access, reference
from data.store import Saved, Store
from forms import checks

TABLE = "patrols"

LABELS: dict[str, str] = {
    "patrol_type": "Patrol type",
    "area_code": "Area",
    "ward_code": "Ward",
    "start_date": "Start date",
    "start_time": "Start time",
    "end_date": "End date",
    "end_time": "End time",
    "places": "Streets and places",
    "tasking": "Tasking or reason",
    "outcomes": "Outcomes",
}
FIELDS = tuple(LABELS)
REQUIRED = ("patrol_type", "area_code", "ward_code", "start_date", "start_time", "end_date", "end_time")

_FORM_FIELD = {"start": "start_time", "end": "end_time", "officer_id": "record"}


@dataclasses.dataclass(frozen=True)
class PatrolFormOptions:
    areas: dict[str, str]
    wards: dict[str, str]
    patrol_types: list[str]


def patrol_form_options(store: Store, *, area_code: str | None, user: Mapping[str, Any]) -> PatrolFormOptions:
    return PatrolFormOptions(
        areas=access.areas_in_scope(user, reference.area_names(store)),
        wards=reference.ward_names(store, area_code=area_code) if area_code else {},
        patrol_types=list(reference.picklist(store, "patrol_types")),
    )


def patrol_defaults(user: Mapping[str, Any], *, now: dt.datetime | None = None) -> dict[str, Any]:
    """A fresh patrol log: the last hour, in the user's area."""
    end = (now or dt.datetime.now()).replace(second=0, microsecond=0)
    end = end.replace(minute=end.minute - end.minute % 5)
    start = end - dt.timedelta(hours=1)
    return {
        "patrol_type": None,
        "area_code": user.get("area_code"),
        "ward_code": None,
        "start_date": start.date(),
        "start_time": start.time(),
        "end_date": end.date(),
        "end_time": end.time(),
        "places": "",
        "tasking": "",
        "outcomes": "",
    }


def save_patrol(
    *,
    store: Store,
    values: Mapping[str, Any],
    user: Mapping[str, Any],
    submission_id: str,
    now: dt.datetime | None = None,
) -> Saved:
    """Log a patrol; raise ValidationError (field -> message) and write nothing if invalid.

    Saving the same `submission_id` again returns the first save and writes nothing. Raise NotAllowed
    unless the user may log activity in the chosen area (their own, for an officer or supervisor).
    """
    now = now or dt.datetime.now()
    errors, officer = checks.start_activity_log(store, values, user, fields=FIELDS, needed=REQUIRED)
    moments = {}
    for end in ("start", "end"):
        has_date = checks.check_date(errors, f"{end}_date", values.get(f"{end}_date"))
        has_time = checks.check_time(errors, f"{end}_time", values.get(f"{end}_time"))
        if has_date and not checks.check_day(errors, f"{end}_date", values[f"{end}_date"],
                                             today=(now + checks.FUTURE_TOLERANCE).date()):
            continue  # named by the date; the end's rules wait for a date that can be
        if has_date and has_time:
            moments[end] = dt.datetime.combine(values[f"{end}_date"], values[f"{end}_time"])
    for field in ("places", "tasking", "outcomes"):
        checks.check_text(errors, field, values.get(field))
    if "end" in moments:
        checks.check_recent(errors, "end_time", moments["end"], now=now)
    if "start" in moments:
        checks.check_recent(errors, "start_time", moments["start"], now=now)
    checks.check_area_ward(store, errors, values.get("area_code"), values.get("ward_code"))
    checks.check_picklist(store, errors, "patrol_type", values.get("patrol_type"), "patrol_types", "patrol type")
    record = {
        "officer_id": officer,
        "patrol_type": values.get("patrol_type"),
        "start": moments.get("start"),
        "end": moments.get("end"),
        "area_code": values.get("area_code"),
        "ward_code": values.get("ward_code"),
        "places": checks.text_or_none(values.get("places")),
        "tasking": checks.text_or_none(values.get("tasking")),
        "outcomes": checks.text_or_none(values.get("outcomes")),
    }
    return checks.save_activity(store, TABLE, record, errors, form_field=_FORM_FIELD, officer=officer,
                                submission_id=submission_id)

