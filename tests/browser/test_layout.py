"""In a real browser, on a 390x844 phone and a 1280x900 desktop: nothing cut off, nothing off the screen.

One server over a copy of the demo store, acting as the demo analyst (who sees every dashboard). Metric labels
wrap instead of ending in "…"; the Representativeness charts and the issues board's status pills stay within
the screen; the keyboard's focus shows a 2 px ring; and in demo mode a link to a page of another role offers
to act as someone who can see it. Screenshots go to test-output/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, OUTPUT, PHONE, open_tab
from tests.browser.ui import settle, wait_for_app
from tests.data.test_access import DEMO_USER

TIMEOUT_MS = 60_000
METRIC_PAGES = ("events_overview", "engagement_activity", "event_outcomes", "ysywd_commander", "ccr_activity",
                "engagement_vs_demand")


@pytest.fixture(scope="module")
def module_user_id() -> str:
    return DEMO_USER["analyst"]


def _open(page, url: str) -> None:
    page.goto(url)
    settle(page, pause_ms=500)


def _open_charts(page, url: str) -> None:
    """Open Representativeness and wait for its charts (the diversity months take a while on a first run)."""
    _open(page, url)
    page.get_by_role("heading", name="People met and population, by area").wait_for()
    page.get_by_test_id("stVegaLiteChart").first.locator("svg, canvas").first.wait_for()
    _open_settled(page)


def _open_settled(page) -> None:
    page.wait_for_timeout(500)
    wait_for_app(page)


def _cut_labels(page) -> list[str]:
    """The metric labels whose text is wider than their box (drawn with an ellipsis)."""
    return page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid=stMetricLabel] [data-testid=stMarkdownContainer]')]
        .filter(label => label.scrollWidth > label.clientWidth + 1).map(label => label.innerText)""")


def _overflowing(page, selector: str, width: int) -> list[str]:
    """Elements inside `selector` that are wider than the screen or reach past its right edge."""
    return page.evaluate("""([selector, width]) => [...document.querySelectorAll(selector)].flatMap(root =>
        [root, ...root.querySelectorAll('*')]).filter(e => {
            const box = e.getBoundingClientRect();
            return box.width > 0 && (e.scrollWidth > width || box.right > width + 1);
        }).map(e => `${e.tagName} ${e.getAttribute('data-testid') || ''} ${Math.round(e.getBoundingClientRect().right)}`
                    + ` scrollWidth=${e.scrollWidth}`)""", [selector, width])


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_metric_labels_are_not_cut_off(module_server, screen):
    cut = {}
    with open_tab(viewport=screen, device_scale_factor=1, timeout_ms=60_000) as page:
        for path in METRIC_PAGES:
            _open(page, f"{module_server}/{path}?period=last_90")
            page.get_by_test_id("stMetric").first.wait_for()  # the page's first run can take a while
            _open_settled(page)
            if labels := _cut_labels(page):
                cut[path] = labels
                page.screenshot(path=OUTPUT / f"layout-metrics-{path}-{screen['width']}.png")
    assert not cut, f"metric labels cut off at {screen['width']} px: {cut}"


def test_representativeness_charts_fit_a_phone(module_server, phone):
    _open_charts(phone, f"{module_server}/representativeness?period=this_year")
    charts = phone.get_by_test_id("stVegaLiteChart")
    charts.first.scroll_into_view_if_needed()
    phone.screenshot(path=OUTPUT / "layout-representativeness-phone.png")
    assert not _overflowing(phone, "[data-testid=stVegaLiteChart]", PHONE["width"])


