"""In a real browser: raise a "You said, we did" item from a completed event in one tap, add an action and
feedback, then see it counted on the commander view."""

from __future__ import annotations

import datetime as dt
import re

from analytics.filters import Filters, preset_range
from analytics.ysywd import ysywd_overview
from data import reference
from data.store import new_submission_id
from forms.events import complete_event
from forms.ui.filter_bar import DEFAULT_PERIOD
from tests.browser.conftest import OUTPUT, RERUN_ON_TIMEOUT, open_tab
from tests.browser.ui import choose, wait_for_app, widget
from tests.forms.factories import book_event, make_completion

COMMANDER = "u0004"  # Stafford's commander, force-wide


def _tile(page, label: str) -> int:
    tile = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
    return int(re.sub(r"[^\d]", "", tile.get_by_test_id("stMetricValue").inner_text()))


# On a busy machine a tap can be lost while the app redraws, and the wait for what it should show times out.
@RERUN_ON_TIMEOUT
def test_raise_act_tell_back_and_see_it_on_the_commander_view(server, store, officer):
    event_id = book_event(store, officer, days_ago=2, title="Coffee with a cop at the Cowley library")
    complete_event(store=store, record_id=event_id, user=officer, submission_id=new_submission_id(), base_version=1,
                   values=make_completion(store, officer, issues=["Drugs"], issues_text="Dealing behind the shops"))
    commander = reference.get_user(store, COMMANDER)
    start, end = preset_range(DEFAULT_PERIOD, dt.date.today())
    before = ysywd_overview(store, Filters(start=start, end=end), user=commander).headline

    with open_tab(viewport={"width": 1280, "height": 1000}) as page:
        page.goto(f"{server}/ysywd_raise?event={event_id}")
        wait_for_app(page)
        page.get_by_role("button", name="Raise: Drugs").first.click()
        page.get_by_test_id("stAlert").filter(has_text="Raised: Drugs").wait_for()
        page.get_by_role("link", name="Open it to add an action").click()
        wait_for_app(page)
        page.get_by_role("heading", name="Drugs").wait_for()
        page.get_by_text("Dealing behind the shops").first.wait_for()

        choose(page, "Action type", "Partner referral")
        page.get_by_label("What was done").fill("Joint visit with the housing officer to the flats")
        page.get_by_role("button", name="Add action").click()
        page.get_by_test_id("stAlert").filter(has_text="Action added").wait_for()
        page.get_by_text("Action taken").first.wait_for()

        wait_for_app(page)
        page.get_by_text("Tell the community").click()
        widget(page, "stSelectbox", "Channel").wait_for(state="visible")
        choose(page, "Channel", "Community messaging")
        page.get_by_label("What we told them").fill("We visited the flats with housing; tell us if it carries on")
        page.get_by_role("button", name="Record feedback").click()
        page.get_by_test_id("stAlert").filter(has_text="Feedback recorded").wait_for()
        page.get_by_text("Feedback given").first.wait_for()
        page.screenshot(path=OUTPUT / "ysywd-item.png", full_page=True)

        # act as the area's commander, then open the commander view in the same session
        page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Acting as").click()
        page.keyboard.type(f"Commander · {commander['name']}")  # the list is long: type to narrow it
        page.get_by_role("option", name=re.compile(rf"^Commander · {commander['name']}")).click()
        wait_for_app(page)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_role("link", name="Commander view").click()  # every page of the role is listed
        wait_for_app(page)
        page.get_by_role("heading", name="You said, we did: commander view").wait_for()
        page.get_by_text("Median days to feedback").first.wait_for()
        page.screenshot(path=OUTPUT / "ysywd-commander.png", full_page=True)
        assert (_tile(page, "Raised"), _tile(page, "Actioned"), _tile(page, "Told back")) == (
            before["raised"] + 1, before["actioned"] + 1, before["fed_back"] + 1)
