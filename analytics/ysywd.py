""""You said, we did": the board of an area's items, the commander's figures, the public summary.

Timing figures count whole days: days to action is the first action's date
minus the date raised, days to feedback the first feedback's date minus the
date raised, days open is today minus the date raised. The commander figures
are a cohort view: the items raised in the filters' period (in their areas
and wards; with officers chosen, the items they took an action on), grouped
by area and month raised, with how many of them have had
an action and feedback since. An item is overdue when it still has no action
(open or in progress) more than N days after it was raised.

Every function takes the acting user and checks `ysywd_read` (officers and
supervisors see their own area only); the public summary keeps only items
marked publishable and leaves out who did what, links to events and contacts,
and e-mail addresses and phone numbers found in the text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from analytics import sql
from analytics.filters import Filters, where_clause
from data import access
from data.police_uk import Priority, escape_text
from data.store import Store

STATUS_ORDER = ("open", "in_progress", "action_taken", "feedback_given", "closed")
OVERDUE_DAYS = 28
BOARD_LIMIT = 2_000
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d+])(?:\+44\s?|0)\d(?:[\s-]?\d){8,9}(?!\d)")
REMOVED = "[removed]"
RAISE_LOOK_BACK_DAYS = 60
RAISE_SOURCES_LIMIT = 100



_ITEMS = """
    SELECT y.record_id, y.reference, y.area_code, y.ward_code, y.raised_on, y.status, y.issue_category,
           y.issue_text, y.source, y.publishable, len(y.actions) AS actions, len(y.feedback) AS feedback,
           list_min(list_transform(y.actions, lambda a: a.date)) AS first_action,
           list_max(list_transform(y.actions, lambda a: a.date)) AS last_action,
           list_min(list_transform(y.feedback, lambda f: f.date)) AS first_feedback,
           list_max(list_transform(y.feedback, lambda f: f.date)) AS last_feedback
    FROM {ysywd} AS y WHERE {where}"""


# -- the board ------------------------------------------------------------------------


def list_board(store: Store, *, user: Mapping[str, Any], area_code: str, ward_code: str | None = None,
               statuses: Sequence[str] = STATUS_ORDER, today: dt.date | None = None) -> pd.DataFrame:
    """An area's items by status (in flow order), oldest raised first, with days open.

    Columns: record_id, status, issue_category, issue_text, ward_code, ward (or "Area-wide"), raised_on, days_open
    (today minus raised; empty once closed), actions, feedback, last_action, last_feedback, source, publishable,
    reference (the item's number, shown by `data.refs.label`).
    """
    access.require(user, "ysywd_read", area_code)
    today = today or dt.date.today()
    statuses = [s for s in statuses if s in STATUS_ORDER]
    if not statuses:
        return pd.DataFrame()
    where = "y.area_code = ? AND list_contains(?::VARCHAR[], y.status)"
    params: list[Any] = [area_code, statuses]
    if ward_code:
        where += " AND y.ward_code = ?"
        params.append(ward_code)
    items = _ITEMS.format(ysywd=store.relation("ysywd"), where=where)
    query = f"""
        SELECT i.record_id, i.status, i.issue_category, i.issue_text, i.ward_code,
               coalesce(w.name, i.ward_code, 'Area-wide') AS ward, i.raised_on,
               CASE WHEN i.status <> 'closed' THEN ?::DATE - i.raised_on END AS days_open,
               i.actions, i.feedback, i.last_action, i.last_feedback, i.source, i.publishable, i.reference
        FROM ({items}) AS i LEFT JOIN {store.relation('wards')} AS w ON w.ward_code = i.ward_code
        ORDER BY list_position(?::VARCHAR[], i.status), i.raised_on, i.record_id
        LIMIT {BOARD_LIMIT}"""
    return sql.run(query, [today, *params, list(STATUS_ORDER)])


def count_board(store: Store, *, user: Mapping[str, Any], area_code: str,
                ward_code: str | None = None) -> dict[str, int]:
    """An area's (or ward's) items per status, every status present (0 when none)."""
    access.require(user, "ysywd_read", area_code)
    where, params = "area_code = ?", [area_code]
    if ward_code:
        where, params = where + " AND ward_code = ?", [*params, ward_code]
    rows = sql.rows(f"SELECT status, count(*) FROM {store.relation('ysywd')} WHERE {where} GROUP BY status",
                    params)
    counts = dict(rows)
    return {s: int(counts.get(s, 0)) for s in STATUS_ORDER}


def list_linkable_sources(store: Store, *, user: Mapping[str, Any], item: Mapping[str, Any],
                          today: dt.date | None = None, days: int = RAISE_LOOK_BACK_DAYS) -> pd.DataFrame:
    """Completed events and CCRs of the item's area since `days` before it was raised that raised its issue
    and are not linked yet: kind (events or ccrs), record_id, label, when, ward (newest first)."""
    access.require(user, "ysywd_read", item["area_code"])
    since = dt.datetime.combine(item["raised_on"] - dt.timedelta(days=days), dt.time())
    until = dt.datetime.combine((today or dt.date.today()) + dt.timedelta(days=1), dt.time())
    linked = [*(item.get("linked_events") or []), *(item.get("linked_ccrs") or [])]
    query = f"""
        SELECT * FROM (
            SELECT 'events' AS kind, record_id, title AS label, start AS "when", ward_code
            FROM {store.relation('events')}
            WHERE area_code = ? AND status = 'completed' AND list_contains(issues, ?) AND start >= ? AND start < ?
            UNION ALL
            SELECT 'ccrs' AS kind, record_id, coalesce(place, contact_method) AS label, contact_at AS "when", ward_code
            FROM {store.relation('ccrs')}
            WHERE area_code = ? AND list_contains(issues, ?) AND contact_at >= ? AND contact_at < ?) AS s
        WHERE NOT list_contains(?::VARCHAR[], s.record_id)
        ORDER BY s.ward_code IS NOT DISTINCT FROM ? DESC, s."when" DESC, s.record_id LIMIT {RAISE_SOURCES_LIMIT}"""
    area, issue = item["area_code"], item["issue_category"]
    return sql.run(query, [area, issue, since, until, area, issue, since, until, linked, item.get("ward_code")])


def list_raise_sources(store: Store, *, user: Mapping[str, Any], area_code: str, table: str,
                       today: dt.date | None = None, days: int = RAISE_LOOK_BACK_DAYS) -> pd.DataFrame:
    """Completed events (`events`) or CCRs (`ccrs`) of an area in the last `days` days that raised issues.

    Columns: record_id, label, when, ward, issues (list), issues_text, raised (the issues already
    raised as items linked to it), newest first.
    """
    access.require(user, "ysywd_read", area_code)
    if table not in ("events", "ccrs"):
        raise ValueError("items are raised from events or ccrs")
    today = today or dt.date.today()
    since = dt.datetime.combine(today - dt.timedelta(days=days), dt.time())
    when, label, extra = (("s.start", "s.title", "AND s.status = 'completed'") if table == "events"
                          else ("s.contact_at", "coalesce(s.place, s.contact_method)", ""))
    links = "linked_events" if table == "events" else "linked_ccrs"
    query = f"""
        WITH raised AS (
            SELECT source_id, list(DISTINCT issue_category ORDER BY issue_category) AS raised
            FROM (SELECT unnest({links}) AS source_id, issue_category FROM {store.relation('ysywd')}
                  WHERE area_code = ?)
            GROUP BY source_id)
        SELECT s.record_id, {label} AS label, {when} AS "when", coalesce(w.name, s.ward_code) AS ward, s.issues,
               s.issues_text, coalesce(r.raised, []) AS raised
        FROM {store.relation(table)} AS s
        LEFT JOIN {store.relation('wards')} AS w ON w.ward_code = s.ward_code
        LEFT JOIN raised AS r ON r.source_id = s.record_id
        WHERE s.area_code = ? {extra} AND len(s.issues) > 0 AND {when} >= ?
        ORDER BY {when} DESC, s.record_id LIMIT {RAISE_SOURCES_LIMIT}"""
    return sql.run(query, [area_code, area_code, since])


def list_linked_sources(store: Store, *, user: Mapping[str, Any], item: Mapping[str, Any]) -> pd.DataFrame:
    """The events and CCRs an item is linked to: kind, record_id, label, when (newest first)."""
    access.require(user, "ysywd_read", item["area_code"])
    query = f"""
        SELECT 'Event' AS kind, record_id, title AS label, start AS "when" FROM {store.relation('events')}
        WHERE list_contains(?::VARCHAR[], record_id)
        UNION ALL
        SELECT 'Contact' AS kind, record_id, coalesce(place, contact_method) AS label, contact_at AS "when"
        FROM {store.relation('ccrs')} WHERE list_contains(?::VARCHAR[], record_id)
        ORDER BY "when" DESC"""
    return sql.run(query, [list(item.get("linked_events") or []), list(item.get("linked_ccrs") or [])])


# -- the commander view ---------------------------------------------------------------


@dataclasses.dataclass
class YsywdOverview:
    """The commander view's figures for one set of filters.

    headline: raised, actioned (items with an action), fed_back (items with feedback), closed,
      median_days_to_action, median_days_to_feedback (None when no item has one), overdue.
    by_area_month: area_code, area, month (first day), raised, actioned, fed_back,
      median_days_to_action, median_days_to_feedback.
    actions_by_type: action_type, actions (actions on the items raised in the period).
    overdue: record_id, area_code, ward, issue_category, raised_on, status, days_open, oldest first.
    by_ward: ward_code, items, overdue (for the map).
    """

    headline: dict[str, Any]
    by_area_month: pd.DataFrame
    actions_by_type: pd.DataFrame
    overdue: pd.DataFrame
    by_ward: pd.DataFrame


def _median(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


@sql.scoped("ysywd_read")
def ysywd_overview(store: Store, filters: Filters, *, user: Mapping[str, Any], today: dt.date | None = None,
                   overdue_days: int = OVERDUE_DAYS) -> YsywdOverview:
    """Items raised, actioned and fed back per area and month; timings; actions by type; overdue items."""
    return sql.cached(_ysywd_overview, store, filters, tables=("ysywd", "areas", "wards"),
                      today=today or dt.date.today(), overdue_days=overdue_days)


def _ysywd_overview(relations: dict[str, str], filters: Filters, *, today: dt.date,
                    overdue_days: int) -> YsywdOverview:
    return split_overview(sql.run(*overview_sql(relations, filters, today=today, overdue_days=overdue_days)))


# The parts of the commander view's one statement (column `part`) and the columns each keeps.
_OVERVIEW_PARTS = {
    "month": ["area_code", "area", "month", "raised", "actioned", "fed_back", "median_days_to_action",
              "median_days_to_feedback"],
    "head": ["raised", "actioned", "fed_back", "closed", "median_days_to_action", "median_days_to_feedback",
             "overdue"],
    "type": ["action_type", "actions"],
    "overdue": ["record_id", "area_code", "ward", "issue_category", "raised_on", "status", "days_open"],
    "ward": ["ward_code", "items", "overdue"],
}
_OVERVIEW_COUNTS = ("raised", "actioned", "fed_back", "closed", "overdue", "actions", "items", "days_open")


def overview_sql(relations: Mapping[str, str], filters: Filters, *, today: dt.date,
                 overdue_days: int) -> tuple[str, list[Any]]:
    """The commander view in one statement over `relations`: one scan of the items in the period, then
    each part (by month, headline, action types, overdue, wards) from it, told apart by `part`."""
    if isinstance(overdue_days, bool) or not isinstance(overdue_days, int) or not 0 <= overdue_days <= 3650:
        raise ValueError("overdue_days must be a whole number of days from 0 to 3650")
    where, params = where_clause(dataclasses.replace(filters, officers=(), event_types=()), table="ysywd")
    if filters.officers:  # the items these officers took an action on
        where += " AND list_has_any(list_transform(actions, lambda a: a.officer_id), ?::VARCHAR[])"
        params.append(list(filters.officers))
    ysywd, areas, wards = (relations[t] for t in ("ysywd", "areas", "wards"))
    timings = ("median(first_action - raised_on) AS median_days_to_action,"
               " median(first_feedback - raised_on) AS median_days_to_feedback")
    query = f"""
        WITH i AS MATERIALIZED (
            SELECT y.record_id, y.area_code, y.ward_code, y.raised_on, y.status, y.issue_category,
                   list_min(list_transform(y.actions, lambda a: a.date)) AS first_action,
                   list_min(list_transform(y.feedback, lambda f: f.date)) AS first_feedback,
                   list_transform(y.actions, lambda a: a.action_type) AS action_types
            FROM {ysywd} AS y WHERE {where}),
        l AS MATERIALIZED (SELECT *, first_action IS NULL AND ?::DATE - raised_on > ? AS late FROM i)
        SELECT 'month' AS part, row_number() OVER (ORDER BY l.area_code, month) AS seq, l.area_code,
               a.name AS area, date_trunc('month', l.raised_on)::DATE AS month, count(*) AS raised,
               count(first_action) AS actioned, count(first_feedback) AS fed_back, {timings}
        FROM l LEFT JOIN {areas} AS a USING (area_code) GROUP BY l.area_code, a.name, month
        UNION ALL BY NAME
        SELECT 'head' AS part, count(*) AS raised, count(first_action) AS actioned,
               count(first_feedback) AS fed_back, count(*) FILTER (WHERE status = 'closed') AS closed, {timings},
               count(*) FILTER (WHERE late) AS overdue
        FROM l
        UNION ALL BY NAME
        SELECT 'type' AS part, row_number() OVER (ORDER BY count(*) DESC, action_type) AS seq, action_type,
               count(*) AS actions
        FROM (SELECT unnest(action_types) AS action_type FROM l) GROUP BY action_type
        UNION ALL BY NAME
        SELECT * FROM (
            SELECT 'overdue' AS part, row_number() OVER (ORDER BY l.raised_on, l.record_id) AS seq, l.record_id,
                   l.area_code, coalesce(w.name, l.ward_code, 'Area-wide') AS ward, l.issue_category,
                   l.raised_on, l.status, ?::DATE - l.raised_on AS days_open
            FROM l LEFT JOIN {wards} AS w USING (ward_code)
            WHERE late ORDER BY l.raised_on, l.record_id LIMIT {BOARD_LIMIT})
        UNION ALL BY NAME
        SELECT 'ward' AS part, row_number() OVER (ORDER BY ward_code) AS seq, ward_code, count(*) AS items,
               count(*) FILTER (WHERE late) AS overdue
        FROM l WHERE ward_code IS NOT NULL GROUP BY ward_code
        ORDER BY part, seq"""
    return query, [*params, today, overdue_days, today]


def split_overview(frame: pd.DataFrame) -> YsywdOverview:
    """The overview from the result of `overview_sql`'s statement (each part in order)."""
    labels = frame["part"].to_numpy()
    parts = {}
    for name, columns in _OVERVIEW_PARTS.items():
        part = frame.loc[labels == name, columns].reset_index(drop=True)
        parts[name] = part.astype({c: "int64" for c in columns if c in _OVERVIEW_COUNTS})
    return assemble_overview(parts["month"], parts["head"], parts["type"], parts["overdue"], parts["ward"])


