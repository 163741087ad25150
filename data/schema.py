"""Record schemas: one pydantic model per stored table.

Each model is the single source of truth for its table. Validation comes from
the model's field rules; the Arrow/Parquet schema is derived from the same
annotations by `arrow_schema`. Every stored table also carries the system
columns in `SYSTEM_COLUMNS`, added by the store, never by a form.

Business date-times (`start`, `contact_at`, ...) are wall-clock times in the
force's local time, stored as naive timestamps (one with a time zone is
refused). `written_at` is UTC.

Every model checks every field's raw input the same way (`Checked`): text
holding NUL or another control character (tab, newline and carriage return
aside) is refused, as is text of invisible characters only (spaces, control or
format characters), blank in a required field; bytes are not text; a number
must fit its Arrow column (int64).
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
import unicodedata
from typing import Annotated, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic.fields import FieldInfo

from data import picklists

Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]
Code = Annotated[str, Field(min_length=1, max_length=40)]
Lat = Annotated[float, Field(ge=49.8, le=60.9)]
Lon = Annotated[float, Field(ge=-8.7, le=1.8)]
Count = Annotated[int, Field(ge=0, le=100_000)]
EARLIEST = dt.datetime(2000, 1, 1)
LATEST = dt.datetime(2100, 1, 1)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
"""The range of the int64 Arrow column every integer field is stored in."""
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (C0, DEL, C1) other than tab, newline and carriage return; and lone surrogates."""


def text_problem(text: str) -> str | None:
    """Why a piece of text may not be stored (NUL or other control characters), or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    if _CONTROL.search(text):
        return "must not contain control characters (only tab and new lines)"
    return None


def invisible(text: str) -> bool:
    """Whether text is empty or only whitespace, control and format (zero-width) characters."""
    if text[:1].isalnum():  # the common case, at once
        return False
    return all(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in text)


def _raw_problem(value: Any) -> str | None:
    """What is wrong with a field's raw input, looking inside lists and mappings (nested records)."""
    if value is None or isinstance(value, bool | int | float | dt.date):
        return None
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "must be text, not bytes"
    if isinstance(value, list | tuple | set | frozenset):
        return next((p for p in map(_raw_problem, value) if p), None)
    if isinstance(value, dict):
        return next((p for p in map(_raw_problem, [*value, *value.values()]) if p), None)
    return None


class Checked(BaseModel):
    """Base of every model: the checks every field's value gets, whatever its type (see the module docstring)."""

    @field_validator("*", mode="before")
    @classmethod
    def _plain_input(cls, value: Any) -> Any:
        problem = _raw_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and invisible(value):
            if cls.model_fields[info.field_name].is_required():
                raise ValueError("is required")
            if value:
                raise ValueError("must not be only invisible characters")
        elif isinstance(value, dt.datetime) and value.tzinfo is not None:
            raise ValueError("must be a local time without a time zone")
        elif isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
            raise ValueError("is too large a number to store")
        return value


