"""The officer form pages, driven by their widget keys: what lands in the store, what is refused, what is shown."""

from __future__ import annotations

import datetime as dt

import pytest

from data import refs
from data.schema import DIVERSITY_FIELDS
from tests.conftest import count_rows
from tests.forms.factories import book_event, first_ward, now_minute
from tests.pages.test_pages import open_page

CCR, PATROL, ABSTRACTION, UPDATE, BOOK = (f"pages/{p}.py" for p in (
    "record_contact", "log_patrol", "log_abstraction", "update_event", "book_event"))


def reference_of(at, store) -> str:
    """The record id of the record whose short reference the confirmation shows."""
    (message,) = at.success
    found = refs.find(store, message.value.split("**")[1])
    assert found is not None, message.value
    return found[1]


def start_next(at, form: str) -> None:
    """Tap the saved card's button that starts the next record (the card stays until then)."""
    at.button(key=f"{form}.again").click()
    at.run()
    assert not at.exception, at.exception


def error_box(at) -> str:
    (box,) = at.error
    return box.value


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def submit(at, key: str) -> None:
    at.button(key=key).click()
    at.run()
    assert not at.exception, at.exception


# -- Community Contact Record ------------------------------------------------------

def fill_ccr(at, store, officer, **values) -> None:
    key = "record_contact.{}".format
    at.selectbox(key=key("ward_code")).set_value(values.get("ward_code", first_ward(store, officer["area_code"])))
    at.text_input(key=key("place")).input(values.get("place", "Bus station"))
    at.multiselect(key=key("issues")).set_value(values.get("issues", ["Speeding"]))
    at.text_area(key=key("issues_text")).input(values.get("issues_text", "Speeding on Mill Lane"))
    at.run()


def test_contact_is_saved_with_what_the_form_shows(app_store, officer):
    before = count_rows(app_store, "ccrs")
    at = open_page(CCR, officer["user_id"])
    assert at.selectbox(key="record_contact.area_code").value == officer["area_code"]
    assert at.selectbox(key="record_contact.contact_method").value == "Face to face"
    fill_ccr(at, app_store, officer)
    at.toggle(key="record_contact.smart_alert_signup").set_value(True).run()
    submit(at, "record_contact.submit")

    assert count_rows(app_store, "ccrs") == before + 1
    row = app_store.get("ccrs", reference_of(at, app_store))
    assert (row["area_code"], row["ward_code"]) == (officer["area_code"], first_ward(app_store, officer["area_code"]))
    assert (row["place"], list(row["issues"]), row["issues_text"]) == ("Bus station", ["Speeding"],
                                                                       "Speeding on Mill Lane")
    assert (row["contact_method"], row["smart_alert_signup"], row["officer_id"]) == (
        "Face to face", True, officer["user_id"])
    assert row["diversity_consent"] is False and all(row[f] is None for f in DIVERSITY_FIELDS)
    assert abs(row["contact_at"] - dt.datetime.now()) < dt.timedelta(minutes=5)
    assert not [w for w in at.text_input if w.key == "record_contact.place"], "the saved contact stays on screen"
    start_next(at, "record_contact")
    assert at.text_input(key="record_contact.place").value == "", "the form is ready for the next contact"
    assert at.selectbox(key="record_contact.ward_code").value == row["ward_code"], "the ward is kept"


def test_diversity_questions_appear_only_after_consent(app_store, officer):
    at = open_page(CCR, officer["user_id"])
    keys = [f"record_contact.{f}" for f in DIVERSITY_FIELDS]
    assert not [s for s in at.selectbox if s.key in keys], "hidden until consent is given"

    at.radio(key="record_contact.diversity_consent").set_value(True).run()
    shown = {s.key: s for s in at.selectbox if s.key in keys}
    assert set(shown) == set(keys)
    for key, element in shown.items():
        assert "Prefer not to say" in element.options, key
    assert "A1 · Asian, Asian British or Asian Welsh: Bangladeshi" in shown["record_contact.ethnicity"].options


def test_diversity_answers_are_stored_with_consent(app_store, officer):
    at = open_page(CCR, officer["user_id"])
    fill_ccr(at, app_store, officer)
    at.radio(key="record_contact.diversity_consent").set_value(True).run()
    at.selectbox(key="record_contact.age_band").set_value("35-44")
    at.selectbox(key="record_contact.ethnicity").set_value("W2")
    at.selectbox(key="record_contact.sex").set_value("Prefer not to say")
    submit(at, "record_contact.submit")

    row = app_store.get("ccrs", reference_of(at, app_store))
    assert row["diversity_consent"] is True
    assert {f: row[f] for f in DIVERSITY_FIELDS} == {
        "age_band": "35-44", "ethnicity": "W2", "religion": None, "sex": "Prefer not to say", "disability": None}


