"""Abstraction log: time an officer was taken away from neighbourhood duty, and to what.

The officer is the user and the area and team are the user's own; the form
asks only for the date, the hours, the reason and the duty taken to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from data import reference
from data.store import Saved, Store
from forms import checks

TABLE = "abstractions"
MAX_HOURS = 24

LABELS: dict[str, str] = {
    "date": "Date",
    "hours": "Hours taken away",
    "reason": "Reason",
    "duty_taken_to": "Duty taken to",
}
FIELDS = tuple(LABELS)
REQUIRED = FIELDS

_FORM_FIELD = {"officer_id": "record", "area_code": "record", "team": "record"}


@dataclasses.dataclass(frozen=True)
class AbstractionFormOptions:
    reasons: list[str]


def abstraction_form_options(store: Store) -> AbstractionFormOptions:
    return AbstractionFormOptions(reasons=list(reference.picklist(store, "abstraction_reasons")))


def abstraction_defaults(*, today: dt.date | None = None) -> dict[str, Any]:
    """A fresh abstraction: today, hours and reason still to choose."""
    return {"date": today or dt.date.today(), "hours": None, "reason": None, "duty_taken_to": ""}


def save_abstraction(
    *,
    store: Store,
    values: Mapping[str, Any],
    user: Mapping[str, Any],
    submission_id: str,
    today: dt.date | None = None,
) -> Saved:
    """Log an abstraction of the user from their area; raise ValidationError and write nothing if invalid.

    Saving the same `submission_id` again returns the first save and writes nothing. Raise NotAllowed
    unless the user may log activity.
    """
    today = today or dt.date.today()
    errors, officer = checks.start_activity_log(store, values, user, fields=FIELDS, needed=REQUIRED, in_area=False)
    area = user.get("area_code")
    if officer and not area:
        checks.add(errors, "record", "you belong to no area's team, so there is no team to record against")
    date, hours = values.get("date"), values.get("hours")
    if checks.check_date(errors, "date", date):
        if date > today:
            checks.add(errors, "date", "cannot be in the future")
        elif date < today - checks.LOOK_BACK:
            checks.add(errors, "date", "can be at most a year ago")
    if hours is not None:
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours != hours:
            checks.add(errors, "hours", "must be a number of hours")
        elif not 0 < hours <= MAX_HOURS:
            checks.add(errors, "hours", f"must be more than 0 and at most {MAX_HOURS}")
    checks.check_text(errors, "duty_taken_to", values.get("duty_taken_to"), max_length=200)
    checks.check_picklist(store, errors, "reason", values.get("reason"), "abstraction_reasons", "reason")
    record = {
        "officer_id": officer,
        "area_code": area,
        "team": area,
        "date": date,
        "hours": hours,
        "reason": values.get("reason"),
        "duty_taken_to": checks.text_or_none(values.get("duty_taken_to")),
    }
    return checks.save_activity(store, TABLE, record, errors, form_field=_FORM_FIELD, officer=officer,
                                submission_id=submission_id)
