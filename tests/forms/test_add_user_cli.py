"""`python -m forms add-user`: the first admin of a store behind sign-in, validated and audited."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from data import db, reference
from data.store import Store
from forms.identity import match_user

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "forms", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def test_the_first_admin_of_an_empty_store_can_then_sign_in(tmp_path):
    path = str(tmp_path / "store")
    result = run("add-user", "--store", path, "--user-id", "S1234", "--name", "Sam Admin",
                 "--email", "Sam.Admin@force.police.uk", "--role", "admin", "--rank", "Staff")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["user_id"] == "S1234"
    store = Store(path)
    users = reference.list_users(store).to_dict("records")
    assert [(u["user_id"], u["role"], u["active"]) for u in users] == [("S1234", "admin", True)]
    assert match_user(users, {"email": "sam.admin@force.police.uk"})["user_id"] == "S1234"
    (entry,) = db.rows(f"SELECT user_id, action, table_name FROM {store.relation('audit')}")
    assert entry == ("cli", "admin_change", "users")


def test_a_taken_email_or_a_team_role_without_an_area_is_refused(tmp_path):
    path = str(tmp_path / "store")
    first = ("--store", path, "--name", "Sam", "--rank", "Staff", "--role", "admin")
    assert run("add-user", *first, "--user-id", "S1", "--email", "sam@force.police.uk").returncode == 0
    taken = run("add-user", *first, "--user-id", "S2", "--email", "SAM@force.police.uk")
    assert taken.returncode == 1 and "email is already used by S1" in taken.stderr
    officer = run("add-user", "--store", path, "--user-id", "P1", "--name", "Pat", "--rank", "PC",
                  "--role", "officer", "--email", "pat@force.police.uk")
    assert officer.returncode == 1 and "area_code" in officer.stderr
    assert len(reference.list_users(Store(path))) == 1
