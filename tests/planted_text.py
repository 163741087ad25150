"""A copy of the demo store with Markdown, HTML and Streamlit directives planted in every free-text field.

The free-text fields come from the pydantic models (`data.schema.TABLES`): every text field, and every
list of text, that is not an identifier (`IDENTIFIERS`) or left out with its reason (`NOT_PLANTED`), so a
new field is planted without a change here (`test_every_text_field_is_planted_or_named` fails on a new
table or a new identifier-looking field until it is classified).

`plant(store)` writes, as one officer of one area: an upcoming and a recently completed event, a contact,
a patrol, an abstraction, good practice, useful information, feedback and news, a "You said, we did" item
with an action and feedback, a supervisor's return of the upcoming event, and it renames the officer, their
supervisor, their area and a ward, and adds a quick link. Every planted text holds links, an image (a tracking pixel),
`data:` and `javascript:` links, `:red[...]`, `:material/skull:`, `$x^2$` and `<img onerror>`; the long
ones also a heading, a table, a bare address and an e-mail address.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel

from data import reference
from data.arrow_schema import SYSTEM_COLUMNS, _max_length
from data.schema import TABLES
from data.store import Store, new_submission_id

LINE = ("![px](http://host/p.png) [Click me](https://evil.example) [d](data:text/html,x) "
        "[j](javascript:alert(1)) :red[RED] :material/skull: $x^2$ <img src=x onerror=alert(1)>")
"""For text fields of up to 200 characters."""
BLOCK = LINE + "\n# Planted heading\n\n| pa | pb |\n|----|----|\n| 1 | 2 |\n\nwww.evil.example me@evil.example"
"""For longer text fields: several lines."""
SHORT = "[cz](https://evil.example):red[R]$y$"
"""For codes someone types or picks from a list they made (folders, tags, pick-list values): 40 characters."""
QUICK = "[cz](http://e.x):red[R]$y$"
"""A quick link's label (its settings key holds it after `quick_link:`)."""
assert len(LINE) <= 200 and len(SHORT) <= 40 and len(QUICK) <= 29

IDENTIFIERS = {
    "area_code", "ward_code", "organiser", "officer_id", "officers_attending", "event_id", "linked_events",
    "linked_ccrs", "table_name", "target_id", "reviewer_id", "user_id", "list_name", "key", "geography_code",
    "ethnicity_code", "crime_id", "lsoa_code", "answer", "owner_id", "ward_codes", "ysywd_ids", "action_id",
}
"""Codes that name another record, a user or a fixed list: changed, the record would no longer be shown."""
NOT_PLANTED = {
    ("users", "email"): "the sign-in address (checked as an e-mail address when an admin types it)",
    ("users", "sign_in_subject"): "the identity provider's account id, set at sign-in",
    ("wards", "geojson"): "a boundary, drawn on maps, never shown as text",
}
PLANTED_TABLES = ("events", "ccrs", "patrols", "abstractions", "ysywd", "good_practice", "useful_info",
                  "app_feedback", "news", "quality_reviews", "users", "areas", "wards", "community_queries",
                  "problems")
SKIPPED_TABLES = {
    "audit": "written by the app itself; shown only in the audit log's grid (plain text)",
    "picklists": "their values are planted where records use them (event types, issues, tags, ...)",
    "settings": "numbers and links an admin sets, each checked; a quick link's label is planted (`QUICK`)",
    "crimes": "imported data.police.uk rows: shown in grids and charts only (plain text)",
    "census_population": "imported census counts: shown in grids and charts only (plain text)",
    "diversity_months": "counts only",
    "ward_officers": "codes and dates only; names shown are the users' (planted in `users`)",
    "alerts_sent": "written by the alerts command from codes and counts; never shown in the app",
}


def text_fields(table: str) -> dict[str, Any]:
    """Each free-text field of `table` and what is planted in it (nested models: a dict per field)."""
    return _fields(TABLES[table], table)


def _fields(model: type[BaseModel], table: str) -> dict[str, Any]:
    planted: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in IDENTIFIERS or (table, name) in NOT_PLANTED:
            continue
        kind = _inner(field.annotation)
        if kind is str:
            size = _max_length(field)
            planted[name] = SHORT if 0 < size <= 40 else LINE if 0 < size <= 200 else BLOCK
        elif typing.get_origin(kind) is list:
            (item,) = typing.get_args(kind)
            item = _inner(item)
            if item is str:
                planted[name] = [SHORT]
            elif isinstance(item, type) and issubclass(item, BaseModel):
                planted[name] = _fields(item, table)
    return planted


def _inner(annotation: Any) -> Any:
    """The type under `Annotated[...]` and `X | None`; Literal (a fixed list) is not free text."""
    while True:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType):
            (annotation,) = [a for a in args if a is not type(None)]
        elif origin is Literal:
            return None
        else:
            return annotation


