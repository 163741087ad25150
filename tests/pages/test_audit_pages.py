"""Pages leave audit entries: every dashboard download, every view of record-level CCRs; the audit log page."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from analytics.audit import search_audit
from data import access, db, reference
from forms.identity import USER_KEY
from tests.pages.test_pages import ROOT, open_page, page_roles

DASHBOARDS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py")
                    if "render_downloads(" in p.read_text())
"""Every page that offers downloads."""


def a_user(store, role: str) -> dict:
    users = reference.list_users(store, role=role)
    return users[users["active"]].iloc[0].to_dict()


def entries(store, action: str) -> list[dict]:
    return db.run(f"SELECT * FROM {store.relation('audit')} WHERE action = ? ORDER BY written_at",
                               [action]).to_dict("records")


@pytest.mark.parametrize("page", DASHBOARDS)
def test_every_dashboard_download_leaves_an_export_entry(app_store, downloads, page):
    roles = page_roles().get(page) or ("commander",)
    role = "commander" if "commander" in roles else next(r for r in roles if r in access.CAPABILITIES["export"].roles)
    commander = a_user(app_store, role)
    at = open_page(page, commander["user_id"])
    if not downloads and any("No census population" in i.value for i in at.info):
        pytest.skip(f"{page} has nothing to download without census data, which the demo store lacks")
    assert downloads, f"{page} offers no downloads"
    assert not entries(app_store, "export"), "drawing the buttons exports nothing"
    for key, make in downloads.items():
        assert callable(make), f"{key} makes its file before it is asked for"
        assert make()[:2], f"{key} made an empty file"
    logged = entries(app_store, "export")
    assert len(logged) == len(downloads)
    assert {e["user_id"] for e in logged} == {commander["user_id"]}
    names = {e["detail"].split(":")[0] for e in logged}
    assert len(names) == len(downloads), "each entry names its own file"


def test_an_officer_is_offered_no_downloads_of_records(app_store, downloads):
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in an officer's menu at all
        open_page("pages/ccr_outcomes.py", a_user(app_store, "officer")["user_id"])
    # The page an officer lands on (Book an event) offers only the area's calendar and its public events:
    # events, no records of people.
    assert set(downloads) == {"book_event.area_ics", "book_event.public"}


def test_the_ccr_details_table_logs_the_records_shown_once(app_store):
    commander = a_user(app_store, "commander")
    at = open_page("pages/ccr_outcomes.py", commander["user_id"])
    details = next(d.value for d in at.dataframe if "contact_method" in d.value.columns)
    (entry,) = entries(app_store, "view_personal")
    assert entry["user_id"] == commander["user_id"] and entry["table_name"] == "ccrs"
    assert sorted(entry["target_ids"]) == sorted(details["record_id"])
    at.run()
    assert len(entries(app_store, "view_personal")) == 1, "a rerun showing the same rows logs nothing more"


def test_opening_a_ccr_in_search_logs_it(app_store):
    officer = a_user(app_store, "officer")
    record_id = db.row(
        f"SELECT record_id FROM {app_store.relation('ccrs')} WHERE area_code = ? AND officer_id <> ? LIMIT 1",
        [officer["area_code"], officer["user_id"]])[0]
    at = open_page("pages/search.py", officer["user_id"])
    listed = entries(app_store, "view_personal")
    assert listed and all(e["detail"].startswith("Search: ") for e in listed), "the results listed are audited"
    at.query_params["open"] = f"ccrs:{record_id}"
    at.run()
    assert not at.exception, at.exception
    (entry,) = [e for e in entries(app_store, "view_personal") if e["detail"].startswith("Search: opened")]
    assert (entry["user_id"], list(entry["target_ids"])) == (officer["user_id"], [record_id])


def test_the_audit_log_page_searches_and_its_download_is_audited(app_store, downloads):
    admin = a_user(app_store, "admin")
    at = open_page("pages/audit_log.py", admin["user_id"])
    today = dt.date.today()
    expected = search_audit(app_store, admin, start=today - dt.timedelta(days=30), end=today, limit=100)
    assert expected.total > 0
    assert list(at.dataframe[0].value["record_ids"]) == list(expected.entries["record_ids"])
    at.selectbox(key="audit_log.action").set_value("save").run()
    assert set(at.dataframe[0].value["action"]) == {"save"}
    csv = downloads["audit_log.csv"]()
    assert csv.decode("utf-8-sig").splitlines()[0].startswith("written_at,user_id,user,action")
    (export,) = entries(app_store, "export")
    assert export["user_id"] == admin["user_id"] and export["table_name"] == "audit"
    assert "action=save" in export["detail"]


def test_the_audit_log_page_is_not_in_others_navigation_and_shows_them_nothing(app_store):
    commander = a_user(app_store, "commander")["user_id"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("pages/audit_log.py", commander)
    at = AppTest.from_file(str(ROOT / "pages/audit_log.py"), default_timeout=60)  # run on its own, bypassing nav
    at.session_state[USER_KEY] = commander
    at.run()
    assert not at.exception, at.exception
    assert at.error and not at.dataframe and not at.selectbox
