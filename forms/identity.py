"""Who is using the app: the one place every page asks.

For now Beatbook runs in demo mode: anyone can act as any demo user, chosen
in the sidebar, listed by role so each role's view is easy to try. Sign-in
replaces `current_user` later; pages do not change.

Tests choose the user by setting `st.session_state[USER_KEY]` (AppTest's
`at.session_state`) or the `BEATBOOK_DEMO_USER` environment variable.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import streamlit as st

from data import access, reference
from data.picklists import ROLES
from data.store import Store

USER_KEY = "demo_user_id"
DEMO_USER_ENV = "BEATBOOK_DEMO_USER"


def pick_user(users: Sequence[dict[str, Any]], wanted: str | None) -> dict[str, Any] | None:
    """The user with id `wanted`, else the first active officer, else the first user."""
    by_id = {u["user_id"]: u for u in users}
    if wanted in by_id:
        return by_id[wanted]
    officers = [u for u in users if u.get("role") == "officer" and u.get("active", True)]
    return (officers or list(users) or [None])[0]


def current_user(store: Store) -> dict[str, Any]:
    """The user this session acts as (demo mode: the one picked in the sidebar)."""
    users = _demo_users(store)
    wanted = st.session_state.get(USER_KEY) or os.environ.get(DEMO_USER_ENV)
    user = pick_user(users, wanted)
    if user is None:
        st.error("There are no users in this store yet.")
        st.stop()
    if st.session_state.get(USER_KEY) != user["user_id"]:
        # Only happens before the sidebar switcher is drawn (app.py asks first).
        st.session_state[USER_KEY] = user["user_id"]
    return user


ROLE_SUMMARY = {
    "officer": "records events, contacts and patrols in their own area",
    "supervisor": "records too, checks the team's work and sees the dashboards",
    "commander": "sees the force-wide dashboards; records nothing",
    "analyst": "sees the force-wide dashboards and imports data",
    "admin": "runs Beatbook: users, settings, news; sees no dashboards",
}
"""One line per role for the demo switcher."""
assert set(ROLE_SUMMARY) == set(ROLES)


def demo_label(user: dict[str, Any]) -> str:
    """'Supervisor · Sue Smith · TV-OXF': the role first, so the switcher shows who can do what."""
    area = user.get("area_code")
    return " · ".join([str(user["role"]).capitalize(), str(user["name"]), *([area] if area else [])])


def render_demo_identity(store: Store) -> None:
    """The sidebar's demo-mode banner and user switcher, users grouped by role."""
    order = {role: i for i, role in enumerate(ROLES)}
    users = sorted(_demo_users(store), key=lambda u: (order.get(u["role"], len(order)), u["name"], u["user_id"]))
    names = {u["user_id"]: demo_label(u) for u in users}
    with st.sidebar:
        st.info("**Demo mode** — no sign-in. Pick who you are acting as: each role sees its own pages.",
                icon=":material/science:")
        chosen = st.selectbox("Acting as", list(names), format_func=names.__getitem__, key=USER_KEY)
        role = access.role_of(next((u for u in users if u["user_id"] == chosen), None))
        if role:
            st.caption(f"{'An' if role[0] in 'aeiou' else 'A'} {role} {ROLE_SUMMARY[role]}.")


def _demo_users(store: Store) -> list[dict[str, Any]]:
    """Active users by name."""
    users = reference.list_users(store).to_dict("records")
    return sorted((u for u in users if u["active"]), key=lambda u: (u["name"], u["user_id"]))
