"""The demo force's Neighbourhood Policing Guarantee records: named ward officers, beat meetings, community
queries, part-time officers' weekly hours and the contracted-hours setting.

Drawn from a random stream of their own after every other table, so the demo's other tables are as they
were. Wards differ on purpose: a few have no named officer, some hold beat meetings monthly, some now and
then, some have let them lapse; most answer queries within 72 hours, a few often do not, and a few
queries are still open long after they came in.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from data import picklists
from data.arrow_schema import arrow_schema, system_columns
from data.demo.columns import hex_list, new_ids
from data.demo.force import Force
from data.store import validate

ADMIN = "u0006"
BEAT_DAYS = 180
"""How far back the demo's beat meetings go (the Guarantee is new)."""
QUERY_DAYS = 365
PART_TIME_HOURS = (16.0, 20.0, 24.0, 30.0, 32.0)
QUERY_CHANNEL_WEIGHTS = (40, 30, 20, 10)  # E-mail, Phone, Online, In person
QUERY_ASKS = ("Asked what is being done about {topic} in the area.",
              "Reported {topic} near their street and asked for more patrols.",
              "Asked for an update on {topic} raised at the last meeting.",
              "Wanted advice about {topic}.",
              "Complained about {topic} and asked who to contact.")


def checked_table(rng: np.random.Generator, table: str, rows: list[tuple[dict, dict]]) -> pa.Table:
    """Rows of (fields, system column values), each validated, in one Arrow table; rows without a record id
    get a new one drawn from `rng`."""
    ids = iter(hex_list(new_ids(rng, sum(1 for _, s in rows if "record_id" not in s))))
    out = []
    for fields, system in rows:
        system = {"record_id": system.get("record_id") or next(ids), **system}
        out.append(validate(table, fields).model_dump() | system_columns(**system))
    return pa.Table.from_pylist(out, schema=arrow_schema(table))


