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


def _reference(page, store, text: str) -> str:
    confirmation = page.get_by_test_id("stAlert").filter(has_text=text)
    confirmation.wait_for()
    confirmation.scroll_into_view_if_needed()
    return saved_record(store, confirmation)


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
    page.goto(server)
    wait_for_app(page)
    page.get_by_role("heading", name="Book an event").wait_for()
    page.get_by_label("Title").fill(title)
    choose(page, "Event type", "Street meeting")
    choose(page, "Ward", ward_name)
    page.get_by_label("Place").fill("Market Square")
    _fits_the_screen(page)
    page.screenshot(path=OUTPUT / "phone-book-filled.png", full_page=True)
    page.get_by_role("button", name="Book event").click()

    record_id = _reference(page, store, "Event booked")
    wait_for_app(page)
    page.screenshot(path=OUTPUT / "phone-book-confirmed.png")
    saved = store.get("events", record_id)
    assert (saved["title"], saved["ward_code"], saved["event_type"]) == (title, ward_code, "Street meeting")
    assert page.get_by_role("link", name="Update this event").is_visible()


def test_record_a_contact_on_a_phone(server, phone, store, officer):
    page = phone
    ward_code, ward_name = _ward(store, officer)
    page.goto(f"{server}/record_contact")
    wait_for_app(page)
    page.get_by_role("heading", name="Record a contact").wait_for()
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
    _fits_the_screen(page)
    page.screenshot(path=OUTPUT / "phone-ccr-filled.png", full_page=True)
    page.get_by_role("button", name="Save contact").click()

    record_id = _reference(page, store, "Contact recorded")
    wait_for_app(page)
    page.screenshot(path=OUTPUT / "phone-ccr-confirmed.png")
    saved = store.get("ccrs", record_id)
    assert (saved["ward_code"], saved["place"], saved["officer_id"]) == (ward_code, "Outside the library",
                                                                         officer["user_id"])
    assert sorted(saved["issues"]) == ["Parking", "Speeding"]
    assert (saved["diversity_consent"], saved["age_band"], saved["ethnicity"]) == (True, "45-54", None)


def test_log_a_patrol_on_a_phone(server, phone, store, officer):
    page = phone
    ward_code, ward_name = _ward(store, officer)
    page.goto(f"{server}/log_patrol")
    wait_for_app(page)
    page.get_by_role("heading", name="Log a patrol").wait_for()
    choose(page, "Patrol type", "Foot patrol")
    choose(page, "Ward", ward_name)
    page.get_by_label("Streets and places").fill("Recreation ground and Station Road")
    page.get_by_label("Outcomes").fill("Two groups moved on; words of advice")
    _fits_the_screen(page)
    page.screenshot(path=OUTPUT / "phone-patrol-filled.png", full_page=True)
    page.get_by_role("button", name="Log patrol").click()

    record_id = _reference(page, store, "Patrol logged")
    wait_for_app(page)
    page.screenshot(path=OUTPUT / "phone-patrol-confirmed.png")
    saved = store.get("patrols", record_id)
    assert (saved["patrol_type"], saved["ward_code"], saved["officer_id"]) == ("Foot patrol", ward_code,
                                                                                officer["user_id"])
    assert saved["places"] == "Recreation ground and Station Road"
    assert saved["end"] - saved["start"] == dt.timedelta(hours=1)
