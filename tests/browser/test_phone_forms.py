"""In a real browser on a 390x844 phone screen: book an event, record a contact, log a patrol.

Uses the `server` and `phone` fixtures of conftest.py (a Streamlit server over a
private copy of the test store, acting as `officer`). Each form is filled by
tapping pick-lists as an officer would; each save is checked on screen and in
the store. Screenshots go to test-output/.
"""

from __future__ import annotations

import datetime as dt
import time

from playwright import sync_api

from data import reference
from tests.browser.conftest import OUTPUT, PHONE
from tests.browser.ui import choose, saved_record, wait_for_app, widget


def _choose_many(page, label: str, options: list[str]) -> None:
    """Tap each option in turn, waiting for its chip (and the rerun it starts) before the next.

    A rerun that was still on its way (the last field's text being sent) redraws the form and
    closes an open list; the tap is then tried again, but only once its chip is known to be absent,
    because a second tap on an option that did land would untick it."""
    box = widget(page, "stMultiSelect", label)
    for option in options:
        chip = box.get_by_text(option, exact=True)
        for attempt in range(3):
            wait_for_app(page)
            if chip.count():
                break
            box.click()
            try:
                page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
            except sync_api.TimeoutError:
                if attempt == 2:
                    raise
                page.keyboard.press("Escape")
                continue
            page.keyboard.press("Escape")
            chip.wait_for()
        wait_for_app(page)


def _open_form(page, url: str, title: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.get_by_role("heading", name=title).wait_for()


def _save_form(page, store, *, button: str, done: str, table: str, shot: str) -> dict:
    """Check the filled form fits the screen, tap `button`, and read back the record its confirmation names."""
    _fits_the_screen(page)
    page.screenshot(path=OUTPUT / f"phone-{shot}-filled.png", full_page=True)
    page.get_by_role("button", name=button).click()

    confirmation = page.get_by_test_id("stAlert").filter(has_text=done)
    confirmation.wait_for()
    confirmation.scroll_into_view_if_needed()
    record_id = saved_record(store, confirmation)
    wait_for_app(page)
    page.screenshot(path=OUTPUT / f"phone-{shot}-confirmed.png")
    return store.get(table, record_id)


def _fits_the_screen(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width}px wide)"


def _ward(store, officer) -> tuple[str, str]:
    wards = reference.list_wards(store, area_code=officer["area_code"])
    return wards["ward_code"].iloc[0], wards["name"].iloc[0]


def test_book_an_event_on_a_phone(server, phone, store, officer):
    page = phone
    title = f"Street surgery {int(time.time())}"
    ward_code, ward_name = _ward(store, officer)
    _open_form(page, server, "Book an event")
    page.get_by_label("Title").fill(title)
    choose(page, "Event type", "Street meeting")
    choose(page, "Ward", ward_name)
    page.get_by_label("Place").fill("Market Square")
    saved = _save_form(page, store, button="Book event", done="Event booked", table="events", shot="book")
    assert (saved["title"], saved["ward_code"], saved["event_type"]) == (title, ward_code, "Street meeting")
    assert page.get_by_role("link", name="Update this event").is_visible()


def test_record_a_contact_on_a_phone(server, phone, store, officer):
    page = phone
    ward_code, ward_name = _ward(store, officer)
    _open_form(page, f"{server}/record_contact", "Record a contact")
    choose(page, "Ward", ward_name)
    wait_for_app(page)
    page.get_by_label("Street or venue").fill("Outside the library")
    page.keyboard.press("Tab")  # the typed text is sent (and the page reruns) when the field loses focus
    wait_for_app(page)
    _choose_many(page, "Issues raised", ["Speeding", "Parking"])
    wait_for_app(page)
    assert page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Age band", exact=True)).count() == 0
    page.get_by_test_id("stRadio").get_by_text("Yes", exact=True).click()
    widget(page, "stSelectbox", "Age band").wait_for()
    wait_for_app(page)
    choose(page, "Age band", "45-54")
    wait_for_app(page)
    saved = _save_form(page, store, button="Save contact", done="Contact recorded", table="ccrs", shot="ccr")
    assert (saved["ward_code"], saved["place"], saved["officer_id"]) == (ward_code, "Outside the library",
                                                                         officer["user_id"])
    assert sorted(saved["issues"]) == ["Parking", "Speeding"]
    assert (saved["diversity_consent"], saved["age_band"], saved["ethnicity"]) == (True, "45-54", None)


def test_log_a_patrol_on_a_phone(server, phone, store, officer):
    page = phone
    ward_code, ward_name = _ward(store, officer)
    _open_form(page, f"{server}/log_patrol", "Log a patrol")
    choose(page, "Patrol type", "Foot patrol")
    choose(page, "Ward", ward_name)
    page.get_by_label("Streets and places").fill("Recreation ground and Station Road")
    page.get_by_label("Outcomes").fill("Two groups moved on; words of advice")
    saved = _save_form(page, store, button="Log patrol", done="Patrol logged", table="patrols", shot="patrol")
    assert (saved["patrol_type"], saved["ward_code"], saved["officer_id"]) == ("Foot patrol", ward_code,
                                                                                officer["user_id"])
    assert saved["places"] == "Recreation ground and Station Road"
    assert saved["end"] - saved["start"] == dt.timedelta(hours=1)
