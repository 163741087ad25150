"""In a real browser: sign in through a real OpenID Connect provider, as a Beatbook user or a stranger; sign out;
unverified and look-alike emails refused; each user bound to the first provider account they sign in with.

The test starts `oidc-provider-mock` (an OpenID Connect provider for tests) on
a loopback port, and a Streamlit server whose secrets.toml `[auth]` section
points at it. Each test first gives the provider its accounts (`_account`: a
subject and the claims its ID tokens carry, such as `email` and
`email_verified`). Chromium then goes through the provider's authorize page,
where the account's subject is typed in, and the provider issues an ID token
for it. Screenshots go to test-output/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import urllib.request

import pytest
from playwright.sync_api import expect

from analytics.bench.browser import app_server, free_port
from data import db, reference
from forms.identity import sign_in_binding
from tests.browser.conftest import DESKTOP, OUTPUT, open_tab
from tests.browser.ui import choose, submit, wait_for_app

oidc_provider_mock = pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock is not installed")


@pytest.fixture
def provider(monkeypatch):
    """An OpenID Connect provider on a loopback port (plain http, so Authlib is told to allow it); its URL."""
    import werkzeug.serving

    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    server = werkzeug.serving.make_server("127.0.0.1", free_port(), oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def signed_in_server(store_root, provider, tmp_path):
    """A Streamlit server over a private store with sign-in through `provider`; no demo setting anywhere."""
    port = free_port()
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "beatbook"\n'
        'client_secret = "beatbook-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n')
    env = {k: v for k, v in os.environ.items() if k != "BEATBOOK_DEMO_USER"}
    env.update(BEATBOOK_STORE=str(store_root), AUTHLIB_INSECURE_TRANSPORT="1")
    with app_server(env, tmp_path / "streamlit.log", port=port,
                          args=("--secrets.files", str(secrets_file))) as url:
        yield url


def _account(provider: str, subject: str, **claims) -> None:
    """Tell the provider about an account: its ID tokens carry `sub` = `subject` and these claims."""
    request = urllib.request.Request(f"{provider}/users/{subject}", data=json.dumps(claims).encode(),
                                     method="PUT", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.status == 204


def _sign_in(page, url: str, subject: str) -> None:
    """From the app's sign-in page through the provider's authorize form, back to the app."""
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**")
    wait_for_app(page)


def _audit(store_root, action: str) -> list[dict]:
    from data.store import Store
    store = Store(store_root)
    return db.run(f"SELECT * FROM {store.relation('audit')} WHERE action = ? ORDER BY written_at",
                               [action]).to_dict("records")


def _active(store, role: str) -> dict:
    users = reference.list_users(store, role=role)
    return users[users["active"]].iloc[0].to_dict()


def _binding(store_root, user_id: str) -> str | None:
    from data.store import Store
    store = Store(store_root)
    (record_id,) = db.row(f"SELECT record_id FROM {store.relation('users')} WHERE user_id = ?",
                                       [user_id])
    return sign_in_binding(store, record_id)


def _refused(page) -> None:
    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_text(re.compile("^Signed in as"))).to_have_count(0)  # the sidebar's, not "You signed in as"


def test_sign_in_as_a_registered_user_then_sign_out(signed_in_server, provider, store, store_root):
    admin = _active(store, "admin")
    _account(provider, admin["email"], email=admin["email"], email_verified=True)
    with open_tab(viewport=DESKTOP) as page:
        page.goto(signed_in_server)
        wait_for_app(page)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
        expect(page.get_by_text("Demo mode")).to_have_count(0)

        _sign_in(page, signed_in_server, admin["email"])
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text(f"Signed in as {admin['name']}")).to_be_visible()
        expect(page.get_by_text("Demo mode")).to_have_count(0)
        nav = page.get_by_test_id("stSidebarNav")
        audit_link = nav.get_by_role("link", name="Audit log")
        more = nav.get_by_role("button", name=re.compile(r"View \d+ more"))
        expect(more.or_(audit_link).first).to_be_visible()
        if not audit_link.is_visible():
            more.click()
        expect(audit_link).to_be_visible()  # an admin's page
        page.screenshot(path=str(OUTPUT / "sign-in-admin.png"))

        audit_link.click()
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
        (entry,) = _audit(store_root, "sign_in")
        assert entry["user_id"] == admin["user_id"]

        sidebar.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/oauth2/end_session**")
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(f"{signed_in_server}/**")
        wait_for_app(page)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
        page.goto(f"{signed_in_server}/audit_log")
        wait_for_app(page)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        expect(page.get_by_role("heading", name="Audit log")).to_have_count(0)
    (signed_out,) = _audit(store_root, "sign_out")
    assert signed_out["user_id"] == admin["user_id"]


def test_an_unknown_email_signs_in_to_no_data(signed_in_server, provider, store_root):
    _account(provider, "stranger@elsewhere.example", email="stranger@elsewhere.example", email_verified=True)
    with open_tab(viewport=DESKTOP) as page:
        _sign_in(page, signed_in_server, "stranger@elsewhere.example")
        expect(page.get_by_role("heading", name="Not registered")).to_be_visible()
        expect(page.get_by_text("stranger@elsewhere.example")).to_be_visible()
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
        expect(page.get_by_test_id("stMetric")).to_have_count(0)
        page.screenshot(path=str(OUTPUT / "sign-in-not-registered.png"))
        page.goto(f"{signed_in_server}/search")
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Not registered")).to_be_visible()
        expect(page.get_by_role("heading", name="Search")).to_have_count(0)
    (refused,) = _audit(store_root, "sign_in")
    assert refused["user_id"] == "unregistered" and "stranger@elsewhere.example" in refused["detail"]


def test_an_unverified_email_and_a_look_alike_email_are_refused_and_audited(signed_in_server, provider, store,
                                                                           store_root):
    admin = _active(store, "admin")
    _account(provider, "probe", email=admin["email"].upper(), email_verified=False)
    kelvin = admin["email"].replace("k", "\u212a")  # KELVIN SIGN: str.lower() makes it 'k'
    assert kelvin != admin["email"] and kelvin.lower() == admin["email"]
    _account(provider, "kelvin", email=kelvin, email_verified=True)
    with open_tab(viewport=DESKTOP) as page:
        _sign_in(page, signed_in_server, "probe")
        _refused(page)
        expect(page.get_by_text("does not say the email address is verified")).to_be_visible()
        page.screenshot(path=str(OUTPUT / "sign-in-unverified.png"))
    with open_tab(viewport=DESKTOP) as page:
        _sign_in(page, signed_in_server, "kelvin")
        _refused(page)
        expect(page.get_by_text("not plain ASCII")).to_be_visible()
    unverified, look_alike = _audit(store_root, "sign_in")
    assert unverified["user_id"] == look_alike["user_id"] == "unregistered"
    assert "email_unverified" in unverified["detail"] and f"{provider} probe" in unverified["detail"]
    assert "email_not_ascii" in look_alike["detail"] and "\\u212a" in look_alike["detail"]
    assert _binding(store_root, admin["user_id"]) is None, "a refused sign-in binds nothing"


def test_a_user_is_bound_to_their_first_account_until_an_admin_clears_it(signed_in_server, provider, store,
                                                                        store_root):
    officer, admin = _active(store, "officer"), _active(store, "admin")
    _account(provider, "officer-1", email=officer["email"], email_verified=True)
    _account(provider, "officer-2", email=officer["email"].upper(), email_verified=True)  # re-created account
    _account(provider, "admin-1", email=admin["email"], email_verified=True)

    def sign_in_as(subject: str, *, then=None) -> bool:
        """Sign in as the provider's `subject` in a new browser; whether Beatbook let them in."""
        with open_tab(viewport=DESKTOP) as page:
            _sign_in(page, signed_in_server, subject)
            signed_in = page.get_by_text(re.compile("^Signed in as"))
            expect(signed_in.or_(page.get_by_role("heading", name="Sign-in refused"))).to_be_visible()
            if not signed_in.is_visible():
                _refused(page)
                return False
            if then:
                then(page)
            return True

    assert sign_in_as("officer-1")
    assert _binding(store_root, officer["user_id"]) == f"{provider} officer-1"
    assert not sign_in_as("officer-2")
    (refused,) = [e for e in _audit(store_root, "sign_in") if e["user_id"] == "unregistered"]
    assert "other_account" in refused["detail"] and f"{provider} officer-2" in refused["detail"]
    assert sign_in_as("officer-1"), "the bound account signs in again"
    assert _binding(store_root, officer["user_id"]) == f"{provider} officer-1"

    def clear_binding(page) -> None:
        page.goto(f"{signed_in_server}/admin_users")
        wait_for_app(page)
        choose(page, "User", f"{officer['user_id']} · {officer['name']}")
        wait_for_app(page)
        expect(page.get_by_text(f"{provider} officer-1")).to_be_visible()
        submit(page, page.get_by_role("button", name="Clear sign-in binding"),
               page.get_by_test_id("stAlert").filter(has_text="Cleared"))
        page.screenshot(path=str(OUTPUT / "sign-in-binding-cleared.png"))

    assert sign_in_as("admin-1", then=clear_binding)
    assert _binding(store_root, officer["user_id"]) is None
    (change,) = [e for e in _audit(store_root, "admin_change") if "sign-in binding" in e["detail"]]
    assert change["user_id"] == admin["user_id"] and f"was {provider} officer-1" in change["detail"]
    assert sign_in_as("officer-2"), "after clearing, the next account to sign in binds"
    assert _binding(store_root, officer["user_id"]) == f"{provider} officer-2"
    assert not sign_in_as("officer-1")
