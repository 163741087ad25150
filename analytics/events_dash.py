"""Query sets of the event dashboards: Events completed, Event outcomes, Engagement activity.

One function per page, each taking the store and a `Filters` and returning a
dataclass of plain values and DataFrames (cached on the tables' versions, as
in `analytics.sql`). Figures share their definitions with `summary`
(`analytics.metrics`), so a page and `python -m analytics summary` agree for
the same filters.

Every page also carries the breakdowns the drill-down needs: by area, by ward
(one row per ward in scope, zero where none, for the map) and by officer
(officers attending, unnested), so a click narrows force -> area -> ward ->
officer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pandas as pd
from wordcloud import STOPWORDS

from analytics import sql
from analytics.filters import Filters, and_, ward_scope, where_clause
from analytics.metrics import (
    COMPLETED,
    TOP_ISSUES,
    figures_of,
    issue_counts,
    issue_list,
    metric,
    officers_attending,
)
from data.store import Store

COMPLETED_ROWS = 500
VALUE_GAINED_ROWS = 10
TOP_OFFICERS = 20
NOT_CANCELLED = "status <> 'cancelled'"
TOP_WORDS = 200
WORD_PATTERN = "[A-Za-z][A-Za-z'-]{2,}"  # a word of free text: a letter, then letters, apostrophes, hyphens
WORD_EDGES = "'-"  # trimmed from a word's ends
# Common words left out of the word cloud: English stop words, and words every issue uses.
TEXT_STOPWORDS = frozenset({w.lower() for w in STOPWORDS} | {"street", "road", "people", "also", "lot", "lots",
                                                              "area"})


# The headline figures of each page (defined in `analytics.metrics`).
COMPLETED_HEADLINE = ("events_completed", "attendees", "officer_attendances", "communities_supported")
OUTCOMES_HEADLINE = ("intel_submissions", "events_completed", "suitable_for_publishing", "actions")


# -- shared breakdowns ---------------------------------------------------------


def _int_frame(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    out = frame.reset_index(drop=True)
    for column in columns:  # column by column: much cheaper than astype(dict) on small frames
        out[column] = out[column].to_numpy(dtype="int64")
    return out


def _parts(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A one-statement result cut apart by its `part` column in one pass."""
    return dict(tuple(frame.groupby("part", sort=False)))


def _piece(parts: dict[str, pd.DataFrame], name: str, columns: list[str], *ints: str) -> pd.DataFrame:
    frame = parts.get(name)
    if frame is None:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ints else object) for c in columns})
    return _int_frame(frame[columns], *ints)


# -- Events completed ----------------------------------------------------------


@dataclasses.dataclass
class EventsCompleted:
    """Everything the Events completed page shows.

    headline: events_completed, attendees, officer_attendances (sum of officers_involved),
      communities_supported (distinct communities reached by completed events).
    events: the latest COMPLETED_ROWS completed events (title, type, start, area, ward,
      attendees, officers_involved, communities).
    by_type: event_type, completed, attendees. by_community: community, events.
    by_area / by_ward / by_officer: completed events (and attendees) for the drill-down and the map.
    """

    headline: dict[str, int]
    events: pd.DataFrame
    by_type: pd.DataFrame
    by_community: pd.DataFrame
    by_area: pd.DataFrame
    by_ward: pd.DataFrame
    by_officer: pd.DataFrame


# GROUPING(event_type, area_code, ward_code) of each grouping set of the completed-events scan.
_DONE_TYPE, _DONE_PLACE = 3, 4


