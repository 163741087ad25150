"""Who is using the app: the one place every page asks.

Beatbook runs in one of two modes, decided by `.streamlit/secrets.toml`:

- **Sign-in**: an `[auth]` section configures an OpenID Connect identity
  provider (e.g. Microsoft Entra ID). Streamlit's `st.login` signs the person
  in; their `email` claim, which the provider must vouch for (`email_verified`;
  see `email_is_verified`), is matched exactly (see `normalise_email`) to one
  active row of the users table, which gives their role and team (area). The
  first sign-in binds that row to the provider's stable id for the person
  (`subject_of`: issuer and subject, or Entra's tenant and object id); from
  then on only that id signs in as the user, until an admin clears the binding
  (`clear_sign_in`). Anyone else (an unknown or unverified email, another
  account with the same email, a user who has left) sees a "not registered" or
  "sign-in refused" page and no data. Each sign-in writes one `sign_in` audit
  entry, and so does each refusal.
- **Demo**: no `[auth]` section. Anyone can act as any demo user, chosen in
  the sidebar under a banner saying so. A demo user id that is not an active
  user gets a message saying so, never someone else.

Demo mode is never a fallback: when sign-in is configured, a demo-mode setting
(`BEATBOOK_DEMO_USER`, `[beatbook] demo_user`) or an incomplete `[auth]`
section stops the app with an error instead.

Tests choose the demo user by setting `st.session_state[USER_KEY]` (AppTest's
`at.session_state`) or the `BEATBOOK_DEMO_USER` environment variable.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import os
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import duckdb
import streamlit as st

from analytics.admin import find_record
from data import access, audit, db, reference
from data.picklists import ROLES
from data.schema import User
from data.store import EditConflict, Saved, Snapshot, Store, ValidationError
from forms.conflicts import naming_who
from forms.widgets import user_text

USER_KEY = "demo_user_id"
DEMO_USER_ENV = "BEATBOOK_DEMO_USER"
DEMO, SIGN_IN = "demo", "sign_in"
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
SIGNED_IN_KEY = "identity.signed_in"
SUBJECT = "sign_in_subject"
"""The users column holding the provider account a user is bound to."""
CLEARED_AT = "sign_in_cleared_at"
"""In `admit`'s user rows (not a column): when an admin last cleared the binding (UTC), if it is cleared."""
UNREGISTERED = "unregistered"
"""The audit log's user id for a refused sign-in."""
ENTRA_ISSUERS = ("https://login.microsoftonline.com/{tid}/v2.0", "https://sts.windows.net/{tid}/")
"""Microsoft Entra ID's issuers (v2.0 and v1 tokens) for tenant `tid`."""


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


def normalise_email(value: Any) -> str | None:
    """The form in which Beatbook compares an email address, or None when it will not compare it at all.

    The rule: strip surrounding ASCII whitespace; what is left must be unchanged by Unicode NFKC
    normalisation *and* be printable ASCII with no space (every character '!'..'~'); then lower-case
    A-Z only (ASCII lower-casing, not `str.lower`). Two addresses match when these forms are equal.

    So compatibility characters are refused, never folded into an address: the Kelvin sign
    (U+212A, which NFKC turns into 'K' and `str.lower` into 'k'), fullwidth letters, ligatures and
    any other non-ASCII address match nobody. A stored email that breaks the rule matches nobody too.
    """
    if not isinstance(value, str):
        return None
    text = value.strip(" \t\r\n")
    if not text or unicodedata.normalize("NFKC", text) != text or not all("!" <= c <= "~" for c in text):
        return None
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def is_entra(claims: Mapping[str, Any]) -> bool:
    """Whether the ID token is Microsoft Entra ID's: `tid` and `oid` claims, issued by that tenant's issuer."""
    tid, oid = claims.get("tid"), claims.get("oid")
    return bool(tid and oid) and claims.get("iss") in {issuer.format(tid=tid) for issuer in ENTRA_ISSUERS}


def email_is_verified(claims: Mapping[str, Any]) -> bool:
    """Whether the provider vouches for the token's `email` claim.

    With an `email_verified` claim, only true counts (JSON true, or the string "true" some providers
    send); false refuses. Without one the email is refused as unverified, except from Microsoft Entra
    ID (`is_entra`), which never sends `email_verified`: there the email is the tenant's own directory
    attribute, and what keeps one person's account from becoming another's is the binding to the
    tenant and object id (`subject_of`). An Entra token carrying the optional `xms_edov` ("email domain
    owner verified") claim must have it true.
    """
    verified = claims.get("email_verified")
    if verified is not None:
        return verified is True or (isinstance(verified, str) and verified.strip().lower() == "true")
    if is_entra(claims):
        edov = claims.get("xms_edov")
        return edov is None or edov is True or (isinstance(edov, str) and edov.strip().lower() in ("1", "true"))
    return False


