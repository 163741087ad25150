"""The "You said, we did" item page's editing widgets: move it on, link where else it came up, add to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import streamlit as st

from analytics.ysywd import list_linkable_sources
from data import reference
from data.store import Store, ValidationError, new_submission_id
from forms.widgets import FormState, render_errors, render_field_error
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
KINDS = {"events": "Event", "ccrs": "Contact"}


def _run(write, **kwargs) -> None:
    """A button's callback: do the write; keep its messages for the next run to show."""
    try:
        write(submission_id=new_submission_id(), **kwargs)
    except ValidationError as exc:
        st.session_state[PROBLEMS] = list(exc.errors.values())


def render_problems() -> None:
    """The messages of the last refused button press, once."""
    for message in st.session_state.pop(PROBLEMS, []):
        st.error(message, icon=":material/error:")


def render_item_controls(store: Store, item: Mapping[str, Any], user: Mapping[str, Any]) -> None:
    """Status buttons, the publishable switch, linking more events and contacts, and (supervisors) withdrawing."""
    rid = item["record_id"]
    with st.container(horizontal=True):
        for status in allowed_moves(item, user):
            st.button(MOVE_LABELS[status], key=f"ysywd_item.move.{status}", on_click=_run,
                      args=(move_status,), kwargs={"store": store, "record_id": rid, "status": status, "user": user})
        if user.get("role") in REOPENERS and not item["actions"]:
            st.button("Withdraw (raised in error)", key="ysywd_item.withdraw", icon=":material/delete:",
                      on_click=_run, args=(withdraw_item,), kwargs={"store": store, "record_id": rid, "user": user})
    toggle = f"ysywd_item.publishable.{rid}"
    st.toggle(LABELS["publishable"], value=bool(item["publishable"]), key=toggle,
              help="Shown in the public summary. Its text must hold no personal data.",
              on_change=lambda: _run(set_publishable, store=store, record_id=rid, user=user,
                                     publishable=st.session_state[toggle]))
    if item["status"] == "closed":
        return
    linkable = list_linkable_sources(store, user=user, item=item)
    if len(linkable):
        with st.expander(f"Also raised at {len(linkable)} other event(s) or contact(s): link them"):
            for source in linkable.head(10).itertuples(index=False):
                st.button(f"{KINDS[source.kind]} · {source.when:%d %b %Y} · {source.label}", icon=":material/link:",
                          key=f"ysywd_item.link.{source.record_id}", on_click=_run, args=(link_source,),
                          kwargs={"store": store, "record_id": rid, "table": source.kind,
                                  "source_id": source.record_id, "user": user})


def render_add_forms(store: Store, item: Mapping[str, Any], user: Mapping[str, Any]) -> None:
    """The "add an action" and "tell the community" forms of an open item."""
    rid, today = item["record_id"], dt.date.today()
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
        with st.expander(title, expanded=form.errors != {} or (form is act and not item["actions"]),
                         key=f"{form.name}.open.{rid}"):
            render_errors(form.errors, LABELS)
            with st.form(f"{form.name}_form", border=False):
                st.selectbox(LABELS[field], reference.picklist(store, picklist), key=form.key(field), index=None)
                render_field_error(form.errors, field)
                st.text_area(text, key=form.key("text"), max_chars=4000, height=90)
                render_field_error(form.errors, "text")
                st.date_input(LABELS["date"], key=form.key("date"), format="DD/MM/YYYY", max_value=today)
                render_field_error(form.errors, ["date", "record"])
                st.form_submit_button(button, type="primary", width="stretch", key=f"{form.name}.submit",
                                      on_click=form.submit, args=(
                                          lambda values, sid, saver=saver: saver(
                                              store=store, record_id=rid, values=values, user=user,
                                              submission_id=sid),))
