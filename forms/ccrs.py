"""Community Contact Records: one contact with a member of the public, recorded in the street.

`save_ccr` takes the form's values (keyed by `FIELDS`), checks every field
and the rules that need reference data (the ward lies in the area, the
choices are on their pick-lists, a linked event is one of the area's recent
events, the contact is not in the future nor over a year ago) and writes one
record. Diversity answers are special-category data: they are refused unless
consent is recorded as given, and `form_values` drops them from a form whose
consent answer was changed back to "No" before it was submitted. No citizen's
name is asked for or stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from data import access, picklists, reference
from data.checked import text_problem
from data.schema import DIVERSITY_FIELDS
from data.store import Saved, Store, ValidationError
from forms import checks

TABLE = "ccrs"
EVENT_LINK_DAYS = 7

LABELS: dict[str, str] = {
    "contact_date": "Date of contact",
    "contact_time": "Time of contact",
    "area_code": "Area",
    "ward_code": "Ward",
    "place": "Street or venue",
    "event_id": "At an event",
    "contact_method": "Contact method",
    "issues": "Issues raised",
    "issues_text": "Issues in their words",
    "info_submitted": "Information or intelligence submitted",
    "info_text": "What was submitted",
    "smart_alert_signup": "Signed up to community messaging",
    "diversity_consent": "Has the person agreed to answer diversity questions?",
    "age_band": "Age band",
    "ethnicity": "Ethnicity",
    "religion": "Religion",
    "sex": "Sex",
    "disability": "Do they consider themselves disabled?",
}
FIELDS = tuple(LABELS)
REQUIRED = ("contact_date", "contact_time", "area_code", "ward_code", "contact_method")

DIVERSITY_CHOICES: dict[str, tuple[str, ...]] = {
    "age_band": picklists.AGE_BANDS,
    "ethnicity": tuple(picklists.ETHNICITY),
    "religion": picklists.RELIGIONS,
    "sex": picklists.SEXES,
    "disability": picklists.DISABILITY,
}

_FORM_FIELD = {"contact_at": "contact_time", "officer_id": "record"}


@dataclasses.dataclass(frozen=True)
class CcrFormOptions:
    """The choices the CCR form offers."""

    areas: dict[str, str]
    wards: dict[str, str]
    contact_methods: list[str]
    issue_categories: list[str]


def ccr_form_options(store: Store, *, area_code: str | None, user: Mapping[str, Any]) -> CcrFormOptions:
    return CcrFormOptions(
        areas=access.areas_in_scope(user, reference.area_names(store)),
        wards=reference.ward_names(store, area_code=area_code) if area_code else {},
        contact_methods=list(reference.picklist(store, "contact_methods")),
        issue_categories=list(reference.picklist(store, "issue_categories")),
    )


def ethnicity_label(code: str | None) -> str:
    """'A1 · Asian, Asian British or Asian Welsh: Bangladeshi': the ONS 2021 code and its label."""
    if code is None:
        return ""
    label = picklists.ETHNICITY.get(code, (code,))[0]
    return label if code == "NS" else f"{code} · {label}"


def ccr_defaults(user: Mapping[str, Any], *, now: dt.datetime | None = None,
                 contact_method: str | None = None) -> dict[str, Any]:
    """A fresh CCR: now, the user's area, no consent and no diversity answers."""
    now = (now or dt.datetime.now()).replace(second=0, microsecond=0)
    values: dict[str, Any] = {field: None for field in FIELDS}
    values.update({
        "contact_date": now.date(),
        "contact_time": now.time(),
        "area_code": user.get("area_code"),
        "place": "",
        "contact_method": contact_method,
        "issues": [],
        "issues_text": "",
        "info_submitted": False,
        "info_text": "",
        "smart_alert_signup": False,
        "diversity_consent": False,
    })
    return values


def form_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """What the form submits: answers hidden by a later "No" are dropped, never stored."""
    values = dict(values)
    if values.get("diversity_consent") is not True:
        for field in DIVERSITY_FIELDS:
            values[field] = None
    if values.get("info_submitted") is not True:
        values["info_text"] = None
    return values