@sql.scoped("read_aggregates")
def events_completed(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> EventsCompleted:
    """The Events completed page's query set: one scan of completed events for every figure, and the latest."""
    return sql.cached(_events_completed, store, filters, tables=("events", "wards", "areas", "users"))


def _events_completed(relations: dict[str, str], filters: Filters) -> EventsCompleted:
    events, wards, areas, users = relations["events"], relations["wards"], relations["areas"], relations["users"]
    where, params = where_clause(filters, table="events")
    scope, scope_params = ward_scope(filters)
    done = and_(where, COMPLETED)
    # The completed events summed file by file (`sql.additive`): by (type, area, ward), rolled up to
    # the types, places and headline; and each list column unnested.
    pieces = {
        "fine": sql.later(sql.additive, events, lambda rel: (f"""
            SELECT event_type, area_code, ward_code, count(*) AS events, coalesce(sum(attendees), 0) AS attendees,
                   coalesce(sum(officers_involved), 0) AS officer_attendances
            FROM {rel} WHERE {done} GROUP BY ALL""", params), keys=["event_type", "area_code", "ward_code"],
            rows="events"),
        "communities": sql.later(sql.additive, events, lambda rel: (f"""
            SELECT community, count(*) AS events
            FROM (SELECT unnest(communities_supported) AS community FROM {rel} WHERE {done}) GROUP BY community""",
            params), keys=["community"], rows="events"),
        "officers": sql.later(officers_attending, events, filters),
    }
    completed_sql = f"""
        WITH grouped AS MATERIALIZED (
            SELECT GROUPING(event_type, area_code, ward_code) AS level, event_type, area_code, ward_code,
                   sum(events) AS events, sum(attendees) AS attendees, sum(officer_attendances) AS officer_attendances
            FROM fine GROUP BY GROUPING SETS ((event_type), (area_code, ward_code))),
        places AS (SELECT area_code, ward_code, events, attendees FROM grouped WHERE level = {_DONE_PLACE})
        SELECT 'type' AS part, event_type, events AS completed, attendees FROM grouped WHERE level = {_DONE_TYPE}
        UNION ALL BY NAME
        SELECT 'total' AS part, sum(events) AS events_completed, sum(attendees) AS attendees,
               sum(officer_attendances) AS officer_attendances,
               (SELECT count(community) FROM communities) AS communities_supported
        FROM grouped WHERE level = {_DONE_TYPE}
        UNION ALL BY NAME
        SELECT 'community' AS part, community, events FROM communities
        UNION ALL BY NAME
        {_places_parts(areas, wards, scope)}
        UNION ALL BY NAME
        {_officer_part(users)}
        ORDER BY part, completed DESC, events DESC, event_type, community, name, area_code, ward_code, officer_id"""
    def latest_sql(condition: str) -> str:
        return f"""
            SELECT e.record_id, e.title, e.event_type, e.start, coalesce(a.name, e.area_code) AS area,
                   coalesce(w.name, e.ward_code) AS ward, e.attendees, e.officers_involved,
                   array_to_string(e.communities_supported, ', ') AS communities
            FROM (SELECT record_id, title, event_type, start, area_code, ward_code, attendees, officers_involved,
                         communities_supported
                  FROM {events} WHERE {condition} ORDER BY start DESC, record_id DESC LIMIT {COMPLETED_ROWS}) e
            LEFT JOIN {areas} a ON a.area_code = e.area_code
            LEFT JOIN {wards} w ON w.ward_code = e.ward_code
            ORDER BY e.start DESC, e.record_id DESC"""

    pending = sql.later(sql.latest_rows, events, done, params, column="start", rows=COMPLETED_ROWS, sql=latest_sql)
    completed = sql.run(completed_sql, scope_params, tables={k: v.result() for k, v in pieces.items()})
    table, _ = pending.result()
    parts = _parts(completed)
    total = parts["total"].iloc[0]
    return EventsCompleted(
        headline=figures_of(total, ("events_completed", "attendees", "officer_attendances", "communities_supported")),
        events=table,
        by_type=_piece(parts, "type", ["event_type", "completed", "attendees"], "completed", "attendees"),
        by_community=_piece(parts, "community", ["community", "events"], "events"),
        **_place_pieces(parts),
        by_officer=_piece(parts, "officer", ["officer_id", "officer", "events", "completed", "attendees"],
                          "events", "completed", "attendees"),
    )


# -- Event outcomes ------------------------------------------------------------


@dataclasses.dataclass
class EventOutcomes:
    """Everything the Event outcomes page shows.

    headline: intel_submissions (= event_intel_submissions + ccr_info_submitted, as in summary),
      event_intel_submissions, ccr_info_submitted, events_completed, suitable_for_publishing
      (completed events marked suitable), actions (You said, we did actions dated in the range).
    top_issues: the TOP_ISSUES issues of completed events and CCRs (as summary's top_issues).
    issue_counts: every issue code with its count (the word cloud's categories).
    issue_words: word, count: the words of the free-text issues of completed events and CCRs
      (lower case, TEXT_STOPWORDS left out), the TOP_WORDS most frequent, counted in DuckDB.
    value_gained: title, start, value_gained of the latest completed events that say.
    actions_by_type: action_type, actions (ysywd actions dated in the range).
    by_area / by_ward / by_officer: completed events, for the drill-down and the map.
    """

    headline: dict[str, int]
    top_issues: list[dict]
    issue_counts: pd.DataFrame
    issue_words: pd.DataFrame
    value_gained: pd.DataFrame
    actions_by_type: pd.DataFrame
    by_area: pd.DataFrame
    by_ward: pd.DataFrame
    by_officer: pd.DataFrame


def _actions_sql(ysywd: str, filters: Filters) -> tuple[str, list]:
    """"You said, we did" actions by type, counted by the action's own date within the range.

    Area and ward apply to the item; an officer filter applies to who took the action.
    """
    place = dataclasses.replace(filters, start=None, end=None, officers=())
    where, params = where_clause(place, table="ysywd")
    conditions = []
    if filters.start is not None:
        conditions.append("action.date >= ?")
        params.append(filters.start)
    if filters.end is not None:
        conditions.append("action.date <= ?")
        params.append(filters.end)
    if filters.officers:
        conditions.append(f"action.officer_id IN ({', '.join('?' for _ in filters.officers)})")
        params.extend(filters.officers)
    action_where = " AND ".join(conditions) or "TRUE"
    query = f"""
        SELECT action.action_type AS action_type, count(*) AS actions
        FROM (SELECT unnest(actions) AS action FROM {ysywd} WHERE {where})
        WHERE {action_where}
        GROUP BY action_type ORDER BY actions DESC, action_type"""
    return query, params


@sql.scoped("read_aggregates")
def event_outcomes(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> EventOutcomes:
    """The Event outcomes page's query set: one statement for every figure, plus value gained and actions."""
    return sql.cached(_event_outcomes, store, filters, tables=("events", "ccrs", "ysywd", "wards", "areas", "users"))


def _event_outcomes(relations: dict[str, str], filters: Filters) -> EventOutcomes:
    events, ccrs, wards, areas, users = (relations[t] for t in ("events", "ccrs", "wards", "areas", "users"))
    ev_where, ev_params = where_clause(filters, table="events")
    ccr_where, ccr_params = where_clause(filters, table="ccrs")
    scope, scope_params = ward_scope(filters)
    done = and_(ev_where, COMPLETED)
    # Every sum is worked out file by file (`sql.additive`), the files' parts kept; the pieces run side
    # by side: completed events by place (and the totals), officers attending them, CCRs'
    # intelligence, issues, the free-text issues (each distinct text split into words once, its words
    # weighted by how often it occurs: the same counts as splitting every row), and the latest value gained.
    issues = sql.later(issue_counts, relations, filters)
    words = sql.later(_issue_words, relations, done, ev_params, ccr_where, ccr_params)
    value = sql.later(sql.latest_rows, events, and_(done, "nullif(trim(value_gained), '') IS NOT NULL"), ev_params,
                      column="start", rows=VALUE_GAINED_ROWS, sql=lambda condition: f"""
        SELECT record_id, title, start, value_gained FROM {events} WHERE {condition}
        ORDER BY start DESC, record_id DESC LIMIT {VALUE_GAINED_ROWS}""")
    actions = sql.later(sql.run, *_actions_sql(relations["ysywd"], filters))
    places = sql.additive(events, lambda rel: (f"""
        SELECT area_code, ward_code, count(*) AS events, coalesce(sum(attendees), 0) AS attendees,
               coalesce(sum(intel_submissions), 0) AS intel, {metric("suitable_for_publishing").sql} AS suitable
        FROM {rel} WHERE {done} GROUP BY area_code, ward_code""", ev_params),
        keys=["area_code", "ward_code"], rows="events")
    officers = officers_attending(events, filters)
    info = sql.additive(ccrs, lambda rel: (
        f"SELECT count(*) FILTER (WHERE info_submitted) AS ccr_info_submitted FROM {rel} WHERE {ccr_where}",
        ccr_params))
    places_sql = f"""
        SELECT 'total' AS part, sum(events) AS events_completed, sum(intel) AS event_intel_submissions,
               sum(suitable) AS suitable_for_publishing
        FROM places
        UNION ALL BY NAME
        {_places_parts(areas, wards, scope)}
        ORDER BY part, events DESC, name, area_code, ward_code"""
    officers_sql = f"""
        {_officer_part(users)}
        ORDER BY events DESC, officer_id"""
    places = sql.run(places_sql, scope_params, tables={"places": places})
    officers = sql.run(officers_sql, tables={"officers": officers})
    parts = {**_parts(places), "officer": officers.assign(part="officer")}
    total = parts["total"].assign(ccr_info_submitted=info["ccr_info_submitted"].iloc[0])
    figures = figures_of(total.iloc[0], ("events_completed", "event_intel_submissions", "ccr_info_submitted",
                                    "suitable_for_publishing"))
    actions = _int_frame(actions.result(), "actions")
    counts = _int_frame(issues.result(), "count")
    return EventOutcomes(
        headline={
            "intel_submissions": figures["event_intel_submissions"] + figures["ccr_info_submitted"],
            **figures,
            "actions": int(actions["actions"].sum()),
        },
        top_issues=issue_list(counts.head(TOP_ISSUES)),
        issue_counts=counts,
        issue_words=_int_frame(words.result(), "count"),
        value_gained=value.result()[0].reset_index(drop=True),
        actions_by_type=actions,
        **_place_pieces(parts),
        by_officer=_piece(parts, "officer", ["officer_id", "officer", "events", "completed", "attendees"],
                          "events", "completed", "attendees"),
    )


def _issue_words(relations: dict[str, str], done: str, ev_params: list, ccr_where: str,
                 ccr_params: list) -> pd.DataFrame:
    """The TOP_WORDS words of the free-text issues of completed events and CCRs, by how often each is used."""
    texts = [sql.additive(relations[table], sql.over(
        f"SELECT issues_text AS text, count(*) AS n FROM {{rel}} WHERE {and_(where, 'issues_text IS NOT NULL')}"
        " GROUP BY issues_text", params), keys=["text"], rows="n")
        for table, where, params in (("events", done, ev_params), ("ccrs", ccr_where, ccr_params))]
    words_sql = f"""
        SELECT word, sum(n) AS count
        FROM (SELECT trim(lower(unnest(regexp_extract_all(text, ?))), ?) AS word, n FROM texts)
        WHERE length(word) > 2 AND NOT list_contains(?::VARCHAR[], word)
        GROUP BY word ORDER BY count DESC, word LIMIT {TOP_WORDS}"""
    return sql.run(words_sql, [WORD_PATTERN, WORD_EDGES, sorted(TEXT_STOPWORDS)],
                   tables={"texts": pd.concat(texts, ignore_index=True)})


# -- Engagement activity -------------------------------------------------------


@dataclasses.dataclass
class EngagementActivity:
    """Everything the Engagement activity page shows.

    headline: events_booked (events not cancelled), officer_attendances (sum of officers_involved
      over completed events), distinct_officers (distinct officers attending completed events).
    by_date: day, events (not cancelled). by_type: event_type, events.
    by_officer: officer_id, officer, events (not cancelled), completed, attendees — top TOP_OFFICERS.
    by_area / by_ward: events not cancelled, for the drill-down and the map.
    """

    headline: dict[str, int]
    by_date: pd.DataFrame
    by_type: pd.DataFrame
    by_officer: pd.DataFrame
    by_area: pd.DataFrame
    by_ward: pd.DataFrame


# GROUPING(day, event_type, area_code, ward_code) of each grouping set of the activity scan.
_ACT_DAY, _ACT_TYPE, _ACT_PLACE = 7, 11, 12


@sql.scoped("read_aggregates")
def engagement_activity(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any]) -> EngagementActivity:
    """The Engagement activity page's query set: one grouped scan and one unnest of officers."""
    return sql.cached(_engagement_activity, store, filters, tables=("events", "wards", "areas", "users"))


def _engagement_activity(relations: dict[str, str], filters: Filters) -> EngagementActivity:
    events, wards, areas, users = relations["events"], relations["wards"], relations["areas"], relations["users"]
    where, params = where_clause(filters, table="events")
    scope, scope_params = ward_scope(filters)
    live = and_(where, NOT_CANCELLED)
    # Booked events by day, by type and by (area, ward), with completed events' attendees and
    # officers, summed file by file (`sql.additive`); the headline and the areas are rolled up from them.
    grouped = sql.later(sql.additive, events, lambda rel: (f"""
        SELECT GROUPING(day, event_type, area_code, ward_code) AS level, day, event_type, area_code, ward_code,
               count(*) AS events,
               coalesce(sum(attendees) FILTER (WHERE {COMPLETED}), 0) AS attendees,
               coalesce(sum(officers_involved) FILTER (WHERE {COMPLETED}), 0) AS officer_attendances
        FROM (SELECT CAST(start AS DATE) AS day, event_type, area_code, ward_code, status, attendees,
                     officers_involved FROM {rel} WHERE {live})
        GROUP BY GROUPING SETS ((day), (event_type), (area_code, ward_code))""", params),
        keys=["level", "day", "event_type", "area_code", "ward_code"], rows="events")
    # Officers attending booked events, unnested: the top TOP_OFFICERS, and the distinct officers who
    # attended a completed event.
    counted = sql.additive(events, lambda rel: (f"""
        SELECT officer_id, count(*) AS events, count(*) FILTER (WHERE {COMPLETED}) AS completed,
               coalesce(sum(attendees) FILTER (WHERE {COMPLETED}), 0) AS attendees
        FROM (SELECT unnest(officers_attending) AS officer_id, status, attendees FROM {rel} WHERE {live})
        GROUP BY officer_id""", params), keys=["officer_id"], rows="events")
    activity_sql = f"""
        WITH places AS (SELECT area_code, ward_code, events, attendees FROM grouped WHERE level = {_ACT_PLACE})
        SELECT 'day' AS part, day, events FROM grouped WHERE level = {_ACT_DAY}
        UNION ALL BY NAME
        SELECT 'type' AS part, event_type, events FROM grouped WHERE level = {_ACT_TYPE}
        UNION ALL BY NAME
        SELECT 'total' AS part, sum(events) AS events, sum(officer_attendances) AS officer_attendances
        FROM grouped WHERE level = {_ACT_DAY}
        UNION ALL BY NAME
        {_places_parts(areas, wards, scope)}
        ORDER BY part, day, events DESC, event_type, name, area_code, ward_code"""
    officers_sql = f"""
        SELECT * FROM (
            SELECT 'officer' AS part, o.officer_id,
                   coalesce(nullif(trim(concat_ws(' ', u.rank, u.name)), ''), o.officer_id) AS officer,
                   o.events, o.completed, o.attendees
            FROM (SELECT * FROM counted ORDER BY events DESC, officer_id LIMIT {TOP_OFFICERS}) o
            LEFT JOIN (SELECT user_id, any_value(rank) AS rank, any_value(name) AS name FROM {users}
                       GROUP BY user_id) u ON u.user_id = o.officer_id
            ORDER BY o.events DESC, o.officer_id)
        UNION ALL BY NAME
        SELECT 'total' AS part, count(*) FILTER (WHERE officer_id IS NOT NULL AND completed > 0) AS events
        FROM counted"""
    officers = sql.run(officers_sql, tables={"counted": counted})
    activity = sql.run(activity_sql, scope_params, tables={"grouped": grouped.result()})
    parts, officer_parts = _parts(activity), _parts(officers)
    total = parts["total"].iloc[0]
    return EngagementActivity(
        headline={"events_booked": int(total["events"]) if pd.notna(total["events"]) else 0,
                  "officer_attendances": int(total["officer_attendances"])
                  if pd.notna(total["officer_attendances"]) else 0,
                  "distinct_officers": int(officer_parts["total"]["events"].iloc[0])},
        by_date=_piece(parts, "day", ["day", "events"], "events"),
        by_type=_piece(parts, "type", ["event_type", "events"], "events"),
        by_officer=_piece(officer_parts, "officer", ["officer_id", "officer", "events", "completed", "attendees"],
                          "events", "completed", "attendees"),
        **_place_pieces(parts),
    )


def _place_pieces(parts: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """by_area and by_ward from a statement's 'area' and 'ward' parts (of `_places_parts`)."""
    return {
        "by_area": _piece(parts, "area", ["area_code", "name", "events", "attendees"], "events", "attendees"),
        "by_ward": _piece(parts, "ward", ["ward_code", "name", "area_code", "centre_lat", "centre_lon", "events",
                                          "attendees"], "events", "attendees"),
    }


def _places_parts(areas: str, wards: str, scope: str) -> str:
    """The 'area' and 'ward' parts of a page statement, from its `places` (area_code, ward_code, events,
    attendees); every ward in `scope` appears, zero where it has none."""
    return f"""
        SELECT 'area' AS part, c.area_code, coalesce(a.name, c.area_code) AS name,
               sum(c.events) AS events, sum(c.attendees) AS attendees
        FROM places c LEFT JOIN {areas} a ON a.area_code = c.area_code
        GROUP BY c.area_code, a.name
        UNION ALL BY NAME
        SELECT 'ward' AS part, w.ward_code, w.name, w.area_code, w.centre_lat, w.centre_lon,
               coalesce(c.events, 0) AS events, coalesce(c.attendees, 0) AS attendees
        FROM (SELECT * FROM {wards} WHERE {scope}) w LEFT JOIN places c ON c.ward_code = w.ward_code"""


def _officer_part(users: str) -> str:
    """The 'officer' part of a page statement, from its `officers` (officer_id, events, attendees), named."""
    return f"""
        SELECT 'officer' AS part, o.officer_id,
               coalesce(nullif(trim(concat_ws(' ', u.rank, u.name)), ''), o.officer_id) AS officer,
               o.events, o.events AS completed, o.attendees
        FROM officers o
        LEFT JOIN (SELECT user_id, any_value(rank) AS rank, any_value(name) AS name FROM {users}
                   GROUP BY user_id) u ON u.user_id = o.officer_id"""
