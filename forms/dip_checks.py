"""Dip checks: a supervisor passes, advises on or returns a team member's record; the team export.

A review applies to one version of a record: it is refused when the record
changed since the supervisor opened it, so a check always names what was read.
Returning a record puts it on top of its officer's My activity with the
comment; their edit (a new version) brings it back to the queue.
Seeing a CCR's diversity answers and exporting the team's records are each
written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from analytics.activity import OWNER_COLUMNS
from analytics.export import to_excel_bytes
from analytics.quality import CHECKED_TABLES, SHEETS, list_team_submissions
from data import access, audit, reference
from data.checked import INT64_MAX, text_problem
from data.schema import DIVERSITY_FIELDS
from data.store import Saved, Store, ValidationError
from forms import checks
from forms.rules import check_record

OUTCOMES = {"pass": "Pass", "advice": "Pass with advice", "returned": "Return to the officer"}
REVIEW_LABELS = {"outcome": "Outcome", "faults": "Faults found", "comment": "Comment", "record": "Record"}
PERSONAL_DETAIL = "Dip check: diversity answers shown"
"""The audit detail of a view of a CCR's diversity answers (the record's own view is audited apart)."""


def save_review(*, store: Store, user: Mapping[str, Any], table: str, record_id: str, version: int, outcome: str,
                comment: str | None = None, faults: Sequence[str] = (), submission_id: str) -> Saved:
    """Record a dip check of `version` of a record; raise NotAllowed or ValidationError and write nothing.

    Advice and returns need a comment; a pass names no faults; faults come from the
    `dip_check_faults` pick-list. Nobody checks their own record.
    """
    access.require(user, "dip_check")
    if not isinstance(table, str) or table not in CHECKED_TABLES:
        raise ValidationError({"record": f"{checks.shown(table)} records are not dip checked"})
    if not isinstance(record_id, str) or not record_id or len(record_id) > 64 or text_problem(record_id):
        raise ValidationError({"record": "this record does not exist or was withdrawn"})
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= INT64_MAX:
        raise ValidationError({"record": "the version checked must be a whole number from 1"})
    row = store.get(table, record_id)
    if row is None:
        raise ValidationError({"record": "this record does not exist or was withdrawn"})
    user_id = access.require(user, "dip_check", row["area_code"])
    if row.get(OWNER_COLUMNS[table]) == user_id:
        raise access.NotAllowed("you cannot dip check your own record")
    errors = {}
    if version != int(row["version"]):
        errors["record"] = "the officer changed this record since you opened it: check the new version"
    if not isinstance(outcome, str) or outcome not in OUTCOMES:
        errors["outcome"] = "choose pass, advice or return"
    checks.check_text(errors, "comment", comment)
    text = checks.text_or_none(comment) if isinstance(comment, str) else None
    if outcome in ("advice", "returned") and text is None and "comment" not in errors:
        errors["comment"] = "say what to improve" if outcome == "advice" else "say what the officer should fix"
    faults = checks.check_list(errors, "faults", faults, max_items=10)
    faults = list(dict.fromkeys(faults))
    unknown = [f for f in faults if f not in reference.picklist(store, "dip_check_faults")]
    if unknown:
        errors.setdefault("faults", f"not on the list: {', '.join(checks.shown(f) for f in unknown)}")
    elif outcome == "pass" and faults:
        errors.setdefault("faults", "a pass names no faults: choose advice or return")
    review = {"table_name": table, "target_id": record_id, "target_version": version, "reviewer_id": user_id,
              "outcome": outcome, "comment": text, "faults": faults}
    model = check_record("quality_reviews", review, errors=errors)
    return store.save("quality_reviews", model, user=user_id, submission_id=submission_id)


def view_personal_answers(*, store: Store, user: Mapping[str, Any], record_id: str) -> dict[str, Any]:
    """A CCR's diversity consent and answers for a supervisor of its area; the view is audited."""
    access.require(user, "read_personal")
    ok = isinstance(record_id, str) and 0 < len(record_id) <= 64 and not text_problem(record_id)
    row = store.get("ccrs", record_id) if ok else None
    if row is None:
        raise ValidationError({"record": "this record does not exist or was withdrawn"})
    access.require(user, "read_personal", row["area_code"])
    audit.log(store, user, "view_personal", table="ccrs", target_ids=[record_id], detail=PERSONAL_DETAIL)
    return {"diversity_consent": row["diversity_consent"], **{f: row[f] for f in DIVERSITY_FIELDS}}


def export_team_submissions(*, store: Store, user: Mapping[str, Any], start: dt.date, end: dt.date) -> bytes:
    """The team's records from `start` to `end` as an Excel workbook (one sheet per type), audited per sheet.

    NotAllowed for nobody (None, no user row) or anyone but a supervisor; ValidationError for a bad period.
    """
    access.require(user, "team_export")
    if not (checks.is_date(start) and checks.is_date(end)):
        raise ValidationError({"period": "choose a start and an end date"})
    if end < start:
        raise ValidationError({"period": "the end must not be before the start"})
    frames = list_team_submissions(store, user=user, start=start, end=end)
    data = to_excel_bytes(frames)
    detail = f"team submissions, {user.get('area_code')}, {start.isoformat()} to {end.isoformat()}, Excel"
    for table in CHECKED_TABLES:
        frame = frames[SHEETS[table]]
        audit.log(store, user, "export", table=table, target_ids=list(frame["record_id"]),
                  detail=f"{detail}: {len(frame)} rows")
    return data
