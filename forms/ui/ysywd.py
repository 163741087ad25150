"""The "You said, we did" item page's editing widgets: move it on, link where else it came up, add to it.

Every change names the version of the item the page showed when its button or form was drawn (the
item is shown in full above them). A change refused because someone else changed the item since shows
who and when, and keeps what was typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import streamlit as st

from analytics.ysywd import list_linkable_sources
from data import reference
from data.access import NotAllowed
from data.store import EditConflict, Store, ValidationError, new_submission_id
from forms.ui.widgets import (
    DATE_LIMITS,
    RELOAD_KEEPS,
    FormState,
    render_conflict,
    render_errors,
    render_field_error,
    user_text,
)
from forms.ysywd import (
    LABELS,
    REOPENERS,
    add_action,
    add_feedback,
    allowed_moves,
    link_source,
    move_status,
    set_publishable,
    withdraw_item,
)

MOVE_LABELS = {"in_progress": "Start work (in progress)", "closed": "Close the item"}
PROBLEMS = "ysywd_item.problems"
CONFLICT = "ysywd_item.conflict"
KINDS = {"events": "Event", "ccrs": "Contact"}


def _toggle_key(record_id: str) -> str:
    return f"ysywd_item.publishable.{record_id}"


def _run(write, **kwargs) -> None:
    """A button's callback: do the write; keep its messages for the next run to show."""
    st.session_state.pop(CONFLICT, None)
    try:
        write(submission_id=new_submission_id(), **kwargs)
    except EditConflict as exc:
        st.session_state[CONFLICT] = exc.errors["record"]
    except (ValidationError, NotAllowed) as exc:  # a refusal shows under "record"
        st.session_state[PROBLEMS] = list(exc.errors.values())


def _reload(record_id: str) -> None:
    st.session_state.pop(CONFLICT, None)
    st.session_state.pop(_toggle_key(record_id), None)  # the switch shows the item as it is


def render_problems(record_id: str) -> None:
    """The messages of the last refused button press, once; a refused change stays until the user reloads."""
    for message in st.session_state.pop(PROBLEMS, []):
        st.error(user_text(message), icon=":material/error:")
    render_conflict(st.session_state.get(CONFLICT), key="ysywd_item.reload", reload=_reload, args=(record_id,),
                    typed=False)


def render_item_controls(store: Store, item: Mapping[str, Any], user: Mapping[str, Any]) -> None:
    """Status buttons, the publishable switch, linking more events and contacts, and (supervisors) withdrawing."""
    rid, shown = item["record_id"], int(item["version"])
    common = {"store": store, "record_id": rid, "user": user, "base_version": shown}
    with st.container(horizontal=True):
        for status in allowed_moves(item, user):
            st.button(MOVE_LABELS[status], key=f"ysywd_item.move.{status}", on_click=_run,
                      args=(move_status,), kwargs={**common, "status": status})
        if user.get("role") in REOPENERS and not item["actions"]:
            st.button("Withdraw (raised in error)", key="ysywd_item.withdraw", icon=":material/delete:",
                      on_click=_run, args=(withdraw_item,), kwargs=common)
    toggle = _toggle_key(rid)
    st.toggle(LABELS["publishable"], value=bool(item["publishable"]), key=toggle,
              help="Shown in the public summary. Its text must hold no personal data.",
              on_change=lambda: _run(set_publishable, **common, publishable=st.session_state[toggle]))
    if item["status"] == "closed":
        return
    linkable = list_linkable_sources(store, user=user, item=item)
    if len(linkable):
        with st.expander(f"Also raised at {len(linkable)} other event(s) or contact(s): link them"):
            for source in linkable.head(10).itertuples(index=False):
                st.button(f"{KINDS[source.kind]} · {source.when:%d %b %Y} · {user_text(source.label, one_line=True)}",
                          icon=":material/link:",
                          key=f"ysywd_item.link.{source.record_id}", on_click=_run, args=(link_source,),
                          kwargs={**common, "table": source.kind, "source_id": source.record_id})


def render_add_forms(store: Store, item: Mapping[str, Any], user: Mapping[str, Any]) -> None:
    """The "add an action" and "tell the community" forms of an open item."""
    rid, shown, today = item["record_id"], int(item["version"]), dt.date.today()
    scope = f"{user['user_id']}:{rid}"
    act = FormState("ysywd_action", defaults={"action_type": None, "text": "", "date": today}, owner=scope)
    tell = FormState("ysywd_feedback", defaults={"channel": None, "text": "", "date": today}, owner=scope)
    for form, field, picklist, title, text, button, saver, done in (
            (act, "action_type", "action_types", "Add an action", LABELS["text"], "Add action", add_action,
             "Action added."),
            (tell, "channel", "feedback_channels", "Tell the community", "What we told them", "Record feedback",
             add_feedback, "Feedback recorded.")):
        if form.confirmation is not None:
            st.success(done, icon=":material/check_circle:")
        with st.expander(title, expanded=form.errors != {} or form.conflict is not None
                         or (form is act and not item["actions"]), key=f"{form.name}.open.{rid}"):
            render_errors(form.errors, LABELS)
            render_conflict(form.conflict, key=f"{form.name}.reload", reload=form.reload,
                            reload_help=RELOAD_KEEPS)
            with st.form(f"{form.name}_form", border=False):
                st.selectbox(LABELS[field], reference.picklist(store, picklist), key=form.key(field), index=None)
                render_field_error(form.errors, field)
                st.text_area(text, key=form.key("text"), height=90)
                render_field_error(form.errors, "text")
                st.date_input(LABELS["date"], key=form.key("date"), format="DD/MM/YYYY", **DATE_LIMITS)
                render_field_error(form.errors, ["date", "record"])
                st.form_submit_button(button, type="primary", width="stretch", key=f"{form.name}.submit",
                                      on_click=form.submit, args=(
                                          lambda values, sid, saver=saver: saver(
                                              store=store, record_id=rid, values=values, user=user,
                                              submission_id=sid, base_version=shown),))
