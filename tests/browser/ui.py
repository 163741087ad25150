"""Steps the browser tests share: waiting for Streamlit to finish a run, picking from a pick-list."""

from __future__ import annotations

import re

from playwright import sync_api

from data import refs


def saved_record(store, confirmation) -> str:
    """The record id of the record a confirmation names by its short reference ("Reference: CCR-1042")."""
    reference = re.search(r"Reference: ([A-Za-z]+-\d+)", confirmation.inner_text()).group(1)
    found = refs.find(store, reference)
    assert found is not None, f"no record has the reference {reference}"
    return found[1]


def wait_for_app(page) -> None:
    """Wait until the app is drawn and no script run is in progress."""
    page.get_by_test_id("stApp").wait_for()
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


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