class Record(Checked):
    """Base for stored records: strict about unknown fields, trims text."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, validate_assignment=True, use_attribute_docstrings=True
    )

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
    if begin is None or finish is None:
        return
    if (begin.tzinfo is None) != (finish.tzinfo is None):  # fields refuse time zones: a safety net
        raise ValueError(f"{end} and {start} must both be local times without a time zone")
    if finish <= begin:
        raise ValueError(f"{end} must be after {start}")


class Event(Record):
    """An engagement event: booked, then completed or cancelled."""

    title: Text
    """What the event is called, as the public would know it."""
    event_type: Code
    """Kind of event, from the `event_types` pick-list."""
    area_code: Code
    """Local policing area (`areas.area_code`)."""
    ward_code: Code
    """Ward the event is held in (`wards.ward_code`), inside the area."""
    place: Text
    """Venue or street."""
    lat: Lat | None = None
    """Latitude of the venue (WGS84), if known."""
    lon: Lon | None = None
    """Longitude of the venue (WGS84), if known."""
    start: dt.datetime
    """When the event starts (local time)."""
    end: dt.datetime
    """When the event ends (local time); after `start`."""
    organiser: Code
    """User id of the officer who booked it."""
    officers_attending: list[Code] = Field(default_factory=list, max_length=50)
    """User ids of the officers planned to attend."""
    communities_targeted: list[Code] = Field(default_factory=list, max_length=20)
    """Communities the event is aimed at (`communities` pick-list)."""
    status: Literal["booked", "completed", "cancelled"] = "booked"
    """'booked', then 'completed' or 'cancelled'."""
    attendees: Count | None = None
    """Members of the public who attended (on completion)."""
    officers_involved: Count | None = None
    """Officers and staff who took part (on completion)."""
    communities_supported: list[Code] = Field(default_factory=list, max_length=20)
    """Communities actually reached (on completion)."""
    quality_rating: Annotated[int, Field(ge=1, le=5)] | None = None
    """Quality of engagement, 1 (poor) to 5 (excellent)."""
    quality_note: LongText | None = None
    """Why that rating."""
    public_feedback: LongText | None = None
    """What the public said about the event."""
    issues: list[Code] = Field(default_factory=list, max_length=20)
    """Issues raised, as `issue_categories` pick-list values."""
    issues_text: LongText | None = None
    """Issues raised, in the officer's words."""
    intel_submissions: Count | None = None
    """Intelligence reports submitted as a result."""
    suitable_for_publishing: bool | None = None
    """Whether the event may be published (e.g. on social media)."""
    value_gained: LongText | None = None
    """What the engagement achieved."""
    cancel_reason: LongText | None = None
    """Why the event was cancelled."""

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
    """When the contact happened (local time)."""
    area_code: Code
    """Local policing area."""
    ward_code: Code
    """Ward where the contact happened."""
    place: Text | None = None
    """Street or venue."""
    lat: Lat | None = None
    """Latitude (WGS84), if known."""
    lon: Lon | None = None
    """Longitude (WGS84), if known."""
    officer_id: Code
    """User id of the officer who made the contact."""
    event_id: Code | None = None
    """The event (`events.record_id`) the contact was made at, if any."""
    contact_method: Code
    """How the contact happened (`contact_methods` pick-list)."""
    issues: list[Code] = Field(default_factory=list, max_length=20)
    """Issues raised (`issue_categories` pick-list)."""
    issues_text: LongText | None = None
    """Issues raised, in the officer's words."""
    info_submitted: bool = False
    """Whether information or intelligence was submitted."""
    info_text: LongText | None = None
    """What was submitted (required when `info_submitted`)."""
    smart_alert_signup: bool = False
    """Whether the person signed up to community messaging."""
    diversity_consent: bool = False
    """Whether the person consented to answer diversity questions."""
    age_band: Literal[picklists.AGE_BANDS] | None = None  # type: ignore[valid-type]
    """Age band; only with consent."""
    ethnicity: Literal[tuple(picklists.ETHNICITY)] | None = None  # type: ignore[valid-type]
    """ONS 2021 ethnicity code (A1..O2, NS); only with consent."""
    religion: Literal[picklists.RELIGIONS] | None = None  # type: ignore[valid-type]
    """Religion; only with consent."""
    sex: Literal[picklists.SEXES] | None = None  # type: ignore[valid-type]
    """Sex; only with consent."""
    disability: Literal[picklists.DISABILITY] | None = None  # type: ignore[valid-type]
    """Whether the person considers themselves disabled; only with consent."""

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
    """A patrol: where, when, why and what came of it."""

    officer_id: Code
    """User id of the officer who patrolled."""
    patrol_type: Code
    """Kind of patrol (`patrol_types` pick-list)."""
    start: dt.datetime
    """When the patrol started (local time)."""
    end: dt.datetime
    """When it ended; after `start`, within 16 hours."""
    area_code: Code
    """Local policing area."""
    ward_code: Code
    """Ward patrolled."""
    places: LongText | None = None
    """Streets and places covered."""
    tasking: LongText | None = None
    """Tasking or reason for the patrol."""
    outcomes: LongText | None = None
    """What came of it."""
    lat: Lat | None = None
    """Latitude of the patrol's focus (WGS84), if known."""
    lon: Lon | None = None
    """Longitude (WGS84), if known."""

    @model_validator(mode="after")
    def _rules(self):
        _end_after_start(self, "start", "end")
        if self.end - self.start > dt.timedelta(hours=16):
            raise ValueError("end must be within 16 hours of start")
        return self


