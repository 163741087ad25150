"""Dashboard filters: one frozen value object, its URL form, and its SQL.

Every analytics query takes a `Filters`. A page builds one from its widgets
(or from the URL, so a view can be shared as a link) and passes it on; the
query turns it into a WHERE clause with bound parameters via `where_clause`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from data import access

MAX_VALUES = 200
MAX_VALUE_LENGTH = 40
PRESETS = ("last_7", "last_28", "last_90", "this_year")

# URL key for each multi-value field.
_LIST_KEYS = {"areas": "area", "wards": "ward", "event_types": "type", "officers": "officer"}


@dataclasses.dataclass(frozen=True)
class Filters:
    """What a dashboard shows: a date range (inclusive) and optional code lists."""

    start: dt.date | None = None
    end: dt.date | None = None
    areas: tuple[str, ...] = ()
    wards: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    officers: tuple[str, ...] = ()

    def to_query_params(self) -> dict[str, str | list[str]]:
        """The filters as URL query parameters (lists repeat their key)."""
        params: dict[str, str | list[str]] = {}
        if self.start is not None:
            params["start"] = self.start.isoformat()
        if self.end is not None:
            params["end"] = self.end.isoformat()
        for field, key in _LIST_KEYS.items():
            values = getattr(self, field)
            if values:
                params[key] = list(values)
        return params

    @classmethod
    def from_query_params(cls, mapping: Mapping[str, Any]) -> Filters:
        """Filters from URL query parameters; values that do not parse are ignored.

        Accepts a plain mapping (values a string or a list of strings) or
        Streamlit's `st.query_params` (read through its `get_all`).
        """
        start = _parse_date(_last(_values(mapping, "start")))
        end = _parse_date(_last(_values(mapping, "end")))
        if start is not None and end is not None and end < start:
            start, end = end, start
        lists = {field: _clean_codes(_values(mapping, key)) for field, key in _LIST_KEYS.items()}
        return cls(start=start, end=end, **lists)

    def with_range(self, start: dt.date | None, end: dt.date | None) -> Filters:
        return dataclasses.replace(self, start=start, end=end)


def within_scope(filters: Filters, user: Mapping[str, Any] | None) -> Filters:
    """`filters` narrowed to the user's area scope: a team role (officer, supervisor) reads its own area only.

    Force-wide roles get `filters` as they are. For a team role an empty area list becomes its area,
    and asking for any other area is refused (`NotAllowed`, naming the area) rather than quietly
    answered for a different place. Wards and officers need no check: every table is also filtered
    on the area, so another area's ward or officer matches nothing.
    """
    confined = access.scope(user)
    if confined is None:
        return filters
    outside = [code for code in filters.areas if code != confined]
    if outside:
        raise access.NotAllowed(f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} outside your area")
    return dataclasses.replace(filters, areas=(confined,))


def preset_range(name: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The (start, end) dates, both inclusive, of a named preset ending today."""
    days = {"last_7": 7, "last_28": 28, "last_90": 90}
    if name in days:
        return today - dt.timedelta(days=days[name] - 1), today
    if name == "this_year":
        return dt.date(today.year, 1, 1), today
    raise ValueError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")


# -- SQL ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FilterColumns:
    """Which columns of a table each filter applies to (None: the filter does not apply)."""

    date: str
    date_is_timestamp: bool
    area: str | None = "area_code"
    ward: str | None = "ward_code"
    event_type: str | None = None
    officer_list: str | None = None
    officer: str | None = None


FILTER_COLUMNS: dict[str, FilterColumns] = {
    "events": FilterColumns("start", True, event_type="event_type",
                            officer_list="officers_attending", officer="organiser"),
    "ccrs": FilterColumns("contact_at", True, officer="officer_id"),
    "patrols": FilterColumns("start", True, officer="officer_id"),
    "abstractions": FilterColumns("date", False, ward=None, officer="officer_id"),
    "ysywd": FilterColumns("raised_on", False),
    "community_queries": FilterColumns("received_at", True, officer="officer_id"),
}


def where_clause(filters: Filters, *, table: str) -> tuple[str, list[Any]]:
    """A WHERE condition (without the keyword) and its bound parameters for `table`.

    Dates: `date_col >= start AND date_col < end + 1 day`. Code lists become
    `col IN (?, ...)`. An officer matches an event they attended or organised.
    Filters that do not apply to the table (event types for CCRs) are left out.
    """
    cols = FILTER_COLUMNS[table]
    parts: list[str] = []
    params: list[Any] = []

    def bound(day: dt.date) -> dt.date | dt.datetime:
        return dt.datetime.combine(day, dt.time()) if cols.date_is_timestamp else day

    if filters.start is not None:
        parts.append(f"{cols.date} >= ?")
        params.append(bound(filters.start))
    if filters.end is not None:
        parts.append(f"{cols.date} < ?")
        params.append(bound(filters.end + dt.timedelta(days=1)))
    for column, values in ((cols.area, filters.areas), (cols.ward, filters.wards),
                           (cols.event_type, filters.event_types)):
        if column and values:
            parts.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    if filters.officers and (cols.officer or cols.officer_list):
        either = []
        if cols.officer_list:
            either.append(f"list_has_any({cols.officer_list}, ?::VARCHAR[])")
            params.append(list(filters.officers))
        if cols.officer:
            either.append(f"{cols.officer} IN ({', '.join('?' for _ in filters.officers)})")
            params.extend(filters.officers)
        parts.append("(" + " OR ".join(either) + ")")
    return (" AND ".join(parts) or "TRUE"), params


def ward_scope(filters: Filters) -> tuple[str, list[Any]]:
    """The wards a dashboard covers, as a condition on the wards table and its parameters: those in the
    filters' areas and wards (every ward if none chosen)."""
    clauses, params = [], []
    if filters.areas:
        clauses.append(f"area_code IN ({', '.join('?' for _ in filters.areas)})")
        params += list(filters.areas)
    if filters.wards:
        clauses.append(f"ward_code IN ({', '.join('?' for _ in filters.wards)})")
        params += list(filters.wards)
    return " AND ".join(clauses) or "TRUE", params


def and_(condition: str, extra: str) -> str:
    """`condition AND extra`, or `extra` alone when `condition` is TRUE."""
    return extra if condition == "TRUE" else f"{condition} AND {extra}"


# -- parsing helpers ------------------------------------------------------------


def _values(mapping: Mapping[str, Any], key: str) -> list[str]:
    getter = getattr(mapping, "get_all", None)
    raw = getter(key) if callable(getter) else mapping.get(key)
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list | tuple):
        return [v for v in raw if isinstance(v, str)]
    return []


def _last(values: list[str]) -> str | None:
    return values[-1] if values else None


def _parse_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if dt.date(2000, 1, 1) <= day < dt.date(2100, 1, 1) else None


def _clean_codes(values: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        code = value.strip()
        if code and len(code) <= MAX_VALUE_LENGTH and code.isprintable():
            seen.setdefault(code, None)
    return tuple(seen)[:MAX_VALUES]
