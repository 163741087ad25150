"""Record schemas: one pydantic model per stored table.

Each model is the single source of truth for its table. Validation comes from
the model's field rules; the Arrow/Parquet schema is derived from the same
annotations by `arrow_schema`. Every stored table also carries the system
columns in `SYSTEM_COLUMNS`, added by the store, never by a form.

Business date-times (`start`, `contact_at`, ...) are wall-clock times in the
force's local time, stored as naive timestamps. `written_at` is UTC.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Annotated, Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, model_validator

from data import picklists

Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]
Code = Annotated[str, Field(min_length=1, max_length=40)]
Lat = Annotated[float, Field(ge=49.8, le=60.9)]
Lon = Annotated[float, Field(ge=-8.7, le=1.8)]
Count = Annotated[int, Field(ge=0, le=100_000)]
EARLIEST = dt.datetime(2000, 1, 1)
LATEST = dt.datetime(2100, 1, 1)


class Record(BaseModel):
    """Base for stored records: strict about unknown fields, trims text."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True)

    @model_validator(mode="after")
    def _dates_not_absurd(self):
        for name, value in self:
            if isinstance(value, dt.datetime | dt.date):
                moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
                if not EARLIEST <= moment.replace(tzinfo=None) < LATEST:
                    raise ValueError(f"{name} must be between 2000 and 2100")
        return self


def _end_after_start(record, start: str, end: str) -> None:
    begin, finish = getattr(record, start), getattr(record, end)
    if begin is not None and finish is not None and finish <= begin:
        raise ValueError(f"{end} must be after {start}")


class Event(Record):
    """An engagement event: booked, then completed or cancelled."""

    title: Text
    event_type: Code
    area_code: Code
    ward_code: Code
    place: Text
    lat: Lat | None = None
    lon: Lon | None = None
    start: dt.datetime
    end: dt.datetime
    organiser: Code
    officers_attending: list[Code] = Field(default_factory=list, max_length=50)
    communities_targeted: list[Code] = Field(default_factory=list, max_length=20)
    status: Literal["booked", "completed", "cancelled"] = "booked"
    attendees: Count | None = None
    officers_involved: Count | None = None
    communities_supported: list[Code] = Field(default_factory=list, max_length=20)
    quality_rating: Annotated[int, Field(ge=1, le=5)] | None = None
    quality_note: LongText | None = None
    public_feedback: LongText | None = None
    issues: list[Code] = Field(default_factory=list, max_length=20)
    issues_text: LongText | None = None
    intel_submissions: Count | None = None
    suitable_for_publishing: bool | None = None
    value_gained: LongText | None = None
    cancel_reason: LongText | None = None

    @model_validator(mode="after")
    def _rules(self):
        _end_after_start(self, "start", "end")
        if self.status == "completed":
            for name in ("attendees", "officers_involved", "quality_rating"):
                if getattr(self, name) is None:
                    raise ValueError(f"{name} is required to complete an event")
        if self.status == "cancelled" and not self.cancel_reason:
            raise ValueError("cancel_reason is required to cancel an event")
        return self


class Ccr(Record):
    """A Community Contact Record. Diversity answers only with consent."""

    contact_at: dt.datetime
    area_code: Code
    ward_code: Code
    place: Text | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    officer_id: Code
    event_id: Code | None = None
    contact_method: Code
    issues: list[Code] = Field(default_factory=list, max_length=20)
    issues_text: LongText | None = None
    info_submitted: bool = False
    info_text: LongText | None = None
    smart_alert_signup: bool = False
    diversity_consent: bool = False
    age_band: Literal[picklists.AGE_BANDS] | None = None  # type: ignore[valid-type]
    ethnicity: Literal[tuple(picklists.ETHNICITY)] | None = None  # type: ignore[valid-type]
    religion: Literal[picklists.RELIGIONS] | None = None  # type: ignore[valid-type]
    sex: Literal[picklists.SEXES] | None = None  # type: ignore[valid-type]
    disability: Literal[picklists.DISABILITY] | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _consent(self):
        if not self.diversity_consent:
            given = [name for name in DIVERSITY_FIELDS if getattr(self, name) is not None]
            if given:
                raise ValueError(f"{', '.join(given)} may only be recorded with diversity consent")
        if self.info_submitted and not self.info_text:
            raise ValueError("info_text is required when information was submitted")
        return self


DIVERSITY_FIELDS = ("age_band", "ethnicity", "religion", "sex", "disability")


class Patrol(Record):
    officer_id: Code
    patrol_type: Code
    start: dt.datetime
    end: dt.datetime
    area_code: Code
    ward_code: Code
    places: LongText | None = None
    tasking: LongText | None = None
    outcomes: LongText | None = None
    lat: Lat | None = None
    lon: Lon | None = None

    @model_validator(mode="after")
    def _rules(self):
        _end_after_start(self, "start", "end")
        if self.end - self.start > dt.timedelta(hours=16):
            raise ValueError("end must be within 16 hours of start")
        return self