class Abstraction(Record):
    """Time an officer was taken away from neighbourhood duty."""

    officer_id: Code
    """User id of the officer taken away from neighbourhood duty."""
    area_code: Code
    """The officer's local policing area."""
    team: Code
    """The officer's team."""
    date: dt.date
    """Date of the abstraction."""
    hours: Annotated[float, Field(gt=0, le=24)]
    """Hours lost to neighbourhood work (0-24]."""
    reason: Code
    """Why (`abstraction_reasons` pick-list)."""
    duty_taken_to: Text
    """The duty the officer was taken to."""


class YsywdAction(Checked):
    """One thing done about a "You said, we did" item."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    action_type: Code
    text: LongText
    date: dt.date
    officer_id: Code


class YsywdFeedback(Checked):
    """One time the community was told what was done."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    date: dt.date
    channel: Code
    text: LongText


class Ysywd(Record):
    """A "You said, we did" item: an issue raised, actions taken, feedback given."""

    issue_category: Code
    """The issue raised (`issue_categories` pick-list)."""
    issue_text: LongText
    """What the community said."""
    source: Literal[picklists.YSYWD_SOURCES]  # type: ignore[valid-type]
    """Where it was raised: event, ccr, meeting, online, manual, or import (a published priority loaded)."""
    area_code: Code
    """Local policing area."""
    ward_code: Code | None = None
    """Ward, if the issue is local to one."""
    raised_on: dt.date
    """Date the issue was raised."""
    linked_events: list[Code] = Field(default_factory=list)
    """Events (`events.record_id`) where it was raised."""
    linked_ccrs: list[Code] = Field(default_factory=list)
    """CCRs (`ccrs.record_id`) where it was raised."""
    actions: list[YsywdAction] = Field(default_factory=list)
    """What was done: list of {action_type, text, date, officer_id}."""
    feedback: list[YsywdFeedback] = Field(default_factory=list)
    """What the community was told: list of {date, channel, text}."""
    status: Literal[picklists.YSYWD_STATUSES] = "open"  # type: ignore[valid-type]
    """open, in_progress, action_taken, feedback_given or closed."""
    publishable: bool = False
    """Whether it may appear in public "You said, we did" summaries."""

    @model_validator(mode="after")
    def _rules(self):
        for item in [*self.actions, *self.feedback]:
            if item.date < self.raised_on:
                raise ValueError("action and feedback dates cannot be before raised_on")
        if self.feedback and not self.actions:
            raise ValueError("feedback needs an action to tell the community about")
        first_action = min((a.date for a in self.actions), default=None)
        if first_action is not None and any(f.date < first_action for f in self.feedback):
            raise ValueError("feedback dates cannot be before the first action")
        if self.status == "open" and self.actions:
            raise ValueError("status open cannot have actions: an item with an action is in progress or later")
        if self.status in ("action_taken", "feedback_given", "closed") and not self.actions:
            raise ValueError(f"status {self.status} needs at least one action")
        if self.status == "feedback_given" and not self.feedback:
            raise ValueError("status feedback_given needs feedback")
        return self


class GoodPractice(Record):
    """What works well: a problem, what was done, the result."""

    title: Text
    """Short name of the practice."""
    area_code: Code
    """Area it comes from."""
    problem: LongText
    """The problem faced."""
    action: LongText
    """What was done."""
    result: LongText
    """What happened as a result."""
    tags: list[Code] = Field(default_factory=list, max_length=10)
    """Free tags for finding it again."""


class UsefulInfo(Record):
    """Useful information for an area's team, e.g. keyholders."""

    title: Text
    """What the information is (e.g. 'Keyholder: St Mary's Church')."""
    area_code: Code
    """The area whose team may see it."""
    folder: Code
    """Folder it is filed under."""
    body: LongText
    """The information itself."""


class AppFeedback(Record):
    """Feedback or a bug report about Beatbook itself."""

    kind: Literal["feedback", "bug"]
    """'feedback' or 'bug'."""
    text: LongText
    """What the user wrote."""


class News(Record):
    """A news item admins post to the officers' news reel."""

    title: Text
    """Headline."""
    body: LongText
    """The news item."""
    published_on: dt.date
    """Date it appears from."""


