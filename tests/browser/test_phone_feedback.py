"""In a real browser on a 390x844 phone: nothing typed is lost or changed silently, and the outcome of a save
is where the thumb is.

A connection dropped for 20 seconds in the middle of a contact says so and keeps what was typed; the contact
is saved once, after it comes back. Pasted text too long for its field and a date typed out of range are kept
and refused by name, and nothing is written. A refused save brings the first field to fix into view; a saved
contact stays on screen with its short reference. Record fields offer no "Select all"; the "Item" page is
not in the menu. Screenshots go to test-output/.
"""

from __future__ import annotations

import time

from playwright.sync_api import expect

from data import reference
from tests.browser.conftest import OUTPUT, PHONE
from tests.browser.ui import choose, saved_record, submit, wait_for_app, widget
from tests.conftest import count_rows

OFFLINE_SECONDS = 20
STATE = "() => document.querySelector('[data-testid=\"stApp\"]').dataset.testConnectionState"
BANNER = "() => getComputedStyle(document.querySelector('[data-testid=\"stApp\"]'), '::after').content"


def _ward_name(store, officer) -> str:
    return reference.list_wards(store, area_code=officer["area_code"])["name"].iloc[0]


def _on_screen(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def _type_date(page, label: str, digits: str) -> None:
    """Type a date into a date box's day, month and year as a thumb would ("01012029")."""
    page.get_by_role("spinbutton", name=f"day, {label}", exact=True).click()
    page.keyboard.type(digits)
    page.keyboard.press("Tab")


def test_a_connection_dropped_mid_contact_says_so_keeps_what_was_typed_and_saves_once(server, phone, store,
                                                                                        officer):
    page = phone
    link = {"down": False, "sockets": []}

    def through(socket):  # the app's websocket, passed on to the server until the link goes down
        if link["down"]:
            socket.close()
            return
        socket.connect_to_server()
        link["sockets"].append(socket)

    page.route_web_socket("**/_stcore/stream", through)
    page.goto(f"{server}/record_contact")
    wait_for_app(page)
    page.get_by_role("heading", name="Record a contact").wait_for()
    choose(page, "Ward", _ward_name(store, officer))
    wait_for_app(page)
    page.get_by_label("Street or venue").fill("Bus shelter, Mill Lane")
    page.keyboard.press("Tab")
    wait_for_app(page)
    page.get_by_label("Issues in their words").fill("Cars racing after dark")  # typed, not yet sent
    before = count_rows(store, "ccrs")

    link["down"] = True  # a dead spot: the socket drops and nothing gets through
    page.context.set_offline(True)
    for socket in link["sockets"]:
        socket.close()
    page.wait_for_function(f"({STATE})() !== 'CONNECTED'")
    page.wait_for_function(f"({BANNER})().includes('Connection lost')")
    assert "What you typed is kept" in page.evaluate(BANNER)
    page.screenshot(path=OUTPUT / "phone-connection-lost.png")
    time.sleep(OFFLINE_SECONDS)
    assert page.get_by_label("Issues in their words").input_value() == "Cars racing after dark"
    assert count_rows(store, "ccrs") == before

    link["down"] = False
    page.context.set_offline(False)
    page.wait_for_function(f"({STATE})() === 'CONNECTED'", timeout=90_000)
    assert page.evaluate(BANNER) == "none", "the banner goes once connected"
    # Once reconnected the page is drawn again: the old copy of each box goes a moment after the new one comes.
    expect(page.get_by_label("Issues in their words")).to_have_count(1)
    assert page.get_by_label("Street or venue").input_value() == "Bus shelter, Mill Lane"
    assert page.get_by_label("Issues in their words").input_value() == "Cars racing after dark"

    card = page.get_by_test_id("stAlert").filter(has_text="Contact recorded")
    submit(page, page.get_by_role("button", name="Save contact"), card)
    wait_for_app(page)
    page.screenshot(path=OUTPUT / "phone-connection-back-saved.png")
    assert count_rows(store, "ccrs") == before + 1, "saved exactly once"
    saved = store.get("ccrs", saved_record(store, card))
    assert (saved["place"], saved["issues_text"]) == ("Bus shelter, Mill Lane", "Cars racing after dark")


def test_pasted_text_too_long_and_a_date_out_of_range_are_kept_and_refused_by_name(server, phone, store, officer):
    page = phone
    page.goto(server)
    wait_for_app(page)
    page.get_by_role("heading", name="Book an event").wait_for()
    pasted = "Street meeting about parking near the school gates. " * 6  # 312 characters into a 200 field
    page.get_by_label("Title").fill(pasted)
    choose(page, "Event type", "Street meeting")
    choose(page, "Ward", _ward_name(store, officer))
    page.get_by_label("Place").fill("School gates")
    _type_date(page, "Date", "01012029")  # more than two years ahead
    before = count_rows(store, "events")
    button = page.get_by_role("button", name="Book event")
    refusal = page.get_by_test_id("stAlert").filter(has_text="Please fix")
    submit(page, button, refusal)
    wait_for_app(page)

    assert count_rows(store, "events") == before, "nothing written"
    text = refusal.inner_text()
    assert "Title" in text and "too long" in text and "Date" in text and "two years ahead" in text, text
    assert page.get_by_label("Title").input_value() == pasted, "the pasted text is all still there"
    date = widget(page, "stDateInput", "Date")
    assert date.locator("input[type=date]").input_value() == "2029-01-01", "the date typed, not today's"
    refusal.scroll_into_view_if_needed()
    assert _on_screen(page, button), "the refusal sits by the button"
    page.screenshot(path=OUTPUT / "phone-book-refused.png")


def test_a_refused_contact_goes_to_the_field_to_fix_and_a_saved_one_stays_with_its_reference(server, phone, store,
                                                                                              officer):
    page = phone
    page.goto(f"{server}/record_contact")
    wait_for_app(page)
    page.get_by_role("heading", name="Record a contact").wait_for()
    page.get_by_test_id("stExpandSidebarButton").click()  # the menu, all of it
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Issues board").wait_for()
    names = page.get_by_test_id("stSidebarNavLink").all_inner_texts()
    page.get_by_test_id("stSidebarCollapseButton").click()
    assert any(n.endswith("Issues board") for n in names), names  # each text is its icon's name, then its title
    assert not any(n.endswith("Item") for n in names), "the item page opens from the board, not the menu"

    issues = widget(page, "stMultiSelect", "Issues raised")
    issues.click()
    page.get_by_role("option", name="Speeding", exact=True).wait_for()
    assert page.get_by_text("Select all").count() == 0, "no way to tick every issue at once"
    page.get_by_role("option", name="Speeding", exact=True).click()
    page.keyboard.press("Escape")
    wait_for_app(page)

    save = page.get_by_role("button", name="Save contact")
    save.scroll_into_view_if_needed()
    refusal = page.get_by_test_id("stAlert").filter(has_text="Please fix")
    submit(page, save, refusal)
    wait_for_app(page)
    ward = widget(page, "stSelectbox", "Ward")
    page.wait_for_function("() => document.activeElement && document.activeElement.getAttribute('aria-label')"
                           " === 'Ward'")
    assert _on_screen(page, ward), "brought to the first field to fix"
    page.screenshot(path=OUTPUT / "phone-ccr-refused.png")

    before = count_rows(store, "ccrs")
    choose(page, "Ward", _ward_name(store, officer))
    wait_for_app(page)
    card = page.get_by_test_id("stAlert").filter(has_text="Contact recorded")
    submit(page, save, card)
    wait_for_app(page)
    assert count_rows(store, "ccrs") == before + 1
    assert _on_screen(page, card)
    record_id = saved_record(store, card)
    assert list(store.get("ccrs", record_id)["issues"]) == ["Speeding"]
    assert page.get_by_label("Street or venue").count() == 0, "the card, not an empty form"
    page.screenshot(path=OUTPUT / "phone-ccr-saved-card.png")
    page.get_by_role("button", name="Record another contact").click()
    page.get_by_label("Street or venue").wait_for()
