"""My activity: everything one user submitted, what a supervisor returned, and what the app tells them.

A record is the user's when they are its officer: the organiser of an event,
the `officer_id` of a CCR, patrol or abstraction, and the creator (writer of
the first version) of good practice, useful information and app feedback.
A record is "returned" when the newest quality review of its current version
has the outcome 'returned'; editing it (a new version) clears that.

Each list takes the acting user and refuses (`NotAllowed`) a role without
`read_own_records` (feedback: `share`), and an inactive user.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from analytics import sql
from analytics.search import creators_relation
from data import access
from data.store import Store

ACTIVITY_COLUMNS = ("table_name", "record_id", "reference", "version", "kind", "date", "title", "summary", "status",
                    "returned", "review", "review_comment", "reviewer", "reviewed_at")
CHART_WEEKS = 12
NEWS_ON_ACTIVITY = 3
QUICK_LINK_PREFIX = "quick_link:"


@dataclasses.dataclass(frozen=True)
class Mine:
    """How one record type is listed in My activity."""

    kind: str
    owner: str  # column naming the record's officer, or "creator"
    date: str
    title: str
    summary: str
    status: str


MINE: dict[str, Mine] = {
    "events": Mine("Event", "organiser", "t.start", "t.title", "concat_ws(' · ', t.event_type, t.place)",
                   "t.status"),
    "ccrs": Mine("CCR", "officer_id", "t.contact_at", "concat(t.contact_method, ' contact', ', ' || t.place)",
                 "coalesce(t.issues_text, array_to_string(t.issues, ', '))", "'submitted'"),
    "patrols": Mine("Patrol", "officer_id", "t.start", "t.patrol_type", "coalesce(t.outcomes, t.tasking, t.places)",
                    "'logged'"),
    "abstractions": Mine("Abstraction", "officer_id", "CAST(t.date AS TIMESTAMP)", "t.reason",
                         "concat(t.duty_taken_to, ' · ', t.hours, ' h')", "'logged'"),
    "good_practice": Mine("Good practice", "creator", "c.created_at", "t.title", "t.result", "'shared'"),
    "useful_info": Mine("Useful information", "creator", "c.created_at", "t.title", "concat(t.folder, ': ', t.body)",
                        "'filed'"),
    "app_feedback": Mine("Feedback", "creator", "c.created_at",
                         "CASE t.kind WHEN 'bug' THEN 'Bug report' ELSE 'Feedback' END", "t.text", "'sent'"),
}
OWNER_COLUMNS = {table: spec.owner for table, spec in MINE.items() if spec.owner != "creator"}
"""Tables whose owner is named in a column; the others belong to their creator."""



def _mine_sql(store: Store, user_id: str, tables: Sequence[str]) -> tuple[str, list]:
    parts, params = [], []
    for table in tables:
        spec = MINE[table]
        join = ""
        if spec.owner == "creator":
            join = f" JOIN {creators_relation(store, table)} c ON c.record_id = t.record_id"
            owner = "c.created_by"
        else:
            owner = f"t.{spec.owner}"
        parts.append(
            f"SELECT '{table}' AS table_name, t.record_id, t.reference, t.version, '{spec.kind}' AS kind,"
            f" CAST({spec.date} AS TIMESTAMP) AS date, {spec.title} AS title, {spec.summary} AS summary,"
            f" {spec.status} AS status FROM {store.relation(table)} t{join} WHERE {owner} = ?"
        )
        params.append(user_id)
    return " UNION ALL ".join(parts), params


def list_my_activity(store: Store, *, user: Mapping[str, Any], tables: Sequence[str] = (),
                     limit: int | None = None) -> pd.DataFrame:
    """Everything the user submitted: returned items first (newest review first), then newest first.

    Columns: ACTIVITY_COLUMNS. `status` is 'returned' for a returned item, else the record's own.
    """
    user_id = access.require(user, "read_own_records")
    mine, params = _mine_sql(store, user_id, tables or list(MINE))
    query = f"""
        WITH mine AS ({mine}),
        reviews AS (
            SELECT table_name, target_id, target_version, outcome, comment, reviewer_id, written_at
            FROM {store.relation('quality_reviews')}
            QUALIFY row_number() OVER (PARTITION BY table_name, target_id, target_version
                                       ORDER BY written_at DESC, record_id DESC) = 1)
        SELECT m.table_name, m.record_id, m.reference, m.version, m.kind, m.date, m.title, m.summary,
               CASE WHEN r.outcome = 'returned' THEN 'returned' ELSE m.status END AS status,
               coalesce(r.outcome = 'returned', false) AS returned, r.outcome AS review,
               r.comment AS review_comment, coalesce(u.name, r.reviewer_id) AS reviewer, r.written_at AS reviewed_at
        FROM mine m
        LEFT JOIN reviews r ON r.table_name = m.table_name AND r.target_id = m.record_id
                           AND r.target_version = m.version
        LEFT JOIN {store.relation('users')} u ON u.user_id = r.reviewer_id
        ORDER BY returned DESC, CASE WHEN returned THEN r.written_at END DESC NULLS LAST,
                 m.date DESC, m.table_name, m.record_id"""
    if limit is not None:
        query += f" LIMIT {int(limit)}"
    return sql.run(query, params)


def list_returned(store: Store, *, user: Mapping[str, Any]) -> pd.DataFrame:
    """Only the user's records a supervisor returned, newest review first."""
    activity = list_my_activity(store, user=user)
    return activity[activity["returned"]].reset_index(drop=True)


