"""Global search and the shared-information lists: one text box over what officers logged.

`search` looks for the text (case-insensitive, as typed: `%` and `_` match
themselves) in each record type's free-text columns and narrows by record
type, date range, area, ward, officer and issue category. It needs the
`read_team_records` capability (officers and supervisors): events, CCRs,
patrols, problems, community queries and "You said, we did" items (what was said, done and told back) are
searched in the user's own area (and, wherever they are, the user's own: those they organised, attended,
recorded, own or raised), good practice force-wide, and useful information in the user's own area only. A short
reference ("PRB-12", "YS-4", or its number alone) finds its record. Results carry no CCR
diversity answers: each record type selects named columns, never `*`. Opening
one CCR (`get_record`) shows its diversity answers only to a role with
`read_personal` for its area (each such view audited) and to the officer who
recorded it.

Every value is a bound parameter; table relations and column names come from
the fixed `SOURCES` below.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analytics import sql
from data import access, audit, db, refs
from data.access import info_area
from data.checked import text_problem
from data.schema import DIVERSITY_FIELDS, TABLES
from data.store import Store

SEARCH_LIMIT = 200
RESULT_COLUMNS = ("table_name", "record_id", "reference", "kind", "date", "title", "summary", "area_code", "area",
                  "ward_code", "ward", "officer_id", "officer", "total")
HIDDEN_FIELDS = {"ccrs": DIVERSITY_FIELDS}
"""Fields never shown at record level, by table."""
SYSTEM_SHOWN = ("reference", "version", "written_at", "written_by")


@dataclasses.dataclass(frozen=True)
class Source:
    """How one record type is searched and shown in results."""

    table: str
    kind: str
    date: str
    title: str
    summary: str
    text_columns: tuple[str, ...]
    officer: str
    ward: str | None = "t.ward_code"
    officer_list: str | None = None
    ward_list: str | None = None  # a record of several wards: the ward filter matches any of them
    issues: str | None = None
    by_creator: bool = False  # date and officer come from the record's first version
    team: bool = True  # the team's own records: confined to the user's area scope


SOURCES: dict[str, Source] = {
    "events": Source("events", "Event", "t.start", "t.title", "concat_ws(' · ', t.event_type, t.place, t.status)",
                     ("t.title", "t.place", "t.issues_text", "t.public_feedback"), "t.organiser",
                     officer_list="t.officers_attending", issues="t.issues"),
    "ccrs": Source("ccrs", "CCR", "t.contact_at", "concat(t.contact_method, ' contact', ', ' || t.place)",
                   "coalesce(t.issues_text, array_to_string(t.issues, ', '))",
                   ("t.issues_text", "t.info_text", "t.place"), "t.officer_id", issues="t.issues"),
    "patrols": Source("patrols", "Patrol", "t.start", "t.patrol_type",
                      "coalesce(t.outcomes, t.tasking, t.places)", ("t.places", "t.tasking", "t.outcomes"),
                      "t.officer_id"),
    "good_practice": Source("good_practice", "Good practice", "c.created_at", "t.title", "t.result",
                            ("t.title", "t.problem", "t.action", "t.result", "array_to_string(t.tags, ' ')"),
                            "c.created_by", ward=None, issues="t.tags", by_creator=True, team=False),
    "useful_info": Source("useful_info", "Useful information", "c.created_at", "t.title",
                          "concat(t.folder, ': ', t.body)", ("t.title", "t.folder", "t.body"), "c.created_by",
                          ward=None, by_creator=True, team=False),
    "problems": Source("problems", "Problem", "t.opened_on", "t.title", "concat(t.stage, ': ', t.statement)",
                       ("t.title", "t.statement", "t.places", "t.victim", "t.offender", "t.location",
                        "t.assessment_note"), "t.owner_id", ward="t.ward_codes[1]", ward_list="t.ward_codes"),
    "community_queries": Source("community_queries", "Community query", "t.received_at",
                                "concat(t.topic, ' query, by ', lower(t.channel))", "t.summary",
                                ("t.summary", "t.topic"), "t.officer_id", issues="[t.topic]"),
    "ysywd": Source("ysywd", "You said, we did", "t.raised_on", "t.issue_category",
                    "concat(replace(t.status, '_', ' '), ': ', t.issue_text)",
                    ("t.issue_text", "t.issue_category",
                     "array_to_string(list_transform(t.actions, lambda a: a.text), ' ')",
                     "array_to_string(list_transform(t.feedback, lambda f: f.text), ' ')"),
                    "c.created_by", issues="[t.issue_category]", by_creator=True),
}
KINDS = {name: source.kind for name, source in SOURCES.items()}


def escape_like(text: str) -> str:
    """`text` as a LIKE pattern matching itself anywhere: `\\`, `%` and `_` escaped (ESCAPE '\\')."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def creators_relation(store: Store, table: str) -> str:
    """SQL text: each record's creator and creation time (from its first version, history included)."""
    snap = store.snapshot(table)
    if not snap.files:
        return "(SELECT NULL::VARCHAR AS record_id, NULL::VARCHAR AS created_by, NULL::TIMESTAMP AS created_at" \
               " WHERE false)"
    return (f"(SELECT record_id, arg_min(written_by, version) AS created_by, min(written_at) AS created_at"
            f" FROM {db.parquet_scan(snap.files)} GROUP BY record_id)")



