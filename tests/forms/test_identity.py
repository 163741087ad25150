"""Identity: demo mode only without sign-in, sign-in matched to one active user by verified email and bound
to one provider account."""

from __future__ import annotations

import datetime as dt

import pytest

from data import reference
from forms.identity import (
    BEFORE_CLEARING,
    CLEARED_AT,
    DEMO,
    NO_SUBJECT,
    NOT_ASCII,
    NOT_REGISTERED,
    OTHER_ACCOUNT,
    SIGN_IN,
    SUBJECT,
    UNVERIFIED,
    USER_KEY,
    IdentityConfigError,
    admit,
    demo_label,
    email_is_verified,
    identity_mode,
    is_entra,
    match_user,
    normalise_email,
    pick_user,
    provider_name,
    sign_in_key,
    subject_of,
)

USERS = [
    {"user_id": "u1", "name": "Ann", "role": "commander", "active": True, "email": "ann@force.police.uk"},
    {"user_id": "u2", "name": "Bob", "role": "officer", "active": False, "email": "bob@force.police.uk"},
    {"user_id": "u3", "name": "Cat", "role": "officer", "active": True, "email": "Cat.Jones@Force.police.uk"},
    {"user_id": "u4", "name": "Dan", "role": "supervisor", "active": True, "email": "dan@force.police.uk"},
]
AUTH = {"redirect_uri": "https://beatbook.force.police.uk/oauth2callback", "cookie_secret": "s" * 40,
        "client_id": "app-id", "client_secret": "app-secret",
        "server_metadata_url": "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration"}


# -- demo mode ------------------------------------------------------------------


def test_the_wanted_user_is_picked():
    assert pick_user(USERS, "u4")["user_id"] == "u4"


def test_without_a_choice_the_first_active_officer_is_picked():
    assert pick_user(USERS, None)["user_id"] == "u3"


def test_an_unknown_or_inactive_choice_picks_nobody_rather_than_someone_else():
    assert pick_user(USERS, "gone") is None
    assert pick_user(USERS, "u2") is None  # Bob has left


def test_with_no_officers_the_first_user_is_picked():
    assert pick_user([USERS[0], USERS[3]], None)["user_id"] == "u1"


def test_no_users_no_pick():
    assert pick_user([], "u1") is None


def test_the_demo_switcher_names_the_role_first():
    assert demo_label({"user_id": "u4", "name": "Dan", "role": "supervisor", "area_code": "ST-STA"}) == \
        "Supervisor · Dan · ST-STA"
    assert demo_label({"user_id": "u1", "name": "Ann", "role": "commander", "area_code": None}) == "Commander · Ann"


def test_the_demo_switcher_lists_users_by_role_and_says_what_the_role_does(app_store):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=60)
    at.session_state[USER_KEY] = "u0004"  # the demo force's commander
    at.run()
    assert not at.exception, at.exception
    picker = at.sidebar.selectbox(key=USER_KEY)
    roles = [label.split(" · ")[0] for label in picker.options]
    order = ["Officer", "Supervisor", "Commander", "Analyst", "Admin"]
    assert roles == sorted(roles, key=order.index) and set(roles) == set(order)
    assert picker.value == "u0004"
    assert any(c.value.startswith("A commander sees the force-wide dashboards") for c in at.sidebar.caption)


