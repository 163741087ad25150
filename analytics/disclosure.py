"""Disclosure control for the diversity breakdowns: published once per area and closed month, never differenced.

Small-count suppression inside one table cannot stop differencing across
tables: with a free choice of date range, officer and ward, the breakdown for
a range ending on the day of a contact minus the same range ending the day
before is that one person's answers. So the diversity answers of CCRs reach a
dashboard only through fixed, frozen cells, as statistical offices publish
census tables (ONS, "Statistical disclosure control for Census 2021": fixed
geographies and a threshold on the population of a cell, see README):

- **Cells: one area and one calendar month.** A month is published once it
  has closed (`CLOSE_DAYS` after its end), and only while every answer in it
  is still held (it starts after the retention cut-off). Publishing stores
  the month's counts per area in `diversity_months`, in one checked commit; a
  published month is never recomputed, so a late entry, an edit, a
  withdrawal or a retention run later cannot change what it shows (and so
  cannot be differenced either).
- **A cell with fewer than `MIN_RESPONDENTS` people who consented is
  withheld,** from every view, for good: it is in no total, so no
  difference of totals isolates it.
- **A breakdown is a sum of published cells:** the areas asked for (a team
  role's own area; force-wide for the rest) over the closed months the
  period touches. Ward, officer and day filters are not applied: the page
  says which months and areas a breakdown covers.
- The sum is then suppressed as before (`analytics.privacy`: counts under 5
  hidden, with a second cell hidden where a total would give one away).

Whatever two views an attacker compares, their difference is a sum of whole
published cells, each of at least `MIN_RESPONDENTS` people: never one
person. Every view of a breakdown is audited with what it covered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analytics import sql
from analytics.filters import Filters, within_scope
from data import access, audit, retention
from data.schema import DIVERSITY_FIELDS
from data.store import Store

MIN_RESPONDENTS = 10
"""Area-months with fewer people who consented than this are withheld from every breakdown."""
CLOSE_DAYS = 7
"""Days after a month ends before it is published (late entries after that are never counted)."""
NOT_ANSWERED = "Not answered"
TABLE = "diversity_months"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def publishable_months(store: Store, *, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """(first, last) month that may be published today: closed, and wholly inside diversity retention."""
    last = month_start(today - dt.timedelta(days=CLOSE_DAYS))
    last = month_start(last - dt.timedelta(days=1))  # the month before the one still open
    period = retention.periods(store).get("ccr_diversity")
    first = None
    if period is not None:
        cut = retention.cutoff(today, period, "months")
        first = cut if cut.day == 1 else next_month(cut)
    if first is not None and first > last:
        return None, None
    return first, last


def months_in(start: dt.date | None, end: dt.date | None, first: dt.date | None,
              last: dt.date | None) -> list[dt.date]:
    """The publishable months that a period [start, end] touches (all publishable ones for an open period)."""
    if last is None:
        return []
    low = month_start(start) if start else first
    high = min(month_start(end), last) if end else last
    if low is None:
        low = high
    if first is not None:
        low = max(low, first)
    months = []
    month = low
    while month <= high:
        months.append(month)
        month = next_month(month)
    return months


def publish(store: Store, months: Sequence[dt.date]) -> int:
    """Publish every month of `months` not yet published; how many area-month cells were written.

    One month's cells are written in one commit with a submission id made from the month, so two
    servers publishing at once store it once.
    """
    if not months:
        return 0
    held = set(sql.run(
        f"SELECT DISTINCT month FROM {store.relation(TABLE)} WHERE month IN ({', '.join('?' for _ in months)})",
        list(months))["month"].map(lambda m: pd.Timestamp(m).date()))
    written = 0
    for month in months:
        if month in held:
            continue
        cells = _count_month(store, month)
        store.save_many(TABLE, [(cell, None, None) for cell in cells], user="beatbook",
                        submission_id=f"diversity-month-{month.isoformat()}")
        written += len(cells)
    return written


def _count_month(store: Store, month: dt.date) -> list[dict[str, Any]]:
    keys = ", ".join(f"(area_code, {field})" for field in DIVERSITY_FIELDS)
    field = "CASE " + " ".join(f"WHEN GROUPING({f}) = 0 THEN '{f}'" for f in DIVERSITY_FIELDS) + " END"
    answer = f"coalesce({', '.join(DIVERSITY_FIELDS)})"
    start, end = dt.datetime.combine(month, dt.time()), dt.datetime.combine(next_month(month), dt.time())
    counts = sql.run(
        f"SELECT area_code, {field} AS field, {answer} AS answer, count(*) AS count FROM {store.relation('ccrs')}"
        f" WHERE contact_at >= ? AND contact_at < ? AND diversity_consent GROUP BY GROUPING SETS ({keys})",
        [start, end])
    areas = set(sql.run(f"SELECT area_code FROM {store.relation('areas')}")["area_code"])
    areas |= set(counts["area_code"])
    cells = []
    for area in sorted(areas):
        mine = counts[(counts["area_code"] == area) & (counts["field"] == DIVERSITY_FIELDS[0])]
        respondents = int(mine["count"].sum())
        rows = counts[counts["area_code"] == area]
        cells.append({
            "area_code": area, "month": month, "respondents": respondents,
            "counts": [{"field": str(f), "answer": NOT_ANSWERED if pd.isna(a) else str(a), "count": int(n)}
                       for f, a, n in zip(rows["field"], rows["answer"], rows["count"], strict=True)],
        })
    return cells


@dataclasses.dataclass
class Coverage:
    """What a diversity breakdown covers, for the page to say and the audit log to record."""

    months: tuple[dt.date, ...]
    areas: tuple[str, ...]  # empty: the whole force
    respondents: int
    withheld: int  # area-months left out for fewer than MIN_RESPONDENTS people
    ignored: tuple[str, ...]  # filters not applied (wards, officers)

    def describe(self) -> str:
        if not self.months:
            return ("No closed month in this period yet: diversity breakdowns are published by whole month,"
                    f" {CLOSE_DAYS} days after the month ends.")
        span = (f"{self.months[0]:%B %Y}" if len(self.months) == 1
                else f"{self.months[0]:%B %Y} to {self.months[-1]:%B %Y}")
        where = ", ".join(self.areas) if self.areas else "the whole force"
        text = f"Whole months {span}, {where}: {self.respondents:,} people who consented."
        if self.withheld:
            text += (f" {self.withheld} area-month{'s' if self.withheld != 1 else ''} with fewer than"
                     f" {MIN_RESPONDENTS} people left out.")
        if self.ignored:
            text += f" Not narrowed by {' or '.join(self.ignored)}: diversity is shown by area and month only."
        return text


def diversity_counts(store: Store, filters: Filters | None, *, user: Mapping[str, Any],
                     today: dt.date | None = None, by_area: bool = False) -> tuple[pd.DataFrame, Coverage]:
    """Consented CCRs counted by each diversity answer (field, answer, count; area_code first when
    `by_area`) over the published cells the filters reach, for `user` (`read_aggregates`, own area for
    team roles); audited. Raw counts: callers suppress them before they leave the module that shows them.
    """
    access.require(user, "read_aggregates")
    filters = within_scope(filters or Filters(), user)
    today = today or dt.date.today()
    first, last = publishable_months(store, today=today)
    if first is None and filters.start is None:  # no retention and no start: from the first CCR's month
        (earliest,) = sql.one(f"SELECT min(contact_at) FROM {store.relation('ccrs')}")
        first = month_start(earliest.date()) if earliest is not None else None
    months = months_in(filters.start, filters.end, first, last)
    publish(store, months)
    ignored = tuple(name for name, values in (("ward", filters.wards), ("officer", filters.officers)) if values)
    counts, respondents, withheld = _sum_cells(store, months, filters.areas, by_area=by_area)
    coverage = Coverage(months=tuple(months), areas=filters.areas, respondents=respondents, withheld=withheld,
                        ignored=ignored)
    audit.log_once(store, user, "view_diversity", key=(coverage.months, coverage.areas, store.version(TABLE)),
                   table="ccrs", detail=f"Diversity breakdowns: {coverage.describe()} Filters asked: {filters}")
    return counts, coverage


def _sum_cells(store: Store, months: Sequence[dt.date], areas: Sequence[str], *,
               by_area: bool) -> tuple[pd.DataFrame, int, int]:
    empty = pd.DataFrame({"field": pd.Series(dtype=object), "answer": pd.Series(dtype=object),
                          "count": pd.Series(dtype="int64")})
    if by_area:
        empty.insert(0, "area_code", pd.Series(dtype=object))
    if not months:
        return empty, 0, 0
    where = f"month IN ({', '.join('?' for _ in months)})"
    params: list[Any] = list(months)
    if areas:
        where += f" AND area_code IN ({', '.join('?' for _ in areas)})"
        params += list(areas)
    # The first publication of a cell is the one shown, should a cell ever be stored twice.
    cells = (f"SELECT * FROM {store.relation(TABLE)} WHERE {where}"
             " QUALIFY row_number() OVER (PARTITION BY area_code, month ORDER BY written_at, record_id) = 1")
    respondents, withheld = sql.one(
        f"SELECT coalesce(sum(respondents) FILTER (WHERE respondents >= {MIN_RESPONDENTS}), 0),"
        f" count(*) FILTER (WHERE respondents BETWEEN 1 AND {MIN_RESPONDENTS - 1}) FROM ({cells})", params)
    area = "area_code, " if by_area else ""
    counts = sql.run(
        f"SELECT {area}c.field, c.answer, CAST(sum(c.count) AS BIGINT) AS count FROM"
        f" (SELECT {area}unnest(counts) AS c FROM ({cells}) WHERE respondents >= {MIN_RESPONDENTS})"
        " GROUP BY ALL ORDER BY ALL", params)
    counts["answer"] = counts["answer"].where(counts["answer"] != NOT_ANSWERED, None)
    return (counts if not counts.empty else empty), int(respondents), int(withheld)
