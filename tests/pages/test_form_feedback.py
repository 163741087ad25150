"""Nothing changed or lost silently, and feedback where the thumb is: the officer forms in AppTest.

Over-long text is kept and refused by name (never cut); a date out of range is refused by name (never
swapped for today's); record fields offer no "Select all"; a refusal is shown by the save button and the
page goes to the first field to fix; a saved record stays on screen, with its short reference, until the
next one is started; references are shown and searched; Update an event leads with today's events and
offers completion only once an event has started.
"""

from __future__ import annotations

import datetime as dt

import pytest

from data import refs
from tests.conftest import count_rows
from tests.forms.factories import book_event, first_ward
from tests.pages.test_dip_check_pages import SERGEANT, log_patrol, sample_only_new_records
from tests.pages.test_officer_forms import fill_ccr, open_event, start_next, submit
from tests.pages.test_pages import open_page

CCR, BOOK, UPDATE, PATROL = (f"pages/{p}.py" for p in ("record_contact", "book_event", "update_event", "log_patrol"))


def in_order(at) -> list:
    """Every element of the main area, in the order the page shows them."""
    return [node for node in at.main if node.type != "block"]


def position(at, found) -> int:
    return next(i for i, node in enumerate(in_order(at)) if node is found)


def scripts(at) -> str:
    return " ".join(node.proto.body for node in in_order(at) if node.type == "html")


def saved_reference(at) -> str:
    (message,) = at.success
    return message.value.split("**")[1]


# -- nothing changed or lost silently ---------------------------------------------------------------------

def test_over_long_text_is_kept_whole_and_refused_by_name(app_store, officer):
    before = count_rows(app_store, "ccrs")
    at = open_page(CCR, officer["user_id"])
    fill_ccr(at, app_store, officer)
    pasted = "Speeding on Mill Lane." * 200  # 4,400 characters into a box that holds 4,000
    at.text_area(key="record_contact.issues_text").input(pasted).run()
    assert "400 too many" in " ".join(c.value for c in at.caption), "said as soon as the box is left"
    submit(at, "record_contact.submit")

    assert count_rows(app_store, "ccrs") == before
    (box,) = at.error
    assert "Issues in their words" in box.value and "400 more than the 4,000" in box.value
    assert at.text_area(key="record_contact.issues_text").value == pasted, "nothing cut off"


def test_an_over_long_title_is_kept_and_refused_by_name(app_store, officer, booking):
    from tests.pages.test_pages import fill_booking

    before = count_rows(app_store)
    at = open_page(BOOK, officer["user_id"])
    title = "Street meeting " * 20  # 300 characters into a 200-character field
    fill_booking(at, booking(title=title))
    assert count_rows(app_store) == before
    assert "Title" in at.error[0].value and "too long" in at.error[0].value
    assert at.text_input(key="book_event.title").value == title


@pytest.mark.parametrize(("page", "field", "days_on", "label", "words"), [
    (BOOK, "book_event.date", 800, "Date", "two years ahead"),
    (CCR, "record_contact.contact_date", 1, "Date of contact", "future"),
    (CCR, "record_contact.contact_date", -400, "Date of contact", "a year ago"),
    (PATROL, "log_patrol.start_date", 2, "Start date", "future"),
])
def test_a_date_out_of_range_is_refused_by_name_not_swapped_for_today(app_store, officer, booking, page, field, days_on,
                                                                      label, words):
    day = dt.date.today() + dt.timedelta(days=days_on)  # when the test runs, not when it was collected
    table = {BOOK: "events", CCR: "ccrs", PATROL: "patrols"}[page]
    before = count_rows(app_store, table)
    at = open_page(page, officer["user_id"])
    if page == BOOK:
        from tests.pages.test_pages import fill_booking

        fill_booking(at, booking(date=day))
    else:
        if page == CCR:
            fill_ccr(at, app_store, officer)
        else:
            at.selectbox(key="log_patrol.patrol_type").set_value("Foot patrol")
            at.selectbox(key="log_patrol.ward_code").set_value(first_ward(app_store, officer["area_code"]))
        at.date_input(key=field).set_value(day)
        submit(at, f"{page.split('/')[1].removesuffix('.py')}.submit")
    assert count_rows(app_store, table) == before, "nothing written"
    assert f"**{label}**" in at.error[0].value and words in at.error[0].value
    assert at.date_input(key=field).value == day, "the date the officer saw is kept"


