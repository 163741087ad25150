"""Alerts for neighbourhood teams and their supervisors, and the ASB Case Review (community trigger) flag.

Four conditions, each judged at a moment `now` (local time; its date is "today"):

- `coverage_gap`: a ward with no engagement for `coverage_gap_days` days or more (force setting, default 28):
  today minus the day of its last engagement up to now (`last_engagement_sql`, the one definition the monthly
  pack's coverage gaps use too); a ward with none ever is flagged too.
- `stale_priority`: an open "You said, we did" priority (raised by today, not closed) whose last update (the
  Guarantee's: the latest of the date raised, the action dates and the feedback dates, up to today;
  `analytics.guarantee.LAST_UPDATE`) is 80 days or more before today.
- `query_due`: an unanswered community query whose 72 hours end within the next 12 hours (due after now and
  no more than 12 hours after it). Queries already past 72 hours are flagged on the pages
  (`analytics.guarantee.list_late_queries`), not e-mailed again.
- `asb_trigger`: the ASB Case Review threshold reached. A complaint is a CCR with an ASB issue among its issues,
  or a community query with an ASB topic (`ASB_CATEGORIES`); complaints are about the same place or issue when
  they share a ward and an ASB category (a CCR with two ASB issues counts once in each). Counted over the
  window from the same day six months before today to now; `asb_trigger_threshold` complaints or more
  (force setting, 1 to 3, default 3: ASB, Crime and Policing Act 2014 s104 lets it be no higher than three in
  six months) raise the flag, with the complaints behind it.

Each alert has a stable `key`, so it is e-mailed once (`forms.alerts`): the condition, the ward or record, and
what starts it (the last engagement day of a gap, the last update of a priority, the first complaint in the
window of a trigger: a trigger whose first complaint leaves the window while the count stays at the threshold
is a new trigger).

Who an alert is for (`recipients`, user ids): the query's owner for `query_due`, else the ward's named officers
on today (`ward_officers`, active users); and always the area's active supervisors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analytics import sql
from analytics.filters import Filters
from analytics.guarantee import LAST_UPDATE, RESPONSE_HOURS, list_late_queries
from data import access, audit, reference
from data.store import Store

CONDITIONS = {"coverage_gap": "No engagement", "stale_priority": "Priority going stale",
              "query_due": "Query due within 12 hours", "asb_trigger": "ASB Case Review trigger"}
"""Each condition and its label."""
ASB_CATEGORIES = ("Anti-social behaviour", "Youth nuisance", "Street drinking", "Fly-tipping")
"""The `issue_categories` values that are anti-social behaviour."""
THRESHOLD_SETTING = "asb_trigger_threshold"
STATUTORY_MAXIMUM = 3
"""ASB, Crime and Policing Act 2014 s104: the threshold may be set no higher than three complaints in six months."""
WINDOW_MONTHS = 6
GAP_SETTING = "coverage_gap_days"
DEFAULT_GAP_DAYS = 28
MAX_GAP_DAYS = 365
STALE_DAYS = 80
DUE_WARNING_HOURS = 12
TABLES = ("wards", "users", "ward_officers", "ysywd", "events", "ccrs", "community_queries", "settings")
COLUMNS = ["key", "condition", "area_code", "ward_code", "ward", "subject", "since", "title", "record_ids",
           "recipients"]


def parse_threshold(text: str) -> int:
    """The ASB trigger threshold in `text`: a whole number from 1 to 3 (ValueError with the reason otherwise)."""
    value = _whole(text)
    if value > STATUTORY_MAXIMUM:
        raise ValueError(f"may be no higher than {STATUTORY_MAXIMUM} complaints in six months (ASB, Crime and "
                         "Policing Act 2014 s104)")
    if value < 1:
        raise ValueError("must be at least 1 complaint")
    return value


def parse_gap_days(text: str) -> int:
    """The coverage gap in `text`: a whole number of days from 1 to 365 (ValueError otherwise)."""
    value = _whole(text)
    if not 1 <= value <= MAX_GAP_DAYS:
        raise ValueError(f"must be from 1 to {MAX_GAP_DAYS} days")
    return value


def _whole(text: str) -> int:
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise ValueError("must be a whole number")
    return int(text)


@dataclasses.dataclass(frozen=True)
class AlertSettings:
    threshold: int = STATUTORY_MAXIMUM
    gap_days: int = DEFAULT_GAP_DAYS


def alert_settings(store: Store) -> AlertSettings:
    """The force's threshold and coverage gap; a missing or invalid setting takes its default."""

    def setting(key: str, parse, default: int) -> int:
        raw = reference.get_setting(store, key)
        try:
            return parse(raw) if raw else default
        except ValueError:
            return default

    return AlertSettings(threshold=setting(THRESHOLD_SETTING, parse_threshold, STATUTORY_MAXIMUM),
                         gap_days=setting(GAP_SETTING, parse_gap_days, DEFAULT_GAP_DAYS))


