"""Problem solving (SARA): open a problem, work it through scanning, analysis, response and assessment.

A problem belongs to one area and one or more of its wards, has an owner (an active officer or supervisor of
the area), a review date and the "You said, we did" items it answers (items of the same area). Every function
here writes one new version of the problem: the store keeps every version (who, when, and `change`, what the
version changed), which is the problem's history. Each change names the version the page showed
(`base_version`): if someone changed the problem since, it is refused (`EditConflict`, naming who and when)
and nothing is written, so no change is lost to another made at the same time.

The stages go forward one at a time; a problem may go back to any earlier stage (SARA is a loop: an
assessment that finds no change sends it back to analysis or response). Moving on needs:
- to analysis: nothing more than the scanning fields (statement, wards, items);
- to response: the problem analysis triangle (victim, offender, location);
- to assessment: at least one completed action and the response's first and last days, the last not after today;
- to closed: an assessment note. A closed problem can only be reopened, by a supervisor (back to assessment).

Writing needs `problem_edit` in the problem's area; reading needs `problem_read` in it. Bad values raise
`ValidationError({field: message})` and nothing is written. The texts describe places and behaviour, not people:
the forms ask for no names, so no view of a problem is audited as personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from data import access, picklists, reference, refs
from data.checked import text_problem
from data.schema import TABLES, TRIANGLE
from data.store import Saved, Store, ValidationError
from forms import checks
from forms.conflicts import naming_who, refuse_withdrawn, withdrawn_since

TABLE = "problems"
STAGES = picklists.PROBLEM_STAGES
STAGE_LABELS = {"scanning": "Scanning", "analysis": "Analysis", "response": "Response", "assessment": "Assessment",
                "closed": "Closed"}
LABELS = {
    "title": "Title", "statement": "Problem statement", "area_code": "Area", "ward_codes": "Wards",
    "places": "Places", "owner_id": "Owner", "review_on": "Review date", "ysywd_ids": "You said, we did items",
    "victim": "Victim (who or what is harmed; no names)", "offender": "Offender (who causes it; no names)",
    "location": "Location (what about the place lets it happen)", "partners": "Partner agencies",
    "response_start": "Response started", "response_end": "Response ended",
    "assessment_note": "Assessment (what changed, what was learned)", "text": "Action", "partner": "Partner agency",
    "planned_on": "Planned for", "completed_on": "Completed on", "action_id": "Action", "stage": "Stage",
    "record": "Problem",
}
OPEN_FIELDS = ("title", "statement", "area_code", "ward_codes", "places", "owner_id", "review_on", "ysywd_ids")
OPEN_REQUIRED = ("title", "statement", "area_code", "ward_codes", "review_on")
EDIT_FIELDS = ("title", "statement", "ward_codes", "places", "owner_id", "review_on", "ysywd_ids", *TRIANGLE,
               "partners", "response_start", "response_end", "assessment_note")
ACTION_FIELDS = ("text", "partner", "planned_on")
REOPENERS = ("supervisor",)
"""Roles that may reopen a closed problem."""
REVIEW_AHEAD = dt.timedelta(days=366)
MAX_WARDS = 20
MAX_ITEMS = 20
MAX_PARTNERS = 20
ITEM_SHOWN = 90
"""Characters of what the community said shown in a pick-list of "You said, we did" items (the item's page has all)."""


# -- reading ---------------------------------------------------------------------


def _plain_id(record_id: Any) -> bool:
    return isinstance(record_id, str) and 0 < len(record_id) <= 64 and not text_problem(record_id)


def get_problem(store: Store, record_id: Any, *, user: Mapping[str, Any]) -> dict[str, Any] | None:
    """The current version of one problem (fields, record_id, version, written_at, written_by, reference), or None;
    needs `problem_read` in its area."""
    access.require(user, "problem_read")
    row = store.get(TABLE, record_id) if _plain_id(record_id) else None
    if row is None:
        return None
    access.require(user, "problem_read", row["area_code"])
    keep = {*TABLES[TABLE].model_fields, "record_id", "version", "written_at", "written_by", "reference"}
    problem = {k: v for k, v in row.items() if k in keep}
    for name in ("ward_codes", "ysywd_ids", "partners"):
        problem[name] = list(problem.get(name) or [])
    problem["actions"] = [dict(a) for a in (problem.get("actions") or [])]
    return problem


def problem_history(store: Store, record_id: str, *, user: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every version of the problem, newest first: version, written_at, written_by, stage, change."""
    access.require(user, "problem_read")
    versions = store.history(TABLE, record_id) if _plain_id(record_id) else []
    if not versions:
        return []
    access.require(user, "problem_read", versions[0]["area_code"])
    return [{"version": v["version"], "written_at": v["written_at"], "written_by": v["written_by"],
             "stage": v["stage"], "change": v["change"]} for v in versions]


def _record(problem: Mapping[str, Any]) -> dict[str, Any]:
    return {k: problem[k] for k in TABLES[TABLE].model_fields if k in problem}


def _editable(store: Store, record_id: Any, user: Mapping[str, Any], base_version: Any) -> tuple[dict, str]:
    """The problem to change and the acting user's id; refused unless the user may work problems in its area."""
    actor = access.require(user, "problem_edit")
    if isinstance(base_version, bool) or not isinstance(base_version, int) or base_version < 0:
        raise ValidationError({"record": "the version the page showed must be a whole number"})
    row = store.get(TABLE, record_id) if _plain_id(record_id) else None
    if row is None:
        gone = withdrawn_since(store, TABLE, record_id, base_version) if _plain_id(record_id) else None
        if gone is not None and access.can(user, "problem_edit", gone["area_code"]):
            refuse_withdrawn(store, TABLE, record_id, gone)
        raise ValidationError({"record": "no such problem"})
    access.require(user, "problem_edit", row["area_code"])
    return get_problem(store, record_id, user=user), actor


CLOSED = "this problem is closed: a supervisor may reopen it"


def _start_change(store: Store, record_id: Any, values: Any, user: Mapping[str, Any], base_version: Any, *,
                  fields: tuple[str, ...]) -> tuple[dict, str, dict[str, str]]:
    """The problem a form changes, the acting user's id, and the form's first errors (unknown fields; a closed
    problem)."""
    problem, actor = _editable(store, record_id, user, base_version)
    if not isinstance(values, Mapping):
        raise ValidationError({"record": "the form sent no values"})
    errors: dict[str, str] = {}
    checks.unknown_fields(errors, values, fields)
    if problem["stage"] == "closed":
        checks.add(errors, "record", CLOSED)
    return problem, actor, errors


def _write(store: Store, record: Mapping[str, Any], errors: dict[str, str], *, user_id: str, submission_id: str,
           record_id: str | None = None, base_version: int | None = None) -> Saved:
    model = checks.checked_model(TABLE, record, errors, {})
    with naming_who(store):
        return store.save(TABLE, model, user=user_id, submission_id=submission_id, record_id=record_id,
                          base_version=base_version)


# -- field checks -------------------------------------------------------------------


def _check_wards(store: Store, errors: dict[str, str], area_code: Any, value: Any) -> list[str]:
    wards = checks.check_list(errors, "ward_codes", value, max_items=MAX_WARDS)
    if "ward_codes" in errors or not checks.code_like(area_code):
        return wards
    if len(set(wards)) != len(wards):
        checks.add(errors, "ward_codes", "lists a ward twice")
    strangers = [w for w in wards if not checks.code_like(w)
                 or not reference.ward_in_area(store, ward_code=w, area_code=area_code)]
    if strangers:
        checks.add(errors, "ward_codes", f"not wards of the area: {', '.join(checks.shown(w) for w in strangers)}")
    return wards


def _check_items(store: Store, errors: dict[str, str], area_code: Any, value: Any) -> list[str]:
    items = checks.check_list(errors, "ysywd_ids", value, max_items=MAX_ITEMS)
    if "ysywd_ids" in errors:
        return items
    if len(set(items)) != len(items):
        checks.add(errors, "ysywd_ids", "lists an item twice")
    for item_id in items:
        row = store.get("ysywd", item_id) if _plain_id(item_id) else None
        if row is None or row["area_code"] != area_code:
            checks.add(errors, "ysywd_ids", f"{checks.shown(item_id)} is not an item of the problem's area")
            break
    return items


def _check_owner(store: Store, errors: dict[str, str], owner: Any, area_code: Any) -> None:
    person = reference.get_user(store, owner) if checks.code_like(owner) else None
    if not (person and person.get("active") and person.get("area_code") == area_code
            and person.get("role") in access.TEAM_ROLES):
        checks.add(errors, "owner_id", "must be an active officer or supervisor of the problem's area")


def _check_review(errors: dict[str, str], value: Any, *, today: dt.date) -> None:
    if checks.check_date(errors, "review_on", value):
        if value < today:
            checks.add(errors, "review_on", f"cannot be in the past (today is {today:%d/%m/%Y})")
        elif value > today + REVIEW_AHEAD:
            checks.add(errors, "review_on", "can be at most a year ahead")


def _check_partners(errors: dict[str, str], value: Any) -> list[str]:
    partners = checks.check_list(errors, "partners", value, max_items=MAX_PARTNERS)
    for name in partners:
        checks.check_text(errors, "partners", name, max_length=200)
    if any(checks.blank(name) for name in partners):
        checks.add(errors, "partners", "has a blank name")
    return [name.strip() for name in partners if isinstance(name, str)]


def _past_day(errors: dict[str, str], field: str, value: Any, *, since: dt.date, today: dt.date) -> None:
    if checks.check_date(errors, field, value):
        if value > today:
            checks.add(errors, field, f"cannot be in the future (today is {today:%d/%m/%Y})")
        elif value < since:
            checks.add(errors, field, f"cannot be before the problem was opened ({since:%d/%m/%Y})")


# -- opening and changing ---------------------------------------------------------


def item_choices(items: Iterable[Mapping[str, Any]], *, wards: Sequence[str],
                 keep: Sequence[str] = ()) -> dict[str, str]:
    """The "You said, we did" items a problem in `wards` may answer: record id -> "YS-12 · Ward · Category: what was
    said", plain text for a pick-list's options (what was said on one line, cut at `ITEM_SHOWN` characters).

    `items` are an area's items (`analytics.ysywd.list_board` rows). Listed: the items of the chosen wards and
    the area-wide ones (those of no ward); every item while no ward is chosen; and, wherever they are, those in
    `keep` (the ones already picked, so narrowing the wards never drops a link unseen).
    """
    chosen, kept = set(wards or ()), set(keep or ())
    shown = {}
    for item in items:
        ward = item.get("ward_code")
        if chosen and item["record_id"] not in kept and isinstance(ward, str) and ward not in chosen:
            continue
        said = " ".join(str(item.get("issue_text") or "").split())
        said = said if len(said) <= ITEM_SHOWN else said[:ITEM_SHOWN - 1].rstrip() + "…"
        number = refs.number(item.get("reference"))
        reference = refs.label("ysywd", number) or "YS (no number yet)"
        shown[item["record_id"]] = f"{reference} · {item.get('ward') or 'Area-wide'} · {item['issue_category']}: {said}"
    return shown


def open_defaults(user: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """A fresh problem: the user's area, owned by the user, reviewed in four weeks."""
    today = today or dt.date.today()
    return {"title": "", "statement": "", "area_code": user.get("area_code"), "ward_codes": [], "places": "",
            "owner_id": user.get("user_id"), "review_on": today + dt.timedelta(weeks=4), "ysywd_ids": []}


def open_problem(*, store: Store, values: Mapping[str, Any], user: Mapping[str, Any], submission_id: str,
                 today: dt.date | None = None) -> Saved:
    """Open a problem at the scanning stage; ValidationError (field -> message) and nothing written if invalid."""
    today = today or dt.date.today()
    if not isinstance(values, Mapping):
        raise ValidationError({"record": "the form sent no values"})
    actor = access.require(user, "problem_edit", checks.known_area(store, values.get("area_code")))
    errors: dict[str, str] = {}
    checks.unknown_fields(errors, values, OPEN_FIELDS)
    checks.required(errors, values, OPEN_REQUIRED)
    area_code = values.get("area_code")
    checks.check_area_ward(store, errors, area_code, None)
    for field in ("title", "statement", "places"):
        checks.check_text(errors, field, values.get(field), max_length=200 if field == "title" else 4000)
    wards = _check_wards(store, errors, area_code, values.get("ward_codes"))
    items = _check_items(store, errors, area_code, values.get("ysywd_ids"))
    owner = values.get("owner_id") or actor
    _check_owner(store, errors, owner, area_code)
    _check_review(errors, values.get("review_on"), today=today)
    record = {"title": checks.text_or_none(values.get("title")),
              "statement": checks.text_or_none(values.get("statement")),
              "stage": "scanning", "owner_id": owner, "area_code": area_code, "ward_codes": wards,
              "places": checks.text_or_none(values.get("places")), "opened_on": today,
              "review_on": values.get("review_on"), "ysywd_ids": items, "change": "Opened"}
    return _write(store, record, errors, user_id=actor, submission_id=submission_id)


def update_problem(*, store: Store, record_id: str, values: Mapping[str, Any], user: Mapping[str, Any],
                   submission_id: str, base_version: int, today: dt.date | None = None) -> Saved:
    """Change any of `EDIT_FIELDS` (those given; the others stay); the version's `change` names what changed."""
    today = today or dt.date.today()
    problem, actor, errors = _start_change(store, record_id, values, user, base_version, fields=EDIT_FIELDS)
    for field in ("title", "statement"):
        if field in values and checks.blank(values[field]):
            checks.add(errors, field, "is required")
    for field in ("title", "statement", "places", *TRIANGLE, "assessment_note"):
        if field in values:
            checks.check_text(errors, field, values[field], max_length=200 if field == "title" else 4000)
    area = problem["area_code"]
    changed = dict(values)
    if "ward_codes" in values:
        changed["ward_codes"] = _check_wards(store, errors, area, values["ward_codes"])
        if not changed["ward_codes"]:
            checks.add(errors, "ward_codes", "is required")
    if "ysywd_ids" in values:
        changed["ysywd_ids"] = _check_items(store, errors, area, values["ysywd_ids"])
    if "partners" in values:
        changed["partners"] = _check_partners(errors, values["partners"])
    if "owner_id" in values:
        _check_owner(store, errors, values["owner_id"], area)
    if "review_on" in values and values["review_on"] != problem["review_on"]:
        _check_review(errors, values["review_on"], today=today)
    for field in ("response_start", "response_end"):
        if field in values and values[field] is not None:
            checks.check_date(errors, field, values[field])
    record = _record(problem)
    for field, value in changed.items():
        if field in EDIT_FIELDS:
            record[field] = checks.text_or_none(value) if isinstance(value, str) else value
    differs = [f for f in EDIT_FIELDS if f in changed and record.get(f) != problem.get(f)]
    if not differs and not errors:
        checks.add(errors, "record", "nothing was changed")
    record["change"] = _cut("Changed: " + ", ".join(LABELS[f].split(" (")[0].lower() for f in differs))
    return _write(store, record, errors, user_id=actor, submission_id=submission_id, record_id=record_id,
                  base_version=base_version)


def _cut(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


# -- stages -------------------------------------------------------------------------


def allowed_stages(problem: Mapping[str, Any], user: Mapping[str, Any]) -> tuple[str, ...]:
    """The stages this user may move the problem to: the next one, any earlier one; closed: reopen (supervisors)."""
    if not access.can(user, "problem_edit", problem["area_code"]):
        return ()
    here = STAGES.index(problem["stage"])
    if problem["stage"] == "closed":
        return ("assessment",) if user.get("role") in REOPENERS else ()
    return (*STAGES[:here], STAGES[here + 1])


def stage_blockers(problem: Mapping[str, Any], stage: str, *, today: dt.date) -> list[str]:
    """What stops the problem moving forward to `stage` (empty when nothing does)."""
    target = STAGES.index(stage)
    missing: list[str] = []
    if target >= STAGES.index("response"):
        blank = [LABELS[f].split(" (")[0].lower() for f in TRIANGLE if not problem.get(f)]
        if blank:
            missing.append(f"the analysis triangle needs {', '.join(blank)}")
    if target >= STAGES.index("assessment"):
        if not any(a.get("completed_on") for a in problem["actions"]):
            missing.append("complete at least one action first")
        if problem.get("response_start") is None or problem.get("response_end") is None:
            missing.append("give the days the response started and ended")
        elif problem["response_end"] > today:
            missing.append("the response has not ended yet")
    if stage == "closed" and not problem.get("assessment_note"):
        missing.append("write the assessment first")
    return missing


def move_stage(*, store: Store, record_id: str, stage: Any, user: Mapping[str, Any], submission_id: str,
               base_version: int, today: dt.date | None = None) -> Saved:
    """Move the problem to `stage` (see `allowed_stages`); refused, naming what is missing, if it is not ready."""
    today = today or dt.date.today()
    problem, actor = _editable(store, record_id, user, base_version)
    if not isinstance(stage, str) or stage not in STAGES:
        raise ValidationError({"stage": f"must be one of {', '.join(STAGE_LABELS.values()).lower()}"})
    if stage not in allowed_stages(problem, user):
        if problem["stage"] == "closed":
            message = "only a supervisor may reopen a closed problem"
        else:
            message = (f"a problem at {STAGE_LABELS[problem['stage']].lower()} moves on one stage at a time"
                       if stage != problem["stage"] else f"the problem is already at {STAGE_LABELS[stage].lower()}")
        raise ValidationError({"stage": message})
    forward = STAGES.index(stage) > STAGES.index(problem["stage"])
    blockers = stage_blockers(problem, stage, today=today) if forward else []
    if blockers:
        raise ValidationError({"stage": "; ".join(blockers)})
    record = _record(problem)
    record["stage"] = stage
    record["closed_on"] = today if stage == "closed" else None
    record["change"] = f"Stage: {STAGE_LABELS[problem['stage']]} → {STAGE_LABELS[stage]}"
    return _write(store, record, {}, user_id=actor, submission_id=submission_id, record_id=record_id,
                  base_version=base_version)


# -- actions ------------------------------------------------------------------------


def add_action(*, store: Store, record_id: str, values: Mapping[str, Any], user: Mapping[str, Any],
               submission_id: str, base_version: int, today: dt.date | None = None) -> Saved:
    """Plan one action {text, partner (a partner agency, or blank for the police), planned_on}."""
    today = today or dt.date.today()
    problem, actor, errors = _start_change(store, record_id, values, user, base_version, fields=ACTION_FIELDS)
    checks.required(errors, values, ("text", "planned_on"))
    checks.check_text(errors, "text", values.get("text"))
    checks.check_text(errors, "partner", values.get("partner"), max_length=200)
    if checks.check_date(errors, "planned_on", values.get("planned_on")):
        if values["planned_on"] < problem["opened_on"]:
            checks.add(errors, "planned_on",
                       f"cannot be before the problem was opened ({problem['opened_on']:%d/%m/%Y})")
        elif values["planned_on"] > today + REVIEW_AHEAD:
            checks.add(errors, "planned_on", "can be at most a year ahead")
    text, partner = checks.text_or_none(values.get("text")), checks.text_or_none(values.get("partner"))
    action = {"action_id": f"a{len(problem['actions']) + 1}", "text": text, "partner": partner,
              "planned_on": values.get("planned_on"), "completed_on": None, "officer_id": actor}
    record = _record(problem)
    record["actions"] = [*problem["actions"], action]
    if partner and partner not in record["partners"]:
        record["partners"] = [*record["partners"], partner][:MAX_PARTNERS]
    record["change"] = _cut(f"Action planned: {text}") if isinstance(text, str) else "Action planned"
    return _write(store, record, errors, user_id=actor, submission_id=submission_id, record_id=record_id,
                  base_version=base_version)


def complete_action(*, store: Store, record_id: str, action_id: Any, completed_on: Any, user: Mapping[str, Any],
                    submission_id: str, base_version: int, today: dt.date | None = None) -> Saved:
    """Mark one planned action done on `completed_on` (not in the future, not before the problem was opened)."""
    today = today or dt.date.today()
    problem, actor = _editable(store, record_id, user, base_version)
    errors: dict[str, str] = {}
    actions = [dict(a) for a in problem["actions"]]
    chosen = next((a for a in actions if a["action_id"] == action_id), None)
    if chosen is None:
        checks.add(errors, "action_id", "is not an action of this problem")
    elif chosen["completed_on"] is not None:
        checks.add(errors, "action_id", f"was already completed on {chosen['completed_on']:%d/%m/%Y}")
    if completed_on is None:
        checks.add(errors, "completed_on", "is required")
    _past_day(errors, "completed_on", completed_on, since=problem["opened_on"], today=today)
    if problem["stage"] == "closed":
        checks.add(errors, "record", CLOSED)
    if chosen is not None:
        chosen["completed_on"] = completed_on
    record = _record(problem) | {"actions": actions}
    record["change"] = _cut(f"Action completed: {chosen['text']}") if chosen else "Action completed"
    return _write(store, record, errors, user_id=actor, submission_id=submission_id, record_id=record_id,
                  base_version=base_version)
