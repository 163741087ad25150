"""Community queries (Neighbourhood Policing Guarantee): log a query from the public, then answer it.

`log_query` records a query received by the user's team: when and how it came
in, the ward and topic, who owns it (the user, or another active officer of
the area) and a short summary. `answer_query` records when and how it was
answered; the answer cannot come before the query was received, nor be in the
future. Both need `log_activity` in the query's area (an officer or supervisor
works in their own area, as for CCRs), check every field and raise
`ValidationError({field: message})` writing nothing when anything is wrong.
Saving the same `submission_id` again returns the first save and writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from data import access, picklists, reference
from data.schema import TABLES
from data.store import Saved, Store, ValidationError
from forms import checks
from forms.conflicts import naming_who

TABLE = "community_queries"
SUMMARY_MAX = 1000
RESPONSE_HOURS = 72
"""The Guarantee's response time: a query should be answered within this many hours."""

LABELS: dict[str, str] = {
    "received_date": "Date received",
    "received_time": "Time received",
    "channel": "Received by",
    "area_code": "Area",
    "ward_code": "Ward",
    "topic": "Topic",
    "officer_id": "Owner",
    "summary": "What was asked (no names or contact details)",
    "answered_date": "Date answered",
    "answered_time": "Time answered",
    "answer_channel": "Answered by",
    "record": "Query",
}
LOG_FIELDS = ("received_date", "received_time", "channel", "area_code", "ward_code", "topic", "officer_id",
              "summary")
LOG_REQUIRED = ("received_date", "received_time", "channel", "area_code", "ward_code", "topic")
ANSWER_FIELDS = ("answered_date", "answered_time", "answer_channel")

_FORM_FIELD = {"received_at": "received_time", "answered_at": "answered_time"}


@dataclasses.dataclass(frozen=True)
class QueryFormOptions:
    """The choices the query form offers."""

    areas: dict[str, str]
    wards: dict[str, str]
    topics: list[str]
    channels: tuple[str, ...]
    officers: dict[str, str]


def query_form_options(store: Store, *, area_code: str | None, user: Mapping[str, Any]) -> QueryFormOptions:
    """Areas in the user's scope, the chosen area's wards and active officers, topics and channels."""
    officers: dict[str, str] = {}
    if area_code:
        people = reference.list_users(store, area_code=area_code)
        people = people[people["active"].astype(bool) & people["role"].isin(["officer", "supervisor"])]
        officers = dict(zip(people["user_id"], people["name"], strict=True))
    return QueryFormOptions(
        areas=access.areas_in_scope(user, reference.area_names(store)),
        wards=reference.ward_names(store, area_code=area_code) if area_code else {},
        topics=list(reference.picklist(store, "issue_categories")),
        channels=picklists.QUERY_CHANNELS,
        officers=officers,
    )


def query_defaults(user: Mapping[str, Any], *, now: dt.datetime | None = None) -> dict[str, Any]:
    """A fresh query: received now, in the user's area, owned by the user."""
    now = (now or dt.datetime.now()).replace(second=0, microsecond=0)
    return {"received_date": now.date(), "received_time": now.time(), "channel": None,
            "area_code": user.get("area_code"), "ward_code": None, "topic": None,
            "officer_id": user.get("user_id"), "summary": ""}


