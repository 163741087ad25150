"""Who is using the app: the one place every page asks.

Beatbook runs in one of two modes, decided by `.streamlit/secrets.toml`:

- **Sign-in**: an `[auth]` section configures an OpenID Connect identity
  provider (e.g. Microsoft Entra ID). Streamlit's `st.login` signs the person
  in; their `email` claim is matched to one active row of the users table,
  which gives their role and team (area). Anyone else (an unknown email, a user
  who has left) sees a "not registered" page and no data. Each sign-in writes
  one `sign_in` audit entry.
- **Demo**: no `[auth]` section. Anyone can act as any demo user, chosen in
  the sidebar under a banner saying so.

Demo mode is never a fallback: when sign-in is configured, a demo-mode setting
(`BEATBOOK_DEMO_USER`, `[beatbook] demo_user`) or an incomplete `[auth]`
section stops the app with an error instead.

Tests choose the demo user by setting `st.session_state[USER_KEY]` (AppTest's
`at.session_state`) or the `BEATBOOK_DEMO_USER` environment variable.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

import streamlit as st

from data import access, audit, reference
from data.picklists import ROLES
from data.store import Store

USER_KEY = "demo_user_id"
DEMO_USER_ENV = "BEATBOOK_DEMO_USER"
DEMO, SIGN_IN = "demo", "sign_in"
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
SIGNED_IN_KEY = "identity.signed_in"


class IdentityConfigError(RuntimeError):
    """The sign-in configuration is unsafe or incomplete; the app refuses to run rather than fall back to demo."""


def identity_mode(secrets: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> str:
    """DEMO or SIGN_IN for these secrets and environment; raise IdentityConfigError when they conflict."""
    environ = os.environ if environ is None else environ
    auth = secrets.get("auth")
    if not auth:
        return DEMO
    demo_settings = [name for name, value in ((DEMO_USER_ENV, environ.get(DEMO_USER_ENV)),
                                              ("[beatbook] demo_user", dict(secrets.get("beatbook") or {})
                                               .get("demo_user"))) if value]
    if demo_settings:
        raise IdentityConfigError(
            f"Sign-in is configured ([auth] in secrets.toml) but so is demo mode ({', '.join(demo_settings)}). "
            "Remove the demo setting: Beatbook never lets anyone act as another user when sign-in is on.")
    missing = [key for key in ("redirect_uri", "cookie_secret") if not auth.get(key)]
    redirect = str(auth.get("redirect_uri") or "")
    if redirect and not redirect.rstrip("/").endswith("/oauth2callback"):
        missing.append("redirect_uri ending in /oauth2callback")
    provider = provider_name(auth)
    section = auth if provider is None else auth[provider]
    missing += [key for key in PROVIDER_KEYS if not section.get(key)]
    if missing:
        raise IdentityConfigError(f"The [auth] section of secrets.toml is incomplete: set {', '.join(missing)}.")
    return SIGN_IN


def provider_name(auth: Mapping[str, Any]) -> str | None:
    """The named provider section of `[auth]` (e.g. `[auth.microsoft]`), or None for settings at its top level."""
    if any(auth.get(key) for key in PROVIDER_KEYS):
        return None
    named = [name for name, value in auth.items() if isinstance(value, Mapping)]
    return named[0] if len(named) == 1 else None


def match_user(users: Sequence[Mapping[str, Any]], claims: Mapping[str, Any]) -> dict[str, Any] | None:
    """The one active user whose email is the identity's `email` claim (case-insensitive), else None.

    No email claim, no such user, an inactive user, or two active users with
    the same email: None (no access rather than a guess).
    """
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        return None
    found = [dict(u) for u in users
             if str(u.get("email") or "").strip().lower() == email and bool(u.get("active", True))]
    return found[0] if len(found) == 1 else None


def sign_in_key(claims: Mapping[str, Any]) -> str:
    """One id per sign-in (issuer, subject and the ID token's issue time and nonce); tabs sharing it log once."""
    parts = [str(claims.get(k) or "") for k in ("iss", "sub", "iat", "nonce", "email")]
    return "sign_in:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def pick_user(users: Sequence[dict[str, Any]], wanted: str | None) -> dict[str, Any] | None:
    """Demo mode: the user with id `wanted`, else the first active officer, else the first user."""
    by_id = {u["user_id"]: u for u in users}
    if wanted in by_id:
        return by_id[wanted]
    officers = [u for u in users if u.get("role") == "officer" and u.get("active", True)]
    return (officers or list(users) or [None])[0]


def current_mode() -> str:
    """This app's mode; on a conflicting or incomplete configuration, an error page and nothing else."""
    try:
        return identity_mode(_secrets())
    except IdentityConfigError as exc:
        message = f"**Beatbook cannot start.** {exc}"
        _show_only(lambda: st.error(message, icon=":material/error:"))
        raise  # _show_only does not return; keeps type checkers honest


def current_user(store: Store) -> dict[str, Any]:
    """The user this session acts as: the signed-in user, or in demo mode the one picked in the sidebar.

    Stops the run (after drawing the sign-in, "not registered" or error page)
    when there is no such user, so no page ever runs without one.
    """
    if current_mode() == SIGN_IN:
        return _signed_in_user(store)
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


def render_identity(store: Store, user: Mapping[str, Any]) -> None:
    """The sidebar's who-am-I: the signed-in user and Sign out, or the demo banner and user switcher."""
    if current_mode() == DEMO:
        render_demo_identity(store)
        return
    with st.sidebar:
        area = f" · {user['area_code']}" if user.get("area_code") else ""
        st.caption(f"Signed in as **{user['name']}** · {user['role']}{area}")
        st.button("Sign out", key="identity.sign_out", icon=":material/logout:", on_click=_sign_out,
                  args=(store, dict(user)))


def _sign_out(store: Store, user: Mapping[str, Any]) -> None:
    audit.log(store, user, "sign_out")
    st.session_state.pop(SIGNED_IN_KEY, None)
    st.logout()


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


def _signed_in_user(store: Store) -> dict[str, Any]:
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        _show_only(_render_sign_in)
    user = match_user(_user_rows(store), claims)
    if user is None:
        _show_only(lambda: _render_not_registered(store, claims))
    key = sign_in_key(claims)
    if st.session_state.get(SIGNED_IN_KEY) != (key, user["user_id"]):
        audit.log(store, user, "sign_in", detail=f"as {claims.get('email')}", once=key)
        st.session_state[SIGNED_IN_KEY] = (key, user["user_id"])
    return user


def _show_only(render: Callable[[], None]) -> NoReturn:
    """Draw `render` as the app's one page, with no navigation to any other, and end the run."""
    st.navigation([st.Page(render, title="Beatbook", url_path="welcome", default=True)], position="hidden").run()
    st.stop()
    raise AssertionError("st.stop() returned")


def _render_sign_in() -> None:
    st.title("Beatbook")
    st.write("Sign in with your force account to continue.")
    if st.button("Sign in", key="identity.sign_in", type="primary", icon=":material/login:"):
        st.login(provider_name(_secrets()["auth"]))


def _render_not_registered(store: Store, claims: Mapping[str, Any]) -> None:
    email = str(claims.get("email") or "").strip()
    st.title("Not registered")
    st.error(f"You signed in as **{email or 'an account with no email address'}**, which is not an active "
             "Beatbook user. Ask your Beatbook administrator to add you, then sign in again.",
             icon=":material/no_accounts:")
    key = sign_in_key(claims) + ":refused"  # a later sign-in with the same token, once registered, still logs
    if st.session_state.get(SIGNED_IN_KEY) != (key, None):
        audit.log(store, "unregistered", "sign_in", detail=f"refused: {email or 'no email claim'}"[:4000],
                  once=key)
        st.session_state[SIGNED_IN_KEY] = (key, None)
    if st.button("Sign out", key="identity.sign_out", icon=":material/logout:"):
        st.logout()


def _user_rows(store: Store) -> list[dict[str, Any]]:
    """Every user, empty cells as None."""
    return [{k: (None if v is None or v != v else v) for k, v in row.items()}  # v != v: NaN
            for row in reference.list_users(store).to_dict("records")]


def _demo_users(store: Store) -> list[dict[str, Any]]:
    """Active users by name."""
    users = reference.list_users(store).to_dict("records")
    return sorted((u for u in users if u["active"]), key=lambda u: (u["name"], u["user_id"]))


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml: demo mode
        return {}
