"""A dashboard link shared in demo mode: opened by the default officer, it offers someone of the link's area."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from data import reference
from tests.browser.ui import settle, wait_for_app

TIMEOUT_MS = 60_000


def test_a_link_to_another_areas_dashboard_offers_its_supervisor_keeps_its_filter_and_lists_every_page(
        server, officer, store, desktop):
    users = reference.list_users(store, role="supervisor")
    users = users[users["active"] & users["area_code"].notna() & (users["area_code"] != officer["area_code"])]
    area = users.sort_values("name").iloc[0]["area_code"]
    page = desktop
    page.goto(f"{server}/events_completed?area={area}&period=last_90")
    wait_for_app(page)
    expect(page.get_by_text("is not a page for an officer")).to_be_visible()
    switch = page.get_by_role("button", name="Act as Supervisor")
    expect(switch).to_have_count(1)
    expect(switch).to_contain_text(area)  # the link's area, not the officer's
    switch.click()
    settle(page)  # the page is drawn again as the supervisor, in more than one run
    expect(page.get_by_role("heading", name="Events completed", level=1)).to_have_count(1)
    expect(page.get_by_role("heading", name="Events completed", level=1)).to_be_visible()
    assert f"area={area}" in page.url
    assert page.get_by_text("outside your area").count() == 0
    # Every page of the role is listed in the menu, none folded away under "View more".
    menu = page.get_by_test_id("stSidebarNav")
    expect(menu.get_by_role("link", name="CCR outcomes")).to_be_visible()
    expect(menu.get_by_text(re.compile(r"View \d+ more"))).to_have_count(0)