def test_withdrawn_consent_stores_no_diversity_answers(app_store, officer):
    at = open_page(CCR, officer["user_id"])
    fill_ccr(at, app_store, officer)
    at.radio(key="record_contact.diversity_consent").set_value(True).run()
    at.selectbox(key="record_contact.age_band").set_value("65+")
    at.selectbox(key="record_contact.religion").set_value("Sikh").run()
    at.radio(key="record_contact.diversity_consent").set_value(False).run()
    assert not [s for s in at.selectbox if s.key == "record_contact.age_band"]
    submit(at, "record_contact.submit")

    row = app_store.get("ccrs", reference_of(at, app_store))
    assert row["diversity_consent"] is False and all(row[f] is None for f in DIVERSITY_FIELDS)


def test_contact_without_a_ward_is_refused_and_keeps_what_was_typed(app_store, officer):
    before = count_rows(app_store, "ccrs")
    at = open_page(CCR, officer["user_id"])
    at.text_input(key="record_contact.place").input("Library steps")
    at.toggle(key="record_contact.info_submitted").set_value(True).run()
    submit(at, "record_contact.submit")

    assert count_rows(app_store, "ccrs") == before
    assert not at.success
    assert "**Ward**" in error_box(at) and "**What was submitted**" in error_box(at)
    assert "is required" in captions(at)
    assert at.text_input(key="record_contact.place").value == "Library steps"


def test_contact_in_the_future_is_refused(app_store, officer):
    later = dt.datetime.now() + dt.timedelta(hours=1)
    if later.date() != dt.date.today():
        pytest.skip("an hour from now is tomorrow, which the date picker does not offer")
    before = count_rows(app_store, "ccrs")
    at = open_page(CCR, officer["user_id"])
    fill_ccr(at, app_store, officer)
    at.time_input(key="record_contact.contact_time").set_value(later.time().replace(second=0, microsecond=0))
    submit(at, "record_contact.submit")
    assert count_rows(app_store, "ccrs") == before
    assert "**Time of contact**" in error_box(at) and "cannot be in the future" in captions(at)


def test_contact_can_be_linked_to_a_recent_event(app_store, officer):
    event_id = book_event(app_store, officer, days_ago=2, title="Coffee with a copper")
    book_event(app_store, officer, days_ago=12, title="Too long ago")
    at = open_page(CCR, officer["user_id"])
    picker = at.selectbox(key="record_contact.event_id")
    assert event_id in picker.options or any("Coffee with a copper" in o for o in picker.options)
    assert not any("Too long ago" in o for o in picker.options)
    fill_ccr(at, app_store, officer)
    at.selectbox(key="record_contact.event_id").set_value(event_id)
    submit(at, "record_contact.submit")
    assert app_store.get("ccrs", reference_of(at, app_store))["event_id"] == event_id


def test_double_submit_stores_one_contact(app_store, officer):
    before = count_rows(app_store, "ccrs")
    at = open_page(CCR, officer["user_id"])
    fill_ccr(at, app_store, officer, place="Market")
    submit(at, "record_contact.submit")
    first = reference_of(at, app_store)
    start_next(at, "record_contact")
    fill_ccr(at, app_store, officer, place="Market")  # the very same values again
    submit(at, "record_contact.submit")
    assert count_rows(app_store, "ccrs") == before + 1
    assert reference_of(at, app_store) == first and "already recorded" in at.success[0].value


# -- Patrol log -------------------------------------------------------------------

def fill_patrol(at, store, officer, *, patrol_type="Foot patrol", start=None, end=None, places="Park") -> None:
    key = "log_patrol.{}".format
    at.selectbox(key=key("patrol_type")).set_value(patrol_type)
    at.selectbox(key=key("ward_code")).set_value(first_ward(store, officer["area_code"]))
    for name, moment in (("start", start), ("end", end)):
        if moment is not None:
            at.date_input(key=key(f"{name}_date")).set_value(moment.date())
            at.time_input(key=key(f"{name}_time")).set_value(moment.time())
    at.text_area(key=key("places")).input(places)


