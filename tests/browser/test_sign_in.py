"""In a real browser: sign in through a real OpenID Connect provider, as a Beatbook user or a stranger; sign out.

The test starts `oidc-provider-mock` (an OpenID Connect provider for tests) on
a loopback port, and a Streamlit server whose secrets.toml `[auth]` section
points at it. Chromium then goes through the provider's authorize page, where
the identity's subject is typed in: the provider issues an ID token whose
`email` claim is that subject. Screenshots go to test-output/.
"""

from __future__ import annotations

import os
import re
import secrets
import threading

import pytest

from data import db, reference
from tests.browser.conftest import OUTPUT, _free_port, open_tab, playwright_or_skip, streamlit_server
from tests.browser.ui import wait_for_app

pytestmark = pytest.mark.browser

sync_api = playwright_or_skip(timeout_ms=30_000)
oidc_provider_mock = pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock is not installed")
expect = sync_api.expect


@pytest.fixture
def provider(monkeypatch):
    """An OpenID Connect provider on a loopback port (plain http, so Authlib is told to allow it); its URL."""
    import werkzeug.serving

    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    server = werkzeug.serving.make_server("127.0.0.1", _free_port(), oidc_provider_mock.app(), threaded=True)
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
    port = _free_port()
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
    with streamlit_server(env, tmp_path / "streamlit.log", port=port,
                          args=("--secrets.files", str(secrets_file))) as url:
        yield url


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
    return db.cursor().execute(f"SELECT * FROM {store.relation('audit')} WHERE action = ? ORDER BY written_at",
                               [action]).df().to_dict("records")


def test_sign_in_as_a_registered_user_then_sign_out(signed_in_server, store, store_root):
    users = reference.list_users(store, role="admin")
    admin = users[users["active"]].iloc[0].to_dict()
    with open_tab(viewport={"width": 1280, "height": 900}) as page:
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


def test_an_unknown_email_signs_in_to_no_data(signed_in_server, store_root):
    with open_tab(viewport={"width": 1280, "height": 900}) as page:
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
