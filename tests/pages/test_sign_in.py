"""The app with sign-in configured: the signed-in user's own pages, or a sign-in / not registered / error page only."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from data import reference
from forms.identity import USER_KEY

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "c" * 40,
        "client_id": "beatbook", "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
CLAIMS = {"iss": "http://127.0.0.1:9", "iat": 1_700_000_000, "nonce": "n"}


def signed_in_app(user: dict | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False} if user is None else {"is_logged_in": True, "sub": "s-1", **CLAIMS, **user}
    return at


def audit_entries(store, action: str = "sign_in") -> list[dict]:
    from data import db
    frame = db.cursor().execute(f"SELECT * FROM {store.relation('audit')} WHERE action = ?", [action]).df()
    return frame.to_dict("records")


def a_user(store, role: str, *, active: bool = True) -> dict:
    users = reference.list_users(store, role=role)
    return users[users["active"] == active].iloc[0].to_dict()


def test_a_registered_email_signs_in_as_that_user_once(app_store):
    supervisor = a_user(app_store, "supervisor")
    at = signed_in_app({"email": supervisor["email"].upper()})
    at.run()
    assert not at.exception, at.exception
    assert not at.error
    assert any(supervisor["name"] in c.value for c in at.sidebar.caption)
    assert not [s for s in at.sidebar.selectbox if s.key == USER_KEY], "no demo switcher when signed in"
    at.run()
    at.run()
    (entry,) = audit_entries(app_store)
    assert entry["user_id"] == supervisor["user_id"]


def test_an_unknown_email_gets_the_not_registered_page_and_nothing_else(app_store):
    at = signed_in_app({"email": "stranger@elsewhere.example"})
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Not registered"]
    assert not at.metric and not at.dataframe and not at.selectbox and not at.text_input
    (entry,) = audit_entries(app_store)
    assert entry["user_id"] == "unregistered" and "stranger@elsewhere.example" in entry["detail"]


def test_a_user_who_has_left_gets_the_not_registered_page(app_store):
    from data import db
    officer = a_user(app_store, "officer")
    row = db.cursor().execute(f"SELECT * FROM {app_store.relation('users')} WHERE user_id = ?",
                              [officer["user_id"]]).df().iloc[0].to_dict()
    fields = {k: (None if k == "area_code" and not isinstance(row[k], str) else row[k])
              for k in ("user_id", "name", "email", "role", "rank", "area_code")}
    app_store.save("users", {**fields, "active": False}, user="admin", submission_id="left",
                   record_id=row["record_id"])
    at = signed_in_app({"email": officer["email"]})
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Not registered"]
    assert not at.metric and not at.dataframe and not at.selectbox


def test_signed_out_shows_only_the_sign_in_button(app_store):
    at = signed_in_app(None)
    at.run()
    assert not at.exception, at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe and not at.selectbox
    assert not audit_entries(app_store)


def test_demo_mode_is_refused_when_sign_in_is_configured(app_store, monkeypatch):
    officer = a_user(app_store, "officer")
    monkeypatch.setenv("BEATBOOK_DEMO_USER", officer["user_id"])
    at = signed_in_app({"email": officer["email"]})
    at.run()
    assert not at.exception, at.exception
    (error,) = at.error
    assert "cannot start" in error.value and "BEATBOOK_DEMO_USER" in error.value
    assert not at.selectbox and not at.button and not at.title


def test_an_incomplete_auth_section_is_refused(app_store):
    at = signed_in_app({"email": a_user(app_store, "officer")["email"]})
    at.secrets["auth"] = {k: v for k, v in AUTH.items() if k != "cookie_secret"}
    at.run()
    (error,) = at.error
    assert "cookie_secret" in error.value
    assert not at.selectbox and not at.title


def test_a_demo_choice_in_session_state_is_ignored_when_sign_in_is_configured(app_store):
    commander = a_user(app_store, "commander")
    at = signed_in_app(None)
    at.session_state[USER_KEY] = commander["user_id"]
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe and not at.selectbox
    officer = a_user(app_store, "officer")
    at = signed_in_app({"email": officer["email"]})
    at.session_state[USER_KEY] = commander["user_id"]
    at.run()
    assert any(officer["name"] in c.value for c in at.sidebar.caption)
    assert not any(commander["name"] in c.value for c in at.sidebar.caption)


def test_sign_out_is_logged_and_leaves_only_the_sign_in_page(app_store):
    officer = a_user(app_store, "officer")
    at = signed_in_app({"email": officer["email"]})
    at.run()
    at.sidebar.button(key="identity.sign_out").click().run()
    assert not at.exception, at.exception
    (entry,) = audit_entries(app_store, "sign_out")
    assert entry["user_id"] == officer["user_id"]
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe and not at.selectbox