def test_patrol_is_saved_with_what_the_form_shows(app_store, officer):
    end = now_minute() - dt.timedelta(minutes=10)
    start = end - dt.timedelta(hours=2)
    before = count_rows(app_store, "patrols")
    at = open_page(PATROL, officer["user_id"])
    fill_patrol(at, app_store, officer, start=start, end=end)
    at.text_area(key="log_patrol.tasking").input("Hotspot tasking")
    submit(at, "log_patrol.submit")

    assert count_rows(app_store, "patrols") == before + 1
    row = app_store.get("patrols", reference_of(at, app_store))
    assert (row["patrol_type"], row["start"], row["end"]) == ("Foot patrol", start, end)
    assert (row["area_code"], row["ward_code"], row["places"], row["tasking"], row["outcomes"]) == (
        officer["area_code"], first_ward(app_store, officer["area_code"]), "Park", "Hotspot tasking", None)
    start_next(at, "log_patrol")
    assert at.selectbox(key="log_patrol.patrol_type").value == "Foot patrol", "the type is kept for the next one"


def test_patrol_defaults_to_the_last_hour(app_store, officer):
    at = open_page(PATROL, officer["user_id"])
    start = dt.datetime.combine(at.date_input(key="log_patrol.start_date").value,
                                at.time_input(key="log_patrol.start_time").value)
    end = dt.datetime.combine(at.date_input(key="log_patrol.end_date").value,
                              at.time_input(key="log_patrol.end_time").value)
    assert end - start == dt.timedelta(hours=1)
    assert dt.timedelta(0) <= dt.datetime.now() - end < dt.timedelta(minutes=6)


@pytest.mark.parametrize(("case", "shift", "label", "words"), [
    ("end before start", (-3, -4), "End time", "after the start"),
    ("longer than 16 hours", (-20, -1), "End time", "16 hours"),
])
def test_invalid_patrol_shows_its_message_and_saves_nothing(app_store, officer, case, shift, label, words):
    now = now_minute()
    start, end = now + dt.timedelta(hours=shift[0]), now + dt.timedelta(hours=shift[1])
    before = count_rows(app_store, "patrols")
    at = open_page(PATROL, officer["user_id"])
    fill_patrol(at, app_store, officer, start=start, end=end, places="Kept text")
    submit(at, "log_patrol.submit")
    assert count_rows(app_store, "patrols") == before
    assert f"**{label}**" in error_box(at) and words in captions(at)
    assert at.text_area(key="log_patrol.places").value == "Kept text"


def test_patrol_without_a_type_is_refused(app_store, officer):
    before = count_rows(app_store, "patrols")
    at = open_page(PATROL, officer["user_id"])
    at.selectbox(key="log_patrol.ward_code").set_value(first_ward(app_store, officer["area_code"]))
    submit(at, "log_patrol.submit")
    assert count_rows(app_store, "patrols") == before
    assert "**Patrol type**" in error_box(at)


def test_double_submit_stores_one_patrol(app_store, officer):
    before = count_rows(app_store, "patrols")
    at = open_page(PATROL, officer["user_id"])
    fill_patrol(at, app_store, officer)
    submit(at, "log_patrol.submit")
    first = reference_of(at, app_store)
    start_next(at, "log_patrol")
    fill_patrol(at, app_store, officer)
    submit(at, "log_patrol.submit")
    assert count_rows(app_store, "patrols") == before + 1
    assert reference_of(at, app_store) == first and "already logged" in at.success[0].value


# -- Abstraction log --------------------------------------------------------------

def fill_abstraction(at, *, hours=6.5, reason="Court", duty="Crown Court witness") -> None:
    key = "log_abstraction.{}".format
    at.number_input(key=key("hours")).set_value(hours)
    at.selectbox(key=key("reason")).set_value(reason)
    at.text_input(key=key("duty_taken_to")).input(duty)


def test_abstraction_is_saved_for_me_and_my_team(app_store, officer):
    before = count_rows(app_store, "abstractions")
    at = open_page(ABSTRACTION, officer["user_id"])
    assert at.date_input(key="log_abstraction.date").value == dt.date.today()
    fill_abstraction(at)
    submit(at, "log_abstraction.submit")
    assert count_rows(app_store, "abstractions") == before + 1
    row = app_store.get("abstractions", reference_of(at, app_store))
    assert {k: row[k] for k in ("officer_id", "area_code", "team", "date", "hours", "reason", "duty_taken_to")} == {
        "officer_id": officer["user_id"], "area_code": officer["area_code"], "team": officer["area_code"],
        "date": dt.date.today(), "hours": 6.5, "reason": "Court", "duty_taken_to": "Crown Court witness"}


