"""The Problem solving page's widgets: open a problem, and work one through its SARA stages.

Every change names the version of the problem the page showed; a change refused because someone else
changed the problem since says who and when, and keeps what was typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from analytics import problems as reads
from analytics.ysywd import list_board
from data import access, reference
from data.access import NotAllowed
from data.schema import TRIANGLE
from data.store import EditConflict, Store, ValidationError, new_submission_id
from forms import problems
from forms.ui.widgets import (
    DATE_LIMITS,
    FormState,
    label_of,
    render_conflict,
    render_field_error,
    render_length_hint,
    render_refusal,
    show_text,
    user_text,
)

PROBLEM = "problems.id"
MESSAGES = "problems.messages"
CONFLICT = "problems.conflict"
TEXT_FIELDS = ("title", "statement", "places", *TRIANGLE, "assessment_note")
TEXT_LIMITS = {"title": 200, "partner": 200}
"""The text fields' most characters (4,000 for the others). No box cuts a paste at its limit: the text is kept, a
hint under the box says how far over it is, and Save refuses it by name."""
DATE = {"format": "DD/MM/YYYY", **DATE_LIMITS}


Names = dict[str, str]


def _names(store: Store, area_code: str | None, user: Mapping[str, Any]) -> tuple[Names, Names, list[dict]]:
    """The area's wards and its active officers and supervisors (code -> label), and its "You said, we did" items."""
    if not area_code:
        return {}, {}, []
    people = reference.list_users(store, area_code=area_code)
    people = people[people["active"].astype(bool) & people["role"].isin(sorted(access.TEAM_ROLES))]
    items = list_board(store, user=user, area_code=area_code)
    officers = dict(zip(people["user_id"], people["name"], strict=True))
    return reference.ward_names(store, area_code=area_code), officers, items.to_dict("records")


def _item_choices(form: FormState, items: list[dict], wards: Any) -> Names:
    """The items to offer: those of the wards chosen on the form (and area-wide ones), and any already picked."""
    return problems.item_choices(items, wards=wards or [], keep=st.session_state.get(form.key("ysywd_ids")) or [])


def _multiselect(form: FormState, field: str, options: Mapping[str, str], **kwargs: Any) -> None:
    st.multiselect(problems.LABELS[field], list(options), key=form.key(field), select_all=False,
                   format_func=lambda code: label_of(code, options), **kwargs)
    render_field_error(form.errors, field)


def _text_checks(form: FormState, field: str) -> None:
    """Under a text box: how far over its limit the text is (while typing), and what refused it."""
    render_length_hint(form, field, TEXT_LIMITS.get(field, 4000))
    render_field_error(form.errors, field)


def render_open_form(store: Store, user: Mapping[str, Any]) -> None:
    """The scanning form of a new problem; once saved, a link to it."""
    form = FormState("problem_open", defaults=problems.open_defaults(user), owner=user["user_id"],
                     keep=("area_code",))
    saved = form.confirmation
    if saved is not None:
        st.success(f"Problem opened at scanning. Reference: **{saved.reference or saved.record_id}**",
                   icon=":material/check_circle:")
        st.page_link("pages/problems.py", label="Work it now", icon=":material/open_in_new:",
                     query_params={"problem": saved.record_id}, width="stretch")
        st.button("Open another problem", key="problem_open.again", on_click=form.start_new)
        return
    areas = access.areas_in_scope(user, reference.area_names(store))
    st.selectbox(problems.LABELS["area_code"], list(areas), key=form.key("area_code"),
                 format_func=lambda code: label_of(code, areas))
    render_field_error(form.errors, "area_code")
    wards, officers, items = _names(store, st.session_state.get(form.key("area_code")), user)
    st.text_input(problems.LABELS["title"], key=form.key("title"))
    _text_checks(form, "title")
    st.text_area(problems.LABELS["statement"], key=form.key("statement"), height=120,
                 help="What happens, where and when, and who is affected. No names.")
    _text_checks(form, "statement")
    _multiselect(form, "ward_codes", wards)
    st.text_area(problems.LABELS["places"], key=form.key("places"), height=68)
    _text_checks(form, "places")
    _multiselect(form, "ysywd_ids", _item_choices(form, items, st.session_state.get(form.key("ward_codes"))),
                 help="The community's issues this problem answers: those of the wards chosen above, and area-wide.")
    owners = officers or {user["user_id"]: user.get("name") or user["user_id"]}
    st.selectbox(problems.LABELS["owner_id"], list(owners), key=form.key("owner_id"),
                 format_func=lambda code: label_of(code, owners))
    render_field_error(form.errors, "owner_id")
    st.date_input(problems.LABELS["review_on"], key=form.key("review_on"), **DATE)
    render_field_error(form.errors, "review_on")
    st.button("Open problem", type="primary", icon=":material/add_task:", width="stretch", key="problem_open.submit",
              on_click=form.submit, args=(lambda values, sid: problems.open_problem(
                  store=store, values=values, user=user, submission_id=sid),))
    render_refusal(form, problems.LABELS)


