"""What the Admin pages share: the admin-only guard, running a change, and a record's history.

A change runs when its form is submitted: `run_change` calls the admin
function with a submission id kept in the session until the change succeeds
(a double tap saves once), shows the field errors of a refused change under
the form, and on success reruns the page with a confirmation on top, so
every list on the page shows the change. Edit forms key their widgets by the
record's version (`record_key`), so after a change they start from the new one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from analytics.admin import record_history
from data import access
from data.store import Store, ValidationError, new_submission_id
from forms.admin import LABELS
from forms.widgets import render_errors

FLASH = "admin__flash"


def require_admin(user: Mapping[str, Any]) -> None:
    """Stop the page for anyone who may not administer Beatbook."""
    if not access.can(user, "administer"):
        st.error("Only admins can change Beatbook's configuration.", icon=":material/lock:")
        st.stop()


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


def run_change(key: str, change: Callable[[str], Any], message: Callable[[Any], str] | str) -> None:
    """Run `change(submission_id)`; on success rerun with `message`, else show its errors here."""
    sid_key = f"{key}__sid"
    submission_id = st.session_state.setdefault(sid_key, new_submission_id())
    try:
        result = change(submission_id)
    except ValidationError as exc:
        render_errors(exc.errors, LABELS)
        return
    st.session_state.pop(sid_key, None)
    st.session_state[FLASH] = message(result) if callable(message) else message
    st.rerun()


def render_history(store: Store, *, table: str, record: Mapping[str, Any] | None, user: Mapping[str, Any]) -> None:
    """Every version of the record, newest first, with who saved it and when."""
    if not record:
        return
    with st.expander(f"History ({int(record['version'])} version{'s' if record['version'] != 1 else ''})",
                     icon=":material/history:"):
        history = record_history(store, table=table, record_id=record["record_id"], user=user)
        st.dataframe(history, hide_index=True, width="stretch")
