"""The Supervise pages in AppTest: a supervisor returns a record, its officer fixes it, the supervisor passes it."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from analytics.quality import sample_fraction
from data import db, reference
from data.store import Store
from forms.dip_checks import PERSONAL_DETAIL
from tests.pages.test_pages import open_page

OFFICER, SERGEANT, COMMANDER, ANALYST = "u0001", "u0003", "u0004", "u0005"  # Stafford officer and sergeant
SHARE = 0.01


def sampled_id(table: str) -> str:
    """A record id inside a 1% sample of `table` (a submission id names its new record)."""
    return next(rid for n in itertools.count() if sample_fraction(table, rid := f"page-test-{n}") < SHARE)


def sample_only_new_records(store: Store) -> None:
    for table in ("events", "ccrs", "patrols", "abstractions"):
        store.save("settings", {"key": f"dip_check_share.{table}", "value": str(SHARE)}, user="u0006",
                   submission_id=f"share-{table}")


def log_patrol(store: Store) -> str:
    rid = sampled_id("patrols")
    start = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(9))
    ward = reference.list_wards(store, area_code="ST-STA")["ward_code"].iloc[0]
    store.save("patrols", {"officer_id": OFFICER, "patrol_type": "Foot patrol", "start": start,
                           "end": start + dt.timedelta(hours=2), "area_code": "ST-STA", "ward_code": ward,
                           "places": "Cowley Road", "tasking": "ASB", "outcomes": "Quiet"},
               user=OFFICER, submission_id=rid)
    return rid


def queue_keys(at) -> set[str]:
    return {b.key for b in at.button if b.key and b.key.startswith("dip.check.")}


def review(at, rid: str, version: int, outcome: str, comment: str = "", faults=()) -> None:
    if f"dip.check.patrols.{rid}" in queue_keys(at):  # after a refused save the form is still open
        at.button(key=f"dip.check.patrols.{rid}").click().run()
    assert not at.exception, at.exception
    form = f"dip.review.patrols.{rid}.v{version}"
    at.radio(key=f"{form}.outcome").set_value(outcome)
    at.multiselect(key=f"{form}.faults").set_value(list(faults))
    at.text_area(key=f"{form}.comment").input(comment)
    at.button(key=f"dip.save.patrols.{rid}").click().run()
    assert not at.exception, at.exception


def test_return_fix_and_pass_through_the_pages(app_store):
    sample_only_new_records(app_store)
    rid = log_patrol(app_store)

    supervisor = open_page("pages/dip_checks.py", SERGEANT)
    assert f"dip.check.patrols.{rid}" in queue_keys(supervisor)
    review(supervisor, rid, 1, "returned")  # no comment: refused, nothing saved
    assert "Comment" in supervisor.error[0].value
    review(supervisor, rid, 1, "returned", "Which ASB, and what did you do?", ["Vague outcome"])
    assert supervisor.success[0].value.startswith("Checked:")
    assert f"dip.check.patrols.{rid}" not in queue_keys(supervisor), "awaiting the officer's fix"

    officer = open_page("pages/my_activity.py", OFFICER)
    assert officer.header[0].value == "Returned to you (1)"
    assert "Which ASB, and what did you do?" in officer.warning[0].value
    officer.button(key=f"my_activity.edit.patrols.{rid}").click().run()
    officer.text_area(key=f"my_activity.edit.patrols.{rid}.v1.outcomes").input("Group of six moved on; shop visited")
    officer.button(key=f"my_activity.save.patrols.{rid}").click().run()
    assert not officer.exception, officer.exception
    assert not [s for s in officer.header if s.value.startswith("Returned to you")]

    supervisor = open_page("pages/dip_checks.py", SERGEANT)
    assert f"dip.check.patrols.{rid}" in queue_keys(supervisor), "the fix is back in the queue"
    assert any("Returned on version 1" in c.value for c in supervisor.caption)
    review(supervisor, rid, 2, "pass")
    assert f"dip.check.patrols.{rid}" not in queue_keys(supervisor)
    outcomes = db.rows(
        f"SELECT target_version, outcome FROM {app_store.relation('quality_reviews')} WHERE target_id = ?"
        " ORDER BY written_at", [rid])
    assert outcomes == [(1, "returned"), (2, "pass")]


def test_diversity_answers_are_shown_on_request_and_audited(app_store):
    sample_only_new_records(app_store)
    rid = sampled_id("ccrs")
    ward = reference.list_wards(app_store, area_code="ST-STA")["ward_code"].iloc[0]
    app_store.save("ccrs", {"contact_at": dt.datetime.combine(dt.date.today(), dt.time(8)), "area_code": "ST-STA",
                            "ward_code": ward, "officer_id": OFFICER, "contact_method": "Face to face",
                            "diversity_consent": True, "age_band": "65+", "religion": "Sikh"},
                   user=OFFICER, submission_id=rid)
    at = open_page("pages/dip_checks.py", SERGEANT)
    at.button(key=f"dip.check.ccrs.{rid}").click().run()
    assert not any("Sikh" in m.value for m in at.markdown)
    at.button(key=f"dip.personal.{rid}").click().run()
    assert not at.exception, at.exception
    assert any("Sikh" in m.value and "65+" in m.value for m in at.markdown)
    views = db.rows(f"SELECT user_id, target_ids FROM {app_store.relation('audit')}"
                                " WHERE action = 'view_personal' AND detail = ?", [PERSONAL_DETAIL])
    assert views == [(SERGEANT, [rid])]
    opened = db.rows(f"SELECT user_id, table_name, target_ids FROM {app_store.relation('audit')}"
                                 " WHERE action = 'view_personal' AND detail LIKE 'Dip check: opened%'")
    assert opened == [(SERGEANT, "ccrs", [rid])], "the record opened is audited once, however often it reruns"
    queue = db.rows(f"SELECT user_id, target_ids FROM {app_store.relation('audit')}"
                                " WHERE action = 'view_personal' AND detail LIKE 'Dip-check queue%'"
                                " AND table_name = 'ccrs'")
    assert queue and all(user_id == SERGEANT and rid in ids for user_id, ids in queue), "the queue shown is audited"


@pytest.mark.parametrize("who", [SERGEANT, COMMANDER, ANALYST])
def test_quality_page_renders_for_its_roles(app_store, who):
    at = open_page("pages/quality.py", who)
    assert at.title[0].value == "Quality"
    assert [m.label for m in at.metric][:2] == ["Submissions", "Checked"]
    if who == SERGEANT:
        assert not [w for w in at.multiselect if w.key == "quality.areas"], "a supervisor sees their team only"