@pytest.mark.parametrize(("hours", "duty", "label", "words"), [
    (None, "Custody", "Hours taken away", "is required"),
    (0.0, "Custody", "Hours taken away", "more than 0"),
    (4.0, "", "Duty taken to", "is required"),
])
def test_invalid_abstraction_shows_its_message_and_saves_nothing(app_store, officer, hours, duty, label, words):
    before = count_rows(app_store, "abstractions")
    at = open_page(ABSTRACTION, officer["user_id"])
    fill_abstraction(at, hours=hours, duty=duty)
    submit(at, "log_abstraction.submit")
    assert count_rows(app_store, "abstractions") == before
    assert f"**{label}**" in error_box(at) and words in captions(at)


def test_double_submit_stores_one_abstraction(app_store, officer):
    before = count_rows(app_store, "abstractions")
    at = open_page(ABSTRACTION, officer["user_id"])
    fill_abstraction(at)
    submit(at, "log_abstraction.submit")
    first = reference_of(at, app_store)
    start_next(at, "log_abstraction")
    fill_abstraction(at)
    submit(at, "log_abstraction.submit")
    assert count_rows(app_store, "abstractions") == before + 1
    assert reference_of(at, app_store) == first


# -- Update an event --------------------------------------------------------------

def open_event(officer, event_id):
    from tests.pages.test_pages import open_app

    at = open_app(officer["user_id"])
    at.switch_page(UPDATE)
    at.query_params["event"] = event_id
    at.run()
    assert not at.exception, at.exception
    return at


def fill_completion(at, *, attendees=31, rating=4) -> None:
    key = "complete_event.{}".format
    if attendees is not None:
        at.number_input(key=key("attendees")).set_value(attendees)
    if rating is not None:
        at.button_group(key=key("quality_rating")).set_value(rating)
    at.text_area(key=key("public_feedback")).input("More patrols near the park, please")
    at.multiselect(key=key("issues")).set_value(["Youth nuisance"])
    at.number_input(key=key("intel_submissions")).set_value(1)
    at.toggle(key=key("suitable_for_publishing")).set_value(True)


def test_my_started_event_is_offered_first(app_store, officer):
    book_event(app_store, officer, days_ago=-3, title="Still to come")
    mine = book_event(app_store, officer, days_ago=1, title="Yesterday's surgery")
    at = open_page(UPDATE, officer["user_id"])
    assert at.selectbox(key="update_event.event").value == mine


def test_completing_an_event_from_a_link(app_store, officer):
    event_id = book_event(app_store, officer, days_ago=1, title="Surgery at the library")
    before = count_rows(app_store)
    at = open_event(officer, event_id)
    assert at.selectbox(key="update_event.event").value == event_id
    fill_completion(at)
    submit(at, "complete_event.submit")

    assert count_rows(app_store) == before + 1
    assert reference_of(at, app_store) == event_id
    row = app_store.get("events", event_id)
    assert (row["status"], row["version"], row["attendees"], row["quality_rating"], row["intel_submissions"]) == (
        "completed", 2, 31, 4, 1)
    assert (row["public_feedback"], list(row["issues"]), row["suitable_for_publishing"]) == (
        "More patrols near the park, please", ["Youth nuisance"], True)
    assert row["officers_involved"] == 1 and list(row["officers_attending"]) == [officer["user_id"]]
    assert any("is completed" in i.value for i in at.info), "the event is shown as done"


def test_completion_without_attendance_or_rating_is_refused(app_store, officer):
    event_id = book_event(app_store, officer, days_ago=1)
    before = count_rows(app_store)
    at = open_event(officer, event_id)
    fill_completion(at, attendees=None, rating=None)
    submit(at, "complete_event.submit")
    assert count_rows(app_store) == before
    assert "**Attendance (members of the public)**" in error_box(at)
    assert "**Quality of engagement**" in error_box(at)
    assert at.text_area(key="complete_event.public_feedback").value == "More patrols near the park, please"