def _in(column: str, values: Sequence[str], params: list) -> str:
    params.extend(values)
    return f"{column} IN ({', '.join('?' for _ in values)})"


def search(
    store: Store,
    *,
    text: str = "",
    user: Mapping[str, Any],
    tables: Sequence[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    areas: Sequence[str] = (),
    wards: Sequence[str] = (),
    officers: Sequence[str] = (),
    issues: Sequence[str] = (),
    limit: int = SEARCH_LIMIT,
) -> pd.DataFrame:
    """Records matching the text and filters, newest first (at most `limit`; `total` counts them all).

    Columns: RESULT_COLUMNS. An empty text matches everything the filters let through. NotAllowed
    without `read_team_records`; the team's records come from the user's area scope only. The results
    returned are audited (`view_personal`, per record type: the ids listed; the text and filters in the
    detail), once per user, search and data version.
    """
    access.require(user, "read_team_records")
    unknown = set(tables) - set(SOURCES)
    if unknown:
        raise ValueError(f"cannot search {', '.join(sorted(unknown))}")
    confined = access.scope(user)
    text = (text or "").strip()
    named = refs.parse(text)  # a reference ("CCR-1042") finds its record, as well as text that holds it
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else None
    parts, params = [], []
    for name in tables or SOURCES:
        source = SOURCES[name]
        if (wards and source.ward is None) or (issues and source.issues is None):
            continue
        conditions: list[str] = []
        where_params: list[Any] = []
        if name == "useful_info":
            area = info_area(user)
            if area is None:
                continue
            conditions.append("t.area_code = ?")
            where_params.append(area)
        elif source.team and confined is not None:
            mine = [f"{source.officer} = ?"] + ([f"list_contains({source.officer_list}, ?)"]
                                                if source.officer_list else [])
            conditions.append(f"(t.area_code = ? OR {' OR '.join(mine)})")
            where_params += [confined] + [str(user["user_id"])] * len(mine)
        if text:
            pattern = escape_like(text)
            either = [f"{c} ILIKE ? ESCAPE '\\'" for c in source.text_columns]
            where_params += [pattern] * len(source.text_columns)
            if named is not None and named[0] == name:
                either.append("t.reference = ?")
                where_params.append(named[1])
            elif number is not None and name in refs.PREFIXES:  # the number alone, as told over the radio
                either.append("t.reference = ?")
                where_params.append(number)
            conditions.append("(" + " OR ".join(either) + ")")
        if start is not None:
            conditions.append(f"{source.date} >= ?")
            where_params.append(dt.datetime.combine(start, dt.time()))
        if end is not None:
            conditions.append(f"{source.date} < ?")
            where_params.append(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
        if areas:
            conditions.append(_in("t.area_code", areas, where_params))
        if wards and source.ward_list:
            conditions.append(f"list_has_any({source.ward_list}, ?::VARCHAR[])")
            where_params.append(list(wards))
        elif wards:
            conditions.append(_in(source.ward, wards, where_params))
        if officers:
            either = [_in(source.officer, officers, where_params)]
            if source.officer_list:
                either.append(f"list_has_any({source.officer_list}, ?::VARCHAR[])")
                where_params.append(list(officers))
            conditions.append("(" + " OR ".join(either) + ")")
        if issues:
            conditions.append(f"list_has_any({source.issues}, ?::VARCHAR[])")
            where_params.append(list(issues))
        join = f" JOIN {creators_relation(store, name)} c ON c.record_id = t.record_id" if source.by_creator else ""
        parts.append(
            f"SELECT '{name}' AS table_name, t.record_id, t.reference, '{source.kind}' AS kind,"
            f" CAST({source.date} AS TIMESTAMP) AS date, {source.title} AS title, {source.summary} AS summary,"
            f" t.area_code, {source.ward or 'NULL'} AS ward_code, {source.officer} AS officer_id"
            f" FROM {store.relation(name)} t{join} WHERE {' AND '.join(conditions) or 'TRUE'}"
        )
        params += where_params
    searched = tuple(tables or SOURCES)
    asked = {"text": text, "tables": tuple(tables), "start": start, "end": end, "areas": tuple(areas),
             "wards": tuple(wards), "officers": tuple(officers), "issues": tuple(issues), "limit": int(limit)}
    if not parts:
        results = pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})
        _audit_results(store, user, results, asked, searched)
        return results
    query = (
        f"WITH found AS ({' UNION ALL '.join(parts)})"
        " SELECT f.table_name, f.record_id, f.reference, f.kind, f.date, f.title, f.summary,"
        " f.area_code, coalesce(a.name, f.area_code) AS area, f.ward_code, coalesce(w.name, f.ward_code) AS ward,"
        " f.officer_id, coalesce(u.name, f.officer_id) AS officer, count(*) OVER () AS total"
        f" FROM found f LEFT JOIN {store.relation('areas')} a ON a.area_code = f.area_code"
        f" LEFT JOIN {store.relation('wards')} w ON w.ward_code = f.ward_code"
        f" LEFT JOIN {store.relation('users')} u ON u.user_id = f.officer_id"
        f" ORDER BY f.date DESC, f.table_name, f.record_id LIMIT {int(limit)}"
    )
    results = sql.run(query, params)
    _audit_results(store, user, results, asked, searched)
    return results


