"""The Neighbourhood Policing Guarantee: per ward and per area, for a period ending on a date.

The period is the 91 days to its end date (the end date and the 90 days before
it). Per ward:

- `named_officers`: the active users named for the ward (`ward_officers`) on the end date, by name;
- `priorities_open`: its "You said, we did" items raised by the end date and not closed;
- `last_priority_update`: the latest, over those items, of the date raised, the action dates and the
  feedback dates (dates after the end date left out); a priority's own last update is the same for it alone;
- `priorities_current`: at least one open priority and the latest update no more than 91 days before the end;
- `priorities_stale_soon`: open priorities that are not stale yet but will be within 14 days
  (last updated more than 77 and no more than 91 days before the end);
- `beat_meetings_91d`: completed events of the "Beat meeting" type that started in the period;
- `queries_received`: community queries received in the period;
- `queries_answered_72h`: of the queries received in the period that were due by the end (their 72 hours
  had passed, or they were answered), the share answered within 72 hours; None when none was due;
- `queries_open_late`: queries received by the end, not answered by then, whose 72 hours had passed.

The end of the period is midnight after the end date: something answered later is not answered yet.

Per area:

- `abstraction_share`: hours abstracted ÷ hours on duty. Hours abstracted are the area's abstractions
  dated in the period. Hours on duty are the contracted weekly hours of the area's active officers and
  supervisors now (a user's `weekly_hours`, else the `contracted_weekly_hours` setting, else 37) times the
  weeks in the period (91 days: 13 weeks). Per month (`months`): the same over the days of each calendar
  month that fall in the period. None when the area has no officers.
- `hotspot_patrol_share`: the share of the area's patrol hours (patrols that started in the period) spent in
  its hotspot wards: the tenth of its wards (rounded up) holding the most crime and ASB records of the
  months the period touches (ties by ward code; wards with none are never hotspots). None without patrols
  or crime.

Every read needs `read_aggregates` and is narrowed to the user's area (`sql.scoped`): filters' `end` is the
period end (today when empty), `areas` and `wards` narrow what is shown; `start` is not used.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analytics import sql
from analytics.filters import Filters
from data import access, refs
from data.store import Store

PERIOD_DAYS = 91
CURRENT_DAYS = 91
STALE_WARNING_DAYS = 14
RESPONSE_HOURS = 72
MIN_BEAT_MEETINGS = 1
"""A ward with fewer completed beat meetings than this in the period is flagged."""
HOTSPOT_SHARE = 0.10
DEFAULT_WEEKLY_HOURS = 37.0
WEEKLY_HOURS_SETTING = "contracted_weekly_hours"
BEAT_MEETING = "Beat meeting"
TABLES = ("wards", "areas", "users", "ward_officers", "ysywd", "events", "community_queries", "abstractions",
          "patrols", "crimes", "settings")

WARD_COLUMNS = ["ward_code", "area_code", "named_officers", "priorities_open", "last_priority_update",
                "priorities_current", "beat_meetings_91d", "queries_received", "queries_answered_72h"]
AREA_COLUMNS = ["area_code", "abstraction_share", "hotspot_patrol_share"]


@dataclasses.dataclass
class Guarantee:
    """The Guarantee's measures for one period.

    wards: ward_code, ward, area_code, named_officers (list of names), named_contacts (list of e-mails),
      priorities_open, last_priority_update, priorities_current, priorities_stale_soon, beat_meetings_91d,
      queries_received, queries_due, queries_answered_in_time, queries_answered_72h, queries_open_late,
      and the flags no_named_officer, not_current, stale_soon, few_beat_meetings, late_queries.
    areas: area_code, area, officers, on_duty_hours, hours_abstracted, abstraction_share, hotspot_wards
      (list of codes), patrol_hours, hotspot_patrol_hours, hotspot_patrol_share.
    months: area_code, month (first day), days (of the month in the period), on_duty_hours, hours_abstracted,
      abstraction_share.
    """

    end: dt.date
    wards: pd.DataFrame
    areas: pd.DataFrame
    months: pd.DataFrame


@sql.scoped("read_aggregates")
def guarantee(store: Store, filters: Filters, *, user: Mapping[str, Any]) -> Guarantee:
    """The Guarantee's measures per ward, area and month for the 91 days to `filters.end` (today if none)."""
    return sql.cached(_guarantee, store, filters, tables=TABLES, end=filters.end or dt.date.today())


