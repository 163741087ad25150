"""Dip checks and the quality view: which submissions a supervisor checks, and how checking went.

Sampling: each record type (events, CCRs, patrols, abstractions) has a share
of the team's submissions to check, the setting `dip_check_share.<table>`
(e.g. `dip_check_share.ccrs` = `0.2`; `DEFAULT_SHARE` while unset). A record
is in the sample when its fixed fraction, the first 60 bits of
md5("<table>:<record_id>") over 2^60, is below the share: the same records
stay in on every rerun, edits do not move a record in or out, and raising
the share only adds records.

The queue of a supervisor's area holds, apart from the supervisor's own records:
- `recheck`: records returned on an older version and edited since (fixed:
  check the new version), whether sampled or not, from any date;
- `to_check`: sampled records dated from `since` on, never checked;
- `awaiting_fix`: records returned on their current version (the officer's move).
A record's latest review (by time) decides its state; a pass or advice ends it.

Quality figures count, per area and month of the record's own date (events'
`start`, CCRs' `contact_at`, patrols' `start`, abstractions' `date`):
`submissions` (current records), `checked` (records with at least one
review), `checked_share` = checked / submissions, and by each checked
record's first review `passed`, `advised`, `returned`, with
`pass_rate` = passed / checked. `common_faults` names the faults found in
most records (any review of the record), most first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from analytics import sql
from analytics.activity import MINE
from analytics.filters import Filters
from data import access, audit, reference
from data.checked import text_problem
from data.schema import DIVERSITY_FIELDS, TABLES
from data.store import Store

CHECKED_TABLES = ("events", "ccrs", "patrols", "abstractions")
QUALITY_TABLES = (*CHECKED_TABLES, "quality_reviews", "areas")  # what the quality figures read
"""The record types supervisors dip check."""
SHEETS = {"events": "Events", "ccrs": "CCRs", "patrols": "Patrols", "abstractions": "Abstractions"}
SHARE_KEY = "dip_check_share."
DEFAULT_SHARE = 0.1
QUEUE_DAYS = 28
"""How far back the queue looks for unchecked sampled records by default."""
TOP_FAULTS = 3
STATES = ("recheck", "to_check", "awaiting_fix")
QUEUE_COLUMNS = ("table_name", "record_id", "reference", "version", "kind", "date", "title", "summary", "officer_id",
                 "officer", "ward_code", "state", "last_outcome", "last_version", "last_comment", "last_faults",
                 "last_reviewer", "last_reviewed_at")
QUALITY_COLUMNS = ("area_code", "area", "month", "submissions", "checked", "checked_share", "passed", "advised",
                   "returned", "pass_rate", "common_faults")
_BITS = 15  # hex digits of the md5 taken: 60 bits
_SCALE = float(16**_BITS)


def sample_fraction(table: str, record_id: str) -> float:
    """The record's fixed place in [0, 1): it is sampled when this is below its type's share."""
    return int(hashlib.md5(f"{table}:{record_id}".encode()).hexdigest()[:_BITS], 16) / _SCALE


def in_sample(table: str, record_id: str, share: float) -> bool:
    """Whether the record is in a sample of `share` of its type."""
    return sample_fraction(table, record_id) < share


def _fraction_sql(table_param: str = "?") -> str:
    """SQL for `sample_fraction` of t.record_id (the table name a bound parameter)."""
    return (f"(CAST('0x' || substr(md5(concat({table_param}, ':', t.record_id)), 1, {_BITS}) AS UBIGINT)"
            f" / {_SCALE!r})")


def dip_check_shares(store: Store) -> dict[str, float]:
    """The share of each checked record type to sample (settings, else DEFAULT_SHARE), each within [0, 1]."""
    shares = {}
    for table in CHECKED_TABLES:
        raw = reference.get_setting(store, SHARE_KEY + table)
        try:
            value = float(raw) if raw is not None else DEFAULT_SHARE
        except ValueError:
            value = DEFAULT_SHARE
        shares[table] = min(max(value, 0.0), 1.0) if value == value else DEFAULT_SHARE  # NaN -> default
    return shares


def _relations(store: Store) -> dict[str, str]:
    """The current rows of the checked tables and the reviews, as SQL text by table."""
    return {t: store.relation(t) for t in (*CHECKED_TABLES, "quality_reviews")}


def _records_sql(relations: Mapping[str, str], tables: Sequence[str], *,
                 queue_of: tuple[str, dt.datetime] | None = None) -> tuple[str, list]:
    """One row per current record of the checked types: table_name, record_id, version, kind, date, title,
    summary, officer_id, area_code, ward_code.

    With `queue_of` (area, since): only the area's records dated from `since`, with their sample
    `fraction` (the hash is computed for those only), and its records ever returned.
    """
    parts, params = [], []
    for table in tables:
        spec = MINE[table]
        ward = "NULL" if table == "abstractions" else "t.ward_code"
        query = (
            f"SELECT '{table}' AS table_name, t.record_id, t.reference, t.version, '{spec.kind}' AS kind,"
            f" CAST({spec.date} AS TIMESTAMP) AS date, {spec.title} AS title, {spec.summary} AS summary,"
            f" t.{spec.owner} AS officer_id, t.area_code, {ward} AS ward_code"
        )
        if queue_of is None:
            parts.append(f"{query} FROM {relations[table]} t")
            continue
        # Two filters, not one OR: each is a plain scan or a small semi-join.
        returned = (f"SELECT target_id FROM {relations['quality_reviews']}"
                    " WHERE table_name = ? AND outcome = 'returned'")
        parts.append(
            f"{query}, {_fraction_sql()} AS fraction FROM {relations[table]} t"
            f" WHERE t.area_code = ? AND {spec.date} >= ? AND t.record_id NOT IN ({returned})"
            f" UNION ALL {query}, NULL AS fraction FROM {relations[table]} t"
            f" WHERE t.area_code = ? AND t.record_id IN ({returned})"
        )
        params += [table, queue_of[0], queue_of[1], table, queue_of[0], table]
    return " UNION ALL ".join(parts), params


def _reviews_sql(relations: Mapping[str, str], *, first: bool) -> str:
    """Each record's first (or latest) review."""
    order = "written_at ASC, record_id ASC" if first else "written_at DESC, record_id DESC"
    return (f"(SELECT table_name, target_id, target_version, outcome, comment, faults, reviewer_id, written_at"
            f" FROM {relations['quality_reviews']}"
            f" QUALIFY row_number() OVER (PARTITION BY table_name, target_id ORDER BY {order}) = 1)")