# -- one problem ------------------------------------------------------------------------


def _run(write: Any, **kwargs: Any) -> None:
    """A button's callback: do the write; keep what refused it for the next run to show."""
    st.session_state.pop(CONFLICT, None)
    try:
        write(submission_id=new_submission_id(), **kwargs)
    except EditConflict as exc:
        st.session_state[CONFLICT] = exc.errors["record"]
    except (ValidationError, NotAllowed) as exc:
        st.session_state[MESSAGES] = [f"{problems.LABELS.get(k, k)}: {v}" for k, v in exc.errors.items()]


def render_messages() -> None:
    """What refused the last button press, once; a conflict stays until the user loads the latest version."""
    for message in st.session_state.pop(MESSAGES, []):
        st.error(user_text(message), icon=":material/error:")
    render_conflict(st.session_state.get(CONFLICT), key="problems.reload", typed=False,
                    reload=lambda: st.session_state.pop(CONFLICT, None))


def render_stage_buttons(store: Store, problem: Mapping[str, Any], user: Mapping[str, Any]) -> None:
    """A button per stage the user may move the problem to, with what stops a move forward as its help."""
    common = {"store": store, "record_id": problem["record_id"], "user": user, "base_version": int(problem["version"])}
    here = problems.STAGES.index(problem["stage"])
    with st.container(horizontal=True):
        for stage in problems.allowed_stages(problem, user):
            forward = problems.STAGES.index(stage) > here
            blockers = problems.stage_blockers(problem, stage, today=dt.date.today()) if forward else []
            label = (f"Move on to {problems.STAGE_LABELS[stage].lower()}" if forward else
                     f"Back to {problems.STAGE_LABELS[stage].lower()}")
            st.button(label, key=f"problems.stage.{stage}", type="primary" if forward else "secondary",
                      icon=":material/arrow_forward:" if forward else ":material/undo:", on_click=_run,
                      args=(problems.move_stage,), kwargs={**common, "stage": stage},
                      help="; ".join(blockers).capitalize() or None)


def _edit_defaults(problem: Mapping[str, Any]) -> dict[str, Any]:
    return {f: (problem.get(f) or "") if f in TEXT_FIELDS else problem.get(f) for f in problems.EDIT_FIELDS}


def render_edit_form(store: Store, problem: Mapping[str, Any], user: Mapping[str, Any], *,
                     fields: tuple[str, ...], name: str) -> None:
    """A form changing `fields` of the problem (a new version naming what changed)."""
    form = FormState(f"problem_edit.{name}.{problem['record_id']}", defaults=_edit_defaults(problem),
                     owner=user["user_id"], version=int(problem["version"]))
    wards, officers, items = _names(store, problem["area_code"], user)
    partners = sorted({*problem["partners"], *(st.session_state.get(form.key("partners")) or [])})
    for field in fields:
        label = problems.LABELS[field]
        if field == "title":
            st.text_input(label, key=form.key(field))
            render_length_hint(form, field, TEXT_LIMITS[field])
        elif field in TEXT_FIELDS:
            st.text_area(label, key=form.key(field), height=90)
            render_length_hint(form, field, 4000)
        elif field in ("review_on", "response_start", "response_end"):
            st.date_input(label, key=form.key(field), **DATE)
        elif field == "owner_id":
            st.selectbox(label, list(officers), key=form.key(field), format_func=lambda c: label_of(c, officers))
        elif field == "partners":
            st.multiselect(label, partners, key=form.key(field), accept_new_options=True, select_all=False,
                           help="Type a new agency's name to add it.")
        else:
            options = wards if field == "ward_codes" else _item_choices(
                form, items, st.session_state.get(form.key("ward_codes")) if "ward_codes" in fields
                else problem["ward_codes"])
            st.multiselect(label, list(options), key=form.key(field), select_all=False,
                           format_func=lambda c, o=options: label_of(c, o))
        render_field_error(form.errors, field)
    values = {f: st.session_state.get(form.key(f)) for f in fields}

    def save(_: dict, sid: str):
        return problems.update_problem(store=store, record_id=problem["record_id"], values=values, user=user,
                                       submission_id=sid, base_version=form.base_version or int(problem["version"]))

    st.button("Save", type="primary", icon=":material/save:", key=f"{form.name}.submit", on_click=form.submit,
              args=(save,))
    render_conflict(form.conflict, key=f"{form.name}.reload", reload=form.reload)
    render_refusal(form, problems.LABELS)


