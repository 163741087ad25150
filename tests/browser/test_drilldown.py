"""In a real browser: click an area's bar on Engagement activity and see the page narrow to that area.

Then click a row of the top-officers table to drill to that officer, and go
back up to the force with the breadcrumb. Screenshots go to test-output/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from analytics import queries
from analytics.filters import Filters
from data import reference
from tests.browser.conftest import OUTPUT
from tests.browser.ui import headline, url_params, wait_for_app


@pytest.fixture
def officer(commander):
    """These pages are dashboards only: act as a commander, who sees the whole force (a supervisor sees
    their own area's figures only)."""
    return commander


def _breadcrumb(page):
    return page.locator(".st-key-engagement_activity-crumbs")


def test_click_an_area_bar_then_an_officer_row_then_back_to_the_force(server, wide, store):
    page = wide
    today = dt.date.today()
    last_90 = Filters(start=today - dt.timedelta(days=89), end=today)
    page.goto(f"{server}/engagement_activity?period=last_90")
    wait_for_app(page, after_ms=300)
    page.get_by_role("heading", name="Events by place").wait_for()
    force = queries.summary(store, last_90)
    expect(page.get_by_test_id("stMetric").filter(has_text="Events booked")).to_contain_text(
        f"{force['events_booked']:,}")
    page.screenshot(path=OUTPUT / "drill-force.png")

    # The drill chart lists areas, longest bar at the top: click it.
    chart = page.get_by_test_id("stVegaLiteChart").nth(2)  # by date, by type, then the drill chart
    chart.scroll_into_view_if_needed()
    chart.locator("canvas, svg").first.wait_for()
    # Clicked at a point of the element, placed when the click happens (not a page position read earlier).
    chart.click(position={"x": chart.bounding_box()["width"] * 0.5, "y": 20})
    page.wait_for_function("() => window.location.search.includes('area=')")
    wait_for_app(page, after_ms=300)
    (area,) = url_params(page)["area"]
    area_name = reference.area_names(store)[area]
    in_area = queries.summary(store, Filters(start=last_90.start, end=last_90.end, areas=(area,)))
    expect(_breadcrumb(page)).to_contain_text(area_name)
    expect(page.get_by_test_id("stMetric").filter(has_text="Events booked")).to_contain_text(
        f"{in_area['events_booked']:,}")
    assert headline(page, "Events booked") == in_area["events_booked"] < force["events_booked"]
    expect(page.get_by_text("Click a bar to drill down to that ward.")).to_be_visible()
    page.get_by_role("heading", name="Engagement activity").scroll_into_view_if_needed()
    page.screenshot(path=OUTPUT / "drill-area.png")

    # The top officers table: click the first row's marker to drill to that officer.
    table = page.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()
    table.click(position={"x": 16, "y": 35 + 17})
    page.wait_for_function("() => window.location.search.includes('officer=')")
    wait_for_app(page, after_ms=300)
    (officer,) = url_params(page)["officer"]
    assert url_params(page)["area"] == [area], "drilling to an officer keeps the area"
    in_area_officer = queries.summary(store, Filters(start=last_90.start, end=last_90.end, areas=(area,),
                                                     officers=(officer,)))
    expect(page.get_by_test_id("stMetric").filter(has_text="Events booked")).to_contain_text(
        f"{in_area_officer['events_booked']:,}")
    expect(_breadcrumb(page)).to_contain_text(area_name)
    page.screenshot(path=OUTPUT / "drill-officer.png")

    # Back up to the force with the breadcrumb's first part.
    _breadcrumb(page).get_by_role("button").first.click()
    page.wait_for_function("() => !window.location.search.includes('area=')")
    wait_for_app(page, after_ms=300)
    assert headline(page, "Events booked") == force["events_booked"]