def test_an_event_not_yet_started_is_not_offered_for_completion(app_store, officer):
    event_id = book_event(app_store, officer, days_ago=-2)
    at = open_event(officer, event_id)
    assert not [b for b in at.button if b.key == "complete_event.submit"], "no completion form before it starts"
    assert any("you can complete it once it has started" in i.value for i in at.info), "the rule is said up front"
    assert at.text_input(key="change_event.title").value, "changing its details is offered instead"


def test_a_stale_form_cannot_complete_an_event_twice(app_store, officer):
    event_id = book_event(app_store, officer, days_ago=1)
    first, second = open_event(officer, event_id), open_event(officer, event_id)
    fill_completion(first)
    submit(first, "complete_event.submit")
    before = count_rows(app_store)
    fill_completion(second, attendees=99)
    submit(second, "complete_event.submit")
    assert count_rows(app_store) == before
    assert "already completed" in error_box(second)
    assert app_store.get("events", event_id)["attendees"] == 31


def test_cancelling_needs_a_reason_then_saves_it(app_store, officer):
    event_id = book_event(app_store, officer, days_ago=-4)
    before = count_rows(app_store)
    at = open_event(officer, event_id)
    at.button_group(key="update_event.action").set_value("cancel").run()
    submit(at, "cancel_event.submit")
    assert count_rows(app_store) == before
    assert "**Reason for cancelling**" in error_box(at)

    at.text_area(key="cancel_event.cancel_reason").input("School closed for snow")
    submit(at, "cancel_event.submit")
    assert count_rows(app_store) == before + 1
    row = app_store.get("events", event_id)
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "School closed for snow")
    assert "Event cancelled" in at.success[0].value


# -- Book an event: the calendar ---------------------------------------------------

def test_booking_page_shows_upcoming_events_in_my_area(app_store, officer):
    book_event(app_store, officer, days_ago=-2, title="Bike marking at the leisure centre")
    book_event(app_store, officer, days_ago=-60, title="Too far ahead for the calendar")
    at = open_page(BOOK, officer["user_id"])
    calendar = " ".join(m.value for m in at.markdown)
    assert "Bike marking at the leisure centre" in calendar
    assert "Too far ahead" not in calendar


def test_the_next_booking_starts_from_the_last_type_and_ward(app_store, officer, booking):
    from tests.pages.test_pages import fill_booking

    values = booking(title="Beat surgery", event_type="School visit")
    at = open_page(BOOK, officer["user_id"])
    fill_booking(at, values)
    start_next(at, "book_event")
    assert at.text_input(key="book_event.title").value == ""
    assert at.selectbox(key="book_event.event_type").value == "School visit"
    assert at.selectbox(key="book_event.ward_code").value == values["ward_code"]


def test_a_link_from_an_event_opens_the_contact_form_at_that_event(app_store, officer):
    from tests.pages.test_pages import open_app

    event_id = book_event(app_store, officer, days_ago=1, title="Coffee with a copper")
    at = open_app(officer["user_id"])
    at.switch_page(CCR)
    at.query_params["event"] = event_id
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="record_contact.event_id").value == event_id
    assert at.selectbox(key="record_contact.ward_code").value == app_store.get("events", event_id)["ward_code"]


def test_changing_an_events_details_writes_a_new_version(app_store, officer):
    event_id = book_event(app_store, officer, days_ago=-4, title="Street meeting")
    before = count_rows(app_store)
    at = open_event(officer, event_id)
    at.button_group(key="update_event.action").set_value("change").run()
    assert at.text_input(key="change_event.title").value == "Street meeting"
    at.text_input(key="change_event.place").input("Community centre")
    at.time_input(key="change_event.start_time").set_value(dt.time(19))
    at.time_input(key="change_event.end_time").set_value(dt.time(18))
    submit(at, "change_event.submit")
    assert count_rows(app_store) == before
    assert "**End time**" in error_box(at)
    assert at.text_input(key="change_event.place").value == "Community centre"

    at.time_input(key="change_event.end_time").set_value(dt.time(20, 30))
    submit(at, "change_event.submit")
    assert count_rows(app_store) == before + 1
    row = app_store.get("events", event_id)
    assert (row["version"], row["place"], row["status"]) == (2, "Community centre", "booked")
    assert (row["start"].time(), row["end"].time()) == (dt.time(19), dt.time(20, 30))
    assert "Event changed" in at.success[0].value
    assert at.text_input(key="change_event.place").value == "Community centre", "the form shows the event as it is"
    submit(at, "change_event.submit")  # the same values again: a second tap
    assert count_rows(app_store) == before + 1