def assemble_overview(by_month: pd.DataFrame, head: pd.DataFrame, types: pd.DataFrame, overdue: pd.DataFrame,
                      by_ward: pd.DataFrame) -> YsywdOverview:
    """The overview from its five parts (`head` one row)."""
    head = head.iloc[0]
    for column in ("raised", "actioned", "fed_back"):
        by_month[column] = by_month[column].astype("int64")
    headline = {name: int(head[name]) for name in ("raised", "actioned", "fed_back", "closed", "overdue")}
    headline |= {name: _median(head[name]) for name in ("median_days_to_action", "median_days_to_feedback")}
    return YsywdOverview(headline=headline, by_area_month=by_month, actions_by_type=types, overdue=overdue,
                         by_ward=by_ward)


FLOW_MEASURES = {"raised": "Raised", "actioned": "Actioned since", "fed_back": "Told back since"}


def build_flow_chart(by_area_month: pd.DataFrame) -> alt.Chart:
    """Per month raised: items raised, and of them actioned and told back since (all areas shown), side by side."""
    months = by_area_month.groupby("month", as_index=False)[list(FLOW_MEASURES)].sum() if len(by_area_month) \
        else pd.DataFrame(columns=["month", *FLOW_MEASURES])
    long = months.melt(id_vars="month", var_name="measure", value_name="items")
    long["measure"] = long["measure"].map(FLOW_MEASURES)
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):O", title="Month raised"),
            xOffset=alt.XOffset("measure:N", sort=list(FLOW_MEASURES.values())),
            y=alt.Y("items:Q", title="Items"),
            color=alt.Color("measure:N", title=None, sort=list(FLOW_MEASURES.values()),
                            scale=alt.Scale(range=["#9ecae1", "#3182bd", "#08519c"])),
            tooltip=[alt.Tooltip("yearmonth(month):O", title="Month raised"),
                     alt.Tooltip("measure:N", title="Items"), alt.Tooltip("items:Q", title="Count", format=",")],
        )
    )