@pytest.mark.parametrize("chosen_by", ["session", "environment"])
def test_the_demo_switcher_is_drawn_at_the_user_acting_now(app_store, monkeypatch, chosen_by):
    """A browser that draws the switcher afresh starts it at its default: that must be the user the page acts
    as, or its next run switches the session to the first officer in the list."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    admin = "u0006"  # the demo force's admin: far down a list that starts with the officers
    label = demo_label(reference.get_user(app_store, admin))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=60)
    if chosen_by == "session":
        at.session_state[USER_KEY] = admin
    else:
        monkeypatch.setenv("BEATBOOK_DEMO_USER", admin)
    for _ in range(2):  # the first run, then one the browser asks for
        at.run()
        assert not at.exception, at.exception
        picker = at.sidebar.selectbox(key=USER_KEY)
        assert picker.value == admin
        assert picker.options[picker.proto.default] == label, picker.options[picker.proto.default]


# -- which mode -------------------------------------------------------------------


def test_no_auth_section_is_demo_mode():
    assert identity_mode({}, {}) == DEMO
    assert identity_mode({"beatbook": {"force_name": "X"}}, {"BEATBOOK_DEMO_USER": "u1"}) == DEMO


def test_a_complete_auth_section_is_sign_in_mode():
    assert identity_mode({"auth": AUTH}, {}) == SIGN_IN


def test_a_named_provider_section_is_sign_in_mode():
    auth = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    auth["microsoft"] = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    assert identity_mode({"auth": auth}, {}) == SIGN_IN
    assert provider_name(auth) == "microsoft"
    assert provider_name(AUTH) is None


@pytest.mark.parametrize(("secrets", "environ", "named"), [
    ({"auth": AUTH}, {"BEATBOOK_DEMO_USER": "u1"}, "BEATBOOK_DEMO_USER"),
    ({"auth": AUTH, "beatbook": {"demo_user": "u1"}}, {}, "demo_user"),
])
def test_demo_mode_is_refused_when_sign_in_is_configured(secrets, environ, named):
    with pytest.raises(IdentityConfigError, match=named):
        identity_mode(secrets, environ)


@pytest.mark.parametrize("missing", ["redirect_uri", "cookie_secret", "client_id", "client_secret",
                                     "server_metadata_url"])
def test_an_incomplete_auth_section_is_refused_not_demo(missing):
    auth = {k: v for k, v in AUTH.items() if k != missing}
    with pytest.raises(IdentityConfigError, match=missing):
        identity_mode({"auth": auth}, {})


def test_a_redirect_uri_not_at_oauth2callback_is_refused():
    with pytest.raises(IdentityConfigError, match="oauth2callback"):
        identity_mode({"auth": {**AUTH, "redirect_uri": "https://beatbook.force.police.uk/"}}, {})


# -- who signed in --------------------------------------------------------------


def test_the_email_claim_matches_an_active_user_ignoring_case():
    assert match_user(USERS, {"sub": "x", "email": "cat.jones@force.police.uk"})["user_id"] == "u3"
    assert match_user(USERS, {"sub": "x", "email": " ANN@force.police.uk "})["user_id"] == "u1"


def test_an_unknown_email_matches_nobody():
    assert match_user(USERS, {"sub": "x", "email": "eve@elsewhere.example"}) is None


def test_an_inactive_user_matches_nobody():
    assert match_user(USERS, {"sub": "x", "email": "bob@force.police.uk"}) is None


def test_no_email_claim_matches_nobody_even_with_a_matching_name():
    assert match_user(USERS, {"sub": "u1", "name": "Ann", "preferred_username": "ann@force.police.uk"}) is None
    assert match_user([{**USERS[0], "email": ""}], {"sub": "x", "email": ""}) is None


def test_two_active_users_with_one_email_match_nobody():
    twin = {**USERS[3], "user_id": "u5"}
    assert match_user([*USERS, twin], {"sub": "x", "email": "dan@force.police.uk"}) is None


def test_each_sign_in_has_its_own_key_and_a_tab_sharing_it_the_same():
    claims = {"iss": "https://idp", "sub": "abc", "iat": 1000, "nonce": "n1", "email": "ann@force.police.uk"}
    assert sign_in_key(claims) == sign_in_key(dict(claims))
    assert sign_in_key(claims) != sign_in_key({**claims, "iat": 1001})
    assert sign_in_key(claims) != sign_in_key({**claims, "sub": "abd"})


# -- email normalisation ------------------------------------------------------------------


@pytest.mark.parametrize(("given", "compared"), [
    ("Cat.Jones@Force.police.UK", "cat.jones@force.police.uk"),
    ("  ann@force.police.uk\t", "ann@force.police.uk"),
    ("o'neil+beat@force.police.uk", "o'neil+beat@force.police.uk"),
])
def test_an_ascii_address_is_compared_in_ascii_lower_case(given, compared):
    assert normalise_email(given) == compared


@pytest.mark.parametrize("given", [
    "u0006@example.police.u\u212a",  # KELVIN SIGN: NFKC makes it 'K', str.lower() 'k'
    "u0006@example.police.\uff55\uff4b",  # fullwidth 'uk'
    "\ufb01ona@force.police.uk",  # the 'fi' ligature
    "ann@force.police.uk\u200b",  # a zero-width space
    "\u0430nn@force.police.uk",  # Cyrillic 'a'
    "ann @force.police.uk", "", "   ", None, 42,
])
def test_anything_but_a_plain_ascii_address_is_not_compared(given):
    assert normalise_email(given) is None


def test_the_kelvin_sign_matches_nobody_although_str_lower_would_match_it():
    kelvin = "u0006@example.police.u\u212a"
    users = [{"user_id": "u0006", "email": "u0006@example.police.uk", "role": "admin", "active": True}]
    assert kelvin.lower() == "u0006@example.police.uk"  # what the old comparison did
    assert match_user(users, {"email": kelvin}) is None
    assert match_user(users, {"email": "U0006@EXAMPLE.POLICE.UK"})["user_id"] == "u0006"


def test_a_stored_email_with_look_alike_characters_matches_nobody():
    users = [{"user_id": "u9", "email": "eve@force.police.u\u212a", "role": "admin", "active": True}]
    assert match_user(users, {"email": "eve@force.police.uk"}) is None


# -- verified email, stable account ----------------------------------------------------------

ISS = "https://idp.force.police.uk"
TID, OID = "9188040d-6c67-4c5b-b112-36a304b66dad", "00000000-0000-0000-66f3-3332eca7ea81"
ENTRA = {"iss": f"https://login.microsoftonline.com/{TID}/v2.0", "sub": "pairwise-sub", "tid": TID, "oid": OID,
         "preferred_username": "ann@force.police.uk", "email": "ann@force.police.uk"}


@pytest.mark.parametrize(("claims", "verified"), [
    ({"email_verified": True}, True),
    ({"email_verified": "true"}, True),
    ({"email_verified": False}, False),
    ({"email_verified": "false"}, False),
    ({"email_verified": 1}, False),
    ({}, False),  # absent: refused
    (ENTRA, True),  # Entra never sends email_verified
    ({**ENTRA, "xms_edov": True}, True),
    ({**ENTRA, "xms_edov": False}, False),
    ({**ENTRA, "email_verified": False}, False),
    ({**ENTRA, "iss": "https://login.microsoftonline.com/another-tenant/v2.0"}, False),  # not its tenant's issuer
    ({**ENTRA, "iss": ISS}, False),  # tid and oid claims from some other provider prove nothing
])
def test_only_a_verified_email_counts(claims, verified):
    assert email_is_verified(claims) is verified


def test_the_account_is_issuer_and_subject_or_entra_tenant_and_object_id():
    assert subject_of({"iss": ISS, "sub": "abc"}) == f"{ISS} abc"
    assert is_entra(ENTRA) and subject_of(ENTRA) == f"entra:{TID}:{OID}"
    assert subject_of({**ENTRA, "sub": "another-apps-pairwise-sub"}) == subject_of(ENTRA)
    assert subject_of({"iss": "https://sts.windows.net/" + TID + "/", "tid": TID, "oid": OID}) == \
        f"entra:{TID}:{OID}"
    assert subject_of({"iss": ISS}) is None and subject_of({"sub": "abc"}) is None


ANN = {**USERS[0], "record_id": "r1", "version": 1, SUBJECT: None}
VERIFIED = {"iss": ISS, "sub": "ann-1", "iat": 1_700_000_000, "email": "ANN@force.police.uk", "email_verified": True}


def test_a_first_sign_in_is_admitted_and_binds_the_account():
    admission = admit([ANN], VERIFIED)
    assert admission.refused is None and admission.bind
    assert admission.user["user_id"] == "u1" and admission.subject == f"{ISS} ann-1"


def test_the_bound_account_signs_in_without_binding_again():
    admission = admit([{**ANN, SUBJECT: f"{ISS} ann-1"}], VERIFIED)
    assert admission.refused is None and not admission.bind and admission.user["user_id"] == "u1"


def test_another_account_with_the_same_email_is_refused():
    admission = admit([{**ANN, SUBJECT: f"{ISS} ann-1"}], {**VERIFIED, "sub": "ann-2"})
    assert admission.refused == OTHER_ACCOUNT and "u1" in admission.reason and not admission.bind


def test_an_entra_account_binds_to_tenant_and_object_id_without_email_verified():
    admission = admit([ANN], ENTRA)
    assert admission.refused is None and admission.bind and admission.subject == f"entra:{TID}:{OID}"
    other = {**ENTRA, "oid": "00000000-0000-0000-0000-000000000002"}
    assert admit([{**ANN, SUBJECT: admission.subject}], other).refused == OTHER_ACCOUNT


@pytest.mark.parametrize(("claims", "refused"), [
    ({**VERIFIED, "email_verified": False}, UNVERIFIED),
    ({k: v for k, v in VERIFIED.items() if k != "email_verified"}, UNVERIFIED),
    ({**VERIFIED, "email": "ann@force.police.u\u212a"}, NOT_ASCII),
    ({**VERIFIED, "sub": ""}, NO_SUBJECT),
    ({**VERIFIED, "email": "eve@force.police.uk"}, NOT_REGISTERED),
    ({k: v for k, v in VERIFIED.items() if k != "email"}, NOT_REGISTERED),
])
def test_refusals_say_why(claims, refused):
    admission = admit([ANN], claims)
    assert admission.refused == refused and admission.user is None and admission.reason


def test_after_an_admin_clears_the_binding_only_a_sign_in_begun_since_binds():
    cleared = dt.datetime(2023, 11, 14, 22, 13, 20, 500_000)  # UTC; VERIFIED's iat is 22:13:20
    row = {**ANN, CLEARED_AT: cleared}
    assert admit([row], {**VERIFIED, "iat": 1_700_000_000}).bind
    stale = admit([row], {**VERIFIED, "iat": 1_699_999_999})
    assert stale.refused == BEFORE_CLEARING and not stale.bind
    assert admit([row], {k: v for k, v in VERIFIED.items() if k != "iat"}).refused == BEFORE_CLEARING