class GuaranteeRecords:
    """The Guarantee's demo tables, each built row by row (they are small) and checked against its model."""

    def __init__(self, force: Force, rng: np.random.Generator, *, queries: int, beat_share: float = 1.0):
        self.force, self.rng, self.today = force, rng, force.today
        self.midnight = dt.datetime.combine(force.today, dt.time())
        self.team = {code: [u["user_id"] for u in force.users if u["area_code"] == code and u["role"] == "officer"]
                     for code in force.area_codes}
        self.queries_n = queries
        self.beat_share = beat_share  # the share of wards holding beat meetings: fewer in a smaller demo
        self.named: dict[str, list[str]] = {}

    def _table(self, table: str, rows: list[tuple[dict, dict]]) -> pa.Table:
        return checked_table(self.rng, table, rows)

    def _day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=int(days_ago))

    def ward_officers(self) -> pa.Table:
        """One to three named officers for most wards; a few wards with none (one moved on, not replaced)."""
        rows = []
        for w, ward in enumerate(self.force.ward_codes):
            area = self.force.area_codes[self.force.ward_area[w]]
            team = self.team[area]
            count = int(self.rng.choice([0, 1, 2, 3], p=[0.08, 0.57, 0.30, 0.05]))
            chosen = [team[i] for i in self.rng.choice(len(team), size=min(count + 1, len(team)), replace=False)]
            since = self._day(self.rng.integers(120, 520))
            current, earlier = chosen[:count], chosen[count:]
            if earlier and (count == 0 or self.rng.random() < 0.2):  # someone named before, who moved on
                first = since - dt.timedelta(days=int(self.rng.integers(200, 400)))
                ended = since - dt.timedelta(days=1) if count else self._day(self.rng.integers(20, 90))
                rows.append(self._assignment(ward, area, earlier[0], first, ended))
            for officer in current:
                rows.append(self._assignment(ward, area, officer, since, None))
            self.named[ward] = current
        return self._table("ward_officers", rows)

    def _assignment(self, ward: str, area: str, officer: str, start: dt.date, end: dt.date | None) -> tuple:
        written = dt.datetime.combine(end or start, dt.time(9, 30))
        return ({"ward_code": ward, "area_code": area, "officer_id": officer, "start_date": start, "end_date": end},
                {"written_at": min(written, self.midnight - dt.timedelta(minutes=1)), "written_by": ADMIN})

    def beat_meetings(self) -> pa.Table:
        """Beat meetings per ward since BEAT_DAYS ago: monthly, now and then, or lapsed; booked, then completed
        (two versions, as the other events) or cancelled; the next ones booked."""
        rows = []
        for w, ward in enumerate(self.force.ward_codes):
            area = self.force.area_codes[self.force.ward_area[w]]
            regime = self.rng.choice(["monthly", "now and then", "lapsed"], p=[0.65, 0.2, 0.15])
            if self.rng.random() >= self.beat_share:
                continue
            gap = {"monthly": (26, 36), "now and then": (55, 100), "lapsed": (40, 70)}[regime]
            day = self._day(BEAT_DAYS - self.rng.integers(0, 30))
            last = self.today + dt.timedelta(days=30 if regime != "lapsed" else -130)
            while day <= last:
                rows += self._beat_meeting(ward, area, day)
                day += dt.timedelta(days=int(self.rng.integers(*gap)))
        return self._table("events", rows)

    def _beat_meeting(self, ward: str, area: str, day: dt.date) -> list[tuple]:
        names = self.named.get(ward) or self.team[area]
        organiser = names[int(self.rng.integers(0, len(names)))]
        start = dt.datetime.combine(day, dt.time(18, 30) if self.rng.random() < 0.6 else dt.time(19))
        end = start + dt.timedelta(minutes=90)
        name = self.force.ward_names[self.force.ward_codes.index(ward)]
        booked = {"title": f"Beat meeting, {name}", "event_type": "Beat meeting", "area_code": area,
                  "ward_code": ward, "place": f"Community centre, {name}", "start": start, "end": end,
                  "organiser": organiser, "officers_attending": [organiser],
                  "communities_targeted": ["General public"], "status": "booked"}
        booked_at = min(start - dt.timedelta(days=int(self.rng.integers(7, 28))),
                        self.midnight - dt.timedelta(hours=int(self.rng.integers(2, 48))))
        record_id = hex_list(new_ids(self.rng, 1))[0]
        first = {"record_id": record_id, "written_at": booked_at, "written_by": organiser}
        if day >= self.today:
            return [(booked, first)]
        cancelled = self.rng.random() < 0.06
        issues = list(self.rng.choice(picklists.ISSUE_CATEGORIES, size=int(self.rng.integers(1, 4)), replace=False))
        finished = booked | ({"status": "cancelled", "cancel_reason": "Venue unavailable"} if cancelled else {
            "status": "completed", "attendees": int(self.rng.integers(4, 45)), "officers_involved": 1,
            "communities_supported": ["General public"], "quality_rating": int(self.rng.integers(3, 6)),
            "issues": [str(i) for i in issues], "suitable_for_publishing": True})
        done_at = min(end + dt.timedelta(minutes=int(self.rng.integers(30, 2 * 1440))),
                      max(end, self.midnight - dt.timedelta(minutes=1)))
        return [(booked, first | {"superseded": True}),
                (finished, {"record_id": record_id, "written_at": done_at, "written_by": organiser, "version": 2,
                            "submission_id": hex_list(new_ids(self.rng, 1))[0], "superseded": False})]

    def queries(self) -> pa.Table:
        """Community queries over the last year: most answered within 72 hours, some late, a few left open."""
        rows = []
        wards = self.force.ward_codes
        care = {ward: self.rng.choice([0.93, 0.75, 0.45], p=[0.7, 0.2, 0.1]) for ward in wards}
        topics = list(picklists.ISSUE_CATEGORIES)
        weights = np.array(QUERY_CHANNEL_WEIGHTS) / sum(QUERY_CHANNEL_WEIGHTS)
        for _ in range(self.queries_n):
            w = int(self.rng.integers(0, len(wards)))
            ward, area = wards[w], self.force.area_codes[self.force.ward_area[w]]
            owners = self.named.get(ward) or self.team[area]
            owner = owners[int(self.rng.integers(0, len(owners)))]
            days_ago = int(QUERY_DAYS * self.rng.random() ** 1.3) + 1
            received = (dt.datetime.combine(self._day(days_ago), dt.time(int(self.rng.integers(8, 20))))
                        + dt.timedelta(minutes=int(self.rng.integers(0, 60))))
            topic = topics[int(self.rng.integers(0, len(topics)))]
            query = {"received_at": received, "channel": picklists.QUERY_CHANNELS[int(self.rng.choice(4, p=weights))],
                     "area_code": area, "ward_code": ward, "topic": topic, "officer_id": owner,
                     "summary": QUERY_ASKS[int(self.rng.integers(0, len(QUERY_ASKS)))].format(topic=topic.lower())}
            hours = self.rng.uniform(1, 70) if self.rng.random() < care[ward] else self.rng.uniform(73, 240)
            answered = received + dt.timedelta(hours=float(hours))
            forgotten = self.rng.random() < (0.02 if care[ward] > 0.9 else 0.08)
            logged_at = min(received + dt.timedelta(minutes=int(self.rng.integers(5, 240))),
                            self.midnight - dt.timedelta(minutes=1))
            first = {"written_at": logged_at, "written_by": owner}
            if forgotten or answered >= self.midnight - dt.timedelta(minutes=1):
                rows.append((query, first))
                continue
            record_id = hex_list(new_ids(self.rng, 1))[0]
            channel = picklists.QUERY_CHANNELS[int(self.rng.choice(4, p=weights))]
            rows += [(query, first | {"record_id": record_id, "superseded": True}),
                     (query | {"answered_at": answered, "answer_channel": channel},
                      {"record_id": record_id, "written_at": max(answered, logged_at), "written_by": owner,
                       "version": 2, "submission_id": hex_list(new_ids(self.rng, 1))[0], "superseded": False})]
        return self._table("community_queries", rows)

    def weekly_hours(self, users: pa.Table) -> pa.Table:
        """The users table with a few part-time officers' contracted hours (the rest take the setting)."""
        roles = users["role"].to_pylist()
        hours = [float(self.rng.choice(PART_TIME_HOURS)) if role in ("officer", "supervisor")
                 and self.rng.random() < 0.15 else None for role in roles]
        index = users.schema.get_field_index("weekly_hours")
        return users.set_column(index, "weekly_hours", pa.array(hours, pa.float64()))

    def settings(self) -> pa.Table:
        """The contracted-hours setting, at the force default."""
        return self._table("settings", [({"key": "contracted_weekly_hours", "value": "37"},
                                         {"written_at": self.midnight - dt.timedelta(days=500), "written_by": ADMIN})])