def _audit_results(store: Store, user: Mapping[str, Any], results: pd.DataFrame, asked: Mapping[str, Any],
                   searched: Sequence[str]) -> None:
    """Write the search results shown to the audit log: one `view_personal` entry per record type listed
    (its ids), or one without ids when nothing was found; the text and filters in the detail."""
    total = int(results["total"].iloc[0]) if len(results) else 0
    filters = "; ".join(f"{name} {_shown(value)}" for name, value in asked.items()
                        if value not in ("", (), None) and name != "limit")
    detail = f"Search: {len(results)} of {total} results shown; {filters or 'no text or filters'}"
    versions = store.versions(searched)
    tables = list(dict.fromkeys(results["table_name"])) if len(results) else [None]
    for table in tables:
        ids = [] if table is None else [str(i) for i in results.loc[results["table_name"] == table, "record_id"]]
        audit.log_once(store, user, "view_personal", key=("search", tuple(asked.items()), versions, table),
                       table=table, target_ids=ids, detail=detail[:4000])


def _shown(value: Any) -> str:
    """A search's text or filter as the audit detail gives it: the text quoted (control characters escaped),
    dates as ISO dates, lists comma-separated."""
    if isinstance(value, tuple):
        return ", ".join(v if isinstance(v, str) and v.isprintable() else _shown(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value) if isinstance(value, str) else str(value)


def get_record(store: Store, *, table: str, record_id: str, user: Mapping[str, Any]) -> dict | None:
    """One current record of a searchable type as the user may see it, or None (also outside their scope).

    CCR diversity answers are left out unless the user has `read_personal` in the CCR's area (the view
    is audited) or recorded the CCR. NotAllowed without `read_team_records`.
    """
    access.require(user, "read_team_records")
    if table not in SOURCES or not isinstance(record_id, str) or text_problem(record_id):
        return None
    row = store.get(table, record_id)
    if row is None:
        return None
    if table == "useful_info" and row.get("area_code") != info_area(user):
        return None
    if SOURCES[table].team and not (access.in_scope(user, row.get("area_code")) or _is_own(user, row)):
        return None
    hidden = set(HIDDEN_FIELDS.get(table, ()))
    if table == "ccrs" and hidden and _may_see_answers(user, row):
        hidden = set()
    if table == "ccrs" and row.get("officer_id") != user.get("user_id"):
        shown = "with" if not hidden and any(row.get(f) is not None for f in DIVERSITY_FIELDS) else "without"
        audit.log_once(store, user, "view_personal", key=("ccrs", row["record_id"], row["version"]), table="ccrs",
                       target_ids=[row["record_id"]], detail=f"Search: opened a CCR, {shown} diversity answers")
    fields = [f for f in TABLES[table].model_fields if f not in hidden]
    return {name: row.get(name) for name in (*fields, *SYSTEM_SHOWN)}


def _is_own(user: Mapping[str, Any], row: Mapping[str, Any]) -> bool:
    """Whether the user organised, attended or recorded this event, CCR or patrol."""
    user_id = user.get("user_id")
    attending = row.get("officers_attending")
    return user_id is not None and (user_id in (row.get("organiser"), row.get("officer_id"))
                                    or (attending is not None and user_id in list(attending)))


def _may_see_answers(user: Mapping[str, Any], row: Mapping[str, Any]) -> bool:
    """Whether the user sees this CCR's diversity answers: its recorder, or a supervisor of its area."""
    if row.get("officer_id") == user.get("user_id") and access.can(user, "read_own_records"):
        return True
    return access.can(user, "read_personal", row.get("area_code"))


# -- shared information ---------------------------------------------------------


def list_good_practice(store: Store, *, user: Mapping[str, Any], text: str = "", area: str | None = None,
                       limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """The force's good practice, newest first, optionally matching text or from one area (anyone: `share`)."""
    access.require(user, "share")
    conditions, params = [], []
    text = (text or "").strip()
    if text:
        columns = SOURCES["good_practice"].text_columns
        conditions.append("(" + " OR ".join(f"{c} ILIKE ? ESCAPE '\\'" for c in columns) + ")")
        params += [escape_like(text)] * len(columns)
    if area:
        conditions.append("t.area_code = ?")
        params.append(area)
    return sql.run(
        "SELECT t.record_id, t.title, t.area_code, coalesce(a.name, t.area_code) AS area, t.problem, t.action,"
        " t.result, t.tags, c.created_by, coalesce(u.name, c.created_by) AS created_by_name, c.created_at"
        f" FROM {store.relation('good_practice')} t"
        f" JOIN {creators_relation(store, 'good_practice')} c ON c.record_id = t.record_id"
        f" LEFT JOIN {store.relation('areas')} a ON a.area_code = t.area_code"
        f" LEFT JOIN {store.relation('users')} u ON u.user_id = c.created_by"
        f" WHERE {' AND '.join(conditions) or 'TRUE'} ORDER BY c.created_at DESC, t.record_id LIMIT {int(limit)}",
        params,
    )


def list_useful_info(store: Store, *, user: Mapping[str, Any], folder: str | None = None,
                     text: str = "") -> pd.DataFrame:
    """The useful information of the user's own area (none for anyone else), by folder and title."""
    access.require(user, "share")
    area = info_area(user)
    conditions, params = ["t.area_code = ?"], [area]
    if folder:
        conditions.append("t.folder = ?")
        params.append(folder)
    text = (text or "").strip()
    if text:
        columns = SOURCES["useful_info"].text_columns
        conditions.append("(" + " OR ".join(f"{c} ILIKE ? ESCAPE '\\'" for c in columns) + ")")
        params += [escape_like(text)] * len(columns)
    return sql.run(
        "SELECT t.record_id, t.version, t.title, t.folder, t.body, t.area_code, c.created_by,"
        " t.written_by AS updated_by, coalesce(u.name, t.written_by) AS updated_by_name, t.written_at AS updated_at"
        f" FROM {store.relation('useful_info')} t"
        f" JOIN {creators_relation(store, 'useful_info')} c ON c.record_id = t.record_id"
        f" LEFT JOIN {store.relation('users')} u ON u.user_id = t.written_by"
        f" WHERE {' AND '.join(conditions)} ORDER BY t.folder, t.title, t.record_id",
        params,
    )


def list_info_folders(store: Store, *, user: Mapping[str, Any]) -> list[str]:
    """The folders of the user's own area's useful information, in order."""
    access.require(user, "share")
    frame = sql.run(f"SELECT DISTINCT folder FROM {store.relation('useful_info')} WHERE area_code = ?"
                   " ORDER BY folder", [info_area(user)])
    return list(frame["folder"])
