"""The app with sign-in configured: the signed-in user's own pages, or a sign-in / not registered / refused / error
page only; and demo mode never turns an unknown user id into someone else."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from data import reference
from forms.identity import SUBJECT, USER_KEY, sign_in_binding
from forms.ui.widgets import user_text

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "c" * 40,
        "client_id": "beatbook", "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
CLAIMS = {"iss": "http://127.0.0.1:9", "iat": 1_700_000_000, "nonce": "n", "email_verified": True}


def signed_in_app(user: dict | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False} if user is None else {"is_logged_in": True, "sub": "s-1", **CLAIMS, **user}
    return at


def audit_entries(store, action: str = "sign_in") -> list[dict]:
    from data import db
    frame = db.run(f"SELECT * FROM {store.relation('audit')} WHERE action = ?", [action])
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


def _an_officer_who_has_left(store) -> dict:
    """An active officer, as they were before this: their user record is now saved inactive."""
    from data import db
    officer = a_user(store, "officer")
    row = db.run(f"SELECT * FROM {store.relation('users')} WHERE user_id = ?",
                              [officer["user_id"]]).iloc[0].to_dict()
    fields = {k: (None if k == "area_code" and not isinstance(row[k], str) else row[k])
              for k in ("user_id", "name", "email", "role", "rank", "area_code")}
    store.save("users", {**fields, "active": False}, user="admin", submission_id="left", record_id=row["record_id"])
    return officer


def test_a_user_who_has_left_gets_the_not_registered_page(app_store):
    officer = _an_officer_who_has_left(app_store)
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


def user_row(store, user_id: str) -> dict:
    from data import db
    return db.run(f"SELECT * FROM {store.relation('users')} WHERE user_id = ?",
                               [user_id]).iloc[0].to_dict()


def refused_page(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Sign-in refused"]
    assert not at.metric and not at.dataframe and not at.selectbox and not at.sidebar.caption


def test_an_unverified_email_is_refused_and_audited(app_store):
    admin = a_user(app_store, "admin")
    at = signed_in_app({"email": admin["email"].upper(), "email_verified": False})
    at.run()
    refused_page(at)
    assert "not say the email address is verified" in at.error[0].value
    (entry,) = audit_entries(app_store)
    assert entry["user_id"] == "unregistered" and "email_unverified" in entry["detail"]
    assert sign_in_binding(app_store, user_row(app_store, admin["user_id"])["record_id"]) is None


def test_a_look_alike_email_is_refused(app_store):
    admin = a_user(app_store, "admin")
    kelvin = admin["email"].replace("k", "\u212a")
    assert kelvin != admin["email"] and kelvin.lower() == admin["email"].lower()
    at = signed_in_app({"email": kelvin})
    at.run()
    refused_page(at)
    (entry,) = audit_entries(app_store)
    assert "email_not_ascii" in entry["detail"] and "\\u212a" in entry["detail"]


def test_the_first_sign_in_binds_the_account_and_another_account_is_refused(app_store):
    officer = a_user(app_store, "officer")
    at = signed_in_app({"email": officer["email"]})
    at.run()
    assert not at.exception and any(officer["name"] in c.value for c in at.sidebar.caption)
    row = user_row(app_store, officer["user_id"])
    assert row[SUBJECT] == "http://127.0.0.1:9 s-1" and row["written_by"] == officer["user_id"]
    (entry,) = audit_entries(app_store)
    assert entry["user_id"] == officer["user_id"] and "bound to http://127.0.0.1:9 s-1" in entry["detail"]

    other = signed_in_app({"email": officer["email"], "sub": "s-2", "iat": 1_700_000_100})
    other.run()
    refused_page(other)
    refused = [e for e in audit_entries(app_store) if e["user_id"] == "unregistered"]
    assert len(refused) == 1 and "other_account" in refused[0]["detail"] and "s-2" in refused[0]["detail"]
    assert list(refused[0]["target_ids"]) == [row["record_id"]]

    again = signed_in_app({"email": officer["email"], "iat": 1_700_000_200})
    again.run()
    assert not again.exception and any(officer["name"] in c.value for c in again.sidebar.caption)
    assert user_row(app_store, officer["user_id"])["version"] == row["version"], "bound once, not again"


def test_an_admin_edit_keeps_the_binding_and_clearing_it_lets_a_new_account_bind(app_store):
    from tests.pages.test_pages import open_page

    officer = a_user(app_store, "officer")
    signed_in_app({"email": officer["email"]}).run()
    record_id = user_row(app_store, officer["user_id"])["record_id"]
    assert sign_in_binding(app_store, record_id) == "http://127.0.0.1:9 s-1"

    admin = a_user(app_store, "admin")
    at = open_page("pages/admin_users.py", admin["user_id"])  # demo mode, acting as the admin
    at.selectbox(key="admin_users.pick").set_value(officer["user_id"]).run()
    (key,) = {w.key.rsplit(".", 1)[0] for w in at.selectbox if w.key and w.key.startswith("admin_users.edit.")
              and w.key.endswith(".role")}
    at.text_input(key=f"{key}.rank").input("Sgt")
    at.button(key=f"{key}.submit").click().run()
    assert not at.exception, at.exception
    assert reference.get_user(app_store, officer["user_id"])["rank"] == "Sgt"
    assert sign_in_binding(app_store, record_id) == "http://127.0.0.1:9 s-1", "an edit does not unbind"
    other = signed_in_app({"email": officer["email"], "sub": "s-2", "iat": 1_900_000_000})
    other.run()
    refused_page(other)

    (key,) = {w.key.rsplit(".", 1)[0] for w in at.button if w.key and w.key.endswith(".unbind.submit")}
    at.button(key=f"{key}.submit").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [user_text(f"Cleared {officer['user_id']}'s sign-in binding: their next "
                                                       "sign-in binds it again.")]
    assert sign_in_binding(app_store, record_id) is None
    (change,) = [e for e in audit_entries(app_store, "admin_change") if "sign-in binding" in e["detail"]]
    assert change["user_id"] == admin["user_id"] and "was http://127.0.0.1:9 s-1" in change["detail"]

    stale = signed_in_app({"email": officer["email"], "sub": "s-1"})  # a session open before the clearing
    stale.run()
    refused_page(stale)
    new = signed_in_app({"email": officer["email"], "sub": "s-2", "iat": 1_900_000_000})
    new.run()
    assert not new.exception and any(officer["name"] in c.value for c in new.sidebar.caption)
    assert sign_in_binding(app_store, record_id) == "http://127.0.0.1:9 s-2"


def test_an_entra_token_without_email_verified_signs_in_bound_to_tenant_and_object_id(app_store):
    supervisor = a_user(app_store, "supervisor")
    tid, oid = "9188040d-6c67-4c5b-b112-36a304b66dad", "00000000-0000-0000-66f3-3332eca7ea81"
    at = signed_in_app(None)
    at.user = {"is_logged_in": True, "iss": f"https://login.microsoftonline.com/{tid}/v2.0", "sub": "pairwise",
               "tid": tid, "oid": oid, "iat": 1_700_000_000, "email": supervisor["email"]}
    at.run()
    assert not at.exception and any(supervisor["name"] in c.value for c in at.sidebar.caption)
    assert user_row(app_store, supervisor["user_id"])[SUBJECT] == f"entra:{tid}:{oid}"


# -- demo mode ------------------------------------------------------------------------


def demo_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_an_unknown_demo_user_is_told_so_and_signed_in_as_nobody(app_store):
    at = demo_app()
    at.session_state[USER_KEY] = "nobody"
    at.run()
    assert not at.exception, at.exception
    (error,) = at.error
    assert "no active user with id **nobody**" in error.value
    assert not at.sidebar.caption and not at.metric and not at.dataframe
    assert at.session_state[USER_KEY] == "nobody", "not replaced by another user"
    officer = a_user(app_store, "officer")
    at.selectbox(key="identity.demo_choice").set_value(officer["user_id"]).run()
    assert not at.exception, at.exception
    assert not at.error and at.sidebar.selectbox(key=USER_KEY).value == officer["user_id"]


def test_an_inactive_demo_user_from_the_environment_is_told_so(app_store, monkeypatch):
    officer = _an_officer_who_has_left(app_store)
    monkeypatch.setenv("BEATBOOK_DEMO_USER", officer["user_id"])
    at = demo_app()
    at.run()
    assert not at.exception, at.exception
    (error,) = at.error
    assert f"no active user with id **{officer['user_id']}**" in error.value
    assert not at.sidebar.caption and not at.metric and not at.dataframe
