"""What the Admin pages share: running a change, and a record's history.

A change runs in its button's callback (`change_button`), before the page
script: it calls the admin function with a submission id kept in the session
until the change succeeds (a double tap saves once), keeps the field errors of
a refused change for the form to show (`render_change_errors`), and on success
leaves a confirmation for the top of the page, which then lists the change.

An edit form keys its widgets by the version of the record its values stand on
(`edit_form`): it follows the record until a change through it is refused; then
it keeps what was typed, and a save after someone else's change names the old
version and is refused (who changed it and when are shown, with a button to load
the latest version).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from analytics.admin import record_history
from data.access import NotAllowed
from data.store import EditConflict, Store, ValidationError, new_submission_id
from forms.admin import LABELS
from forms.ui.widgets import RELOAD_REPLACES, render_conflict, render_errors, user_text

FLASH = "admin__flash"


def render_admin_heading(title: str) -> None:
    """An Admin page's title and, once, the confirmation of the last change."""
    st.title(title)
    render_flash()


def render_flash() -> None:
    """The confirmation of the last change, once."""
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(user_text(message), icon=":material/check_circle:")  # it may name what was changed


def edit_form(prefix: str, record: Mapping[str, Any] | None) -> tuple[str, int]:
    """The widget-key prefix of the edit form of `record` and the version of the record its values stand on.

    The form follows the record (a later version shown starts it again from that version) until it
    holds a refused change: then it keeps what was typed and the version it was typed on, until a
    change is saved or the latest version is loaded. With no record (a new one, or a setting not yet
    stored) the version is 0.
    """
    if not record:
        return f"{prefix}.new", 0
    opened, base = f"{prefix}__record", f"{prefix}__base"
    version = st.session_state.get(base)
    held = st.session_state.get(opened) == record["record_id"] and version is not None and _holds_refused(
        f"{prefix}.{record['record_id']}.v{version}")
    if not held:
        st.session_state[opened] = record["record_id"]
        version = st.session_state[base] = int(record["version"])
    return f"{prefix}.{record['record_id']}.v{version}", version


def start_edit_form(prefix: str, record: Mapping[str, Any] | None) -> tuple[str, int]:
    """`edit_form`'s key and version, with the errors of the last change refused through that form above it."""
    key, version = edit_form(prefix, record)
    render_change_errors(key)
    return key, version


def _holds_refused(key: str) -> bool:
    return bool(st.session_state.get(f"{key}__errors")) or bool(st.session_state.get(f"{key}__conflict"))


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


def render_change_errors(key: str, *, typed: bool = True) -> None:
    """The errors of the last refused change made with `change_button(key=key)`, if any; for a change refused
    because the record changed since, who changed it and when, and a button to load the latest version.

    `typed`: the change came from a form's fields (not a one-tap button).
    """
    render_errors(st.session_state.get(f"{key}__errors") or {}, LABELS)
    render_conflict(st.session_state.get(f"{key}__conflict"), key=f"{key}.reload", reload=_reload, args=(key,),
                    typed=typed, reload_help=RELOAD_REPLACES if typed else None)


def _run(key: str, fields: Sequence[str], change: Callable[[dict[str, Any], str], Any],
         message: Callable[[Any], str] | str) -> None:
    values = {field: st.session_state.get(f"{key}.{field}") for field in fields}
    submission_id = st.session_state.setdefault(f"{key}__sid", new_submission_id())
    st.session_state.pop(f"{key}__conflict", None)
    try:
        result = change(values, submission_id)
    except EditConflict as exc:  # someone else changed the record: keep what was typed
        st.session_state[f"{key}__errors"] = {}
        st.session_state[f"{key}__conflict"] = exc.errors["record"]
        return
    except (ValidationError, NotAllowed) as exc:  # a refusal shows under "record"
        st.session_state[f"{key}__errors"] = dict(exc.errors)
        return
    for what in ("sid", "errors"):
        st.session_state.pop(f"{key}__{what}", None)
    st.session_state[FLASH] = message(result) if callable(message) else message


def _reload(key: str) -> None:
    """Drop the refused change: an edit form then opens on the latest version."""
    for what in ("conflict", "errors"):
        st.session_state.pop(f"{key}__{what}", None)


def render_history(store: Store, *, table: str, record: Mapping[str, Any] | None, user: Mapping[str, Any]) -> None:
    """Every version of the record, newest first, with who saved it and when."""
    if not record:
        return
    with st.expander(f"History ({int(record['version'])} version{'s' if record['version'] != 1 else ''})",
                     icon=":material/history:"):
        history = record_history(store, table=table, record_id=record["record_id"], user=user)
        st.dataframe(history, hide_index=True, width="stretch")