def _guarantee(relations: Mapping[str, str], filters: Filters, *, end: dt.date) -> Guarantee:
    params = _params(filters, end)
    wards, areas, months = sql.run_many(*((_PARAMS + build(relations), params)
                                          for build in (_wards_sql, _areas_sql, _months_sql)))
    return Guarantee(end=end, wards=_ward_flags(wards), areas=areas, months=months)


def _params(filters: Filters, end: dt.date) -> list[Any]:
    """$1 end date, $2 first day, $3 end moment (midnight after), $4 areas, $5 wards, $6 default hours."""
    start = end - dt.timedelta(days=PERIOD_DAYS - 1)
    return [end, start, dt.datetime.combine(end + dt.timedelta(days=1), dt.time()), list(filters.areas),
            list(filters.wards), DEFAULT_WEEKLY_HOURS]


_PARAMS = """
    WITH period AS (SELECT $1::DATE AS end_day, $2::DATE AS first_day, $3::TIMESTAMP AS end_at,
                           $4::VARCHAR[] AS areas, $5::VARCHAR[] AS wards, $6::DOUBLE AS default_hours),"""
"""Every statement names all the parameters (DuckDB refuses unused ones); each then uses what it needs."""
_IN_SCOPE = "(len($4::VARCHAR[]) = 0 OR list_contains($4::VARCHAR[], {area}))"
_WARD_IN_SCOPE = "(len($5::VARCHAR[]) = 0 OR list_contains($5::VARCHAR[], {ward}))"


_UNTIL = "lambda x: x.date <= $1::DATE"
LAST_UPDATE = (f"greatest(raised_on, coalesce(list_max(list_transform(list_filter(actions, {_UNTIL}),"
            f" lambda a: a.date)), raised_on), coalesce(list_max(list_transform(list_filter(feedback, {_UNTIL}),"
            " lambda f: f.date)), raised_on))")
"""A priority's last update: the latest of its raised date and its action and feedback dates up to the end."""