# -- the public summary ---------------------------------------------------------------


def redact(text: str | None) -> str:
    """Text with e-mail addresses and phone numbers replaced by "[removed]"."""
    if not text:
        return ""
    return _PHONE.sub(REMOVED, _EMAIL.sub(REMOVED, text))


def list_publishable(store: Store, *, user: Mapping[str, Any], area_code: str, ward_code: str | None = None,
                     start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The publishable items of an area (or ward) raised, or acted on, in [start, end]; no personal data.

    Each: issue_category, ward, raised_on, issue, actions [{date, action_type, text}] dated up to `end`,
    feedback [{date, channel}] dated up to `end`, status. Text is redacted (`redact`).
    """
    access.require(user, "ysywd_read", area_code)
    where = "y.area_code = ? AND y.publishable AND y.raised_on <= ?"
    params: list[Any] = [area_code, end]
    if ward_code:
        where += " AND y.ward_code = ?"
        params.append(ward_code)
    query = f"""
        SELECT y.record_id, y.issue_category, w.name AS ward, y.raised_on, y.issue_text, y.status,
               list_filter(y.actions, lambda a: a.date <= ?) AS actions,
               list_filter(y.feedback, lambda f: f.date <= ?) AS feedback
        FROM {store.relation('ysywd')} AS y LEFT JOIN {store.relation('wards')} AS w USING (ward_code)
        WHERE {where} AND (y.raised_on >= ? OR len(list_filter(y.actions, lambda a: a.date BETWEEN ? AND ?)) > 0)
        ORDER BY y.raised_on, y.record_id"""
    rows = sql.rows(query, [end, end, *params, start, start, end])
    items = []
    for record_id, category, ward, raised_on, issue, status, actions, feedback in rows:
        items.append({
            "record_id": record_id, "issue_category": category, "ward": ward, "raised_on": raised_on,
            "issue": redact(issue), "status": status,
            "actions": [{"date": a["date"], "action_type": a["action_type"], "text": redact(a["text"])}
                        for a in sorted(actions or [], key=lambda a: a["date"])],
            "feedback": [{"date": f["date"], "channel": f["channel"]}
                         for f in sorted(feedback or [], key=lambda f: f["date"])],
        })
    return items


def summary_priorities(items: Sequence[Mapping[str, Any]]) -> list[Priority]:
    """The items as data.police.uk priorities: actions joined by blank lines, dated by the latest action."""
    priorities = []
    for item in items:
        actions = item["actions"]
        priorities.append(Priority(
            issue=item["issue"], issue_date=item["raised_on"],
            action="\n\n".join(a["text"] for a in actions) if actions else None,
            action_date=max(a["date"] for a in actions) if actions else None,
        ))
    return priorities


_PAGE_STYLE = """
body{font-family:Arial,Helvetica,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem} .period{color:#444;margin-top:0}
article{border-top:2px solid #1d3c78;padding:.6rem 0 1rem;page-break-inside:avoid}
h2{font-size:1.1rem;margin:.3rem 0} .meta{color:#444;font-size:.9rem;margin:.1rem 0 .5rem}
.said,.did,.told{margin:.5rem 0} .said p,.did p{margin:.15rem 0} .label{font-weight:bold;color:#1d3c78}
.told{color:#444;font-size:.9rem}
footer{margin-top:2rem;color:#444;font-size:.85rem}
@media print{body{margin:0;max-width:none} a{color:inherit}}
"""


def build_summary_html(items: Sequence[Mapping[str, Any]], *, title: str, period: str, force_name: str) -> str:
    """A printable public "You said, we did" page; every text is escaped, nothing runs in it."""
    from html import escape

    articles = []
    for item in items:
        where = f" · {escape(item['ward'])}" if item.get("ward") else ""
        did = "".join(
            f"<div class='did'><span class='label'>We did</span> ({a['date']:%d %B %Y}, "
            f"{escape(a['action_type'].lower())}):{escape_text(a['text'])}</div>" for a in item["actions"]
        ) or "<div class='did'><span class='label'>We did</span>: we are working on this.</div>"
        told = "; ".join(f"{escape(f['channel'].lower())} on {f['date']:%d %B %Y}" for f in item["feedback"])
        told = f"<p class='told'>We let you know by {told}.</p>" if told else ""
        articles.append(
            f"<article><h2>{escape(item['issue_category'])}</h2>"
            f"<p class='meta'>Raised {item['raised_on']:%d %B %Y}{where}</p>"
            f"<div class='said'><span class='label'>You said</span>:{escape_text(item['issue'])}</div>{did}{told}"
            "</article>")
    body = "".join(articles) or "<p>No items to report for this period.</p>"
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{escape(title)}</title><style>{_PAGE_STYLE}</style></head><body>"
            f"<h1>{escape(title)}</h1><p class='period'>{escape(period)}</p>{body}"
            f"<footer>{escape(force_name)}. What you told us and what we did about it.</footer></body></html>")