class QualityReview(Record):
    """A supervisor's dip check of one submitted record."""

    table_name: Code
    """Table of the record checked (e.g. 'ccrs')."""
    target_id: Code
    """`record_id` of the record checked."""
    target_version: Annotated[int, Field(ge=1, le=INT64_MAX)]
    """Version of the record checked."""
    reviewer_id: Code
    """User id of the supervisor."""
    outcome: Literal["pass", "advice", "returned"]
    """pass, advice or returned."""
    comment: LongText | None = None
    """The supervisor's advice or reason for returning."""
    faults: list[Code] = Field(default_factory=list, max_length=10)
    """Faults found (`dip_check_faults` pick-list); none on a pass."""


class AuditEntry(Record):
    """Who did what, when, to which records: append-only."""

    user_id: Code
    """Who acted."""
    action: Code
    """What they did: sign_in, sign_out, export, view_personal, import, admin_change, retention or publish."""
    table_name: Code | None = None
    """Table concerned, if any."""
    target_ids: list[str] = Field(default_factory=list)
    """Records concerned."""
    detail: LongText | None = None
    """Filters of an export, or other context."""


class Area(Record):
    """A local policing area."""

    area_code: Code
    """Code of the local policing area."""
    name: Text
    """Name of the area."""
    centre_lat: Lat
    """Latitude of the area's centre."""
    centre_lon: Lon
    """Longitude of the area's centre."""


class Ward(Record):
    """A ward, in one area, with its centre and (optionally) its boundary."""

    ward_code: Code
    """Ward code (ONS, e.g. E05...)."""
    name: Text
    """Ward name."""
    area_code: Code
    """Area the ward belongs to."""
    centre_lat: Lat
    """Latitude of the ward's centre."""
    centre_lon: Lon
    """Longitude of the ward's centre."""
    geojson: str | None = None
    """Ward boundary as a GeoJSON Feature, if loaded."""


class User(Record):
    """An officer or member of staff, with role and team (an area)."""

    user_id: Code
    """Stable id (e.g. collar or staff number)."""
    name: Text
    """Display name."""
    email: Annotated[str, Field(max_length=200)]
    """Sign-in email, matched to the identity provider."""
    role: Literal[picklists.ROLES]  # type: ignore[valid-type]
    """officer, supervisor, commander, analyst or admin."""
    rank: Code
    """Rank or grade (PC, PCSO, Sgt, Insp, ...)."""
    area_code: Code | None = None
    """The user's team (an area); empty for force-wide roles."""
    active: bool = True
    """False once the user has left."""
    sign_in_subject: Annotated[str, Field(max_length=600)] | None = None
    """Identity-provider account bound at first sign-in (issuer + subject, or Entra tenant + object id)."""
    weekly_hours: Annotated[float, Field(gt=0, le=60)] | None = None
    """Contracted hours a week; empty for the force default (setting `contracted_weekly_hours`)."""


class Picklist(Record):
    """One choice in one of the pick-lists forms offer."""

    list_name: Code
    """Which pick-list (event_types, communities, issue_categories, ...)."""
    value: Text
    """The choice shown and stored."""
    position: Annotated[int, Field(ge=0, le=INT64_MAX)] = 0
    """Order in the list."""
    active: bool = True
    """False to retire a choice without losing old records."""


class Setting(Record):
    """Force-level configuration: name, quick links and the like."""

    key: Code
    """Setting name (force_name, quick_link:..., ...)."""
    value: LongText = ""
    """Its value; empty for a setting cleared (a hidden quick link, a rule kept for ever)."""