def save_ccr(
    *,
    store: Store,
    values: Mapping[str, Any],
    user: Mapping[str, Any],
    submission_id: str,
    now: dt.datetime | None = None,
) -> Saved:
    """Record a contact; raise ValidationError (field -> message) and write nothing if invalid.

    Saving the same `submission_id` again returns the first save and writes nothing. Raise NotAllowed
    unless the user may log activity in the chosen area (their own, for an officer or supervisor).
    """
    now = now or dt.datetime.now()
    if not isinstance(values, Mapping):
        access.require(user, "log_activity")
        raise ValidationError({"record": "the form sent no values"})
    errors, officer = checks.start_activity_log(store, values, user, fields=FIELDS, needed=REQUIRED)
    has_date = checks.check_date(errors, "contact_date", values.get("contact_date"))
    has_time = checks.check_time(errors, "contact_time", values.get("contact_time"))
    for field in ("place", "issues_text", "info_text"):
        checks.check_text(errors, field, values.get(field), max_length=200 if field == "place" else 4000)
    for field in ("info_submitted", "smart_alert_signup", "diversity_consent"):
        checks.check_bool(errors, field, values.get(field))
    issues = checks.check_list(errors, "issues", values.get("issues"), max_items=20)
    consent = values.get("diversity_consent") is True
    answered = [f for f in DIVERSITY_FIELDS if values.get(f) is not None]
    if answered and not consent:
        named = ", ".join(LABELS[f].lower() for f in answered)
        checks.add(errors, "diversity_consent", f"must be Yes to record {named}")
    for field in answered:
        value = values[field]
        if not isinstance(value, str) or value not in DIVERSITY_CHOICES[field]:
            checks.add(errors, field, "is not one of the choices")
    if values.get("info_submitted") is True and checks.blank(values.get("info_text")):
        checks.add(errors, "info_text", "is required when information was submitted")
    if has_date:
        has_date = checks.check_day(errors, "contact_date", values["contact_date"],
                                   today=(now + checks.FUTURE_TOLERANCE).date())
    contact_at = dt.datetime.combine(values["contact_date"], values["contact_time"]) if has_date and has_time else None
    if contact_at is not None:
        checks.check_recent(errors, "contact_time", contact_at, now=now)
    area_code, ward_code = values.get("area_code"), values.get("ward_code")
    checks.check_area_ward(store, errors, area_code, ward_code)
    checks.check_picklist(store, errors, "contact_method", values.get("contact_method"), "contact_methods",
                          "contact method")
    checks.check_picklist_items(store, errors, "issues", issues, "issue_categories", "issue categories")
    event_id = values.get("event_id") or None
    if event_id is not None:
        _check_event(store, errors, event_id, area_code=area_code, today=now.date())
    record = {
        "contact_at": contact_at,
        "area_code": area_code,
        "ward_code": ward_code,
        "place": checks.text_or_none(values.get("place")),
        "officer_id": officer,
        "event_id": event_id,
        "contact_method": values.get("contact_method"),
        "issues": issues,
        "issues_text": checks.text_or_none(values.get("issues_text")),
        "info_submitted": values.get("info_submitted") is True,
        "info_text": checks.text_or_none(values.get("info_text")) if values.get("info_submitted") is True else None,
        "smart_alert_signup": values.get("smart_alert_signup") is True,
        "diversity_consent": consent,
        **{field: values.get(field) if consent else None for field in DIVERSITY_FIELDS},
    }
    return checks.save_activity(store, TABLE, record, errors, form_field=_FORM_FIELD, officer=officer,
                                submission_id=submission_id)


def _check_event(store: Store, errors: dict[str, str], event_id: Any, *, area_code: str, today: dt.date) -> None:
    known = isinstance(event_id, str) and len(event_id) <= 40 and not text_problem(event_id)
    event = store.get("events", event_id) if known else None
    if event is None:
        checks.add(errors, "event_id", "is not a known event")
    elif event["area_code"] != area_code:
        checks.add(errors, "event_id", "is not an event in the chosen area")
    elif event["status"] == "cancelled":
        checks.add(errors, "event_id", "was cancelled")
    elif not today - dt.timedelta(days=EVENT_LINK_DAYS) <= event["start"].date() <= today:
        checks.add(errors, "event_id", f"must be an event of the last {EVENT_LINK_DAYS} days or today")