def _wards_sql(r: Mapping[str, str]) -> str:
    updated = LAST_UPDATE
    late = f"received_at + INTERVAL {RESPONSE_HOURS} HOUR"
    answered = "(answered_at IS NOT NULL AND answered_at < $3::TIMESTAMP)"
    return f"""
        w AS (
            SELECT ward_code, name AS ward, area_code FROM {r['wards']}
            WHERE {_IN_SCOPE.format(area='area_code')} AND {_WARD_IN_SCOPE.format(ward='ward_code')}),
        named AS (
            SELECT o.ward_code, list(u.name ORDER BY u.name, u.user_id) AS named_officers,
                   list(u.email ORDER BY u.name, u.user_id) AS named_contacts
            FROM {r['ward_officers']} AS o JOIN {r['users']} AS u ON u.user_id = o.officer_id
            WHERE u.active AND o.start_date <= $1::DATE AND (o.end_date IS NULL OR o.end_date >= $1::DATE)
            GROUP BY o.ward_code),
        p AS (
            SELECT ward_code, {updated} AS updated FROM {r['ysywd']}
            WHERE status <> 'closed' AND raised_on <= $1::DATE AND ward_code IS NOT NULL),
        pw AS (
            SELECT ward_code, count(*) AS priorities_open, max(updated) AS last_priority_update,
                   count(*) FILTER (WHERE $1::DATE - updated > {CURRENT_DAYS - STALE_WARNING_DAYS}
                                    AND $1::DATE - updated <= {CURRENT_DAYS}) AS priorities_stale_soon
            FROM p GROUP BY ward_code),
        b AS (
            SELECT ward_code, count(*) AS beat_meetings_91d FROM {r['events']}
            WHERE event_type = '{BEAT_MEETING}' AND status = 'completed'
              AND start >= $2::DATE::TIMESTAMP AND start < $3::TIMESTAMP
            GROUP BY ward_code),
        q AS (
            SELECT ward_code,
                   count(*) FILTER (WHERE received_at >= $2::DATE::TIMESTAMP) AS queries_received,
                   count(*) FILTER (WHERE received_at >= $2::DATE::TIMESTAMP
                                    AND ({late} <= $3::TIMESTAMP OR {answered})) AS queries_due,
                   count(*) FILTER (WHERE received_at >= $2::DATE::TIMESTAMP AND {answered}
                                    AND answered_at <= {late}) AS queries_answered_in_time,
                   count(*) FILTER (WHERE NOT {answered} AND {late} < $3::TIMESTAMP) AS queries_open_late
            FROM {r['community_queries']} WHERE received_at < $3::TIMESTAMP GROUP BY ward_code)
        SELECT w.ward_code, w.ward, w.area_code,
               coalesce(named.named_officers, []::VARCHAR[]) AS named_officers,
               coalesce(named.named_contacts, []::VARCHAR[]) AS named_contacts,
               coalesce(pw.priorities_open, 0) AS priorities_open, pw.last_priority_update,
               coalesce(pw.priorities_open, 0) > 0 AND $1::DATE - pw.last_priority_update <= {CURRENT_DAYS}
                   AS priorities_current,
               coalesce(pw.priorities_stale_soon, 0) AS priorities_stale_soon,
               coalesce(b.beat_meetings_91d, 0) AS beat_meetings_91d,
               coalesce(q.queries_received, 0) AS queries_received, coalesce(q.queries_due, 0) AS queries_due,
               coalesce(q.queries_answered_in_time, 0) AS queries_answered_in_time,
               CASE WHEN coalesce(q.queries_due, 0) > 0 THEN q.queries_answered_in_time / q.queries_due END
                   AS queries_answered_72h,
               coalesce(q.queries_open_late, 0) AS queries_open_late
        FROM w LEFT JOIN named USING (ward_code) LEFT JOIN pw USING (ward_code) LEFT JOIN b USING (ward_code)
        LEFT JOIN q USING (ward_code)
        ORDER BY w.area_code, w.ward_code"""


_COUNTS = ("priorities_open", "priorities_stale_soon", "beat_meetings_91d", "queries_received", "queries_due",
           "queries_answered_in_time", "queries_open_late")


def _ward_flags(wards: pd.DataFrame) -> pd.DataFrame:
    wards = wards.astype({c: "int64" for c in _COUNTS} | {"priorities_current": bool})
    wards["last_priority_update"] = [None if pd.isna(d) else pd.Timestamp(d).date()
                                     for d in wards["last_priority_update"]]
    wards["queries_answered_72h"] = pd.Series([None if pd.isna(v) else float(v) for v in wards["queries_answered_72h"]],
                                              index=wards.index, dtype=object)
    wards["named_officers"] = [list(v) for v in wards["named_officers"]]
    wards["named_contacts"] = [list(v) for v in wards["named_contacts"]]
    wards["no_named_officer"] = [not names for names in wards["named_officers"]]
    wards["not_current"] = ~wards["priorities_current"]
    wards["stale_soon"] = wards["priorities_stale_soon"] > 0
    wards["few_beat_meetings"] = wards["beat_meetings_91d"] < MIN_BEAT_MEETINGS
    wards["late_queries"] = wards["queries_open_late"] > 0
    return wards


def _staff_sql(r: Mapping[str, str]) -> str:
    """Per area: officers and their weekly hours (the setting's default where a user has none)."""
    return f"""
        hours AS (
            SELECT coalesce((SELECT try_cast(value AS DOUBLE) FROM {r['settings']}
                             WHERE key = '{WEEKLY_HOURS_SETTING}' AND try_cast(value AS DOUBLE) > 0
                             ORDER BY written_at DESC LIMIT 1), $6::DOUBLE) AS default_hours),
        staff AS (
            SELECT area_code, count(*) AS officers,
                   sum(coalesce(weekly_hours, (SELECT default_hours FROM hours))) AS weekly_hours
            FROM {r['users']} WHERE active AND role IN ('officer', 'supervisor') AND area_code IS NOT NULL
            GROUP BY area_code)"""


