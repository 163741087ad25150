"""Demo identity: which user a session acts as."""

from __future__ import annotations

from forms.identity import pick_user

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