def render_actions(store: Store, problem: Mapping[str, Any], user: Mapping[str, Any], *, names: Mapping[str, str],
                   editable: bool) -> None:
    """The response's actions; to the team, a form to plan one and a way to mark one done."""
    actions = pd.DataFrame(problem["actions"], columns=["action_id", "text", "partner", "planned_on", "completed_on",
                                                        "officer_id"])
    if actions.empty:
        st.caption("No action planned yet.")
    else:
        st.dataframe(actions.assign(partner=actions["partner"].fillna("Police"),
                                    officer_id=actions["officer_id"].map(lambda u: names.get(u, u))),
                     hide_index=True, key="problems.actions", column_config={
                         "action_id": None, "text": st.column_config.TextColumn("Action", width="large"),
                         "partner": "By", "officer_id": "Recorded by",
                         "planned_on": st.column_config.DateColumn("Planned for", format="DD/MM/YYYY"),
                         "completed_on": st.column_config.DateColumn("Completed", format="DD/MM/YYYY")})
    if not editable or problem["stage"] == "closed":
        return
    version = int(problem["version"])
    open_actions = {a["action_id"]: a["text"] for a in problem["actions"] if a["completed_on"] is None}
    if open_actions:
        with st.container(horizontal=True, vertical_alignment="bottom"):
            chosen = st.selectbox("Action done", list(open_actions), key="problems.done.action",
                                  format_func=lambda c: label_of(c, open_actions))
            day = st.date_input("Completed on", value=dt.date.today(), key="problems.done.date", **DATE)
            st.button("Mark done", icon=":material/task_alt:", key="problems.done.submit", on_click=_run,
                      args=(problems.complete_action,),
                      kwargs={"store": store, "record_id": problem["record_id"], "user": user,
                              "base_version": version, "action_id": chosen, "completed_on": day})
    form = FormState(f"problem_action.{problem['record_id']}", owner=user["user_id"],
                     defaults={"text": "", "partner": "", "planned_on": dt.date.today()})
    with st.expander("Plan an action"):
        st.text_area(problems.LABELS["text"], key=form.key("text"), height=68)
        _text_checks(form, "text")
        st.text_input(problems.LABELS["partner"], key=form.key("partner"), help="Blank for the police.")
        _text_checks(form, "partner")
        st.date_input(problems.LABELS["planned_on"], key=form.key("planned_on"), **DATE)
        render_field_error(form.errors, "planned_on")
        st.button("Add action", type="primary", icon=":material/add:", key=f"{form.name}.submit",
                  on_click=form.submit, args=(lambda values, sid: problems.add_action(
                      store=store, record_id=problem["record_id"], values=values, user=user, submission_id=sid,
                      base_version=version),))
        render_conflict(form.conflict, key=f"{form.name}.reload", reload=form.reload)
        render_refusal(form, problems.LABELS)


def render_analysis(problem: Mapping[str, Any], analysis: reads.Analysis) -> None:
    """The triangle, the wards' crime and ASB per month and the issues residents raised there."""
    columns = st.columns(3)
    for column, field in zip(columns, TRIANGLE, strict=True):
        with column:
            st.markdown(f"**{field.capitalize()}**")
            show_text(problem.get(field) or "Not yet described.")
    st.subheader("Crime and ASB in the problem's wards")
    st.caption(f"data.police.uk months from {analysis.start:%b %Y} to {analysis.end:%b %Y}.")
    if analysis.by_month.empty:
        st.caption("No crime or ASB held for these wards and months.")
    else:
        st.altair_chart(reads.build_crime_chart(analysis.by_month), width="stretch", alt="Crime and ASB per month")
    st.subheader("What residents raised there")
    if analysis.issues.empty:
        st.caption("No issues raised at events or contacts in these wards in the year.")
    else:
        st.dataframe(analysis.issues, hide_index=True, key="problems.issues",
                     column_config={"issue": "Issue", "count": st.column_config.NumberColumn("Times raised")})


def render_assessment(store: Store, problem: Mapping[str, Any], user: Mapping[str, Any]) -> None:
    """Before and after the response, in the problem's wards, for a chosen number of days either side."""
    days = st.selectbox("Days either side", reads.ASSESSMENT_DAYS, key="problems.assessment.days",
                        index=reads.ASSESSMENT_DAYS.index(reads.DEFAULT_ASSESSMENT_DAYS),
                        format_func=lambda d: f"{d // 7} weeks")
    window = reads.assessment_window(problem, days=days)
    if window is None:
        st.info("Give the days the response started and ended to compare before and after.", icon=":material/info:")
        return
    st.caption(f"Before: {window[0]:%d %b %Y} – {window[1]:%d %b %Y}. After: {window[2]:%d %b %Y} – "
               f"{window[3]:%d %b %Y}. Crime and ASB count by month (data.police.uk): a month counts on its first day.")
    if window[3] > dt.date.today():
        st.warning("The after period is not over yet: its counts are so far.", icon=":material/schedule:")
    st.dataframe(reads.assessment(store, problem, user=user, days=days), hide_index=True,
                 key="problems.assessment", column_order=["label", "before", "after", "change", "pct_change"],
                 column_config={"label": "Measure", "before": st.column_config.NumberColumn("Before", format="%d"),
                                "after": st.column_config.NumberColumn("After", format="%d"),
                                "change": st.column_config.NumberColumn("Change", format="%+d"),
                                "pct_change": st.column_config.NumberColumn("% change", format="percent")})