def _areas_sql(r: Mapping[str, str]) -> str:
    hours = "epoch(p.\"end\" - p.start) / 3600.0"
    return f"""
        a AS (SELECT area_code, name AS area FROM {r['areas']} WHERE {_IN_SCOPE.format(area='area_code')}),
        {_staff_sql(r)},
        ab AS (
            SELECT area_code, sum(hours) AS hours_abstracted FROM {r['abstractions']}
            WHERE date BETWEEN $2::DATE AND $1::DATE GROUP BY area_code),
        c AS (
            SELECT ward_code, any_value(area_code) AS area_code, count(*) AS records FROM {r['crimes']}
            WHERE ward_code IS NOT NULL AND month >= date_trunc('month', $2::DATE) AND month <= $1::DATE
            GROUP BY ward_code),
        sized AS (SELECT area_code, count(*) AS wards FROM {r['wards']} GROUP BY area_code),
        ranked AS (
            SELECT c.ward_code, c.area_code, row_number() OVER (PARTITION BY c.area_code
                                                                 ORDER BY c.records DESC, c.ward_code) AS place,
                   sized.wards
            FROM c JOIN sized USING (area_code)),
        hot AS (SELECT ward_code, area_code FROM ranked WHERE place <= ceil(wards * {HOTSPOT_SHARE})),
        hot_list AS (SELECT area_code, list(ward_code ORDER BY ward_code) AS hotspot_wards FROM hot GROUP BY area_code),
        pat AS (
            SELECT p.area_code, sum({hours}) AS patrol_hours,
                   coalesce(sum({hours}) FILTER (WHERE p.ward_code IN (SELECT ward_code FROM hot)), 0)
                       AS hotspot_patrol_hours
            FROM {r['patrols']} AS p WHERE p.start >= $2::DATE::TIMESTAMP AND p.start < $3::TIMESTAMP
            GROUP BY p.area_code)
        SELECT a.area_code, a.area, coalesce(staff.officers, 0) AS officers,
               staff.weekly_hours * {PERIOD_DAYS} / 7.0 AS on_duty_hours,
               coalesce(ab.hours_abstracted, 0) AS hours_abstracted,
               CASE WHEN staff.weekly_hours > 0
                    THEN coalesce(ab.hours_abstracted, 0) / (staff.weekly_hours * {PERIOD_DAYS} / 7.0) END
                   AS abstraction_share,
               coalesce(hot_list.hotspot_wards, []::VARCHAR[]) AS hotspot_wards,
               coalesce(pat.patrol_hours, 0) AS patrol_hours, coalesce(pat.hotspot_patrol_hours, 0)
                   AS hotspot_patrol_hours,
               CASE WHEN pat.patrol_hours > 0 AND hot_list.area_code IS NOT NULL
                    THEN pat.hotspot_patrol_hours / pat.patrol_hours END AS hotspot_patrol_share
        FROM a LEFT JOIN staff USING (area_code) LEFT JOIN ab USING (area_code) LEFT JOIN hot_list USING (area_code)
        LEFT JOIN pat USING (area_code)
        ORDER BY a.area_code"""


def _months_sql(r: Mapping[str, str]) -> str:
    return f"""
        a AS (SELECT area_code FROM {r['areas']} WHERE {_IN_SCOPE.format(area='area_code')}),
        {_staff_sql(r)},
        m AS (
            SELECT month::DATE AS month,
                   least((month + INTERVAL 1 MONTH)::DATE - 1, $1::DATE) - greatest(month::DATE, $2::DATE) + 1 AS days
            FROM generate_series(date_trunc('month', $2::DATE), $1::DATE, INTERVAL 1 MONTH) AS g(month)),
        ab AS (
            SELECT area_code, date_trunc('month', date)::DATE AS month, sum(hours) AS hours_abstracted
            FROM {r['abstractions']} WHERE date BETWEEN $2::DATE AND $1::DATE GROUP BY ALL)
        SELECT a.area_code, m.month, m.days, staff.weekly_hours * m.days / 7.0 AS on_duty_hours,
               coalesce(ab.hours_abstracted, 0) AS hours_abstracted,
               CASE WHEN staff.weekly_hours > 0
                    THEN coalesce(ab.hours_abstracted, 0) / (staff.weekly_hours * m.days / 7.0) END
                   AS abstraction_share
        FROM a CROSS JOIN m LEFT JOIN staff USING (area_code) LEFT JOIN ab USING (area_code, month)
        ORDER BY a.area_code, m.month"""