def last_engagement_sql(relations: Mapping[str, str], *, until: str) -> str:
    """`ward_code, day`: each ward's last day of engagement up to `until` (an SQL timestamp expression, once in
    the text). Engagement is a completed event that started in the ward or a CCR made there: contact with the
    community, so a booking that never happened and a patrol (presence, not contact) are not. The one definition
    of a coverage gap's "engagement", for these alerts and the monthly pack (`analytics.pack`)."""
    return f"""
        SELECT ward_code, max(engaged.at)::DATE AS day FROM (
            SELECT ward_code, start AS at FROM {relations['events']} WHERE status = 'completed'
            UNION ALL
            SELECT ward_code, contact_at FROM {relations['ccrs']}) AS engaged
        WHERE engaged.at <= {until}
        GROUP BY ward_code"""


# -- the reads ------------------------------------------------------------------------


@sql.scoped("read_aggregates")
def list_alerts(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any],
                now: dt.datetime | None = None) -> pd.DataFrame:
    """Every alert at `now` (default: this minute) in the filters' areas and wards, by condition then ward:
    key, condition, area_code, ward_code, ward, subject (what it is about: a category, a record id), since (a
    date or time the condition dates from), title (one plain line), record_ids, recipients (user ids)."""
    return _cached(store, filters, now)


def list_my_alerts(store: Store, *, user: Mapping[str, Any], now: dt.datetime | None = None) -> pd.DataFrame:
    """The alerts of the user's area that are for them (`list_alerts`' columns): a supervisor sees the area's."""
    access.require(user, "read_own_records")
    alerts = _cached(store, Filters(areas=(str(user.get("area_code")),)), now)
    mine = [str(user["user_id"]) in r for r in alerts["recipients"]]
    return alerts[pd.Series(mine, index=alerts.index, dtype=bool)].reset_index(drop=True)


@sql.scoped("read_aggregates")
def list_asb_complaints(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any],
                        now: dt.datetime | None = None) -> pd.DataFrame:
    """The complaints behind each ASB trigger at `now`: key (the trigger's), table_name (ccrs or
    community_queries), record_id, reference, made_at, ward_code, ward, category, place (a CCR's; empty for a query),
    officer (a name); by trigger, then date. What was said stays on the record.

    The list is record-level (when and where each person complained), so each view is audited, as the CCR
    details table is: one `view_personal` entry per table shown (user, filters, moment and data version once)."""
    now = _minute(now)
    settings = alert_settings(store)
    complaints = sql.cached(_complaints, store, filters, tables=TABLES, now=now, threshold=settings.threshold)
    versions = tuple(store.version(t) for t in ("ccrs", "community_queries"))
    for table, label in (("ccrs", "CCRs"), ("community_queries", "community queries")):
        ids = complaints.loc[complaints["table_name"] == table, "record_id"].astype(str)
        if len(ids):
            audit.log_once(store, user, "view_personal", key=("asb_complaints", table, filters, now, versions),
                           table=table, target_ids=ids,
                           detail=f"ASB Case Review complaints: {len(ids)} {label} at {now:%Y-%m-%d %H:%M}; "
                                  f"{filters or Filters()}")
    return complaints


