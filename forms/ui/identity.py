"""Who is using the app, as every page asks it: the sign-in, "not registered" and demo pages, and the sidebar's
who-am-I. The rules (modes, matching a sign-in to a user, bindings) are in `forms.identity`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

import streamlit as st

from data import access, audit
from data.picklists import ROLES
from data.store import Store
from forms.identity import (
    DEMO,
    DEMO_USER_ENV,
    NOT_REGISTERED,
    ROLE_SUMMARY,
    SIGN_IN,
    SIGNED_IN_KEY,
    UNREGISTERED,
    USER_KEY,
    Admission,
    IdentityConfigError,
    admit_and_bind,
    demo_label,
    demo_users_for,
    identity_mode,
    list_demo_users,
    pick_user,
    provider_name,
    public_user,
    shown_email,
    sign_in_key,
)
from forms.ui.widgets import user_text


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
    users = list_demo_users(store)
    wanted = st.session_state.get(USER_KEY) or os.environ.get(DEMO_USER_ENV)
    user = pick_user(users, wanted)
    if user is None and wanted:
        _show_only(lambda: _render_unknown_demo_user(users, str(wanted)))
    if user is None:
        st.error("There are no users in this store yet.")
        st.stop()
    # Not written to the session here: the sidebar's switcher, drawn next at this user, keeps it
    # (`render_demo_identity`).
    return user


def render_identity(store: Store, user: Mapping[str, Any]) -> None:
    """The sidebar's who-am-I: the signed-in user and Sign out, or the demo banner and user switcher."""
    if current_mode() == DEMO:
        render_demo_identity(store, acting=user["user_id"])
        return
    with st.sidebar:
        area = f" · {user_text(user['area_code'], one_line=True)}" if user.get("area_code") else ""
        st.caption(f"Signed in as **{user_text(user['name'], one_line=True)}** · {user['role']}{area}")
        st.button("Sign out", key="identity.sign_out", icon=":material/logout:", on_click=_sign_out,
                  args=(store, dict(user)))


def _sign_out(store: Store, user: Mapping[str, Any]) -> None:
    audit.log(store, user, "sign_out")
    st.session_state.pop(SIGNED_IN_KEY, None)
    st.logout()


def render_demo_identity(store: Store, *, acting: str) -> None:
    """The sidebar's demo-mode banner and user switcher (users grouped by role), drawn at `acting`."""
    order = {role: i for i, role in enumerate(ROLES)}
    users = sorted(list_demo_users(store), key=lambda u: (order.get(u["role"], len(order)), u["name"], u["user_id"]))
    names = {u["user_id"]: demo_label(u) for u in users}
    with st.sidebar:
        st.info("**Demo mode** — no sign-in. Pick who you are acting as: each role sees its own pages.",
                icon=":material/science:")
        ids = list(names)
        # Drawn at the user acting now: a browser that draws the switcher afresh, without the value this
        # session set, shows (and sends back) that user, not the first in the list. In the one run after a
        # switch made by a button (`_switch_to`) the session already holds the new value and sends it: a
        # default given as well would be ignored, and Streamlit warns of it.
        switched = st.session_state.pop(SWITCHED_KEY, None)
        switched = switched is not None and switched == st.session_state.get(USER_KEY)
        chosen = st.selectbox("Acting as", ids, index=0 if switched or acting not in names else ids.index(acting),
                              format_func=names.__getitem__, key=USER_KEY)
        role = access.role_of(next((u for u in users if u["user_id"] == chosen), None))
        if role:
            st.caption(f"{'An' if role[0] in 'aeiou' else 'A'} {role} {ROLE_SUMMARY[role]}.")


def _signed_in_user(store: Store) -> dict[str, Any]:
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        _show_only(_render_sign_in)
    key = sign_in_key(claims)
    admission = admit_and_bind(store, claims, key=key)
    if admission.refused:
        _show_only(lambda: _render_refused(store, claims, admission))
    user = admission.user
    if st.session_state.get(SIGNED_IN_KEY) != (key, user["user_id"]):
        detail = f"as {claims.get('email')}" + ("; bound to " + str(admission.subject) if admission.bind else "")
        audit.log(store, user, "sign_in", detail=detail[:4000], once=key)
        st.session_state[SIGNED_IN_KEY] = (key, user["user_id"])
    return public_user(user)


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


