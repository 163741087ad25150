"""data.police.uk's neighbourhood priorities format, in and out.

data.police.uk publishes each neighbourhood's priorities as a JSON list of
objects with four keys: `issue` and `action` (text, often HTML), `issue-date`
and `action-date` (`YYYY-MM-DDT00:00:00`); `action` and `action-date` are null
until something was done. Beatbook writes its public "You said, we did"
summary in the same shape and reads it back, so a force can load what it
already publishes.

`import_priorities` loads a force's published priorities as "You said, we
did" items. Text from a file is never trusted as markup: `html_to_text` turns it into
plain text (paragraphs kept as blank lines, entities decoded, scripts and
styles dropped), and Beatbook stores and shows only that text, escaped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from data import access, audit, db, reference
from data.arrow_schema import system_columns
from data.store import Store, ValidationError, validate

KEYS = ("issue", "issue-date", "action", "action-date")
MAX_PRIORITIES = 10_000
_BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
                     "blockquote", "section", "article", "header", "footer", "pre", "hr"})
_DROP = frozenset({"script", "style", "head", "title", "noscript", "template", "iframe", "object"})


@dataclasses.dataclass(frozen=True)
class Priority:
    """One neighbourhood priority: what was raised and when; what was done and when (or None)."""

    issue: str
    issue_date: dt.date
    action: str | None = None
    action_date: dt.date | None = None


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _DROP:
            self.dropping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n" if tag == "br" else "\n\n")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n" if tag == "br" else "\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self.dropping = max(0, self.dropping - 1)
        elif tag in _BLOCKS and tag != "br":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.parts.append(data)


def html_to_text(text: str | None) -> str | None:
    """Plain text of possibly-HTML `text`: tags removed, paragraphs as blank lines, entities decoded."""
    if text is None:
        return None
    parser = _TextOnly()
    parser.feed(str(text))
    parser.close()
    joined = "".join(parser.parts).replace("\r\n", "\n").replace("\xa0", " ")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in joined.split("\n")]
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


def _date(value: Any, *, where: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where}: must be a date text like 2019-01-14T00:00:00")
    try:
        day = dt.datetime.fromisoformat(value.strip()).date()
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a date like 2019-01-14T00:00:00") from None
    if not dt.date(2000, 1, 1) <= day < dt.date(2100, 1, 1):
        raise ValueError(f"{where}: {day} must be between 2000 and 2100")
    return day


def _text(value: Any, *, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where}: must be text")
    return html_to_text(value) or None


def parse_priorities(payload: str | bytes | list | dict) -> list[Priority]:
    """Priorities from data.police.uk JSON (a list of objects, or one object); raise ValueError naming the item."""
    data = json.loads(payload) if isinstance(payload, str | bytes) else payload
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError("expected a JSON list of priorities (or one priority object)")
    if len(items) > MAX_PRIORITIES:
        raise ValueError(f"at most {MAX_PRIORITIES:,} priorities in one file")
    priorities = []
    for n, item in enumerate(items, start=1):
        where = f"priority {n}"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected an object with issue, issue-date, action, action-date")
        issue = _text(item.get("issue"), where=f"{where} issue")
        issue_date = _date(item.get("issue-date"), where=f"{where} issue-date")
        if issue is None or issue_date is None:
            raise ValueError(f"{where}: issue and issue-date are required")
        action = _text(item.get("action"), where=f"{where} action")
        action_date = _date(item.get("action-date"), where=f"{where} action-date")
        if action_date is not None and action_date < issue_date:
            raise ValueError(f"{where}: action-date {action_date} is before issue-date {issue_date}")
        priorities.append(Priority(issue, issue_date, action, action_date))
    return priorities


def _stamp(day: dt.date | None) -> str | None:
    return None if day is None else f"{day.isoformat()}T00:00:00"


def priorities_json(priorities: list[Priority]) -> list[dict[str, str | None]]:
    """The priorities as data.police.uk objects (plain text, dates as YYYY-MM-DDT00:00:00)."""
    return [{"issue": p.issue, "issue-date": _stamp(p.issue_date), "action": p.action,
             "action-date": _stamp(p.action_date)} for p in priorities]


def dumps(priorities: list[Priority]) -> str:
    """The priorities as a JSON document (UTF-8 text, indented)."""
    return json.dumps(priorities_json(priorities), indent=2, ensure_ascii=False)


def escape_text(text: str | None) -> str:
    """Plain text as HTML: escaped, blank lines as paragraphs, single newlines as line breaks."""
    if not text:
        return ""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


# -- loading published priorities as "You said, we did" items -------------------------

IMPORT_ACTION_TYPE = "Problem-solving plan"
IMPORT_FEEDBACK_CHANNEL = "Website"
IMPORT_FEEDBACK_TEXT = "Published as a neighbourhood priority update."


def issue_category_of(text: str, categories: list[str], default: str) -> str:
    """The first category named in the text (case, hyphens and spacing ignored), else `default`."""
    folded = " ".join(text.lower().replace("-", " ").split())
    for category in categories:
        if " ".join(category.lower().replace("-", " ").split()) in folded:
            return category
    return default


def imported_id(area_code: str, ward_code: str | None, priority: Priority) -> str:
    """The record id a priority gets: the same priority for the same place is loaded once."""
    key = "\x1f".join([area_code, ward_code or "", priority.issue_date.isoformat(), priority.issue])
    return "priority-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def priority_record(priority: Priority, *, area_code: str, ward_code: str | None, category: str,
                    officer_id: str) -> dict[str, Any]:
    """The item a published priority becomes: open if nothing was done, else one action told back on the website."""
    record: dict[str, Any] = {
        "issue_category": category, "issue_text": priority.issue, "source": "import", "area_code": area_code,
        "ward_code": ward_code, "raised_on": priority.issue_date, "linked_events": [], "linked_ccrs": [],
        "actions": [], "feedback": [], "status": "open", "publishable": True,
    }
    if priority.action is not None:
        day = priority.action_date or priority.issue_date
        record["actions"] = [{"action_type": IMPORT_ACTION_TYPE, "text": priority.action, "date": day,
                              "officer_id": officer_id}]
        record["feedback"] = [{"date": day, "channel": IMPORT_FEEDBACK_CHANNEL, "text": IMPORT_FEEDBACK_TEXT}]
        record["status"] = "feedback_given"
    return record


def import_priorities(*, store: Store, payload: str | bytes | list | dict, area_code: str,
                      ward_code: str | None = None, default_category: str | None = None,
                      user: Mapping[str, Any]) -> dict[str, int]:
    """Load data.police.uk priorities for one area (and ward) as publishable items, in one commit.

    The issue category is the first pick-list category named in the issue's text, else
    `default_category` (else the first category). A priority with an action becomes an item with
    that action (dated by action-date, by the importing user) and feedback on the website; one without
    stays open. Loading the same priorities again adds nothing. Needs the `import` capability; audited.
    Returns {"read": n, "added": n, "already_loaded": n}; a bad file raises ValidationError and writes nothing.
    """
    user_id = access.require(user, "import")
    errors: dict[str, str] = {}
    if area_code not in reference.area_names(store):
        errors["area_code"] = "is not a known area"
    elif ward_code is not None and not reference.ward_in_area(store, ward_code=ward_code, area_code=area_code):
        errors["ward_code"] = "is not a ward of the chosen area"
    categories = reference.picklist(store, "issue_categories")
    default = default_category or categories[0]
    if default not in categories:
        errors["issue_category"] = f"{default!r} is not on the issue list"
    if errors:
        raise ValidationError(errors)
    try:
        priorities = parse_priorities(payload)
    except ValueError as exc:
        raise ValidationError({"file": str(exc)}) from None
    rows: dict[str, dict[str, Any]] = {}
    for n, priority in enumerate(priorities, start=1):
        record = priority_record(priority, area_code=area_code, ward_code=ward_code,
                                 category=issue_category_of(priority.issue, categories, default), officer_id=user_id)
        try:
            rows.setdefault(imported_id(area_code, ward_code, priority), validate("ysywd", record).model_dump())
        except ValidationError as exc:
            field, message = next(iter(exc.errors.items()))
            raise ValidationError({"file": f"priority {n}: {field}: {message}"}) from None
    existing = _stored_ids(store, "ysywd", list(rows))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    new = [{**record, **system_columns(record_id=record_id, written_at=now, written_by=user_id)}
           for record_id, record in rows.items() if record_id not in existing]
    if new:
        store.append_rows("ysywd", new)
    audit.log(store, user, "import", table="ysywd", target_ids=[r["record_id"] for r in new],
              detail=f"data.police.uk priorities for {area_code}{' ' + ward_code if ward_code else ''}: "
                     f"{len(priorities)} read, {len(new)} added")
    return {"read": len(priorities), "added": len(new), "already_loaded": len(rows) - len(new)}


def _stored_ids(store: Store, table: str, record_ids: list[str]) -> set[str]:
    """Which of these record ids any stored version of the table's records has."""
    snap = store.snapshot(table)
    if not record_ids or not snap.files:
        return set()
    scan = db.parquet_scan(snap.files)
    found = db.rows(f"SELECT DISTINCT record_id FROM {scan} WHERE list_contains(?::VARCHAR[], record_id)",
                    [record_ids])
    return {row[0] for row in found}
