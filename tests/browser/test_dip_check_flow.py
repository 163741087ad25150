"""In a real browser: a supervisor returns a patrol, its officer fixes it, the supervisor passes the fix.

One server; the demo-mode "Acting as" switcher in the sidebar changes who is
acting, as two people would on their own phones. Screenshots go to test-output/.
"""

from __future__ import annotations

import datetime as dt
import time

from playwright.sync_api import expect

from data import db, reference
from forms.identity import demo_label
from tests.browser.conftest import OUTPUT
from tests.browser.ui import act_as, submit, wait_for_app
from tests.pages.test_dip_check_pages import sample_only_new_records, sampled_id


def _go(page, title: str) -> None:
    nav = page.get_by_test_id("stSidebarNav")
    more = nav.get_by_text("View", exact=False).filter(has_text="more")
    if more.count():
        more.click()
    nav.get_by_role("link", name=title, exact=True).click()
    wait_for_app(page)
    page.get_by_role("heading", name=title).wait_for()


def _keyed(page, key: str):
    """The element Streamlit draws for the widget with this key."""
    return page.locator(f".st-key-{''.join(c if c.isalnum() or c in '-_' else '-' for c in key)}")


def test_return_fix_and_pass_in_the_browser(server, store, officer, desktop):
    supervisor = reference.list_users(store, role="supervisor", area_code=officer["area_code"]).iloc[0]
    as_label = {who["user_id"]: demo_label(dict(who)) for who in (officer, supervisor)}  # as the switcher shows them
    sample_only_new_records(store)
    rid = sampled_id("patrols")
    outcome = f"Quiet evening {int(time.time())}"
    start = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(18))
    store.save("patrols", {"officer_id": officer["user_id"], "patrol_type": "Foot patrol", "start": start,
                           "end": start + dt.timedelta(hours=2), "area_code": officer["area_code"],
                           "ward_code": reference.list_wards(store, area_code=officer["area_code"])["ward_code"][0],
                           "places": "Market Street", "tasking": "ASB", "outcomes": outcome},
               user=officer["user_id"], submission_id=rid)

    page = desktop
    page.goto(server)
    wait_for_app(page)
    act_as(page, as_label[supervisor["user_id"]])
    _go(page, "Dip checks")
    _keyed(page, f"dip.check.patrols.{rid}").get_by_role("button").click()
    wait_for_app(page)
    page.get_by_text("Return to the officer").click()
    page.get_by_label("Comment for the officer").fill("Which ASB? Say what you did about it.")
    page.screenshot(path=OUTPUT / "dip-check-return.png", full_page=True)
    submit(page, page.get_by_role("button", name="Save check"),
           page.get_by_test_id("stAlert").filter(has_text="Checked:"))
    expect(_keyed(page, f"dip.check.patrols.{rid}")).to_have_count(0)

    act_as(page, as_label[officer["user_id"]])
    _go(page, "My activity")
    page.get_by_role("heading", name="Returned to you (1)").wait_for()
    expect(page.get_by_text("Which ASB? Say what you did about it.")).to_be_visible()
    page.screenshot(path=OUTPUT / "dip-check-returned-to-officer.png", full_page=True)
    _keyed(page, f"my_activity.edit.patrols.{rid}").get_by_role("button").click()
    wait_for_app(page)
    page.get_by_label("Outcomes").fill("Group of six moved on from the precinct; two shops visited")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="new version")).to_be_visible()
    expect(page.get_by_role("heading", name="Returned to you (1)")).to_have_count(0)

    act_as(page, as_label[supervisor["user_id"]])
    _go(page, "Dip checks")
    expect(page.get_by_text("Fixed by the officer: check again")).to_be_visible()
    _keyed(page, f"dip.check.patrols.{rid}").get_by_role("button").click()
    wait_for_app(page)
    submit(page, page.get_by_role("button", name="Save check"),  # the outcome starts at Pass
           page.get_by_test_id("stAlert").filter(has_text="Checked:"))
    expect(_keyed(page, f"dip.check.patrols.{rid}")).to_have_count(0)
    page.screenshot(path=OUTPUT / "dip-check-passed.png", full_page=True)

    outcomes = db.rows(
        f"SELECT target_version, outcome, reviewer_id FROM {store.relation('quality_reviews')}"
        " WHERE target_id = ? ORDER BY written_at", [rid])
    assert outcomes == [(1, "returned", supervisor["user_id"]), (2, "pass", supervisor["user_id"])]