@sql.scoped("read_aggregates")
def list_late_queries_now(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any],
                          now: dt.datetime | None = None) -> pd.DataFrame:
    """`analytics.guarantee.list_late_queries` judged at `now` (default: this minute) instead of at the end of a
    day: the queries unanswered now whose 72 hours have passed, hours_open counted to now."""
    now = _minute(now)
    late = list_late_queries(store, dataclasses.replace(filters or Filters(), end=now.date()), user=user)
    passed = late["received_at"] + pd.Timedelta(hours=RESPONSE_HOURS) < pd.Timestamp(now)
    late = late[passed].reset_index(drop=True)
    late["hours_open"] = ((pd.Timestamp(now) - late["received_at"]).dt.total_seconds() / 3600).round(1)
    return late


def _minute(now: dt.datetime | None) -> dt.datetime:
    """`now`, else this minute (so reads within a minute share the cache)."""
    return now if now is not None else dt.datetime.now().replace(second=0, microsecond=0)


def _cached(store: Store, filters: Filters | None, now: dt.datetime | None) -> pd.DataFrame:
    settings = alert_settings(store)
    return sql.cached(_alerts, store, filters, tables=TABLES, now=_minute(now), threshold=settings.threshold,
                      gap_days=settings.gap_days)


def _params(filters: Filters, now: dt.datetime, threshold: int, gap_days: int) -> list[Any]:
    """$1 today, $2 now, $3 areas, $4 wards, $5 threshold, $6 gap days, $7 first day of the ASB window."""
    today = now.date()
    return [today, now, list(filters.areas), list(filters.wards), threshold, gap_days,
            (pd.Timestamp(today) - pd.DateOffset(months=WINDOW_MONTHS)).date()]


_PARAMS = """
    WITH period AS (SELECT $1::DATE AS today, $2::TIMESTAMP AS now, $3::VARCHAR[] AS areas, $4::VARCHAR[] AS wards,
                           $5::INTEGER AS threshold, $6::INTEGER AS gap_days, $7::DATE AS window_start),"""
_IN_SCOPE = ("(len($3::VARCHAR[]) = 0 OR list_contains($3::VARCHAR[], {t}.area_code))"
             " AND (len($4::VARCHAR[]) = 0 OR list_contains($4::VARCHAR[], {t}.ward_code))")


def _complaints_sql(r: Mapping[str, str]) -> str:
    """`complaints` (one row per complaint and category, in the window) and `triggers` (groups at the threshold)."""
    categories = ", ".join(f"'{c}'" for c in ASB_CATEGORIES)  # constants, not user input
    return f"""
        complaints AS (
            SELECT 'ccrs' AS table_name, c.record_id, c.reference, c.contact_at AS made_at, c.area_code, c.ward_code,
                   issue AS category, c.place, c.officer_id
            FROM {r['ccrs']} AS c, unnest(list_distinct(c.issues)) AS i(issue)
            WHERE issue IN ({categories}) AND c.contact_at >= $7::DATE::TIMESTAMP AND c.contact_at <= $2::TIMESTAMP
              AND {_IN_SCOPE.format(t='c')}
            UNION ALL
            SELECT 'community_queries', q.record_id, q.reference, q.received_at, q.area_code, q.ward_code, q.topic,
                   NULL, q.officer_id
            FROM {r['community_queries']} AS q
            WHERE q.topic IN ({categories}) AND q.received_at >= $7::DATE::TIMESTAMP AND q.received_at <= $2::TIMESTAMP
              AND {_IN_SCOPE.format(t='q')}),
        triggers AS (
            SELECT ward_code, category, any_value(area_code) AS area_code, count(*) AS complaints,
                   min(made_at) AS first_at, arg_min(record_id, (made_at, record_id)) AS first_id,
                   list(record_id ORDER BY made_at, record_id) AS record_ids
            FROM complaints GROUP BY ward_code, category HAVING count(*) >= $5::INTEGER)"""


