"""Identity: demo mode only without sign-in, sign-in matched to one active user by email."""

from __future__ import annotations

import pytest

from forms.identity import (
    DEMO,
    SIGN_IN,
    USER_KEY,
    IdentityConfigError,
    demo_label,
    identity_mode,
    match_user,
    pick_user,
    provider_name,
    sign_in_key,
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


def test_an_unknown_choice_falls_back_to_the_first_active_officer():
    assert pick_user(USERS, "gone")["user_id"] == "u3"


def test_with_no_officers_the_first_user_is_picked():
    assert pick_user([USERS[0], USERS[3]], None)["user_id"] == "u1"


def test_no_users_no_pick():
    assert pick_user([], "u1") is None


def test_the_demo_switcher_names_the_role_first():
    assert demo_label({"user_id": "u4", "name": "Dan", "role": "supervisor", "area_code": "TV-OXF"}) == \
        "Supervisor · Dan · TV-OXF"
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
