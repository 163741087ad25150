"""Calendars: an officer's or an area's events as an iCalendar (RFC 5545) file, and an area's public events in
data.police.uk's neighbourhood events format.

Reads (each checks the user and reads only what they may):

- `list_officer_events`: the events the user organises or is down to attend (`read_own_records`: an officer
  or supervisor, their own only);
- `list_area_events`: an area's events (`log_activity` in the area: its officers and supervisors; or
  `read_aggregates` in the area: commanders and analysts force-wide);
- `list_public_events`: the area's publishable events, as `list_area_events` narrows them (`PUBLISHABLE`).

Each returns `FEED_COLUMNS`, one row per event, from `since` (the day, default 30 days ago) on, soonest first,
at most `MAX_EVENTS`. Cancelled events stay in the .ics feed as STATUS:CANCELLED, so a calendar that
subscribed removes them.

`build_ics` writes the .ics: one VEVENT per event with a stable UID (`<record id>@beatbook`), SEQUENCE from the
record's version, DTSTAMP from when that version was written (UTC), DTSTART/DTEND in Europe/London (events
are stored in local time) with the VTIMEZONE `icalendar` adds. Text is escaped by `icalendar` (commas,
semicolons, new lines), so no text can start a property or a component of its own.

`build_police_uk_events` writes the public events as data.police.uk publishes a neighbourhood's events: a JSON
list of objects with exactly `title`, `description`, `address`, `type`, `start_date`, `end_date` (ISO 8601,
local time) and `contact_details` (`{"email": ...}`, the organiser's work e-mail, or `{}`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd

from analytics import sql
from analytics.export import file_stem
from data import access, audit, reference
from data.store import Store

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Beatbook//Neighbourhood events//EN"
UID_DOMAIN = "beatbook"
SINCE_DAYS = 30
MAX_EVENTS = 2000
FORMATS = ("ics", "police-uk")
FEED_COLUMNS = ("record_id", "version", "written_at", "title", "event_type", "area_code", "ward_code", "ward",
                "place", "start", "end", "status", "organiser", "organiser_email")
POLICE_UK_KEYS = ("title", "description", "address", "type", "start_date", "end_date", "contact_details")
PUBLISHABLE = "e.status <> 'cancelled' AND coalesce(e.suitable_for_publishing, e.status = 'booked')"
"""An event is publishable unless it was cancelled or marked unsuitable: a booked event has not been marked
either way (the mark is made on completion), a completed one is publishable only if marked suitable."""
_ICS_STATUS = {"booked": "CONFIRMED", "completed": "CONFIRMED", "cancelled": "CANCELLED"}


def _since(since: dt.date | None) -> dt.datetime:
    return dt.datetime.combine(since or dt.date.today() - dt.timedelta(days=SINCE_DAYS), dt.time())


def _feed(store: Store, *, where: str, params: list[Any]) -> pd.DataFrame:
    """Current events matching `where` (SQL over alias e, values bound), soonest first."""
    query = (
        "SELECT e.record_id, e.version, e.written_at, e.title, e.event_type, e.area_code, e.ward_code,"
        " coalesce(w.name, e.ward_code) AS ward, e.place, e.start, e.\"end\", e.status, e.organiser,"
        " u.email AS organiser_email"
        f" FROM {store.relation('events')} AS e"
        f" LEFT JOIN (SELECT ward_code, any_value(name) AS name FROM {store.relation('wards')} GROUP BY ward_code)"
        " AS w ON w.ward_code = e.ward_code"
        f" LEFT JOIN (SELECT user_id, any_value(email) AS email FROM {store.relation('users')} GROUP BY user_id)"
        " AS u ON u.user_id = e.organiser"
        f" WHERE {where} ORDER BY e.start, e.record_id LIMIT ?"
    )
    return sql.run(query, [*params, MAX_EVENTS])


def list_officer_events(store: Store, *, user: Mapping[str, Any], since: dt.date | None = None) -> pd.DataFrame:
    """The events the user organises or is down to attend, from `since` on (cancelled ones included)."""
    user_id = access.require(user, "read_own_records")
    return _feed(store, where="(e.organiser = ? OR list_contains(e.officers_attending, ?)) AND e.start >= ?",
                 params=[user_id, user_id, _since(since)])


def require_area_calendar(user: Mapping[str, Any], area_code: str, store: Store | None = None) -> None:
    """Refuse (NotAllowed) unless the user works in the area or reads its dashboards; and (ValueError) an area
    the store does not hold, given the store."""
    access.require(user, "log_activity" if access.can(user, "log_activity") else "read_aggregates", area_code)
    if store is not None and area_code not in reference.area_names(store):
        raise ValueError(f"no area {area_code} in the store")


def list_area_events(store: Store, *, user: Mapping[str, Any], area_code: str,
                     since: dt.date | None = None) -> pd.DataFrame:
    """The area's events from `since` on (cancelled ones included)."""
    require_area_calendar(user, area_code, store)
    return _feed(store, where="e.area_code = ? AND e.start >= ?", params=[area_code, _since(since)])


