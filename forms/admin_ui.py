"""What the Admin pages share: the admin-only guard, running a change, and a record's history.

A change runs in its button's callback (`change_button`), before the page
script: it calls the admin function with a submission id kept in the session
until the change succeeds (a double tap saves once), keeps the field errors of
a refused change for the form to show (`render_change_errors`), and on success
leaves a confirmation for the top of the page, which then lists the change. Edit forms key their widgets by the
record's version (`record_key`), so after a change they start from the new one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from analytics.admin import record_history
from data.store import Store, ValidationError, new_submission_id
from forms.admin import LABELS
from forms.runtime import require_page
from forms.widgets import render_errors

FLASH = "admin__flash"


def require_admin(user: Mapping[str, Any]) -> None:
    """Stop the page for anyone who may not administer Beatbook (the message every page gives)."""
    require_page(user, "administer")


def render_flash() -> None:
    """The confirmation of the last change, once."""
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def record_key(prefix: str, record: Mapping[str, Any] | None) -> str:
    """Widget-key prefix for an edit form of one version of one record."""
    if not record:
        return f"{prefix}.new"
    return f"{prefix}.{record['record_id']}.v{record['version']}"


def change_button(label: str, *, key: str, change: Callable[[dict[str, Any], str], Any],
                  message: Callable[[Any], str] | str, fields: Sequence[str] = (), form: bool = True,
                  **kwargs: Any) -> None:
    """A (form) submit button that runs `change(values, submission_id)` in its callback.

    `values` are the session-state values of the widgets keyed `<key>.<field>`.
    The callback runs before the page script, so the page then draws every
    list with the change in it and the confirmation on top.
    """
    button = st.form_submit_button if form else st.button
    button(label, key=f"{key}.submit", on_click=_run, args=(key, tuple(fields), change, message), **kwargs)


def render_change_errors(key: str) -> None:
    """The errors of the last refused change made with `change_button(key=key)`, if any."""
    render_errors(st.session_state.get(f"{key}__errors") or {}, LABELS)


def _run(key: str, fields: Sequence[str], change: Callable[[dict[str, Any], str], Any],
         message: Callable[[Any], str] | str) -> None:
    values = {field: st.session_state.get(f"{key}.{field}") for field in fields}
    submission_id = st.session_state.setdefault(f"{key}__sid", new_submission_id())
    try:
        result = change(values, submission_id)
    except ValidationError as exc:
        st.session_state[f"{key}__errors"] = dict(exc.errors)
        return
    for what in ("sid", "errors"):
        st.session_state.pop(f"{key}__{what}", None)
    st.session_state[FLASH] = message(result) if callable(message) else message


def render_history(store: Store, *, table: str, record: Mapping[str, Any] | None, user: Mapping[str, Any]) -> None:
    """Every version of the record, newest first, with who saved it and when."""
    if not record:
        return
    with st.expander(f"History ({int(record['version'])} version{'s' if record['version'] != 1 else ''})",
                     icon=":material/history:"):
        history = record_history(store, table=table, record_id=record["record_id"], user=user)
        st.dataframe(history, hide_index=True, width="stretch")