def _alerts(relations: Mapping[str, str], filters: Filters, *, now: dt.datetime, threshold: int,
            gap_days: int) -> pd.DataFrame:
    r = relations
    ward = f"coalesce((SELECT name FROM {r['wards']} AS w WHERE w.ward_code = x.ward_code), x.ward_code)"
    statements = {
        "coverage_gap": f"""
            w AS (SELECT ward_code, area_code, name FROM {r['wards']} AS w WHERE {_IN_SCOPE.format(t='w')}),
            last AS ({last_engagement_sql(r, until='$2::TIMESTAMP')})
            SELECT 'coverage_gap:' || w.ward_code || ':' || coalesce(last.day::VARCHAR, 'never') AS key,
                   w.area_code, w.ward_code, w.name AS ward, w.ward_code AS subject, last.day::TIMESTAMP AS since,
                   CASE WHEN last.day IS NULL THEN 'No engagement recorded in ' || w.name
                        ELSE 'No engagement in ' || w.name || ' for ' || ($1::DATE - last.day) || ' days (last '
                             || strftime(last.day, '%d %b %Y') || ')' END AS title,
                   []::VARCHAR[] AS record_ids, NULL AS owner
            FROM w LEFT JOIN last USING (ward_code)
            WHERE last.day IS NULL OR $1::DATE - last.day >= $6::INTEGER""",
        "stale_priority": f"""
            p AS (
                SELECT record_id, area_code, ward_code, issue_category, {LAST_UPDATE} AS updated
                FROM {r['ysywd']} AS x
                WHERE status <> 'closed' AND raised_on <= $1::DATE AND {_IN_SCOPE.format(t='x')})
            SELECT 'stale_priority:' || x.record_id || ':' || x.updated AS key, x.area_code, x.ward_code,
                   {ward} AS ward, x.record_id AS subject, x.updated::TIMESTAMP AS since,
                   'Priority "' || x.issue_category || '" in ' || coalesce({ward}, 'the area') || ' last updated '
                       || ($1::DATE - x.updated) || ' days ago (' || strftime(x.updated, '%d %b %Y') || ')' AS title,
                   [x.record_id] AS record_ids, NULL AS owner
            FROM p AS x WHERE $1::DATE - x.updated >= {STALE_DAYS}""",
        "query_due": f"""
            due AS (
                SELECT record_id, area_code, ward_code, topic, officer_id,
                       received_at + INTERVAL {RESPONSE_HOURS} HOUR AS due_at
                FROM {r['community_queries']} AS x
                WHERE answered_at IS NULL AND {_IN_SCOPE.format(t='x')})
            SELECT 'query_due:' || x.record_id AS key, x.area_code, x.ward_code, {ward} AS ward,
                   x.record_id AS subject, x.due_at AS since,
                   'Query about ' || x.topic || ' in ' || {ward} || ' due by ' || strftime(x.due_at, '%d %b %H:%M')
                       AS title, [x.record_id] AS record_ids, x.officer_id AS owner
            FROM due AS x
            WHERE x.due_at > $2::TIMESTAMP AND x.due_at <= $2::TIMESTAMP + INTERVAL {DUE_WARNING_HOURS} HOUR""",
        "asb_trigger": f"""{_complaints_sql(r)}
            SELECT 'asb_trigger:' || x.ward_code || ':' || x.category || ':' || x.first_id AS key, x.area_code,
                   x.ward_code, {ward} AS ward, x.category AS subject, x.first_at AS since,
                   x.complaints || ' ' || x.category || ' complaints in ' || {ward} || ' since '
                       || strftime(x.first_at, '%d %b %Y') || ': ASB Case Review threshold (' || $5::INTEGER
                       || ' in six months) reached' AS title,
                   x.record_ids, NULL AS owner
            FROM triggers AS x""",
    }
    params = _params(filters, now, threshold, gap_days)
    frames = sql.run_many(*((_PARAMS + body, params) for body in statements.values()))
    found = []
    for condition, frame in zip(statements, frames, strict=True):
        frame.insert(1, "condition", condition)
        found.append(frame)
    alerts = pd.concat(found, ignore_index=True) if any(len(f) for f in found) else found[0].iloc[0:0]
    alerts["record_ids"] = [list(v) for v in alerts["record_ids"]]
    alerts["recipients"] = _recipients(r, alerts, now.date())
    order = {c: n for n, c in enumerate(CONDITIONS)}
    alerts = alerts.assign(_order=alerts["condition"].map(order)).sort_values(
        ["_order", "area_code", "ward_code", "key"], na_position="first", kind="stable")
    return alerts[COLUMNS].reset_index(drop=True)