class Crime(Record):
    """A crime or anti-social behaviour report from data.police.uk's street-level files."""

    crime_id: Annotated[str, Field(max_length=100)] | None = None
    """data.police.uk's crime id; empty for anti-social behaviour."""
    month: dt.date
    """Month of the report (the first day of the month)."""
    reported_by: Text
    """Force that provided the data."""
    falls_within: Text
    """Force whose area the crime falls within."""
    lat: Lat | None = None
    """Latitude of the anonymised location (WGS84); empty when the file has no location."""
    lon: Lon | None = None
    """Longitude of the anonymised location (WGS84); empty when the file has no location."""
    location: Annotated[str, Field(max_length=200)] | None = None
    """Anonymised street, e.g. 'On or near Market Street'."""
    lsoa_code: Annotated[str, Field(max_length=20)] | None = None
    """Lower layer super output area (2011) code."""
    lsoa_name: Annotated[str, Field(max_length=100)] | None = None
    """Lower layer super output area name, e.g. 'Stafford 012B'."""
    crime_type: Text
    """Crime type as data.police.uk names it ('Anti-social behaviour' for ASB)."""
    last_outcome: Annotated[str, Field(max_length=200)] | None = None
    """Latest outcome category in the file; empty for ASB."""
    context: LongText | None = None
    """Extra context data.police.uk gives, if any."""
    ward_code: Code | None = None
    """Ward the location falls in (`wards.ward_code`), by point in polygon; empty if none."""
    area_code: Code | None = None
    """Area of that ward; empty if none."""
    source_file: Annotated[str, Field(max_length=200)]
    """Name of the file it was imported from."""


class CensusPopulation(Record):
    """People in one ethnic group in one local authority, from a census table."""

    census_year: Annotated[int, Field(ge=2001, le=2100)]
    """Census the count comes from (2011, 2021)."""
    geography_code: Code
    """ONS code of the local authority (E06..., E07..., E08..., E09..., W06...)."""
    geography_name: Text
    """Name of the local authority."""
    area_code: Code | None = None
    """Beatbook area the local authority counts towards, if mapped at import (else its code is matched)."""
    ethnicity_code: Code
    """Ethnic category as an ONS 2021 code (A1..O2); 2011 'Other White' counts as W5."""
    ethnic_group: Literal[picklists.ETHNIC_GROUPS]  # type: ignore[valid-type]
    """High-level group: Asian, Black, Mixed, White or Other."""
    people: Annotated[int, Field(ge=0, le=INT64_MAX)]
    """Usual residents in that category."""
    source_file: Annotated[str, Field(max_length=200)]
    """Name of the file it was imported from."""



class DiversityCount(Checked):
    """How many people in one published cell gave one answer to one diversity question."""

    model_config = ConfigDict(extra="forbid")
    field: Literal[tuple(DIVERSITY_FIELDS)]  # type: ignore[valid-type]
    answer: Code
    count: Annotated[int, Field(ge=0, le=INT64_MAX)]


class DiversityMonth(Record):
    """The diversity answers of one area's CCRs in one closed month, published once (`analytics.disclosure`)."""

    area_code: Code
    """Local policing area."""
    month: dt.date
    """First day of the calendar month."""
    respondents: Annotated[int, Field(ge=0, le=INT64_MAX)]
    """CCRs in the month whose person consented to the diversity questions."""
    counts: list[DiversityCount] = Field(default_factory=list)
    """Per question and answer: {field, answer, count} ("Not answered" for a question left blank)."""

class WardOfficer(Record):
    """An officer named for a ward (Neighbourhood Policing Guarantee): from a date, until an end date if any."""

    ward_code: Code
    """The ward (`wards.ward_code`)."""
    area_code: Code
    """The ward's area."""
    officer_id: Code
    """User id of the named officer."""
    start_date: dt.date
    """First day the officer is named for the ward."""
    end_date: dt.date | None = None
    """Last day the officer is named for the ward; empty while the assignment lasts."""

    @model_validator(mode="after")
    def _rules(self):
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date cannot be before start_date")
        return self


class CommunityQuery(Record):
    """A query from the community to its neighbourhood team, and when and how it was answered."""

    received_at: dt.datetime
    """When the query was received (local time)."""
    channel: Literal[picklists.QUERY_CHANNELS]  # type: ignore[valid-type]
    """How it came in: E-mail, Phone, Online or In person."""
    area_code: Code
    """Local policing area."""
    ward_code: Code
    """Ward the query is about."""
    topic: Code
    """What it is about (`issue_categories` pick-list)."""
    officer_id: Code
    """User id of the officer who owns the query."""
    summary: Annotated[str, Field(max_length=1000)] | None = None
    """What was asked, in brief (no names or contact details)."""
    answered_at: dt.datetime | None = None
    """When it was answered (local time); empty while open."""
    answer_channel: Literal[picklists.QUERY_CHANNELS] | None = None  # type: ignore[valid-type]
    """How it was answered; given with `answered_at`."""

    @model_validator(mode="after")
    def _rules(self):
        if self.answered_at is not None and self.answered_at < self.received_at:
            raise ValueError("answered_at cannot be before received_at")
        if (self.answered_at is None) != (self.answer_channel is None):
            raise ValueError("answered_at and answer_channel go together")
        return self


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
    "crimes": Crime,
    "census_population": CensusPopulation,
    "diversity_months": DiversityMonth,
    "ward_officers": WardOfficer,
    "community_queries": CommunityQuery,
}

