"""Audit entries a page writes as it shows record-level personal data."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import streamlit as st

from data import audit
from data.store import Store

SESSION_KEY = "audit.session"
SEEN_KEY = "audit.views_logged"


def log_personal_view(store: Store, user: Mapping[str, Any], *, table: str, record_ids: Iterable[Any],
                      detail: str) -> None:
    """One "view_personal" entry naming the records shown; a rerun showing the same records adds none."""
    ids = sorted({str(r) for r in record_ids})
    if not ids:
        return
    session = st.session_state.setdefault(SESSION_KEY, uuid.uuid4().hex)
    text = "\x1f".join([session, str(user.get("user_id")), table, *ids])
    key = "view:" + hashlib.sha256(text.encode()).hexdigest()[:32]
    seen = st.session_state.setdefault(SEEN_KEY, set())
    if key in seen:
        return
    audit.log(store, user, "view_personal", table=table, target_ids=ids, detail=detail, once=key)
    seen.add(key)
