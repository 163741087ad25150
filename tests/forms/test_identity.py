"""Demo identity: which user a session acts as."""

from __future__ import annotations

from forms.identity import USER_KEY, demo_label, pick_user

USERS = [
    {"user_id": "u1", "name": "Ann", "role": "commander", "active": True},
    {"user_id": "u2", "name": "Bob", "role": "officer", "active": False},
    {"user_id": "u3", "name": "Cat", "role": "officer", "active": True},
    {"user_id": "u4", "name": "Dan", "role": "supervisor", "active": True},
]


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