def subject_of(claims: Mapping[str, Any]) -> str | None:
    """The provider's stable id for the person: 'entra:<tid>:<oid>' for Microsoft Entra ID, else
    '<iss> <sub>' (an issuer URL has no space); None without them."""
    if is_entra(claims):
        return f"entra:{claims['tid']}:{claims['oid']}"
    iss, sub = claims.get("iss"), claims.get("sub")
    if not (isinstance(iss, str) and iss.strip() and isinstance(sub, str) and sub.strip()):
        return None
    return f"{iss.strip()} {sub.strip()}"


def match_user(users: Sequence[Mapping[str, Any]], claims: Mapping[str, Any]) -> dict[str, Any] | None:
    """The one active user whose email is the identity's `email` claim (compared by `normalise_email`), else None.

    No email claim, no such user, an inactive user, or two active users with
    the same email: None (no access rather than a guess). Whether the email is
    verified and the account bound is `admit`'s business.
    """
    email = normalise_email(claims.get("email"))
    if email is None:
        return None
    found = [dict(u) for u in users
             if normalise_email(u.get("email")) == email and bool(u.get("active", True))]
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class Admission:
    """What to do with a signed-in identity: sign in as `user` (binding it to `subject` first when `bind`),
    or refuse (`refused`: a short code; `reason`: what the refusal page and the audit log say)."""

    user: dict[str, Any] | None
    subject: str | None
    bind: bool = False
    refused: str | None = None
    reason: str = ""


NOT_REGISTERED, NOT_ASCII, UNVERIFIED, NO_SUBJECT, OTHER_ACCOUNT, BEFORE_CLEARING = (
    "not_registered", "email_not_ascii", "email_unverified", "no_subject", "other_account", "before_clearing")


def admit(users: Sequence[Mapping[str, Any]], claims: Mapping[str, Any]) -> Admission:
    """Whether these ID-token claims sign in, and as whom. `users` carry the binding in force in SUBJECT.

    Refused, in this order: no email claim (NOT_REGISTERED); an email `normalise_email` will not
    compare (NOT_ASCII); an email the provider does not vouch for (UNVERIFIED, `email_is_verified`);
    no stable id for the person (NO_SUBJECT); no one active user with that email (NOT_REGISTERED);
    a user bound to another provider account (OTHER_ACCOUNT); a user whose binding an admin cleared,
    with an ID token issued before the clearing (BEFORE_CLEARING: a session left open, perhaps by
    the account being replaced, never takes the binding back). A user not yet bound is admitted with
    `bind`: the caller stores the binding before letting them in.
    """
    raw = claims.get("email")
    subject = subject_of(claims)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Admission(None, subject, refused=NOT_REGISTERED, reason="the token has no email claim")
    if normalise_email(raw) is None:
        return Admission(None, subject, refused=NOT_ASCII,
                         reason="the email address is not plain ASCII (look-alike characters are not matched)")
    if not email_is_verified(claims):
        return Admission(None, subject, refused=UNVERIFIED,
                         reason="the identity provider does not say the email address is verified")
    if subject is None:
        return Admission(None, None, refused=NO_SUBJECT,
                         reason="the identity provider gave no stable account id (iss and sub)")
    user = match_user(users, claims)
    if user is None:
        return Admission(None, subject, refused=NOT_REGISTERED, reason="no one active Beatbook user has that email")
    bound = user.get(SUBJECT) or None
    if bound is None:
        cleared = user.get(CLEARED_AT)
        if cleared is not None and not _issued_since(claims, cleared):
            return Admission(user, subject, refused=BEFORE_CLEARING,
                             reason=f"this sign-in began before an admin cleared user {user['user_id']}'s sign-in "
                                    "account; sign out and sign in again")
        return Admission(user, subject, bind=True)
    if bound != subject:
        return Admission(user, subject, refused=OTHER_ACCOUNT,
                         reason=f"user {user['user_id']} is bound to another account at the identity provider")
    return Admission(user, subject)


def _issued_since(claims: Mapping[str, Any], moment: dt.datetime) -> bool:
    """Whether the ID token was issued (`iat`, whole seconds) no earlier than the second of `moment` (naive UTC)."""
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        return False
    return iat >= calendar.timegm(moment.timetuple())


