"""In a real browser: book an event on a phone-sized screen, then see it on the Events overview.

Starts the app (`python -m forms.ui.serve`) on a free loopback port over a private copy of
the test store, and drives Debian's Chromium through Playwright. Screenshots
go to test-output/.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from data import reference
from tests.browser.conftest import OUTPUT, open_tab
from tests.browser.ui import choose, expect_one_more_booked, headline, saved_record, wait_for_app


@pytest.fixture
def officer(supervisor):
    """These pages need the dashboards: act as a supervisor, who both records and sees them."""
    return supervisor


@pytest.fixture
def browser_page():
    with open_tab(viewport={"width": 412, "height": 915}, device_scale_factor=1) as tab:
        yield tab


def test_book_an_event_then_see_it_on_the_overview(server, browser_page, store, officer, booking):
    page = browser_page
    title = f"Bike marking at the library {int(time.time())}"
    values = booking()
    wards = dict(zip(*_ward_names(store, values["area_code"]), strict=True))

    page.goto(f"{server}/events_overview")
    wait_for_app(page)
    page.get_by_test_id("stMetric").filter(has_text="Events booked").wait_for()  # the area may have none yet
    before = headline(page, "Events booked")
    page.screenshot(path=OUTPUT / "overview-before.png")

    page.goto(server)  # Book an event is the default page, served at the root
    wait_for_app(page)
    page.get_by_role("heading", name="Book an event").wait_for()
    page.get_by_label("Title").fill(title)
    choose(page, "Event type", values["event_type"])
    choose(page, "Ward", wards[values["ward_code"]])
    page.get_by_label("Place").fill("Central Library, front steps")
    page.screenshot(path=OUTPUT / "book-filled.png")
    page.get_by_role("button", name="Book event").click()

    confirmation = page.get_by_test_id("stAlert").filter(has_text="Event booked")
    confirmation.wait_for()
    record_id = saved_record(store, confirmation)
    page.get_by_role("button", name="Book another event").click()
    expect(page.get_by_label("Title")).to_have_value("")  # the form is ready for the next booking
    wait_for_app(page)
    page.screenshot(path=OUTPUT / "book-confirmed.png")
    saved = store.get("events", record_id)
    assert saved is not None and saved["title"] == title
    assert saved["ward_code"] == values["ward_code"] and saved["organiser"] == officer["user_id"]

    page.goto(f"{server}/events_overview")
    wait_for_app(page)
    expect_one_more_booked(page, before=before, title=title)
    page.screenshot(path=OUTPUT / "overview-after.png")


def _ward_names(store, area_code) -> tuple[list[str], list[str]]:
    wards = reference.list_wards(store, area_code=area_code)
    return list(wards["ward_code"]), list(wards["name"])


def test_the_overview_works_offline(server, browser_page):
    """Nothing outside the server is fetched (police networks are often closed)."""
    page = browser_page
    outside: list[str] = []
    local = (server, "data:", f"blob:{server}")
    page.on("request", lambda request: None if request.url.startswith(local) else outside.append(request.url))
    page.goto(f"{server}/events_overview?period=this_year")
    wait_for_app(page)
    ward_map = page.locator(".st-key-events_overview-map").get_by_test_id("stVegaLiteChart")
    expect(ward_map).to_be_attached()
    ward_map.scroll_into_view_if_needed()
    page.wait_for_timeout(3_000)
    assert outside == []


def test_the_ward_map_draws_without_a_basemap(server, browser_page):
    from PIL import Image

    page = browser_page
    page.goto(f"{server}/events_overview?period=this_year")
    wait_for_app(page)
    chart = page.locator(".st-key-events_overview-map").get_by_test_id("stVegaLiteChart")
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(3_000)
    chart.screenshot(path=OUTPUT / "ward-map.png")
    colours = Image.open(OUTPUT / "ward-map.png").convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 50, "the map is blank"
