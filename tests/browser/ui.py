"""Steps the browser tests share: waiting for Streamlit to finish a run, reading a figure, picking from a
pick-list, acting as another demo user."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright import sync_api
from playwright.sync_api import expect

from data import refs
from forms.identity import ROLE_SUMMARY


def saved_record(store, confirmation) -> str:
    """The record id of the record a confirmation names by its short reference ("Reference: CCR-1042")."""
    reference = re.search(r"Reference: ([A-Za-z]+-\d+)", confirmation.inner_text()).group(1)
    found = refs.find(store, reference)
    assert found is not None, f"no record has the reference {reference}"
    return found[1]


def wait_for_app(page, *, after_ms: int = 0) -> None:
    """Wait until the app is drawn and no script run is in progress (giving a run that a click has just
    started `after_ms` to begin)."""
    page.get_by_test_id("stApp").wait_for()
    if after_ms:
        page.wait_for_timeout(after_ms)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def settle(page, *, pause_ms: int = 300) -> None:
    """Wait until no run is in progress and the page's title and every chart on it are drawn (then, after
    `pause_ms`, that no run has started since)."""
    wait_for_app(page)
    page.get_by_test_id("stMain").get_by_role("heading", level=1).first.wait_for()
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]
        .every(chart => chart.querySelector('svg, canvas'))""")
    page.wait_for_timeout(pause_ms)
    wait_for_app(page)


def headline(page, label: str) -> int:
    """The figure on the metric tile labelled `label`, as a number."""
    tile = page.get_by_test_id("stMetric").filter(has_text=label)
    return int(re.sub(r"[^\d]", "", tile.get_by_test_id("stMetricValue").inner_text()))


def expect_one_more_booked(page, *, before: int, title: str) -> None:
    """The Events overview on screen counts one event more than `before`, and lists the event called `title`."""
    booked = page.get_by_test_id("stMetric").filter(has_text="Events booked").get_by_test_id("stMetricValue")
    expect(booked).to_have_text(f"{before + 1:,}")
    # The grid draws on a canvas; its accessible table (inside the canvas) carries the text.
    latest = page.get_by_test_id("stDataFrame")
    latest.scroll_into_view_if_needed()
    expect(latest).to_contain_text(title)


def url_params(page) -> dict[str, list[str]]:
    """The query parameters of the page's address."""
    return parse_qs(urlparse(page.url).query)


def act_as(page, label: str) -> None:
    """Pick `label` ('Role · Name · Area') in the sidebar's demo-mode "Acting as" list."""
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Acting as").click()
    page.keyboard.type(label.split(" · ")[1])  # the list is long: narrow it to the name (after the role)
    page.get_by_role("option", name=label, exact=True).click()
    wait_for_app(page)
    role = label.split(" · ")[0].lower()
    page.get_by_test_id("stSidebar").get_by_text(ROLE_SUMMARY[role], exact=False).wait_for()  # acting as them


def widget(page, test_id: str, label: str):
    """The widget of this kind whose label is exactly `label`."""
    return page.get_by_test_id(test_id).filter(has=page.get_by_text(label, exact=True))


def choose(page, label: str, option: str) -> None:
    """Tap the pick-list labelled `label`, then the option (tapping again if a rerun closed the list)."""
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        widget(page, "stSelectbox", label).click()
        try:
            choice.wait_for(timeout=10_000)
            break
        except sync_api.TimeoutError:
            wait_for_app(page)
    choice.click()


def submit(page, button, done) -> None:
    """Tap `button` until `done` (a locator) shows: a tap that lands while the app is still redrawing
    can be dropped by the browser's Streamlit client. Tapping again is safe: every form carries a
    submission id, so a second tap of a save that did land stores nothing more (the tests check
    what was stored)."""
    for attempt in range(3):
        wait_for_app(page)
        button.click()
        try:
            done.wait_for(timeout=15_000)
            return
        except sync_api.TimeoutError:
            if attempt == 2:
                raise