def _recipients(r: Mapping[str, str], alerts: pd.DataFrame, today: dt.date) -> list[list[str]]:
    """Per alert: the owner (a query) or the ward's named officers, then the area's supervisors (user ids)."""
    named = sql.run(f"""
        SELECT o.ward_code, list(DISTINCT o.officer_id ORDER BY o.officer_id) AS officers
        FROM {r['ward_officers']} AS o JOIN {r['users']} AS u ON u.user_id = o.officer_id
        WHERE u.active AND o.start_date <= ? AND (o.end_date IS NULL OR o.end_date >= ?)
        GROUP BY o.ward_code""", [today, today])
    supervisors = sql.run(f"""
        SELECT area_code, list(user_id ORDER BY user_id) AS supervisors FROM {r['users']}
        WHERE active AND role = 'supervisor' AND area_code IS NOT NULL GROUP BY area_code""")
    by_ward = {w: list(o) for w, o in zip(named["ward_code"], named["officers"], strict=True)}
    by_area = {a: list(s) for a, s in zip(supervisors["area_code"], supervisors["supervisors"], strict=True)}
    out = []
    for row in alerts.itertuples(index=False):
        first = [row.owner] if isinstance(row.owner, str) else by_ward.get(row.ward_code, [])
        out.append(list(dict.fromkeys([*first, *by_area.get(row.area_code, [])])))
    return out


def _complaints(relations: Mapping[str, str], filters: Filters, *, now: dt.datetime, threshold: int) -> pd.DataFrame:
    r = relations
    query = f"""{_PARAMS}{_complaints_sql(r)}
        SELECT 'asb_trigger:' || t.ward_code || ':' || t.category || ':' || t.first_id AS key, c.table_name,
               c.record_id, c.reference, c.made_at, c.ward_code, coalesce(w.name, c.ward_code) AS ward, c.category,
               c.place, coalesce(u.name, c.officer_id) AS officer
        FROM complaints AS c JOIN triggers AS t USING (ward_code, category)
        LEFT JOIN {r['wards']} AS w ON w.ward_code = c.ward_code
        LEFT JOIN {r['users']} AS u ON u.user_id = c.officer_id
        ORDER BY c.ward_code, c.category, c.made_at, c.record_id"""
    return sql.run(query, _params(filters, now, threshold, DEFAULT_GAP_DAYS))


def list_sent_alerts(store: Store, *, user: Mapping[str, Any]) -> pd.DataFrame:
    """The alerts the alerts command has claimed or sent (`alerts_sent`), current versions: record_id, version,
    written_at (UTC), alert_key, condition, status, attempts, message_id, sent_at. For the command (force-wide)."""
    access.require(user, "read_aggregates")
    if access.scope(user) is not None:
        raise access.NotAllowed("only a force-wide role reads the sent alerts")
    return sql.run(f"""
        SELECT record_id, version, written_at, alert_key, condition, status, attempts, message_id, sent_at
        FROM {store.relation('alerts_sent')} ORDER BY alert_key""")
