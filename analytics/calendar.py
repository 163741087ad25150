"""An area's events as officers pick them: the calendar, recent events, events to complete.

Each function reads the current events of one area (joined to ward names)
with bound parameters and returns a small DataFrame, one row per event, with
`EVENT_COLUMNS`. `calendar_days` and `event_label` shape those rows for a page.
They serve the Record pages, so each needs the user's `log_activity` capability
in that area (an officer or supervisor: their own).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analytics import sql
from data import access
from data.store import Store

EVENT_COLUMNS = ("record_id", "title", "event_type", "ward_code", "ward", "place", "start", "end", "status",
                 "organiser", "officers_attending")
CALENDAR_DAYS = 28
RECENT_DAYS = 7
JUST_FINISHED_DAYS = 1  # "just finished": started since yesterday
MAX_EVENTS = 300


def _events(store: Store, *, user: Mapping[str, Any], area_code: str, where: str, params: Sequence[Any],
            order_by: str, limit: int = MAX_EVENTS) -> pd.DataFrame:
    """The area's current events matching `where` (SQL over alias e, values bound), in `order_by` order."""
    access.require(user, "log_activity", area_code)
    query = (
        "SELECT e.record_id, e.title, e.event_type, e.ward_code, coalesce(w.name, e.ward_code) AS ward, e.place,"
        ' e.start, e."end", e.status, e.organiser, e.officers_attending'
        f" FROM {store.relation('events')} AS e"
        f" LEFT JOIN (SELECT ward_code, any_value(name) AS name FROM {store.relation('wards')} GROUP BY ward_code)"
        " AS w ON w.ward_code = e.ward_code"
        f" WHERE e.area_code = ? AND {where} ORDER BY {order_by}, e.record_id LIMIT ?"
    )
    return sql.run(query, [area_code, *params, limit])


def list_upcoming_events(store: Store, *, user: Mapping[str, Any], area_code: str, now: dt.datetime,
                         days: int = CALENDAR_DAYS) -> pd.DataFrame:
    """The area's booked events from today to `days` ahead, soonest first."""
    today = dt.datetime.combine(now.date(), dt.time())
    return _events(store, user=user, area_code=area_code,
                   where="e.status = 'booked' AND e.start >= ? AND e.start < ?",
                   params=[today, today + dt.timedelta(days=days)], order_by="e.start")


def list_recent_events(store: Store, *, user: Mapping[str, Any], area_code: str, today: dt.date,
                       days: int = RECENT_DAYS) -> pd.DataFrame:
    """The area's events (not cancelled) of the last `days` days and today, newest first: where a contact was made."""
    start = dt.datetime.combine(today - dt.timedelta(days=days), dt.time())
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    return _events(store, user=user, area_code=area_code,
                   where="e.status <> 'cancelled' AND e.start >= ? AND e.start < ?",
                   params=[start, end], order_by="e.start DESC")


def overdue_before(now: dt.datetime) -> dt.datetime:
    """Booked events that started before this (yesterday's midnight) are overdue: still to complete or cancel."""
    return dt.datetime.combine(now.date() - dt.timedelta(days=JUST_FINISHED_DAYS), dt.time())


def list_events_to_update(store: Store, *, user: Mapping[str, Any], area_code: str,
                          now: dt.datetime) -> pd.DataFrame:
    """The area's booked events, in three groups, the user's first within each: today's and those just finished
    (since yesterday: the started ones newest first, then the rest of today's), then those still to come
    (soonest first), then the overdue ones (`overdue_before`, newest first)."""
    tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())
    group = "CASE WHEN e.start >= ? AND e.start < ? THEN 0 WHEN e.start >= ? THEN 1 ELSE 2 END"
    mine = "(e.organiser = ? OR list_contains(e.officers_attending, ?))"
    order = (f"{group}, {mine} DESC, (e.start <= ?) DESC,"
             " CASE WHEN e.start <= ? THEN -epoch(e.start) ELSE epoch(e.start) END")
    # ORDER BY's placeholders follow WHERE's; bind them in that order.
    user_id = str(user.get("user_id") or "")
    sql_params = [now - dt.timedelta(days=365), now + dt.timedelta(days=730), overdue_before(now), tomorrow, tomorrow,
                  user_id, user_id, now, now]
    return _events(store, user=user, area_code=area_code, where="e.status = 'booked' AND e.start >= ? AND e.start < ?",
                   params=sql_params, order_by=order)


def event_label(event: Mapping[str, Any]) -> str:
    """'Tue 01 Dec 18:00 · Street meeting on Market Square · Abbey': what a pick-list shows."""
    return f"{pd.Timestamp(event['start']):%a %d %b %H:%M} · {event['title']} · {event['ward']}"


def calendar_days(events: pd.DataFrame) -> list[tuple[dt.date, list[dict[str, Any]]]]:
    """Events grouped by the day they start on, in the frame's order."""
    days: dict[dt.date, list[dict[str, Any]]] = {}
    for event in events.to_dict("records"):
        days.setdefault(pd.Timestamp(event["start"]).date(), []).append(event)
    return list(days.items())