def _render_refused(store: Store, claims: Mapping[str, Any], admission: Admission) -> None:
    raw = claims.get("email")
    email = shown_email(raw) if raw else ""
    if admission.refused == NOT_REGISTERED:
        st.title("Not registered")
        st.error(f"You signed in as **{user_text(email, code=True) or 'an account with no email address'}**, "
                 "which is not an active Beatbook user. Ask your Beatbook administrator to add you, then sign in "
                 "again.",
                 icon=":material/no_accounts:")
    else:
        st.title("Sign-in refused")
        st.error(f"You signed in as **{user_text(email, code=True) or 'an account with no email address'}**, "
                 f"but Beatbook cannot let you in: {user_text(admission.reason)}. Ask your Beatbook administrator.",
                 icon=":material/gpp_bad:")
    key = sign_in_key(claims) + ":refused"  # a later sign-in with the same token, once registered, still logs
    if st.session_state.get(SIGNED_IN_KEY) != (key, None):
        target = [str(admission.user["record_id"])] if admission.user and admission.user.get("record_id") else []
        detail = (f"refused ({admission.refused}): {email or 'no email claim'}; {admission.reason}; "
                  f"account {admission.subject or 'none'}")
        audit.log(store, UNREGISTERED, "sign_in", table="users" if target else None, target_ids=target,
                  detail=detail[:4000], once=key)
        st.session_state[SIGNED_IN_KEY] = (key, None)
    if st.button("Sign out", key="identity.sign_out", icon=":material/logout:"):
        st.logout()


def _render_unknown_demo_user(users: Sequence[Mapping[str, Any]], wanted: str) -> None:
    st.title("Beatbook")
    st.error(f"**Demo mode:** there is no active user with id **{user_text(wanted, one_line=True)}** in this store "
             f"(it was chosen in the sidebar or set by {DEMO_USER_ENV}), so Beatbook has signed nobody in. Choose who "
             "to act as.",
             icon=":material/person_off:")
    names = {u["user_id"]: demo_label(u) for u in users}
    st.selectbox("Acting as", list(names), format_func=names.__getitem__, index=None, placeholder="Choose a user",
                 key="identity.demo_choice", on_change=_choose_demo_user)


def _choose_demo_user() -> None:
    chosen = st.session_state.get("identity.demo_choice")
    if chosen:
        _switch_to(chosen)


def demo_stand_in(store: Store, user: Mapping[str, Any], *, title: str,
                  roles: Sequence[str]) -> Callable[[], None]:
    """Demo mode: the page to draw at the address of a page `user`'s role cannot see (a shared dashboard link
    opened as the default officer, say): it says so and offers to act as a demo user who can see it, one button
    per role in `roles` (a user of the link's area first, else of `user`'s area). Once switched, the same address
    opens the page itself, filters included.
    """
    def render() -> None:
        linked = st.query_params.get_all("area")  # a shared link's area: offer someone who can see it
        st.title(title)
        st.warning(f"**Demo mode:** {user_text(title, one_line=True)} is not a page for "
                   f"{'an' if str(user['role'])[0] in 'aeiou' else 'a'} {user['role']}. Act as someone who can "
                   "see it:", icon=":material/swap_horiz:")
        for other in demo_users_for(store, roles, area_code=linked[0] if len(linked) == 1 else user.get("area_code")):
            st.button(f"Act as {user_text(demo_label(other), one_line=True)}", icon=":material/login:",
                      key=f"identity.switch.{other['user_id']}", on_click=_act_as, args=(other["user_id"],))
    return render


def _act_as(user_id: str) -> None:
    _switch_to(user_id)


SWITCHED_KEY = "identity.switched_to"
"""The user a button switched the demo session to, until the switcher is next drawn."""


def _switch_to(user_id: str) -> None:
    """A button's callback: act as `user_id` from the next run (the switcher's value, set through the session)."""
    st.session_state[USER_KEY] = user_id
    st.session_state[SWITCHED_KEY] = user_id


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml: demo mode
        return {}