SYSTEM_COLUMNS: dict[str, pa.DataType] = {
    "record_id": pa.string(),
    "version": pa.int64(),
    "deleted": pa.bool_(),
    "written_at": pa.timestamp("us"),
    "written_by": pa.string(),
    "submission_id": pa.string(),
    "superseded": pa.bool_(),
    "reference": pa.int64(),
}

def system_columns(*, record_id: Any, written_at: Any, written_by: Any, version: Any = 1,
                   submission_id: Any = None, deleted: Any = False, superseded: Any = None,
                   reference: Any = None, rows: int | None = None) -> dict[str, Any]:
    """The system columns of stored rows: the one place they are made, for a save, an import or the demo.

    Without `rows`, one row's values (scalars). With `rows`, a column each (`pa.Array`s of that
    length): a scalar is repeated, a sequence or array is taken as the column. `submission_id`
    defaults to the record id (a record made by one bulk write); `superseded` to false for a first
    version and null for a later one (null: reads work out which version is current); `reference`
    to null (numbered when committed, for a table with references).
    """
    values = {"record_id": record_id, "version": version, "deleted": deleted, "written_at": written_at,
              "written_by": written_by, "submission_id": record_id if submission_id is None else submission_id,
              "superseded": superseded, "reference": reference}
    if rows is None:
        if superseded is None:
            values["superseded"] = False if int(version) == 1 else None
        return values
    columns = {}
    for name, kind in SYSTEM_COLUMNS.items():
        value = values[name]
        if name == "superseded" and value is None:
            value = pc.if_else(pc.equal(columns["version"], 1), False, pa.scalar(None, pa.bool_()))
        elif isinstance(value, (pa.Array, pa.ChunkedArray)):
            value = value.cast(kind)
        elif isinstance(value, (list, tuple, np.ndarray)):
            value = pa.array(value, type=kind)
        else:
            value = pa.array([value] * rows, type=kind)
        if len(value) != rows:
            raise ValueError(f"system column {name} has {len(value)} values for {rows} rows")
        columns[name] = value
    return columns


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


def stats_columns(table: str) -> list[str]:
    """The columns whose per-file minimum and maximum the Delta log keeps, for skipping files.

    Structure only: system columns, dates, numbers, flags and codes. Never free
    text, lists or diversity answers: a file written by one save holds one row,
    so its statistics would repeat the answer in the log, out of reach of the
    retention rule that empties the row.
    """
    model = TABLES[table]
    kept = list(SYSTEM_COLUMNS)
    for name, field in model.model_fields.items():
        kind = _arrow_type(field.annotation)
        if name in (*DIVERSITY_FIELDS, "diversity_consent") or pa.types.is_list(kind) or pa.types.is_struct(kind):
            continue
        literal = typing.get_origin(field.annotation) is Literal or any(
            typing.get_origin(arg) is Literal for arg in typing.get_args(field.annotation))
        if pa.types.is_string(kind) and not (literal or 0 < _max_length(field) <= 40):
            continue
        kept.append(name)
    return kept


def _max_length(field: FieldInfo) -> int:
    """A text field's longest allowed value (0 when unbounded), looking inside `X | None`."""
    metadata = list(field.metadata)
    for arg in typing.get_args(field.annotation):
        metadata += getattr(arg, "__metadata__", ())
        metadata += [m for inner in getattr(arg, "__metadata__", ()) for m in getattr(inner, "metadata", ())]
    return max((getattr(m, "max_length", None) or 0 for m in metadata), default=0)