def sign_in_key(claims: Mapping[str, Any]) -> str:
    """One id per sign-in (issuer, subject and the ID token's issue time and nonce); tabs sharing it log once."""
    parts = [str(claims.get(k) or "") for k in ("iss", "sub", "iat", "nonce", "email")]
    return "sign_in:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def pick_user(users: Sequence[dict[str, Any]], wanted: str | None) -> dict[str, Any] | None:
    """Demo mode: the active user with id `wanted`; with no id wanted, the first active officer, else the first
    active user. None when there is no such user: an unknown or inactive id never becomes someone else."""
    active = [u for u in users if u.get("active", True)]
    if wanted:
        return next((u for u in active if u["user_id"] == wanted), None)
    officers = [u for u in active if u.get("role") == "officer"]
    return (officers or active or [None])[0]


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
    if user is None and wanted:
        _show_only(lambda: _render_unknown_demo_user(users, str(wanted)))
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
    """'Supervisor · Sue Smith · ST-STA': the role first, so the switcher shows who can do what."""
    area = user.get("area_code")
    return " · ".join([str(user["role"]).capitalize(), str(user["name"]), *([area] if area else [])])


def render_identity(store: Store, user: Mapping[str, Any]) -> None:
    """The sidebar's who-am-I: the signed-in user and Sign out, or the demo banner and user switcher."""
    if current_mode() == DEMO:
        render_demo_identity(store)
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


def render_demo_identity(store: Store) -> None:
    """The sidebar's demo-mode banner and user switcher, users grouped by role."""
    order = {role: i for i, role in enumerate(ROLES)}
    users = sorted(_demo_users(store), key=lambda u: (order.get(u["role"], len(order)), u["name"], u["user_id"]))
    names = {u["user_id"]: demo_label(u) for u in users}
    with st.sidebar:
        st.info("**Demo mode** — no sign-in. Pick who you are acting as: each role sees its own pages.",
                icon=":material/science:")
        ids, acting = list(names), st.session_state.get(USER_KEY)
        # Drawn at the user acting now: a browser that draws the switcher afresh, without the value this
        # session set, shows (and sends back) that user, not the first in the list.
        chosen = st.selectbox("Acting as", ids, index=ids.index(acting) if acting in names else 0,
                              format_func=names.__getitem__, key=USER_KEY)
        role = access.role_of(next((u for u in users if u["user_id"] == chosen), None))
        if role:
            st.caption(f"{'An' if role[0] in 'aeiou' else 'A'} {role} {ROLE_SUMMARY[role]}.")


def _signed_in_user(store: Store) -> dict[str, Any]:
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        _show_only(_render_sign_in)
    key = sign_in_key(claims)
    admission = _admit_and_bind(store, claims, key=key)
    if admission.refused:
        _show_only(lambda: _render_refused(store, claims, admission))
    user = admission.user
    if st.session_state.get(SIGNED_IN_KEY) != (key, user["user_id"]):
        detail = f"as {claims.get('email')}" + ("; bound to " + str(admission.subject) if admission.bind else "")
        audit.log(store, user, "sign_in", detail=detail[:4000], once=key)
        st.session_state[SIGNED_IN_KEY] = (key, user["user_id"])
    return _public(user)


def _admit_and_bind(store: Store, claims: Mapping[str, Any], *, key: str) -> Admission:
    """`admit`, storing the binding of a first sign-in; decided again if the user's row changed meanwhile."""
    admission = admit(_user_rows(store), claims)
    if admission.bind:
        try:
            _bind(store, admission.user, admission.subject, submission_id=f"{key}:bind:{admission.user['version']}")
        except EditConflict:  # an admin's change, or another account's first sign-in, came first
            admission = admit(_user_rows(store), claims)
            if admission.bind:
                _bind(store, admission.user, admission.subject,
                      submission_id=f"{key}:bind:{admission.user['version']}")
    return admission


def _public(user: Mapping[str, Any]) -> dict[str, Any]:
    """A user row as pages get it: the users table's own columns, without the sign-in binding."""
    return {k: user.get(k) for k in reference.USER_COLUMNS}


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
    email = _shown(raw) if raw else ""
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


def _shown(value: Any) -> str:
    """An email claim as the page and audit log show it: as given when ASCII, else escaped (so look-alikes show)."""
    text = str(value).strip()
    return text if text.isascii() else ascii(text)[1:-1]


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
        st.session_state[USER_KEY] = chosen


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


def demo_users_for(store: Store, roles: Sequence[str], *, area_code: str | None = None) -> list[dict[str, Any]]:
    """One active demo user per role of `roles` (in ROLES order): the first by name in `area_code`, else anywhere."""
    users = _demo_users(store)
    chosen = []
    for role in (r for r in ROLES if r in roles):
        of_role = [u for u in users if u["role"] == role]
        same_area = [u for u in of_role if area_code and u.get("area_code") == area_code]
        if same_area or of_role:
            chosen.append((same_area or of_role)[0])
    return chosen