# -- the queue ----------------------------------------------------------------------------------


def list_queue(store: Store, *, user: Mapping[str, Any], since: dt.date | None = None,
               today: dt.date | None = None) -> pd.DataFrame:
    """The dip-check queue of the supervisor's area: rechecks first, then to_check, then awaiting_fix.

    Columns: QUEUE_COLUMNS. Newest first within each state; see the module docstring. NotAllowed for
    nobody (None, no user row) and for anyone without `dip_check`. The queue shown is audited (per
    table: the record ids listed), once per user, period and data version.
    """
    user_id = access.require(user, "dip_check")
    area = user.get("area_code")
    access.require(user, "dip_check", area)
    since = since or (today or dt.date.today()) - dt.timedelta(days=QUEUE_DAYS)
    shares = dip_check_shares(store)
    since_at = dt.datetime.combine(since, dt.time())
    relations = _relations(store)
    records, params = _records_sql(relations, CHECKED_TABLES, queue_of=(area, since_at))
    share_case = "CASE r.table_name " + " ".join("WHEN ? THEN ?" for _ in shares) + " END"
    share_params = [v for table, share in shares.items() for v in (table, share)]
    query = f"""
        WITH records AS ({records}),
        latest AS {_reviews_sql(relations, first=False)},
        queue AS (
            SELECT r.*, l.outcome AS last_outcome, l.target_version AS last_version, l.comment AS last_comment,
                   l.faults AS last_faults, l.reviewer_id, l.written_at AS last_reviewed_at,
                   CASE WHEN l.target_id IS NULL THEN 'to_check'
                        WHEN l.outcome = 'returned' AND l.target_version < r.version THEN 'recheck'
                        WHEN l.outcome = 'returned' THEN 'awaiting_fix' END AS state
            FROM records r
            LEFT JOIN latest l ON l.table_name = r.table_name AND l.target_id = r.record_id
            WHERE r.area_code = ? AND r.officer_id IS DISTINCT FROM ?
              AND ((l.target_id IS NULL AND r.fraction < {share_case} AND r.date >= ?) OR l.outcome = 'returned'))
        SELECT q.table_name, q.record_id, q.reference, q.version, q.kind, q.date, q.title, q.summary, q.officer_id,
               coalesce(u.name, q.officer_id) AS officer, q.ward_code, q.state, q.last_outcome, q.last_version,
               q.last_comment, q.last_faults, coalesce(rv.name, q.reviewer_id) AS last_reviewer, q.last_reviewed_at
        FROM queue q
        LEFT JOIN {store.relation('users')} u ON u.user_id = q.officer_id
        LEFT JOIN {store.relation('users')} rv ON rv.user_id = q.reviewer_id
        ORDER BY CASE q.state WHEN 'recheck' THEN 0 WHEN 'to_check' THEN 1 ELSE 2 END, q.date DESC,
                 q.table_name, q.record_id"""
    queue = sql.run(query, params + [area, user_id] + share_params + [since_at])
    versions = store.versions((*CHECKED_TABLES, "quality_reviews"))
    detail = f"Dip-check queue of {area} from {since.isoformat()}: {len(queue)} records"
    _audit_listed(store, user, queue, key=("dip_queue", area, since, versions), detail=detail)
    return queue