def _with_text(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The stored row (system columns dropped) with every free-text field planted."""
    values = {k: _plain(v) for k, v in row.items() if k not in SYSTEM_COLUMNS}
    for name, planted in text_fields(table).items():
        if isinstance(planted, dict):  # nested records (an item's actions and feedback)
            values[name] = [{**item, **planted} for item in values.get(name) or []]
        else:
            values[name] = planted
    return values


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclasses.dataclass
class Planted:
    officer: dict
    supervisor: dict
    area_code: str
    ids: dict[str, str]
    """table (or "event_completed") -> record id of the planted record."""


def plant(store: Store) -> Planted:
    """Plant the text (see the module docstring) for the first officer with events; what and where."""
    users = reference.list_users(store)
    officers = users[(users["role"] == "officer") & users["active"] & users["area_code"].notna()]
    officer = next(u for u in officers.to_dict("records") if _latest(store, "events", "organiser", u["user_id"]))
    area = officer["area_code"]
    supervisor = next(u for u in users.to_dict("records")
                      if u["role"] == "supervisor" and u["active"] and u["area_code"] == area)
    me, sergeant = officer["user_id"], supervisor["user_id"]
    now = dt.datetime.now().replace(microsecond=0)
    ids: dict[str, str] = {}

    def save(table: str, values: Mapping[str, Any], *, user: str, row: Mapping[str, Any] | None = None) -> str:
        saved = store.save(table, values, user=user, submission_id=new_submission_id(),
                           record_id=row["record_id"] if row else None,
                           base_version=int(row["version"]) if row else None)
        return saved.record_id

    upcoming, completed = _latest(store, "events", "organiser", me, count=2)
    start = dt.datetime.combine(now.date() + dt.timedelta(days=2), dt.time(18))
    ids["events"] = save("events", {**_with_text("events", upcoming), "start": start,
                                    "end": start + dt.timedelta(hours=1), "status": "booked"}, user=me, row=upcoming)
    start = dt.datetime.combine(now.date() - dt.timedelta(days=3), dt.time(10))
    ids["event_completed"] = save("events", {
        **_with_text("events", completed), "start": start, "end": start + dt.timedelta(hours=1),
        "status": "completed", "attendees": 12, "officers_involved": 2, "quality_rating": 4,
        "ward_code": upcoming["ward_code"]}, user=me, row=completed)
    contact = _latest(store, "ccrs", "officer_id", me)[0]
    ids["ccrs"] = save("ccrs", {**_with_text("ccrs", contact), "contact_at": now - dt.timedelta(days=2),
                                "info_submitted": True}, user=me, row=contact)
    for table in ("patrols", "abstractions"):
        row = _latest(store, table, "officer_id", me)[0]
        ids[table] = save(table, _with_text(table, row), user=me, row=row)
    for table in ("good_practice", "useful_info"):  # new records, so the officer is their creator
        row = _latest(store, table, "area_code", area)[0]
        ids[table] = save(table, _with_text(table, row), user=me)
    ids["app_feedback"] = save("app_feedback", {"kind": "bug", **_with_text("app_feedback", {})}, user=me)
    ids["news"] = save("news", {**_with_text("news", {}), "published_on": now.date()}, user=sergeant)
    item = _latest(store, "ysywd", "area_code", area, having="len(actions) > 0")[0]
    ids["ysywd"] = save("ysywd", {**_with_text("ysywd", item), "linked_events": [ids["event_completed"]]},
                        user=sergeant, row=item)
    problem = _latest(store, "problems", "area_code", area, having="len(actions) > 0 AND stage <> 'closed'")[0]
    ids["problems"] = save("problems", {**_with_text("problems", problem), "ysywd_ids": [ids["ysywd"]]},
                           user=sergeant, row=problem)
    ids["community_queries"] = save("community_queries", {
        **_with_text("community_queries", {}), "received_at": now - dt.timedelta(days=4), "channel": "Phone",
        "area_code": area, "ward_code": upcoming["ward_code"], "officer_id": me}, user=me)
    event = store.get("events", ids["events"])
    ids["quality_reviews"] = save("quality_reviews", {
        **_with_text("quality_reviews", {}), "table_name": "events", "target_id": ids["events"],
        "target_version": int(event["version"]), "reviewer_id": sergeant, "outcome": "returned"}, user=sergeant)
    for person in (officer, supervisor):
        row = _current(store, "users", "user_id", person["user_id"])
        save("users", _with_text("users", row), user=sergeant, row=row)
    save("areas", _with_text("areas", _current(store, "areas", "area_code", area)), user=sergeant,
         row=_current(store, "areas", "area_code", area))
    ward = _current(store, "wards", "ward_code", upcoming["ward_code"])
    save("wards", _with_text("wards", ward), user=sergeant, row=ward)
    save("settings", {"key": f"quick_link:{QUICK}", "value": "https://example.org/"}, user=sergeant)
    return Planted(officer=officer | {"name": LINE}, supervisor=supervisor | {"name": LINE}, area_code=area,
                   ids=ids)


def _latest(store: Store, table: str, column: str, value: str, *, count: int = 1,
            having: str = "true") -> list[dict]:
    from data import db

    sql = (f"SELECT * FROM {store.relation(table)} WHERE {column} = ? AND {having} "
           f"ORDER BY written_at DESC, record_id LIMIT {int(count)}")
    rows = db.run(sql, [value]).to_dict("records")
    return [store.get(table, row["record_id"]) for row in rows]


def _current(store: Store, table: str, column: str, value: str) -> dict:
    return _latest(store, table, column, value)[0]


ESCAPED_PAIR = re.compile(r"\\[!-/:-@\[-`{-~]")
LIVE_MARKERS = ("](", "![", "[Click", ":red[", ":material/skull:", "$x^2$", "<img", "# Planted", "| pa", "[cz]")
"""What planted text looks like where it would still be read as Markdown (after removing escaped characters)."""


def live_markup(markdown: str) -> list[str]:
    """The planted syntax still live in a Markdown string: what is left once every `\\x` escape is removed."""
    live = ESCAPED_PAIR.sub("", markdown).replace("\u2060", "")
    return [marker for marker in LIVE_MARKERS if marker in live]
