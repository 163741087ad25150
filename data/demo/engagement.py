"""The engagement tables of the demo force: events, Community Contact Records and "You said, we did" items."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from data import picklists
from data.demo.activity import Activity
from data.demo.columns import (
    MINUTE,
    Column,
    Ids,
    Lists,
    Num,
    Struct,
    as_us,
    assemble,
    choice,
    hex_ids,
    new_ids,
    pick,
    shares,
    sometimes,
)
from data.demo.force import AREAS, Force
from data.demo.phrases import (
    ACTION_TEXT,
    CANCEL_REASONS,
    FEEDBACK_TEXT,
    INFO_TEXT,
    PLACES,
    PUBLIC_FEEDBACK,
    QUALITY_NOTES,
    VALUE_GAINED,
)
from data.demo.weights import (
    ACTION_TYPES,
    AGE_BANDS,
    CONTACT_METHODS,
    DISABILITY,
    EVENT_TYPES,
    FEEDBACK_CHANNELS,
    SEXES,
    YSYWD_SOURCES,
)


def _first(items: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The first item of each row's flattened list (0 where the list is empty)."""
    if not len(items):
        return np.zeros(len(lengths), dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return np.where(lengths > 0, items[np.minimum(offsets, len(items) - 1)], 0)


def _flat_dates(rng: np.random.Generator, base: np.ndarray, counts: np.ndarray, lo: int, hi: int,
                latest: np.datetime64) -> np.ndarray:
    """For each row, `counts` dates after `base` with lo..hi-day gaps between them, capped at `latest`."""
    owner = np.repeat(np.arange(len(counts)), counts)
    gaps = rng.integers(lo, hi, len(owner))
    total = np.cumsum(gaps)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    before = (total - gaps)[offsets[owner]] if len(owner) else np.zeros(0, dtype=np.int64)
    return np.minimum(base[owner] + (total - before).astype("timedelta64[D]"), latest)


class Events(Activity):
    """Engagement events; a finished one is stored as version 1 (booked) and version 2."""

    COMPLETION = ("attendees", "officers_involved", "communities_supported", "quality_rating", "quality_note",
                  "public_feedback", "issues", "issues_text", "intel_submissions", "suitable_for_publishing",
                  "value_gained", "cancel_reason")
    table = "events"
    DATE = "start"

    @property
    def rows(self) -> int:
        return self.n + int(self.finished.sum())

    def __init__(self, force: Force, rng: np.random.Generator, n: int):
        super().__init__(rng, n)
        second_ids = new_ids(rng, n, ordered=False)
        area = choice(rng, force.area_activity, n)
        ward = force.ward_of[force.wards.pick(rng, area)]
        days = force.days(rng, "events", n, future=True)
        start = force.times(rng, days, "events", step=30)
        end = start + np.array([60, 90, 120, 180])[choice(rng, shares([35, 25, 30, 10]), n)] * MINUTE
        past = days < np.datetime64(force.today, "D")
        status = np.where(past, choice(rng, shares([18, 75, 7]), n), 0)  # booked, completed, cancelled
        completed, cancelled, finished = status == 1, status == 2, status > 0
        # The organiser and fellow officers from the same team (neighbours in the team list are distinct).
        lead = force.officers.pick(rng, area)
        team_start, team_size = force.officers.start[area], force.officers.size[area]
        attending_n = np.minimum(choice(rng, shares([45, 40, 15]), n) + 1, team_size)
        team = np.stack([team_start + (lead - team_start + k) % team_size for k in range(3)], axis=1)
        attending = force.officer_of[team[np.arange(3)[None, :] < attending_n[:, None]]]
        organiser = force.officer_of[lead]
        etype = choice(rng, shares([w for w, _ in EVENT_TYPES.values()]), n)
        typical = np.array([t for _, t in EVENT_TYPES.values()])[etype]
        targeted, targeted_n = force.communities.pick_distinct(rng, area, choice(rng, shares([60, 40]), n) + 1,
                                                               most=2)
        supported = targeted[np.repeat(completed, targeted_n)]
        issue_n = np.where(completed, choice(rng, shares([40, 40, 20]), n) + 1, 0)
        issues, issue_n = force.issues.pick_distinct(rng, area, issue_n)
        first_issue = _first(issues, issue_n)
        place = rng.integers(0, len(PLACES), n)
        lat, lon = force.jitter(rng, ward, 0.9)
        booked_at = np.minimum(start - rng.integers(2 * 1440, 30 * 1440, n) * MINUTE,
                               force.midnight - rng.integers(30, 3 * 1440, n) * MINUTE)
        done_at = force.written(rng, end, 30, 3 * 1440)
        wards = len(force.ward_names)
        self.columns: dict[str, Column] = {
            "title": pick(force.ward_strings(EVENT_TYPES), etype * wards + ward),
            "event_type": pick(list(EVENT_TYPES), etype),
            "area_code": pick(force.area_codes, area),
            "ward_code": pick(force.ward_codes, ward),
            "place": pick(force.ward_strings(PLACES), place * wards + ward),
            "lat": lat,
            "lon": lon,
            "start": Num(start, pa.timestamp("us")),
            "end": Num(end, pa.timestamp("us")),
            "organiser": force.user_pick(organiser),
            "officers_attending": Lists(force.user_pick(attending), attending_n),
            "communities_targeted": Lists(pick(picklists.COMMUNITIES, targeted), targeted_n),
            "status": pick(picklists.EVENT_STATUSES, status),
            "attendees": Num(np.maximum(1, np.round(typical * rng.lognormal(0, 0.5, n))).astype(np.int64),
                             pa.int64(), ~completed),
            "officers_involved": Num(attending_n.astype(np.int64), pa.int64(), ~completed),
            "communities_supported": Lists(pick(picklists.COMMUNITIES, supported),
                                           np.where(completed, targeted_n, 0)),
            "quality_rating": Num(choice(rng, shares([3, 7, 25, 40, 25]), n).astype(np.int64) + 1, pa.int64(),
                                  ~completed),
            "quality_note": pick(QUALITY_NOTES, rng.integers(0, len(QUALITY_NOTES), n),
                                 ~(completed & sometimes(rng, n, 0.25))),
            "public_feedback": pick(PUBLIC_FEEDBACK, rng.integers(0, len(PUBLIC_FEEDBACK), n),
                                    ~(completed & sometimes(rng, n, 0.7))),
            "issues": Lists(pick(picklists.ISSUE_CATEGORIES, issues), issue_n),
            "issues_text": force.issue_text(rng, first_issue, ~(completed & sometimes(rng, n, 0.85))),
            "intel_submissions": Num(rng.poisson(0.4, n).astype(np.int64), pa.int64(), ~completed),
            "suitable_for_publishing": Num(sometimes(rng, n, 0.45), pa.bool_(), ~completed),
            "value_gained": pick(VALUE_GAINED, rng.integers(0, len(VALUE_GAINED), n),
                                 ~(completed & sometimes(rng, n, 0.8))),
            "cancel_reason": pick(CANCEL_REASONS, rng.integers(0, len(CANCEL_REASONS), n), ~cancelled),
        }
        self.written_at, self.written_by = booked_at, force.user_pick(organiser)
        self.status, self.finished, self.booked_at, self.done_at = status, finished, booked_at, done_at
        self.second_ids = second_ids
        # What CCRs and "You said, we did" items link to.
        self.area, self.ward, self.start, self.end, self.days = area, ward, start, end, days
        self.completed, self.place = completed, place
        self.attendees = np.where(completed, typical, 0)
        self.attending, self.attending_n = attending, attending_n
        self.attending_offsets = np.concatenate([[0], np.cumsum(attending_n)[:-1]])
        self.first_issue = np.where(completed, first_issue, -1)

    def chunk(self, a: int, b: int) -> pa.Table:
        """Rows of records a..b; a finished record's booked version 1 comes just before its version 2."""
        records = self.records(a, b)
        finished = self.finished[records]
        rows = np.repeat(records, 1 + finished)
        booked = np.zeros(len(rows), dtype=bool)
        booked[np.concatenate([[0], np.cumsum(1 + finished)[:-1]])[finished]] = True
        second = self.finished[rows] & ~booked
        given = self.system(rows, version=1 + second.astype(np.int64), superseded=booked,
                            written_at=np.where(second, self.done_at[rows], self.booked_at[rows]),
                            submission_id=hex_ids(np.where(second[:, None], self.second_ids[rows], self.ids[rows])))
        given["status"] = _STATUSES.take(pa.array(np.where(booked, 0, self.status[rows]).astype(np.int32)))
        return assemble("events", self.columns, rows, blank=booked, blank_columns=self.COMPLETION, given=given)


_STATUSES = pa.array(picklists.EVENT_STATUSES, type=pa.string())


class Ccrs(Activity):
    """Community Contact Records: about 30% at an event, the rest on patrol or by phone and email."""

    table = "ccrs"
    DATE = "contact_at"

    def __init__(self, force: Force, rng: np.random.Generator, n: int, events: Events):
        super().__init__(rng, n)
        area = choice(rng, force.area_activity, n)
        ward = force.ward_of[force.wards.pick(rng, area)]
        contact = force.times(rng, force.days(rng, "ccrs", n), "ccrs")
        officer = force.officer_of[force.officers.pick(rng, area)]
        method = choice(rng, shares(CONTACT_METHODS, picklists.CONTACT_METHODS), n)
        place = rng.integers(0, len(PLACES), n)
        place_null = ~sometimes(rng, n, 0.5)
        # At an event: a completed event (busier ones more often), during it, by one of its officers.
        pool = np.flatnonzero(events.completed)
        at_event = sometimes(rng, n, 0.30) & (len(pool) > 0)
        k = int(at_event.sum())
        event = np.full(n, -1)
        if k:
            weight = np.sqrt(events.attendees[pool].astype(float))
            e = pool[choice(rng, weight / weight.sum(), k)]
            event[at_event] = e
            area[at_event], ward[at_event] = events.area[e], events.ward[e]
            minutes = ((events.end[e] - events.start[e]) // MINUTE).astype(np.int64)
            contact[at_event] = events.start[e] + (rng.random(k) * minutes).astype(np.int64) * MINUTE
            chosen = events.attending_offsets[e] + (rng.random(k) * events.attending_n[e]).astype(np.int64)
            officer[at_event] = events.attending[chosen]
            method[at_event] = 0  # face to face
            place[at_event], place_null[at_event] = events.place[e], False
        lat, lon = force.jitter(rng, ward, 0.85)
        issues, issue_n = force.issues.pick_distinct(rng, area, choice(rng, shares([30, 50, 20]), n), most=2)
        info = sometimes(rng, n, 0.15)
        consent = sometimes(rng, n, 0.55)
        ethnicity = force.ethnicity.pick(rng, area) - force.ethnicity.start[area]
        religion = force.religion.pick(rng, ethnicity) - force.religion.start[ethnicity]
        wards = len(force.ward_names)
        self.columns: dict[str, Column] = {
            "contact_at": Num(contact, pa.timestamp("us")),
            "area_code": pick(force.area_codes, area),
            "ward_code": pick(force.ward_codes, ward),
            "place": pick(force.ward_strings(PLACES), place * wards + ward, place_null),
            "lat": lat,
            "lon": lon,
            "officer_id": force.user_pick(officer),
            "contact_method": pick(picklists.CONTACT_METHODS, method),
            "issues": Lists(pick(picklists.ISSUE_CATEGORIES, issues), issue_n),
            "issues_text": force.issue_text(rng, _first(issues, issue_n), ~((issue_n > 0) & sometimes(rng, n, 0.8))),
            "info_submitted": Num(info, pa.bool_()),
            "info_text": pick(INFO_TEXT, rng.integers(0, len(INFO_TEXT), n), ~info),
            "smart_alert_signup": Num(sometimes(rng, n, 0.2), pa.bool_()),
            "diversity_consent": Num(consent, pa.bool_()),
            "age_band": pick(picklists.AGE_BANDS, choice(rng, shares(AGE_BANDS, picklists.AGE_BANDS), n),
                             ~consent),
            "ethnicity": pick(list(picklists.ETHNICITY), ethnicity, ~consent),
            "religion": pick(picklists.RELIGIONS, religion, ~consent),
            "sex": pick(picklists.SEXES, choice(rng, shares(SEXES, picklists.SEXES), n), ~consent),
            "disability": pick(picklists.DISABILITY, choice(rng, shares(DISABILITY, picklists.DISABILITY), n),
                               ~consent),
        }
        if len(events.ids):
            self.columns["event_id"] = Ids(events.ids[np.maximum(event, 0)], nulls=event < 0)
        self.written_at, self.written_by = force.written(rng, contact, 60, 720), force.user_pick(officer)
        self.area, self.ward = area, ward
        self.days = contact.astype("datetime64[D]")


class Ysywd(Activity):
    """"You said, we did" items: raised at events, in CCRs or meetings; actions and feedback follow."""

    table = "ysywd"
    DATE = "raised_on"

    def __init__(self, force: Force, rng: np.random.Generator, n: int, events: Events, ccrs: Ccrs):
        super().__init__(rng, n)
        source = choice(rng, shares(YSYWD_SOURCES, picklists.YSYWD_SOURCES), n)
        area = choice(rng, force.area_activity, n)
        ward = force.ward_of[force.wards.pick(rng, area)]
        ward_null = ~sometimes(rng, n, 0.85)
        raised = force.days(rng, "ysywd", n)
        issue = force.issues.pick(rng, area) - force.issues.start[area]
        linked_event, linked_ccr = np.full(n, -1), np.full(n, -1)
        event_source, ccr_source, manual = (picklists.YSYWD_SOURCES.index(s) for s in ("event", "ccr", "manual"))
        for k in range(len(AREAS)):
            rows = np.flatnonzero((source == event_source) & (area == k))
            pool = np.flatnonzero(events.completed & (events.area == k))
            if len(rows) and not len(pool):
                source[rows] = manual
            elif len(rows):
                e = pool[rng.integers(0, len(pool), len(rows))]
                linked_event[rows], ward[rows], ward_null[rows] = e, events.ward[e], False
                raised[rows], issue[rows] = events.days[e], events.first_issue[e]
            rows = np.flatnonzero((source == ccr_source) & (area == k))
            pool = np.flatnonzero(ccrs.area == k)
            if len(rows) and not len(pool):
                source[rows] = manual
            elif len(rows):
                c = pool[rng.integers(0, len(pool), len(rows))]
                linked_ccr[rows], ward[rows], ward_null[rows] = c, ccrs.ward[c], False
                raised[rows] = ccrs.days[c]
        yesterday = np.datetime64(force.today, "D") - 1
        young = (yesterday - raised).astype(np.int64) < 21
        status = np.where(young, choice(rng, shares([50, 35, 15, 0, 0]), n),
                          choice(rng, shares([8, 14, 25, 33, 20]), n))
        open_, in_progress, action_taken, feedback_given, closed = range(5)
        action_n = np.where(status >= action_taken, rng.integers(1, 4, n),
                            np.where(status == in_progress, rng.integers(0, 2, n), 0))
        feedback_n = np.where(status == feedback_given, rng.integers(1, 3, n),
                              np.where(status == closed, sometimes(rng, n, 0.7).astype(int), 0))
        action_dates = _flat_dates(rng, raised, action_n, 1, 21, yesterday)
        last_action = np.concatenate([[0], np.cumsum(action_n)])[1:] - 1
        since = np.where(action_n > 0, action_dates[np.maximum(last_action, 0)] if len(action_dates) else raised,
                         raised)
        feedback_dates = _flat_dates(rng, since, feedback_n, 2, 15, yesterday)
        last_feedback = np.concatenate([[0], np.cumsum(feedback_n)])[1:] - 1
        latest = np.where(feedback_n > 0,
                          feedback_dates[np.maximum(last_feedback, 0)] if len(feedback_dates) else since, since)
        action_owner = np.repeat(area, action_n)
        action_type = choice(rng, shares(ACTION_TYPES, picklists.ACTION_TYPES), len(action_owner))
        action_officer = force.officer_of[force.officers.pick(rng, action_owner)]
        actions = Struct({
            "action_type": pick(picklists.ACTION_TYPES, action_type),
            "text": pick([t for a in picklists.ACTION_TYPES for t in ACTION_TEXT[a]],
                         action_type * 2 + rng.integers(0, 2, len(action_owner))),
            "date": Num(action_dates, pa.date32()),
            "officer_id": force.user_pick(action_officer),
        })
        feedback = Struct({
            "date": Num(feedback_dates, pa.date32()),
            "channel": pick(picklists.FEEDBACK_CHANNELS,
                            choice(rng, shares(FEEDBACK_CHANNELS, picklists.FEEDBACK_CHANNELS),
                                    int(feedback_n.sum()))),
            "text": pick(FEEDBACK_TEXT, rng.integers(0, len(FEEDBACK_TEXT), int(feedback_n.sum()))),
        })
        officer = force.officer_of[force.officers.pick(rng, area)]
        has_event, has_ccr = linked_event >= 0, linked_ccr >= 0
        self.columns: dict[str, Column] = {
            "issue_category": pick(picklists.ISSUE_CATEGORIES, issue),
            "issue_text": force.issue_text(rng, issue, None),
            "source": pick(picklists.YSYWD_SOURCES, source),
            "area_code": pick(force.area_codes, area),
            "ward_code": pick(force.ward_codes, ward, ward_null),
            "raised_on": Num(raised, pa.date32()),
            "linked_events": Lists(Ids(events.ids[linked_event[has_event]]), has_event.astype(np.int64)),
            "linked_ccrs": Lists(Ids(ccrs.ids[linked_ccr[has_ccr]]), has_ccr.astype(np.int64)),
            "actions": Lists(actions, action_n),
            "feedback": Lists(feedback, feedback_n),
            "status": pick(picklists.YSYWD_STATUSES, status),
            "publishable": Num((status >= feedback_given) & sometimes(rng, n, 0.6), pa.bool_()),
        }
        written = as_us(latest) + np.timedelta64(16, "h") + rng.integers(0, 360, n) * MINUTE
        self.written_by = force.user_pick(officer)
        self.written_at = np.minimum(written, force.midnight - MINUTE)