def _audit_listed(store: Store, user: Mapping[str, Any], listed: pd.DataFrame, *, key: tuple,
                  detail: str) -> None:
    """Audit a list of records shown (a `view_personal` entry per table, naming the ids); one entry, with no
    ids, when the list is empty. Logged once per `key` (which holds the data's versions)."""
    tables = list(dict.fromkeys(listed["table_name"])) if len(listed) else [None]
    for table in tables:
        ids = [] if table is None else [str(i) for i in listed.loc[listed["table_name"] == table, "record_id"]]
        audit.log_once(store, user, "view_personal", key=(*key, table), table=table, target_ids=ids,
                       detail=detail[:4000])


def get_check_record(store: Store, *, user: Mapping[str, Any], table: str, record_id: str) -> dict | None:
    """A record in the supervisor's area as a dip check shows it (no diversity answers), or None.

    The view is audited (once per user and version of the record); NotAllowed outside the user's area.
    """
    access.require(user, "dip_check")
    if not isinstance(table, str) or table not in CHECKED_TABLES or not isinstance(record_id, str) \
            or text_problem(record_id):
        return None
    row = store.get(table, record_id)
    if row is None:
        return None
    access.require(user, "dip_check", row.get("area_code"))
    hidden = set(DIVERSITY_FIELDS) if table == "ccrs" else set()
    shown = {name: row[name] for name in (*TABLES[table].model_fields, "version", "written_at", "written_by")
             if name not in hidden}
    audit.log_once(store, user, "view_personal", key=("dip_check", table, record_id, row["version"]), table=table,
                   target_ids=[record_id], detail=f"Dip check: opened version {row['version']} of the record"
                                                  + (", without diversity answers" if hidden else ""))
    return shown