class Abstraction(Record):
    officer_id: Code
    area_code: Code
    team: Code
    date: dt.date
    hours: Annotated[float, Field(gt=0, le=24)]
    reason: Code
    duty_taken_to: Text


class YsywdAction(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    action_type: Code
    text: LongText
    date: dt.date
    officer_id: Code


class YsywdFeedback(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    date: dt.date
    channel: Code
    text: LongText


class Ysywd(Record):
    """A "You said, we did" item: an issue raised, actions taken, feedback given."""

    issue_category: Code
    issue_text: LongText
    source: Literal[picklists.YSYWD_SOURCES]  # type: ignore[valid-type]
    area_code: Code
    ward_code: Code | None = None
    raised_on: dt.date
    linked_events: list[Code] = Field(default_factory=list)
    linked_ccrs: list[Code] = Field(default_factory=list)
    actions: list[YsywdAction] = Field(default_factory=list)
    feedback: list[YsywdFeedback] = Field(default_factory=list)
    status: Literal[picklists.YSYWD_STATUSES] = "open"  # type: ignore[valid-type]
    publishable: bool = False

    @model_validator(mode="after")
    def _rules(self):
        for item in [*self.actions, *self.feedback]:
            if item.date < self.raised_on:
                raise ValueError("action and feedback dates cannot be before raised_on")
        if self.status in ("action_taken", "feedback_given", "closed") and not self.actions:
            raise ValueError(f"status {self.status} needs at least one action")
        if self.status == "feedback_given" and not self.feedback:
            raise ValueError("status feedback_given needs feedback")
        return self


class GoodPractice(Record):
    """What works well: a problem, what was done, the result."""

    title: Text
    area_code: Code
    problem: LongText
    action: LongText
    result: LongText
    tags: list[Code] = Field(default_factory=list, max_length=10)


class UsefulInfo(Record):
    """Useful information for an area's team, e.g. keyholders."""

    title: Text
    area_code: Code
    folder: Code
    body: LongText


class AppFeedback(Record):
    kind: Literal["feedback", "bug"]
    text: LongText


class News(Record):
    title: Text
    body: LongText
    published_on: dt.date


class QualityReview(Record):
    """A supervisor's dip check of one submitted record."""

    table_name: Code
    target_id: Code
    target_version: Annotated[int, Field(ge=1)]
    reviewer_id: Code
    outcome: Literal["pass", "advice", "returned"]
    comment: LongText | None = None


class AuditEntry(Record):
    user_id: Code
    action: Code
    table_name: Code | None = None
    target_ids: list[str] = Field(default_factory=list)
    detail: LongText | None = None


class Area(Record):
    """A local policing area."""

    area_code: Code
    name: Text
    centre_lat: Lat
    centre_lon: Lon


class Ward(Record):
    ward_code: Code
    name: Text
    area_code: Code
    centre_lat: Lat
    centre_lon: Lon
    geojson: str | None = None


class User(Record):
    """An officer or member of staff, with role and team (an area)."""

    user_id: Code
    name: Text
    email: Annotated[str, Field(max_length=200)]
    role: Literal[picklists.ROLES]  # type: ignore[valid-type]
    rank: Code
    area_code: Code | None = None
    active: bool = True


class Picklist(Record):
    list_name: Code
    value: Text
    position: int = 0
    active: bool = True


class Setting(Record):
    """Force-level configuration: name, quick links and the like."""

    key: Code
    value: LongText


TABLES: dict[str, type[Record]] = {
    "events": Event,
    "ccrs": Ccr,
    "patrols": Patrol,
    "abstractions": Abstraction,
    "ysywd": Ysywd,
    "good_practice": GoodPractice,
    "useful_info": UsefulInfo,
    "app_feedback": AppFeedback,
    "news": News,
    "quality_reviews": QualityReview,
    "audit": AuditEntry,
    "areas": Area,
    "wards": Ward,
    "users": User,
    "picklists": Picklist,
    "settings": Setting,
}

SYSTEM_COLUMNS: dict[str, pa.DataType] = {
    "record_id": pa.string(),
    "version": pa.int64(),
    "deleted": pa.bool_(),
    "written_at": pa.timestamp("us"),
    "written_by": pa.string(),
    "submission_id": pa.string(),
    "superseded": pa.bool_(),
}

_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    dt.datetime: pa.timestamp("us"),
    dt.date: pa.date32(),
}


def _arrow_type(annotation) -> pa.DataType:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        return _arrow_type(args[0])
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in args if a is not type(None)]
        return _arrow_type(inner)
    if origin is Literal:
        return _SCALARS[type(args[0])]
    if origin is list:
        return pa.list_(_arrow_type(args[0]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return pa.struct([(name, _arrow_type(f.annotation)) for name, f in annotation.model_fields.items()])
    return _SCALARS[annotation]


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a stored table: system columns, then the model's fields."""
    model = TABLES[table]
    fields = [pa.field(name, kind) for name, kind in SYSTEM_COLUMNS.items()]
    fields += [pa.field(name, _arrow_type(f.annotation)) for name, f in model.model_fields.items()]
    return pa.schema(fields)