def count_my_contributions_by_week(store: Store, *, user: Mapping[str, Any], today: dt.date | None = None,
                                   weeks: int = CHART_WEEKS) -> pd.DataFrame:
    """The user's records per week (Monday) and kind over the last `weeks` weeks up to today."""
    user_id = access.require(user, "read_own_records")
    today = today or dt.date.today()
    first = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    mine, params = _mine_sql(store, user_id, list(MINE))
    frame = sql.run(
        f"SELECT CAST(date_trunc('week', date) AS DATE) AS week, kind, count(*) AS records FROM ({mine})"
        " WHERE date >= ? AND date < ? GROUP BY ALL ORDER BY week, kind",
        params + [dt.datetime.combine(first, dt.time()), dt.datetime.combine(today + dt.timedelta(days=1), dt.time())],
    )
    return frame.astype({"records": "int64"})


BEAT_DAYS = 28
BEAT_COLUMNS = ("ward_code", "name", "area_code", "centre_lat", "centre_lon", "geojson", "events", "ccrs",
                "patrols", "records")


def count_my_activity_by_ward(store: Store, *, user: Mapping[str, Any], today: dt.date | None = None,
                              days: int = BEAT_DAYS) -> pd.DataFrame:
    """My beat: every ward of the user's own area (with its centre and boundary) and what the user logged there
    in the last `days` days up to today: events organised (not cancelled), CCRs and patrols, and all three as
    `records`. Columns BEAT_COLUMNS, by ward name; 0 where the user logged nothing."""
    user_id = access.require(user, "read_own_records")
    today = today or dt.date.today()
    start = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time())
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    frame = sql.run(
        f"""WITH mine AS (
                SELECT ward_code, 'events' AS kind FROM {store.relation('events')}
                WHERE organiser = ? AND start >= ? AND start < ? AND status IS DISTINCT FROM 'cancelled'
                UNION ALL SELECT ward_code, 'ccrs' FROM {store.relation('ccrs')}
                WHERE officer_id = ? AND contact_at >= ? AND contact_at < ?
                UNION ALL SELECT ward_code, 'patrols' FROM {store.relation('patrols')}
                WHERE officer_id = ? AND start >= ? AND start < ?)
            SELECT w.ward_code, w.name, w.area_code, w.centre_lat, w.centre_lon, w.geojson,
                   count(*) FILTER (WHERE m.kind = 'events') AS events,
                   count(*) FILTER (WHERE m.kind = 'ccrs') AS ccrs,
                   count(*) FILTER (WHERE m.kind = 'patrols') AS patrols,
                   count(m.kind) AS records
            FROM {store.relation('wards')} w LEFT JOIN mine m ON m.ward_code = w.ward_code
            WHERE w.area_code = ?
            GROUP BY ALL ORDER BY w.name, w.ward_code""",
        [user_id, start, end] * 3 + [user.get("area_code")],
    )
    return frame.astype({c: "int64" for c in ("events", "ccrs", "patrols", "records")})


def build_contributions_chart(df: pd.DataFrame) -> alt.Chart:
    """My records per week, stacked by kind."""
    return (
        alt.Chart(df, height=220)
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="Week", timeUnit="yearweek", axis=alt.Axis(format="%d %b")),  # bars span weeks
            y=alt.Y("sum(records):Q", title="Records", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("kind:N", title="Type", legend=alt.Legend(orient="bottom", columns=2)),
            tooltip=[alt.Tooltip("week:T", title="Week starting", format="%d %b %Y"),
                     alt.Tooltip("kind:N", title="Type"), alt.Tooltip("sum(records):Q", title="Records")],
        )
    )


# -- what the app tells the user --------------------------------------------------


def list_news(store: Store, *, today: dt.date | None = None, limit: int | None = None) -> pd.DataFrame:
    """Published news (published_on up to today), newest first: record_id, version, title, body, published_on."""
    query = (f"SELECT record_id, version, title, body, published_on, written_by FROM {store.relation('news')}"
           " WHERE published_on <= ? ORDER BY published_on DESC, written_at DESC, record_id")
    if limit is not None:
        query += f" LIMIT {int(limit)}"
    return sql.run(query, [today or dt.date.today()])


def list_my_feedback(store: Store, *, user: Mapping[str, Any]) -> pd.DataFrame:
    """The user's own app feedback and bug reports, newest first: record_id, kind, text, created_at."""
    user_id = access.require(user, "share")
    return sql.run(
        f"SELECT t.record_id, t.kind, t.text, c.created_at FROM {store.relation('app_feedback')} t"
        f" JOIN {creators_relation(store, 'app_feedback')} c ON c.record_id = t.record_id"
        " WHERE c.created_by = ? ORDER BY c.created_at DESC, t.record_id",
        [user_id],
    )


def list_settings(store: Store, *, prefix: str) -> dict[str, str]:
    """Settings whose key starts with `prefix` (the latest written value of each), by key."""
    frame = sql.run(f"SELECT key, arg_max(value, written_at) AS value FROM {store.relation('settings')}"
                   " WHERE starts_with(key, ?) GROUP BY key ORDER BY key", [prefix])
    return dict(zip(frame["key"], frame["value"], strict=True))
