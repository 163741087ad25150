"""Audit search: the audit log and every record version, newest first, for users who may read it."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.audit import RECORD_TABLES, search_audit
from data import access, audit, db, reference
from data.store import Store
from forms.activity import edit_record, withdraw_record
from forms.events import save_event
from forms.export import audited, single_csv
from tests.conftest import make_booking


def a_user(store: Store, role: str) -> dict:
    users = reference.list_users(store, role=role)
    row = users[users["active"] & users["area_code"].notna()].iloc[0].to_dict()
    return row


@pytest.fixture
def admin(store) -> dict:
    return a_user(store, "admin")


@pytest.mark.parametrize("role", ["officer", "supervisor", "commander", "analyst"])
def test_only_admins_may_search(store, role):
    with pytest.raises(access.NotAllowed):
        search_audit(store, a_user(store, role))


def test_nobody_and_an_inactive_admin_may_not_search(store, admin):
    with pytest.raises(access.NotAllowed):
        search_audit(store, None)
    with pytest.raises(access.NotAllowed):
        search_audit(store, {**admin, "active": False})


def test_a_save_an_edit_and_a_withdrawal_are_each_found(store, officer, admin):
    edits_before = search_audit(store, admin, user_id=officer["user_id"], action="edit", table="events").total
    saved = save_event(store=store, values=make_booking(store, officer), user=officer, submission_id="book-1")
    edited = edit_record(store=store, table="events", record_id=saved.record_id, changes={"title": "Renamed meeting"},
                         user=officer, submission_id="edit-1", base_version=saved.version)
    withdraw_record(store=store, table="events", record_id=saved.record_id, user=officer, submission_id="wd-1",
                    base_version=edited.version)

    found = search_audit(store, admin, target=saved.record_id)
    assert found.total == 3
    rows = found.entries
    assert list(rows["action"]) == ["withdraw", "edit", "save"]
    assert list(rows["version"]) == [3, 2, 1]
    assert set(rows["user_id"]) == {officer["user_id"]}
    assert set(rows["user"]) == {officer["name"]}
    assert set(rows["table_name"]) == {"events"}
    edits = search_audit(store, admin, user_id=officer["user_id"], action="edit", table="events")
    assert edits.total == edits_before + 1
    assert edits.entries["record_ids"].iloc[0] == saved.record_id


@pytest.mark.parametrize("table", RECORD_TABLES)
def test_every_stored_version_of_every_table_is_findable(store, admin, table):
    files = store.snapshot(table).files
    if not files:
        pytest.skip(f"the demo store has no {table}")
    scan = f"read_parquet([{', '.join(db.sql_string(f) for f in files)}], union_by_name=true)"
    record_id, versions = db.row(
        f"SELECT record_id, count(*) FROM {scan} GROUP BY record_id ORDER BY count(*) DESC, record_id LIMIT 1"
    )
    found = search_audit(store, admin, table=table, target=record_id)
    assert found.total == versions
    assert sorted(found.entries["version"]) == list(range(1, versions + 1))


def test_log_entries_are_found_by_user_action_table_and_record(store, admin, officer):
    audit.log(store, officer, "view_personal", table="ccrs", target_ids=["c-1", "c-2"], detail="details table")
    audit.log(store, admin, "export", table="audit", detail="audit-log.csv")
    views = search_audit(store, admin, action="view_personal")
    assert views.total == 1
    (row,) = views.entries.to_dict("records")
    assert (row["user_id"], row["table_name"], row["record_ids"], row["detail"]) == (
        officer["user_id"], "ccrs", "c-1, c-2", "details table")
    assert search_audit(store, admin, target="c-2").total == 1
    assert search_audit(store, admin, user_id=admin["user_id"], action="export").total == 1
    assert search_audit(store, admin, user_id=officer["user_id"], action="export").total == 0


def test_logging_the_same_event_twice_stores_it_once(store, admin, officer):
    for _ in range(3):
        audit.log(store, officer, "sign_in", once="sign_in:abc")
    assert search_audit(store, admin, action="sign_in").total == 1


def test_dates_are_inclusive_days(store, admin, officer):
    audit.log(store, officer, "export", detail="today")
    today = dt.datetime.now(dt.UTC).date()
    assert search_audit(store, admin, action="export", start=today, end=today).total == 1
    assert search_audit(store, admin, action="export", end=today - dt.timedelta(days=1)).total == 0
    assert search_audit(store, admin, action="export", start=today + dt.timedelta(days=1)).total == 0


def test_results_are_newest_first_and_paged(store, admin, officer):
    for n in range(5):
        audit.log(store, officer, "export", detail=f"file {n}")
    first = search_audit(store, admin, action="export", limit=2)
    second = search_audit(store, admin, action="export", limit=2, offset=2)
    last = search_audit(store, admin, action="export", limit=2, offset=4)
    assert first.total == second.total == 5
    assert list(first.entries["detail"]) == ["file 4", "file 3"]
    assert list(second.entries["detail"]) == ["file 2", "file 1"]
    assert list(last.entries["detail"]) == ["file 0"]


def test_unknown_action_or_table_is_refused(store, admin):
    with pytest.raises(ValueError, match="action"):
        search_audit(store, admin, action="drop")
    with pytest.raises(ValueError, match="table"):
        search_audit(store, admin, table="users; drop")


# -- exports ----------------------------------------------------------------------


def test_each_download_made_logs_one_export_with_its_records(store, admin):
    commander = a_user(store, "commander")
    import pandas as pd
    frame = pd.DataFrame({"record_id": ["r1", "r2", "r3"], "issues": ["=1+1", "b", "c"]})
    make = audited(single_csv, {"CCR details": frame}, store=store, user=commander, file_name="ccr-details.csv",
                   context="page /ccr_outcomes?area=A1")
    assert search_audit(store, admin, action="export").total == 0, "nothing is logged until a file is made"
    data = make()
    assert data.decode("utf-8-sig").splitlines()[1] == "r1,'=1+1"
    make()
    exports = search_audit(store, admin, action="export", user_id=commander["user_id"])
    assert exports.total == 2
    row = exports.entries.iloc[0]
    assert row["record_ids"] == "r1, r2, r3"
    assert row["detail"] == "ccr-details.csv: CCR details (3 rows); page /ccr_outcomes?area=A1"


def test_a_user_who_may_not_export_gets_no_file_and_no_entry(store, admin, officer):
    import pandas as pd
    make = audited(single_csv, {"x": pd.DataFrame({"a": [1]})}, store=store, user=officer, file_name="x.csv")
    with pytest.raises(access.NotAllowed):
        make()
    assert search_audit(store, admin, action="export").total == 0
