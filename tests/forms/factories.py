"""Valid values for the officer forms, each overridable: `make_ccr(store, officer, issues=[])`."""

from __future__ import annotations

import datetime as dt

from data import reference
from data.store import Store, new_submission_id
from forms.events import save_event
from tests.conftest import make_booking


def now_minute() -> dt.datetime:
    return dt.datetime.now().replace(second=0, microsecond=0)


def first_ward(store: Store, area_code: str) -> str:
    return reference.list_wards(store, area_code=area_code)["ward_code"].iloc[0]


def other_area_ward(store: Store, area_code: str) -> str:
    wards = reference.list_wards(store)
    return wards[wards["area_code"] != area_code]["ward_code"].iloc[0]


def make_ccr(store: Store, user: dict, *, at: dt.datetime | None = None, **overrides) -> dict:
    """A contact half an hour ago in the user's area, no event, no consent."""
    at = at or now_minute() - dt.timedelta(minutes=30)
    values = {
        "contact_date": at.date(),
        "contact_time": at.time(),
        "area_code": user["area_code"],
        "ward_code": first_ward(store, user["area_code"]),
        "place": "Outside the Co-op, High Street",
        "event_id": None,
        "contact_method": reference.picklist(store, "contact_methods")[0],
        "issues": reference.picklist(store, "issue_categories")[:2],
        "issues_text": "Cars racing along the High Street at night",
        "info_submitted": False,
        "info_text": "",
        "smart_alert_signup": True,
        "diversity_consent": False,
        "age_band": None,
        "ethnicity": None,
        "religion": None,
        "sex": None,
        "disability": None,
    }
    values.update(overrides)
    return values


def make_patrol(store: Store, user: dict, *, end: dt.datetime | None = None, **overrides) -> dict:
    """A patrol that ended a few minutes ago, after 90 minutes, in the user's area."""
    end = end or now_minute() - dt.timedelta(minutes=5)
    start = end - dt.timedelta(minutes=90)
    values = {
        "patrol_type": reference.picklist(store, "patrol_types")[0],
        "area_code": user["area_code"],
        "ward_code": first_ward(store, user["area_code"]),
        "start_date": start.date(),
        "start_time": start.time(),
        "end_date": end.date(),
        "end_time": end.time(),
        "places": "Recreation ground, Station Road",
        "tasking": "ASB hotspot from the ward panel",
        "outcomes": "Two groups spoken to; words of advice",
    }
    values.update(overrides)
    return values


def make_abstraction(store: Store, **overrides) -> dict:
    """Yesterday, eight hours of response cover."""
    values = {
        "date": dt.date.today() - dt.timedelta(days=1),
        "hours": 8.0,
        "reason": reference.picklist(store, "abstraction_reasons")[0],
        "duty_taken_to": "Response shift cover",
    }
    values.update(overrides)
    return values


def book_event(store: Store, user: dict, *, days_ago: int = 1, start: dt.time = dt.time(10), end: dt.time = dt.time(12),
               **overrides) -> str:
    """Book an event in the user's area `days_ago` days ago (negative: ahead); its record id."""
    date = dt.date.today() - dt.timedelta(days=days_ago)
    values = make_booking(store, user, date=date, start_time=start, end_time=end, **overrides)
    return save_event(store=store, values=values, user=user, submission_id=new_submission_id()).record_id


def make_completion(store: Store, user: dict, **overrides) -> dict:
    values = {
        "attendees": 23,
        "officers_involved": [user["user_id"]],
        "communities_supported": reference.picklist(store, "communities")[:1],
        "quality_rating": 4,
        "quality_note": "Good turnout, open questions",
        "public_feedback": "Residents glad to see officers on foot",
        "issues": reference.picklist(store, "issue_categories")[:1],
        "issues_text": "Speeding outside the school",
        "intel_submissions": 2,
        "suitable_for_publishing": True,
        "value_gained": "Two new contacts for the ward panel",
    }
    values.update(overrides)
    return values