def guarantee_report(figures: Guarantee) -> dict[str, Any]:
    """The command's JSON: `wards` and `areas`, each a list of the published measures."""

    def plain(value: Any) -> Any:
        if isinstance(value, float) and math.isnan(value):
            return None
        if hasattr(value, "item") and not isinstance(value, list):
            return value.item()
        return value

    wards = [{c: plain(row[c]) for c in WARD_COLUMNS} for row in figures.wards.to_dict("records")]
    areas = [{c: plain(row[c]) for c in AREA_COLUMNS} for row in figures.areas.to_dict("records")]
    return {"wards": wards, "areas": areas}


@sql.scoped("read_aggregates")
def list_stale_soon(store: Store, filters: Filters, *, user: Mapping[str, Any]) -> pd.DataFrame:
    """Open priorities that are current at `filters.end` (today if none) but go stale within 14 days, soonest
    first: record_id, area_code, ward_code, ward, issue_category, raised_on, last_update, stale_on (the first
    day it is no longer current), days_left."""
    return sql.cached(_stale_soon, store, filters, tables=("ysywd", "wards"), end=filters.end or dt.date.today())


def _stale_soon(relations: Mapping[str, str], filters: Filters, *, end: dt.date) -> pd.DataFrame:
    query = f"""{_PARAMS}
        p AS (
            SELECT record_id, area_code, ward_code, issue_category, raised_on, {LAST_UPDATE} AS last_update
            FROM {relations['ysywd']}
            WHERE status <> 'closed' AND raised_on <= $1::DATE AND ward_code IS NOT NULL
              AND {_IN_SCOPE.format(area='area_code')} AND {_WARD_IN_SCOPE.format(ward='ward_code')})
        SELECT p.record_id, p.area_code, p.ward_code, coalesce(w.name, p.ward_code) AS ward, p.issue_category,
               p.raised_on, p.last_update, p.last_update + {CURRENT_DAYS + 1} AS stale_on,
               p.last_update + {CURRENT_DAYS + 1} - $1::DATE AS days_left
        FROM p LEFT JOIN {relations['wards']} AS w USING (ward_code)
        WHERE $1::DATE - p.last_update > {CURRENT_DAYS - STALE_WARNING_DAYS}
          AND $1::DATE - p.last_update <= {CURRENT_DAYS}
        ORDER BY stale_on, p.ward_code, p.record_id"""
    return sql.run(query, _params(filters, end))


@sql.scoped("read_aggregates")
def list_late_queries(store: Store, filters: Filters, *, user: Mapping[str, Any]) -> pd.DataFrame:
    """Queries unanswered at the end of the period (`filters.end`, today if none) whose 72 hours had passed,
    oldest first: record_id, area_code, ward_code, ward, topic, channel, received_at, owner (a name),
    hours_open (to the end of the period). No summary: what was asked stays with the team."""
    return sql.cached(_late_queries, store, filters, tables=("community_queries", "wards", "users"),
                      end=filters.end or dt.date.today())


def _late_queries(relations: Mapping[str, str], filters: Filters, *, end: dt.date) -> pd.DataFrame:
    query = f"""{_PARAMS}
        q AS (
            SELECT * FROM {relations['community_queries']}
            WHERE received_at + INTERVAL {RESPONSE_HOURS} HOUR < $3::TIMESTAMP
              AND (answered_at IS NULL OR answered_at >= $3::TIMESTAMP)
              AND {_IN_SCOPE.format(area='area_code')} AND {_WARD_IN_SCOPE.format(ward='ward_code')})
        SELECT q.record_id, q.area_code, q.ward_code, coalesce(w.name, q.ward_code) AS ward, q.topic, q.channel,
               q.received_at, coalesce(u.name, q.officer_id) AS owner,
               round(epoch($3::TIMESTAMP - q.received_at) / 3600.0, 1) AS hours_open
        FROM q LEFT JOIN {relations['wards']} AS w USING (ward_code)
        LEFT JOIN {relations['users']} AS u ON u.user_id = q.officer_id
        ORDER BY q.received_at, q.record_id"""
    return sql.run(query, _params(filters, end))