def answer_defaults(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """A fresh answer: now, channel still to choose."""
    now = (now or dt.datetime.now()).replace(second=0, microsecond=0)
    return {"answered_date": now.date(), "answered_time": now.time(), "answer_channel": None}


def _moment(errors: dict[str, str], values: Mapping[str, Any], date_field: str, time_field: str, *,
            now: dt.datetime) -> dt.datetime | None:
    has_date = checks.check_date(errors, date_field, values.get(date_field))
    has_time = checks.check_time(errors, time_field, values.get(time_field))
    if has_date:
        has_date = checks.check_day(errors, date_field, values[date_field],
                                    today=(now + checks.FUTURE_TOLERANCE).date())
    if not (has_date and has_time):
        return None
    moment = dt.datetime.combine(values[date_field], values[time_field])
    checks.check_recent(errors, time_field, moment, now=now)
    return moment


def _check_channel(errors: dict[str, str], field: str, value: Any) -> None:
    if value is not None and value not in picklists.QUERY_CHANNELS:
        checks.add(errors, field, f"must be one of {', '.join(picklists.QUERY_CHANNELS)}")


def log_query(*, store: Store, values: Mapping[str, Any], user: Mapping[str, Any], submission_id: str,
              now: dt.datetime | None = None) -> Saved:
    """Record a query received; raise ValidationError (field -> message) and write nothing if invalid."""
    now = now or dt.datetime.now()
    actor = access.require(user, "log_activity")
    if not isinstance(values, Mapping):
        raise ValidationError({"record": "the form sent no values"})
    errors: dict[str, str] = {}
    checks.unknown_fields(errors, values, LOG_FIELDS)
    checks.required(errors, values, LOG_REQUIRED)
    received_at = _moment(errors, values, "received_date", "received_time", now=now)
    checks.check_text(errors, "summary", values.get("summary"), max_length=SUMMARY_MAX)
    _check_channel(errors, "channel", values.get("channel"))
    area_code, ward_code = values.get("area_code"), values.get("ward_code")
    checks.check_area_ward(store, errors, area_code, ward_code)
    checks.check_picklist(store, errors, "topic", values.get("topic"), "issue_categories", "issue categories")
    owner = values.get("officer_id") or actor
    if owner != actor and not _officer_of_area(store, owner, area_code):
        checks.add(errors, "officer_id", "must be an active officer of the chosen area")
    record = {"received_at": received_at, "channel": values.get("channel"), "area_code": area_code,
              "ward_code": ward_code, "topic": values.get("topic"), "officer_id": owner,
              "summary": checks.text_or_none(values.get("summary")), "answered_at": None, "answer_channel": None}
    model = checks.checked_model(TABLE, record, errors, _FORM_FIELD)
    access.require(user, "log_activity", area_code)
    return store.save(TABLE, model, user=actor, submission_id=submission_id)


def _officer_of_area(store: Store, user_id: Any, area_code: Any) -> bool:
    if not checks.code_like(user_id) or not checks.code_like(area_code):
        return False
    person = reference.get_user(store, user_id)
    return bool(person and person.get("active") and person.get("area_code") == area_code
                and person.get("role") in ("officer", "supervisor"))


def answer_query(*, store: Store, record_id: Any, values: Mapping[str, Any], user: Mapping[str, Any],
                 submission_id: str, base_version: int, now: dt.datetime | None = None) -> Saved:
    """Record when and how a query was answered (a new version of it); nothing is written if invalid.

    Refused when the answer is before the query was received, in the future, or the query changed
    since the page showed version `base_version`.
    """
    now = now or dt.datetime.now()
    actor = access.require(user, "log_activity")
    if not isinstance(values, Mapping):
        raise ValidationError({"record": "the form sent no values"})
    query = checks.record_to_change(store, TABLE, record_id, base_version, what="query")
    access.require(user, "log_activity", query["area_code"])
    errors: dict[str, str] = {}
    checks.unknown_fields(errors, values, ANSWER_FIELDS)
    checks.required(errors, values, ANSWER_FIELDS)
    if query.get("answered_at") is not None:
        checks.add(errors, "record", f"was already answered on {query['answered_at']:%d/%m/%Y %H:%M}")
    answered_at = _moment(errors, values, "answered_date", "answered_time", now=now)
    _check_channel(errors, "answer_channel", values.get("answer_channel"))
    received = query["received_at"]
    if answered_at is not None and answered_at < received:
        checks.add(errors, "answered_date", f"cannot be before the query was received ({received:%d/%m/%Y %H:%M})")
    record = {k: query[k] for k in TABLES[TABLE].model_fields}
    record |= {"answered_at": answered_at, "answer_channel": values.get("answer_channel")}
    model = checks.checked_model(TABLE, record, errors, _FORM_FIELD)
    with naming_who(store):
        return store.save(TABLE, model, user=actor, submission_id=submission_id, record_id=record_id,
                          base_version=base_version)