def list_reviews(store: Store, *, user: Mapping[str, Any], table: str, record_id: str) -> pd.DataFrame:
    """Every review of one record in the user's area, oldest first."""
    row = store.get(table, record_id)
    access.require(user, "dip_check", row.get("area_code") if row else "")
    return sql.run(
        "SELECT q.target_version, q.outcome, q.comment, q.faults, coalesce(u.name, q.reviewer_id) AS reviewer,"
        f" q.written_at FROM {store.relation('quality_reviews')} q"
        f" LEFT JOIN {store.relation('users')} u ON u.user_id = q.reviewer_id"
        " WHERE q.table_name = ? AND q.target_id = ? ORDER BY q.written_at, q.record_id", [table, record_id])


# -- the quality view ---------------------------------------------------------------------------


def _quality_areas(user: Mapping[str, Any], areas: Sequence[str]) -> list[str]:
    """The areas the user asks for, each checked; a team role gets its own area when it names none."""
    confined = access.scope(user)
    wanted = list(areas) or ([confined] if confined else [])
    access.require(user, "read_quality")
    for area in wanted:
        access.require(user, "read_quality", area)
    return wanted


def quality_by_area_month(store: Store, *, user: Mapping[str, Any], start: dt.date, end: dt.date,
                          areas: Sequence[str] = ()) -> pd.DataFrame:
    """Checked share, first-review outcomes, pass rate and common faults per area and month (QUALITY_COLUMNS).

    Records dated from `start` to `end` (inclusive); every area when `areas` is empty
    (force-wide roles only).
    """
    wanted = _quality_areas(user, areas)
    return sql.cached(_quality_by_area_month, store, None, tables=QUALITY_TABLES, start=start, end=end,
                      areas=tuple(wanted))


def _quality_by_area_month(relations: Mapping[str, str], _filters: Filters, *, start: dt.date, end: dt.date,
                           areas: tuple[str, ...]) -> pd.DataFrame:
    records, params = _records_sql(relations, CHECKED_TABLES)
    area_filter = f"AND r.area_code IN ({', '.join('?' for _ in areas)})" if areas else ""
    query = f"""
        WITH records AS (
            SELECT r.*, CAST(date_trunc('month', r.date) AS DATE) AS month FROM ({records}) r
            WHERE r.date >= ? AND r.date < ? {area_filter}),
        first AS {_reviews_sql(relations, first=True)},
        faults AS (
            SELECT DISTINCT q.table_name, q.target_id, unnest(q.faults) AS fault
            FROM {relations['quality_reviews']} q),
        fault_counts AS (
            SELECT r.area_code, r.month, f.fault, count(*) AS records FROM records r
            JOIN faults f ON f.table_name = r.table_name AND f.target_id = r.record_id
            GROUP BY r.area_code, r.month, f.fault
            QUALIFY row_number() OVER (PARTITION BY r.area_code, r.month ORDER BY count(*) DESC, f.fault)
                    <= {TOP_FAULTS}),
        fault_text AS (
            SELECT area_code, month,
                   string_agg(fault || ' (' || records || ')', ', ' ORDER BY records DESC, fault) AS common_faults
            FROM fault_counts GROUP BY ALL),
        figures AS (
            SELECT r.area_code, r.month, count(*) AS submissions, count(f.target_id) AS checked,
                   count(*) FILTER (WHERE f.outcome = 'pass') AS passed,
                   count(*) FILTER (WHERE f.outcome = 'advice') AS advised,
                   count(*) FILTER (WHERE f.outcome = 'returned') AS returned
            FROM records r
            LEFT JOIN first f ON f.table_name = r.table_name AND f.target_id = r.record_id
            GROUP BY ALL)
        SELECT g.area_code, coalesce(a.name, g.area_code) AS area, g.month, g.submissions, g.checked,
               g.checked / g.submissions AS checked_share, g.passed, g.advised, g.returned,
               CASE WHEN g.checked > 0 THEN g.passed / g.checked END AS pass_rate, t.common_faults
        FROM figures g
        LEFT JOIN fault_text t ON t.area_code = g.area_code AND t.month = g.month
        LEFT JOIN {relations['areas']} a ON a.area_code = g.area_code
        ORDER BY g.month DESC, area"""
    bounds = [dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time())]
    frame = sql.run(query, params + bounds + list(areas))
    counts = ["submissions", "checked", "passed", "advised", "returned"]
    return frame.astype({c: "int64" for c in counts})