def list_public_events(store: Store, *, user: Mapping[str, Any], area_code: str,
                       since: dt.date | None = None) -> pd.DataFrame:
    """The area's publishable events (`PUBLISHABLE`) from `since` on."""
    require_area_calendar(user, area_code, store)
    return _feed(store, where=f"e.area_code = ? AND e.start >= ? AND {PUBLISHABLE}",
                 params=[area_code, _since(since)])


def _local(value: Any) -> dt.datetime:
    """A stored (naive, local) time as a Europe/London time."""
    return pd.Timestamp(value).to_pydatetime().replace(tzinfo=LONDON)


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def build_ics(events: pd.DataFrame, *, name: str) -> bytes:
    """The events as one iCalendar file called `name` (X-WR-CALNAME), times in Europe/London."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/London")
    for row in events.to_dict("records"):
        event = icalendar.Event()
        event.add("uid", f"{row['record_id']}@{UID_DOMAIN}")
        event.add("sequence", max(int(row["version"]) - 1, 0))
        event.add("dtstamp", pd.Timestamp(row["written_at"]).to_pydatetime().replace(tzinfo=dt.UTC))
        event.add("dtstart", _local(row["start"]))
        event.add("dtend", _local(row["end"]))
        event.add("summary", _text(row["title"]))
        event.add("location", ", ".join(p for p in (_text(row["place"]), _text(row["ward"])) if p))
        event.add("description", f"{_text(row['event_type'])} in {_text(row['ward'])} ({_text(row['area_code'])})")
        event.add("categories", [_text(row["event_type"])])
        event.add("status", _ICS_STATUS.get(row["status"], "CONFIRMED"))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def police_uk_events(events: pd.DataFrame) -> list[dict[str, Any]]:
    """The events as data.police.uk's neighbourhood events: a list of objects with `POLICE_UK_KEYS`."""
    out = []
    for row in events.to_dict("records"):
        email = _text(row.get("organiser_email"))
        out.append({
            "title": _text(row["title"]),
            "description": f"{_text(row['event_type'])} in {_text(row['ward'])}",
            "address": ", ".join(p for p in (_text(row["place"]), _text(row["ward"])) if p),
            "type": _text(row["event_type"]),
            "start_date": pd.Timestamp(row["start"]).isoformat(timespec="seconds"),
            "end_date": pd.Timestamp(row["end"]).isoformat(timespec="seconds"),
            "contact_details": {"email": email} if email else {},
        })
    return out


def build_police_uk_events(events: pd.DataFrame) -> bytes:
    """`police_uk_events` as UTF-8 JSON."""
    return json.dumps(police_uk_events(events), indent=2, ensure_ascii=False).encode("utf-8")


@dataclasses.dataclass(frozen=True)
class CalendarFile:
    """A calendar made for a download: its file name, media type and bytes."""

    file_name: str
    mime: str
    data: bytes


def calendar_file_name(user: Mapping[str, Any], *, area_code: str | None = None, fmt: str = "ics") -> tuple[str, str]:
    """The file name and media type `make_calendar` gives the same arguments."""
    if area_code is None:
        stem = f"my-events-{file_stem(str(user.get('user_id') or ''))}"
    else:
        stem = f"{'events' if fmt == 'ics' else 'public-events'}-{file_stem(area_code)}"
    return (f"{stem}.ics", "text/calendar") if fmt == "ics" else (f"{stem}.json", "application/json")


def make_calendar(store: Store, *, user: Mapping[str, Any], area_code: str | None = None, fmt: str = "ics",
                  since: dt.date | None = None, context: str = "") -> CalendarFile:
    """The user's own calendar (no `area_code`), or the area's: .ics, or its public events in data.police.uk's
    format (`fmt="police-uk"`, an area's only). Each file made is logged as an "export" audit entry naming
    the file, its events and `context` (where it was asked for)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    file_name, mime = calendar_file_name(user, area_code=area_code, fmt=fmt)
    if area_code is None:
        if fmt != "ics":
            raise ValueError("an officer's calendar is .ics only; public events are an area's")
        events = list_officer_events(store, user=user, since=since)
        data = build_ics(events, name=f"Beatbook: {user.get('name') or user['user_id']}")
    elif fmt == "ics":
        events = list_area_events(store, user=user, area_code=area_code, since=since)
        data = build_ics(events, name=f"Beatbook: events in {area_code}")
    else:
        events = list_public_events(store, user=user, area_code=area_code, since=since)
        data = build_police_uk_events(events)
    detail = f"{file_name}: events ({len(events):,} rows)" + (f"; {context}" if context else "")
    audit.log(store, user, "export", table="events", target_ids=[str(i) for i in events["record_id"]],
              detail=detail[:4000])
    return CalendarFile(file_name, mime, data)