# -- the officer's queries and the wards' named officers ------------------------------------


def list_my_open_queries(store: Store, *, user: Mapping[str, Any], now: dt.datetime | None = None) -> pd.DataFrame:
    """The user's unanswered queries, oldest first: record_id, version, reference, received_at, channel, ward_code,
    ward, topic, summary, due_at (72 hours after receipt), late (due_at passed), ref (its short reference, "CQ-7")."""
    access.require(user, "log_activity")
    now = now or dt.datetime.now()
    frame = sql.run(f"""
        SELECT q.record_id, q.version, q.reference, q.received_at, q.channel, q.ward_code,
               coalesce(w.name, q.ward_code) AS ward,
               q.topic, q.summary, q.received_at + INTERVAL {RESPONSE_HOURS} HOUR AS due_at,
               q.received_at + INTERVAL {RESPONSE_HOURS} HOUR < ? AS late
        FROM {store.relation('community_queries')} AS q LEFT JOIN {store.relation('wards')} AS w USING (ward_code)
        WHERE q.officer_id = ? AND q.answered_at IS NULL AND q.area_code = ?
        ORDER BY q.received_at, q.record_id""", [now, str(user["user_id"]), user.get("area_code")])
    frame["ref"] = [refs.label("community_queries", refs.number(n)) for n in frame["reference"]]
    return frame


def list_ward_officers(store: Store, *, user: Mapping[str, Any], area_code: str | None = None,
                       on: dt.date | None = None) -> pd.DataFrame:
    """Officer assignments to wards (all, or those lasting on `on`), of one area if given: record_id, version,
    ward_code, ward, area_code, officer_id, name, email, start_date, end_date; by ward then name."""
    access.require(user, "share", area_code)
    area_code = area_code or access.scope(user)
    where, params = ["TRUE"], []
    if area_code:
        where.append("o.area_code = ?")
        params.append(area_code)
    if on is not None:
        where.append("o.start_date <= ? AND (o.end_date IS NULL OR o.end_date >= ?)")
        params += [on, on]
    return sql.run(f"""
        SELECT o.record_id, o.version, o.ward_code, coalesce(w.name, o.ward_code) AS ward, o.area_code,
               o.officer_id, coalesce(u.name, o.officer_id) AS name, u.email, o.start_date, o.end_date
        FROM {store.relation('ward_officers')} AS o
        LEFT JOIN {store.relation('wards')} AS w USING (ward_code)
        LEFT JOIN {store.relation('users')} AS u ON u.user_id = o.officer_id
        WHERE {' AND '.join(where)}
        ORDER BY ward, o.ward_code, name, o.start_date""", params)


def format_guarantee(report: Mapping[str, Any], *, end: dt.date) -> str:
    """The command's report as two plain tables (wards, then areas)."""

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}"

    lines = [f"Neighbourhood Policing Guarantee, 91 days to {end:%d %b %Y}", "",
             f"{'ward':<12} {'area':<10} {'named':>5} {'open':>5} {'updated':>10} {'current':>7} {'beat':>5}"
             f" {'queries':>7} {'72h':>5}"]
    for w in report["wards"]:
        updated = w["last_priority_update"].isoformat() if w["last_priority_update"] else "-"
        lines.append(f"{w['ward_code']:<12} {w['area_code']:<10} {len(w['named_officers']):>5}"
                     f" {w['priorities_open']:>5} {updated:>10} {'yes' if w['priorities_current'] else 'NO':>7}"
                     f" {w['beat_meetings_91d']:>5} {w['queries_received']:>7} {share(w['queries_answered_72h']):>5}")
    lines += ["", f"{'area':<10} {'abstraction':>11} {'hotspot patrol':>14}"]
    lines += [f"{a['area_code']:<10} {share(a['abstraction_share']):>11} {share(a['hotspot_patrol_share']):>14}"
              for a in report["areas"]]
    return "\n".join(lines)