def test_issues_board_status_pills_fit_a_phone(module_server, phone):
    _open(phone, f"{module_server}/ysywd_board")
    pills = phone.get_by_test_id("stButtonGroup")
    pills.scroll_into_view_if_needed()
    phone.screenshot(path=OUTPUT / "layout-board-pills-phone.png")
    assert not _overflowing(phone, "[data-testid=stButtonGroup]", PHONE["width"])
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_representativeness_legend_is_on_screen_on_a_desktop(module_server, desktop):
    _open_charts(desktop, f"{module_server}/representativeness?period=this_year")
    main = desktop.get_by_test_id("stMain").bounding_box()
    right = main["x"] + main["width"]
    legends = desktop.locator("[data-testid=stVegaLiteChart] .role-legend")
    assert legends.count(), "the charts have a legend"
    for i in range(legends.count()):
        box = legends.nth(i).bounding_box()
        assert box["x"] + box["width"] <= right, f"legend {i} ends at {box['x'] + box['width']}, past {right}"
    assert not _overflowing(desktop, "[data-testid=stVegaLiteChart]", int(right))


FOCUS = """() => { const style = getComputedStyle(document.activeElement);
    return [document.activeElement.tagName, style.outlineStyle, parseFloat(style.outlineWidth)]; }"""
TAB_PRESSES_TO_SAVE_CONTACT = 20
"""At most this many Tab presses from a contact form's title to its Save button (the issue found 44)."""


def test_the_keyboard_focus_shows_a_2px_ring_and_reaches_save_contact_soon(module_server, desktop):
    _open(desktop, f"{module_server}/events_overview")
    rings = []
    for _ in range(6):  # the skip link, then the sidebar's links
        desktop.keyboard.press("Tab")
        rings.append(desktop.evaluate(FOCUS))
    desktop.screenshot(path=OUTPUT / "layout-focus-ring.png")
    assert all(style != "none" and width >= 2 for _, style, width in rings), rings

    # A contact entered from the keyboard alone: every Tab stop from the form's title to "Save contact".
    _open(desktop, f"{module_server}/record_contact")
    desktop.get_by_role("button", name="Act as Officer").click()
    save = desktop.get_by_role("button", name="Save contact")
    expect(save).to_be_visible()
    wait_for_app(desktop)
    desktop.get_by_test_id("stMain").get_by_role("heading", level=1).click()  # the keyboard starts from the title
    stops = []
    while len(stops) < 3 * TAB_PRESSES_TO_SAVE_CONTACT and not save.evaluate("b => b === document.activeElement"):
        desktop.keyboard.press("Tab")
        stops.append(desktop.evaluate(FOCUS))
    widths = sorted({width for _, _, width in rings + stops})
    print(f"\nTab presses from the title to Save contact: {len(stops)}; focus ring widths (px): {widths}")
    assert len(stops) <= TAB_PRESSES_TO_SAVE_CONTACT, stops
    assert all(style != "none" and width >= 2 for _, style, width in stops), stops


def test_a_link_to_another_roles_page_offers_to_act_as_someone_who_can_see_it(module_server, phone):
    _open(phone, f"{module_server}/record_contact")  # the demo user is an analyst, who records nothing
    expect(phone.get_by_test_id("stMain").get_by_role("heading", level=1)).to_have_text("Record a contact")
    expect(phone.get_by_text("is not a page for an analyst")).to_be_visible()
    switch = phone.get_by_role("button", name="Act as Officer")
    expect(switch).to_have_count(1)
    assert phone.get_by_role("button", name="Act as Supervisor").count() == 1
    phone.screenshot(path=OUTPUT / "layout-demo-switch.png")
    switch.click()
    expect(phone.get_by_role("button", name="Save contact")).to_be_visible()
    assert phone.url.split("?")[0].endswith("/record_contact")


def test_a_folded_sidebar_takes_no_tab_presses_on_a_phone(module_server):
    with open_tab(viewport=PHONE, device_scale_factor=2, is_mobile=True, timeout_ms=60_000) as page:
        _open(page, f"{module_server}/news")
        page.wait_for_timeout(1000)  # the sidebar has folded away
        stops = []
        for _ in range(4):  # the skip link, the sidebar's unfold button, the page, its first control
            page.keyboard.press("Tab")
            stops.append(page.evaluate("""() => [document.activeElement.closest('[data-testid=stSidebar]') !== null,
                document.activeElement.getAttribute('aria-label') || document.activeElement.innerText.slice(0, 30)]"""))
    assert not [label for in_sidebar, label in stops if in_sidebar], f"Tab went into the folded sidebar: {stops}"
