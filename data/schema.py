"""Record schemas: one pydantic model per stored table.

Each model is the single source of truth for its table. Validation comes from
the model's field rules (`data.checked`); the Arrow/Parquet schema is derived
from the same annotations (`data.arrow_schema`). The activity records are
defined here, the reference and system tables in `data.reference_models`;
`TABLES` names them all.

Business date-times (`start`, `contact_at`, ...) are wall-clock times in the
force's local time, stored as naive timestamps (one with a time zone is
refused). `written_at` is UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from data import picklists
from data.checked import INT64_MAX, Checked, Code, Count, Lat, Lon, LongText, Record, Text
from data.reference_models import Area, AuditEntry, CensusPopulation, Crime, Picklist, Setting, User, Ward


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


class AlertSent(Record):
    """An alert e-mailed once (`python -m data alerts`): claimed before sending, marked sent after."""

    alert_key: Annotated[str, Field(min_length=1, max_length=200)]
    """Stable key of the alert: condition, ward or record, and what starts it (e.g. asb_trigger:W1:Fly-tipping:...)."""
    condition: Literal["coverage_gap", "stale_priority", "query_due", "asb_trigger"]
    """Which condition raised it."""
    area_code: Code | None = None
    """Local policing area."""
    ward_code: Code | None = None
    """Ward, if the alert is about one."""
    subject: Text
    """The e-mail's subject line."""
    recipients: list[Annotated[str, Field(min_length=3, max_length=200)]] = Field(default_factory=list, max_length=100)
    """E-mail addresses it went to (the ward's named officers or the query's owner, and the area's supervisors)."""
    record_ids: list[Code] = Field(default_factory=list, max_length=500)
    """The records behind it (complaints, the priority, the query)."""
    status: Literal["sending", "sent", "failed"]
    """sending (claimed; left so for 15 minutes: interrupted, sent again), sent, or failed (tried again)."""
    attempts: Annotated[int, Field(ge=1, le=1000)] = 1
    """How many times sending was started."""
    message_id: Text
    """The e-mail's Message-ID, the same on every attempt, so a repeat after an interruption can be recognised."""
    sent_at: dt.datetime | None = None
    """When the mail server accepted it (UTC); empty until sent."""
    error: LongText | None = None
    """Why the last attempt failed."""
class ProblemAction(Checked):
    """One action of a problem's response: planned, then completed, by the police or a partner agency."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    action_id: Code
    text: LongText
    partner: Text | None = None
    planned_on: dt.date
    completed_on: dt.date | None = None
    officer_id: Code


TRIANGLE = ("victim", "offender", "location")


class Problem(Record):
    """A problem-solving (SARA) record: scanning, analysis, response, assessment; linked to "You said, we did"."""

    title: Text
    """Short name of the problem."""
    statement: LongText
    """Scanning: the problem statement (what, where, when, who is affected; no names)."""
    stage: Literal[picklists.PROBLEM_STAGES] = "scanning"  # type: ignore[valid-type]
    """scanning, analysis, response, assessment or closed."""
    owner_id: Code
    """User id of the officer who owns the problem."""
    area_code: Code
    """Local policing area."""
    ward_codes: list[Code] = Field(min_length=1, max_length=20)
    """Wards the problem is in (`wards.ward_code`), inside the area."""
    places: LongText | None = None
    """Streets and places the problem centres on."""
    opened_on: dt.date
    """Date the problem was opened."""
    review_on: dt.date
    """Date of the next review; not before `opened_on`."""
    ysywd_ids: list[Code] = Field(default_factory=list, max_length=20)
    """"You said, we did" items (`ysywd.record_id`) the problem answers."""
    victim: LongText | None = None
    """Analysis (problem analysis triangle): who or what is harmed (no names)."""
    offender: LongText | None = None
    """Analysis: who causes the harm, as far as known (no names)."""
    location: LongText | None = None
    """Analysis: what about the place lets the problem happen."""
    partners: list[Text] = Field(default_factory=list, max_length=20)
    """Partner agencies working on the problem."""
    actions: list[ProblemAction] = Field(default_factory=list, max_length=100)
    """Response: list of {action_id, text, partner, planned_on, completed_on, officer_id}."""
    response_start: dt.date | None = None
    """First day of the response (assessment compares the days before it)."""
    response_end: dt.date | None = None
    """Last day of the response (assessment compares the days after it); not before `response_start`."""
    assessment_note: LongText | None = None
    """Assessment: what changed and what was learned; required to close."""
    closed_on: dt.date | None = None
    """Date the problem was closed; set exactly when the stage is closed."""
    change: Text
    """What this version changed (the problem's history reads these)."""

    @model_validator(mode="after")
    def _rules(self):
        if self.review_on < self.opened_on:
            raise ValueError("review_on cannot be before opened_on")
        if len(set(self.ward_codes)) != len(self.ward_codes):
            raise ValueError("ward_codes cannot repeat a ward")
        if self.response_end is not None and (self.response_start is None or self.response_end < self.response_start):
            raise ValueError("response_end needs a response_start on or before it")
        for action in self.actions:
            if action.planned_on < self.opened_on or (action.completed_on or self.opened_on) < self.opened_on:
                raise ValueError("action dates cannot be before opened_on")
        if len({a.action_id for a in self.actions}) != len(self.actions):
            raise ValueError("action ids must be unique")
        stage = picklists.PROBLEM_STAGES.index(self.stage)
        if stage >= 2 and not all(getattr(self, name) for name in TRIANGLE):
            raise ValueError(f"stage {self.stage} needs the analysis triangle: victim, offender and location")
        if stage >= 3 and (self.response_start is None or self.response_end is None):
            raise ValueError(f"stage {self.stage} needs response_start and response_end")
        if stage >= 3 and not any(a.completed_on for a in self.actions):
            raise ValueError(f"stage {self.stage} needs at least one completed action")
        if self.stage == "closed" and not self.assessment_note:
            raise ValueError("stage closed needs an assessment_note")
        if (self.stage == "closed") != (self.closed_on is not None):
            raise ValueError("closed_on is given exactly when the stage is closed")
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
    "alerts_sent": AlertSent,
    "problems": Problem,
}