def _act_as(user_id: str) -> None:
    st.session_state[USER_KEY] = user_id


# -- the binding to the provider's account ---------------------------------------------------------------------


def sign_in_binding(store: Store, record_id: str) -> str | None:
    """The provider account (`subject_of`) the user record `record_id` is bound to, or None when not bound.

    The newest version of the record that states a binding decides: a value binds, '' is an admin's
    clearing. A version that states none (an edit saved without the column) leaves it as it was, so
    changing a user's role or details never unbinds them.
    """
    for version in store.history("users", record_id):  # newest first
        value = version.get(SUBJECT)
        if isinstance(value, str):
            return value or None
    return None


def _bind(store: Store, user: Mapping[str, Any], subject: str | None, *, submission_id: str) -> Saved:
    """Store `subject` on the user's row: a new version of it, written by the user, from the version admitted."""
    current = store.get("users", str(user["record_id"])) or {}
    record = {name: current.get(name) for name in User.model_fields} | {SUBJECT: subject}
    return store.save("users", record, user=str(user["user_id"]), submission_id=submission_id,
                      record_id=str(user["record_id"]), base_version=int(user["version"]))


def clear_sign_in(*, store: Store, user_id: str, user: Mapping[str, Any], submission_id: str,
                  base_version: int) -> Saved:
    """Admin: unbind `user_id` from their provider account (re-created at the provider, say), so their next
    sign-in binds again. A new version of their record made from `base_version`; an `admin_change` entry."""
    actor = access.require(user, "administer")
    if earlier := store.find_submission("users", submission_id):
        return earlier
    found = find_record(store, table="users", column="user_id", value=user_id, user=user)
    if found is None:
        raise ValidationError({"user_id": f"{user_id} does not exist"})
    was = sign_in_binding(store, found["record_id"])
    if was is None:
        raise ValidationError({"record": f"{user_id} is not bound to a sign-in account yet"})
    current = store.get("users", found["record_id"]) or {}
    record = {name: current.get(name) for name in User.model_fields} | {SUBJECT: ""}
    with naming_who(store):
        saved = store.save("users", record, user=actor, submission_id=submission_id, record_id=found["record_id"],
                           base_version=base_version)
    if not saved.duplicate:
        audit.log(store, user, "admin_change", table="users", target_ids=[saved.record_id],
                  detail=f"cleared the sign-in binding of user {user_id} (was {was}) (version {saved.version})")
    return saved


_rows_cache: dict[tuple, list[dict[str, Any]]] = {}
_rows_lock = threading.Lock()


def _user_rows(store: Store) -> list[dict[str, Any]]:
    """Every current user row (with record_id and version), empty cells as None, SUBJECT the binding in force.

    Read once per version of the users table (a sign-in runs this on every rerun).
    """
    snapshot = store.snapshot("users")
    key = (store.root, snapshot.version)
    with _rows_lock:
        rows = _rows_cache.get(key)
    if rows is None:
        frame = db.cursor().execute(f"SELECT * FROM {snapshot.relation()}").df()
        bound = _bindings(snapshot)
        rows = [{k: (None if v is None or v != v else v) for k, v in row.items()}  # v != v: NaN
                | dict(zip((SUBJECT, CLEARED_AT), bound.get(row["record_id"], (None, None)), strict=True))
                for row in frame.to_dict("records")]
        with _rows_lock:
            _rows_cache[key] = rows
            while len(_rows_cache) > 16:
                _rows_cache.pop(next(iter(_rows_cache)))
    return [dict(row) for row in rows]


def _bindings(snapshot: Snapshot) -> dict[str, tuple[str | None, dt.datetime | None]]:
    """record_id -> (the provider account it is bound to, when it was cleared) for every user record that ever
    was bound, as `sign_in_binding` decides, in one read: (account, None) when bound, (None, time) when cleared."""
    if not snapshot.files:
        return {}
    try:
        found = db.cursor().execute(
            f"SELECT record_id, {SUBJECT}, written_at FROM {db.parquet_scan(snapshot.files)}"
            f" WHERE {SUBJECT} IS NOT NULL"
            " QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY version DESC, written_at DESC) = 1"
        ).fetchall()
    except duckdb.BinderException:  # no version was ever written with the column: nobody is bound
        return {}
    return {record_id: (subject, None) if subject else (None, written_at) for record_id, subject, written_at in found}


def _demo_users(store: Store) -> list[dict[str, Any]]:
    """Active users by name."""
    users = reference.list_users(store).to_dict("records")
    return sorted((u for u in users if u["active"]), key=lambda u: (u["name"], u["user_id"]))


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml: demo mode
        return {}