def test_record_fields_offer_no_select_all_and_filters_do(app_store, officer):
    at = open_page(CCR, officer["user_id"])
    assert at.multiselect(key="record_contact.issues").proto.select_all == 0
    at = open_page(BOOK, officer["user_id"])
    for key in ("book_event.officers_attending", "book_event.communities_targeted"):
        assert at.multiselect(key=key).proto.select_all == 0, key
    event_id = book_event(app_store, officer, days_ago=1)
    at = open_event(officer, event_id)
    for key in ("officers_involved", "communities_supported", "issues"):
        assert at.multiselect(key=f"complete_event.{key}").proto.select_all == 0, key
    at = open_page("pages/search.py", officer["user_id"])
    assert at.multiselect(key="search.tables").proto.select_all != 0, "a filter keeps it"


# -- feedback where the thumb is ----------------------------------------------------------------------------

def test_a_refusal_is_shown_by_the_save_button_and_the_page_goes_to_the_first_field(app_store, officer):
    at = open_page(CCR, officer["user_id"])
    at.text_input(key="record_contact.place").input("Library steps")
    submit(at, "record_contact.submit")
    (box,) = at.error
    assert position(at, box) > position(at, at.button(key="record_contact.submit")), "under the button"
    assert "st-key-record_contact-ward_code" in scripts(at), "brought to the ward, the first field to fix"
    assert at.text_input(key="record_contact.place").value == "Library steps"


def test_a_saved_contact_stays_on_screen_with_its_reference_until_the_next_is_started(app_store, officer):
    at = open_page(CCR, officer["user_id"])
    fill_ccr(at, app_store, officer, place="Bus station")
    submit(at, "record_contact.submit")

    reference = saved_reference(at)
    assert refs.parse(reference)[0] == "ccrs" and len(reference) <= 10, reference
    table, record_id = refs.find(app_store, reference)
    assert app_store.get(table, record_id)["place"] == "Bus station"
    assert not [w for w in at.text_input if w.key == "record_contact.place"], "no empty form: the card instead"
    assert any("Bus station" in m.value for m in at.markdown), "what was saved is on the card"
    at.run()
    assert saved_reference(at) == reference, "still there on the next run"

    start_next(at, "record_contact")
    assert not at.success and at.text_input(key="record_contact.place").value == ""


def test_references_are_shown_in_my_activity_and_search_finds_a_record_by_its_reference(app_store, officer):
    at = open_page(CCR, officer["user_id"])
    fill_ccr(at, app_store, officer, place="Clock tower")
    submit(at, "record_contact.submit")
    reference = saved_reference(at)

    mine = open_page("pages/my_activity.py", officer["user_id"])
    assert any(reference in m.value for m in mine.markdown)

    search = open_page("pages/search.py", officer["user_id"])
    search.text_input(key="search.text").input(reference.lower().replace("-", " ")).run()
    assert not search.exception, search.exception
    assert search.caption[0].value.startswith("1 found")
    assert any(reference in m.value and "Clock tower" in m.value for m in search.markdown)
    # The number alone, as told over the radio, finds it too (and any other table's record of that number).
    search.text_input(key="search.text").input(reference.split("-")[1]).run()
    assert any(reference in m.value and "Clock tower" in m.value for m in search.markdown)


def test_the_dip_check_queue_shows_references(app_store):
    sample_only_new_records(app_store)
    rid = log_patrol(app_store)
    at = open_page("pages/dip_checks.py", SERGEANT)
    number = app_store.get("patrols", rid)["reference"]
    assert any(f"PAT-{number}" in m.value for m in at.markdown)


def test_update_an_event_leads_with_what_is_on_now_and_offers_overdue_bookings_to_close(app_store, officer):
    stale = book_event(app_store, officer, days_ago=180, title="Surgery six months ago")
    soon = book_event(app_store, officer, days_ago=-1, title="Surgery tomorrow")
    at = open_page(UPDATE, officer["user_id"])
    picker = at.selectbox(key="update_event.event")
    assert picker.value == soon, "not the booking of six months ago"
    assert picker.format_func(stale).startswith("Overdue · ")

    at.button(key=f"update_event.overdue.cancel.{stale}").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="update_event.event").value == stale
    at.text_area(key="cancel_event.cancel_reason").input("Did not take place: called to an incident")
    submit(at, "cancel_event.submit")
    assert app_store.get("events", stale)["status"] == "cancelled"
