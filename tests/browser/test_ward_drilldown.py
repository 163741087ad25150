"""In a real browser: open Engagement activity for one area (from a link), click a ward's bar, see the page narrow.

The headline tiles and the breadcrumb follow the ward; going back up the
breadcrumb restores the area. Screenshots go to test-output/
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from analytics import events_dash, queries
from analytics.filters import Filters
from data import reference
from tests.browser.conftest import OUTPUT
from tests.browser.ui import headline, url_params, wait_for_app
from tests.conftest import ANALYST


@pytest.fixture
def officer(commander):
    """These pages are dashboards only: act as a commander, who sees the whole force (a supervisor sees
    their own area's figures only)."""
    return commander


def test_click_a_ward_bar_narrows_the_page_to_that_ward(server, wide, store):
    today = dt.date.today()
    last_90 = Filters(start=today - dt.timedelta(days=89), end=today)
    by_area = events_dash.engagement_activity(store, last_90, user=ANALYST).by_area
    area = by_area.sort_values(["events", "area_code"], ascending=[False, True])["area_code"].iloc[0]
    in_area = Filters(start=last_90.start, end=last_90.end, areas=(area,))
    page = wide
    page.goto(f"{server}/engagement_activity?period=last_90&area={area}")
    wait_for_app(page, after_ms=300)
    page.get_by_role("heading", name="Events by place").wait_for()
    expect(page.get_by_text("Click a bar to drill down to that ward.")).to_be_visible()
    area_figures = queries.summary(store, in_area)
    assert headline(page, "Events booked") == area_figures["events_booked"]

    # The drill chart lists the area's wards, longest bar at the top: click it.
    chart = page.get_by_test_id("stVegaLiteChart").nth(2)  # by date, by type, then the drill chart
    chart.scroll_into_view_if_needed()
    chart.locator("canvas, svg").first.wait_for()
    middle = chart.bounding_box()["width"] * 0.5
    # Clicked at a point of the chart itself, placed when the click happens: taking the chart's screenshot
    # can scroll the page, and a page position read before it would then miss the chart.
    chart.click(position={"x": middle, "y": _first_bar_middle(chart, middle)})
    page.wait_for_function("() => window.location.search.includes('ward=')")
    wait_for_app(page, after_ms=300)
    (ward,) = url_params(page)["ward"]
    assert url_params(page)["area"] == [area], "drilling to a ward keeps its area"
    wards = reference.list_wards(store)
    assert wards.loc[wards["ward_code"] == ward, "area_code"].item() == area
    in_ward = Filters(start=last_90.start, end=last_90.end, areas=(area,), wards=(ward,))
    ward_figures = queries.summary(store, in_ward)
    expect(page.get_by_test_id("stMetric").filter(has_text="Events booked")).to_contain_text(
        f"{ward_figures['events_booked']:,}")
    assert 0 < headline(page, "Events booked") == ward_figures["events_booked"] < area_figures["events_booked"]
    attendances = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text("Officer attendances", exact=True))
    expect(attendances.get_by_test_id("stMetricValue")).to_have_text(f"{ward_figures['officer_attendances']:,}")
    ward_name = wards.loc[wards["ward_code"] == ward, "name"].item()
    expect(page.locator(".st-key-engagement_activity-crumbs")).to_contain_text(ward_name)
    page.get_by_role("heading", name="Engagement activity").scroll_into_view_if_needed()
    page.screenshot(path=OUTPUT / "drill-ward.png")

    # Back up to the area with the breadcrumb's second part.
    page.locator(".st-key-engagement_activity-crumbs").get_by_role("button").nth(1).click()
    page.wait_for_function("() => !window.location.search.includes('ward=')")
    wait_for_app(page, after_ms=300)
    assert headline(page, "Events booked") == area_figures["events_booked"]


def _first_bar_middle(chart, x: float) -> float:
    """How far down the chart the top bar's middle is, at `x` across (bars are thin when an area has many wards)."""
    from PIL import Image

    chart.screenshot(path=OUTPUT / "drill-chart.png")
    image = Image.open(OUTPUT / "drill-chart.png").convert("RGB")
    column = [image.getpixel((int(x), y)) for y in range(image.height)]
    bar = [y for y, (r, g, b) in enumerate(column) if b > 150 and r < 80]  # the bars' blue
    assert bar, "no bar drawn across the middle of the drill chart"
    top = [y for y in bar if y - bar[0] < 40 and all(v in bar for v in range(bar[0], y + 1))]
    return (top[0] + top[-1]) / 2