def count_faults(store: Store, *, user: Mapping[str, Any], start: dt.date, end: dt.date,
                 areas: Sequence[str] = ()) -> pd.DataFrame:
    """Records with each fault (any review), dated from `start` to `end`: fault, records; most first."""
    wanted = _quality_areas(user, areas)
    return sql.cached(_count_faults, store, None, tables=QUALITY_TABLES, start=start, end=end, areas=tuple(wanted))


def _count_faults(relations: Mapping[str, str], _filters: Filters, *, start: dt.date, end: dt.date,
                  areas: tuple[str, ...]) -> pd.DataFrame:
    records, params = _records_sql(relations, CHECKED_TABLES)
    area_filter = f"AND r.area_code IN ({', '.join('?' for _ in areas)})" if areas else ""
    frame = sql.run(
        f"WITH records AS (SELECT * FROM ({records}) r WHERE r.date >= ? AND r.date < ? {area_filter}),"
        " faults AS (SELECT DISTINCT q.table_name, q.target_id, unnest(q.faults) AS fault"
        f" FROM {relations['quality_reviews']} q)"
        " SELECT f.fault, count(*) AS records FROM records r"
        " JOIN faults f ON f.table_name = r.table_name AND f.target_id = r.record_id"
        " GROUP BY f.fault ORDER BY records DESC, f.fault",
        params + [dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time())]
        + list(areas),
    )
    return frame.astype({"records": "int64"})


def build_faults_chart(faults: pd.DataFrame) -> alt.Chart:
    """Records with each fault, as horizontal bars, most first."""
    return alt.Chart(faults).mark_bar().encode(
        x=alt.X("records:Q", title="Records", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("fault:N", title=None, sort="-x"),
        tooltip=[alt.Tooltip("fault:N", title="Fault"), alt.Tooltip("records:Q", title="Records")],
    )


# -- the team export --------------------------------------------------------------------------


def list_team_submissions(store: Store, *, user: Mapping[str, Any], start: dt.date,
                          end: dt.date) -> dict[str, pd.DataFrame]:
    """The supervisor's team's records dated from `start` to `end`, one frame per type (by sheet name).

    Every field except CCR diversity answers, with the officer's name and the latest
    dip check (outcome and comment). Oldest first.
    """
    access.require(user, "team_export")
    area = user.get("area_code")
    access.require(user, "team_export", area)
    bounds = [dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time())]
    frames = {}
    reviews = _reviews_sql(_relations(store), first=False)
    for table in CHECKED_TABLES:
        spec = MINE[table]
        fields = [f for f in TABLES[table].model_fields if not (table == "ccrs" and f in DIVERSITY_FIELDS)]
        columns = ", ".join(f't."{f}"' for f in fields)
        frames[SHEETS[table]] = sql.run(
            f"SELECT t.record_id, t.version, {columns}, coalesce(u.name, t.{spec.owner}) AS officer_name,"
            " l.outcome AS last_check, l.target_version AS last_check_version, l.comment AS last_check_comment,"
            " t.written_at AS last_written_at"
            f" FROM {store.relation(table)} t"
            f" LEFT JOIN {reviews} l ON l.table_name = ? AND l.target_id = t.record_id"
            f" LEFT JOIN {store.relation('users')} u ON u.user_id = t.{spec.owner}"
            f" WHERE t.area_code = ? AND {spec.date} >= ? AND {spec.date} < ?"
            f" ORDER BY {spec.date}, t.record_id",
            [table, area, *bounds],
        )
    return frames
