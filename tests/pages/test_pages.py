"""Every page runs; the booking form, driven by its widget keys, saves what it shows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import reference, refs
from data.store import new_submission_id
from forms.identity import USER_KEY
from forms.ui.navigation import PAGES as NAVIGATION
from forms.ui.widgets import user_text
from tests.conftest import ANALYST, count_rows

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("[!_]*.py"))
BOOK = "pages/book_event.py"
OVERVIEW = "pages/events_overview.py"
COMMANDER = "u0004"  # force-wide: any area
SUPERVISOR = "u0003"  # the demo force's sergeant of ST-STA: sees the dashboards


def open_app(user_id: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if user_id:
        at.session_state[USER_KEY] = user_id
    at.run()
    assert not at.exception, at.exception
    return at


def open_page(page: str, user_id: str | None = None) -> AppTest:
    at = open_app(user_id)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def fill_booking(at: AppTest, values: dict) -> None:
    """Set the booking form's widgets by key, as an officer would, and press Book event (after "Book another
    event", if the last booking's card is still shown)."""
    key = "book_event.{}".format
    if [b for b in at.button if b.key == key("again")]:
        at.button(key=key("again")).click()
        at.run()
    if at.selectbox(key=key("area_code")).value != values["area_code"]:
        at.selectbox(key=key("area_code")).set_value(values["area_code"])
        at.run()
    at.text_input(key=key("title")).input(values["title"])
    at.selectbox(key=key("event_type")).set_value(values["event_type"])
    at.selectbox(key=key("ward_code")).set_value(values["ward_code"])
    at.text_input(key=key("place")).input(values["place"])
    at.date_input(key=key("date")).set_value(values["date"])
    at.time_input(key=key("start_time")).set_value(values["start_time"])
    at.time_input(key=key("end_time")).set_value(values["end_time"])
    at.multiselect(key=key("officers_attending")).set_value(values["officers_attending"])
    at.multiselect(key=key("communities_targeted")).set_value(values["communities_targeted"])
    at.button(key=key("submit")).click()
    at.run()
    assert not at.exception, at.exception


def headline(at: AppTest, label: str) -> int:
    (tile,) = [m for m in at.metric if m.label == label]
    return int(str(tile.value).replace(",", ""))


def page_roles() -> dict[str, tuple[str, ...]]:
    """Each page's roles as the page registry (`forms.ui.navigation.PAGES`) lists them."""
    return {entry.script: entry.roles for entry in NAVIGATION}


def user_for(store, page: str) -> str | None:
    """Whom to open `page` as: the first active user of one of its roles (None for a page every role sees)."""
    roles = page_roles().get(page)
    if roles is None:
        return None
    users = reference.list_users(store)
    return users[users["role"].isin(roles) & users["active"]]["user_id"].iloc[0]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(app_store, page):
    at = open_page(page, user_for(app_store, page))
    assert at.title, f"{page} shows no title"
    assert at.sidebar.selectbox(key=USER_KEY).value, f"{page} did not run through app.py's routing"


@pytest.mark.parametrize("any_app_store", ["azurite"], indirect=True)
def test_every_page_runs_on_object_storage(any_app_store, tmp_path):
    # The app opens the store by its az:// URI; one store for every page (each page on a folder is above).
    for page in PAGES:
        at = open_page(page, user_for(any_app_store, page))
        assert at.title, f"{page} shows no title"
        assert not at.error, (page, [e.value for e in at.error])
    assert any((tmp_path / "app-cache").rglob("events/*.parquet")), "the app read the tables through its file cache"


def test_app_runs_and_shows_demo_mode(app_store):
    at = open_app()
    assert any("Demo mode" in info.value for info in at.sidebar.info)
    assert at.sidebar.selectbox(key=USER_KEY).value


def test_the_sidebar_names_the_force_of_the_settings_table(app_store, monkeypatch):
    """The sidebar names the force by the settings table's `force_name`, ahead of the environment's."""
    monkeypatch.setenv("BEATBOOK_FORCE_NAME", "Environment Police")
    assert reference.get_setting(app_store, "force_name") == "Staffordshire Police (demo)"  # the demo writes it
    at = open_app()
    assert user_text("Staffordshire Police (demo)", one_line=True) in [caption.value for caption in at.sidebar.caption]
    app_store.save("settings", {"key": "force_name", "value": "Midshire Police"}, user="u0006",
                   submission_id=new_submission_id())
    at = open_app()
    captions = [caption.value for caption in at.sidebar.caption]
    assert "Midshire Police" in captions and "Environment Police" not in captions


def test_identity_can_be_chosen_by_session_state(app_store, officer):
    at = open_app(officer["user_id"])
    assert at.sidebar.selectbox(key=USER_KEY).value == officer["user_id"]
    at.switch_page(BOOK).run()
    assert at.selectbox(key="book_event.area_code").value == officer["area_code"]
    assert at.multiselect(key="book_event.officers_attending").value == [officer["user_id"]]


def test_identity_can_be_chosen_by_environment(app_store, officer, monkeypatch):
    monkeypatch.setenv("BEATBOOK_DEMO_USER", officer["user_id"])
    at = open_app()
    assert at.sidebar.selectbox(key=USER_KEY).value == officer["user_id"]


def test_valid_booking_is_saved_and_counted_on_the_overview(any_app_store, officer, booking):
    app_store = any_app_store
    values = booking(title="Coffee with a copper", date=dt.date.today())
    overview = open_page(OVERVIEW, SUPERVISOR)
    booked_before = headline(overview, "Events booked")
    rows_before = count_rows(app_store)

    at = open_page(BOOK, officer["user_id"])
    fill_booking(at, values)

    assert count_rows(app_store) == rows_before + 1
    (message,) = at.success
    table, record_id = refs.find(app_store, message.value.split("**")[1])
    row = app_store.get(table, record_id)
    assert row["title"] == "Coffee with a copper"
    assert (row["area_code"], row["ward_code"]) == (values["area_code"], values["ward_code"])
    assert row["event_type"] == values["event_type"]
    assert row["start"] == dt.datetime.combine(values["date"], values["start_time"])
    assert row["end"] == dt.datetime.combine(values["date"], values["end_time"])
    assert list(row["officers_attending"]) == values["officers_attending"]
    assert list(row["communities_targeted"]) == values["communities_targeted"]
    assert row["organiser"] == officer["user_id"]
    at.button(key="book_event.again").click().run()
    assert at.text_input(key="book_event.title").value == "", "the form is cleared for the next booking"

    overview.run()
    assert not overview.exception, overview.exception
    assert headline(overview, "Events booked") == booked_before + 1


def test_invalid_booking_shows_the_fields_and_saves_nothing(app_store, officer, booking):
    values = booking(title="", place="Library")
    rows_before = count_rows(app_store)
    at = open_page(BOOK, officer["user_id"])

    fill_booking(at, {**values, "start_time": dt.time(15), "end_time": dt.time(14)})

    assert count_rows(app_store) == rows_before
    assert not at.success
    (box,) = at.error
    assert "**Title**" in box.value and "**End time**" in box.value
    captions = " ".join(c.value for c in at.caption)
    assert "is required" in captions and "after the start time" in captions
    assert at.text_input(key="book_event.place").value == "Library", "typed values are kept"


def test_double_submit_stores_one_record(app_store, officer, booking):
    values = booking(title="Street surgery")
    rows_before = count_rows(app_store)
    at = open_page(BOOK, officer["user_id"])

    fill_booking(at, values)
    first = at.success[0].value.split("**")[1]
    fill_booking(at, values)  # the same values again: a second tap, or a retry after a lost reply

    assert count_rows(app_store) == rows_before + 1
    assert "already booked" in at.success[0].value
    assert at.success[0].value.split("**")[1] == first


def test_two_different_bookings_store_two_records(app_store, officer, booking):
    rows_before = count_rows(app_store)
    at = open_page(BOOK, officer["user_id"])
    fill_booking(at, booking(title="First"))
    fill_booking(at, booking(title="Second"))
    assert count_rows(app_store) == rows_before + 2


def test_the_booking_form_offers_only_the_users_own_area_and_its_wards(app_store, officer):
    from data import reference

    at = open_page(BOOK, officer["user_id"])
    area = at.selectbox(key="book_event.area_code")
    assert area.options == [reference.area_names(app_store)[officer["area_code"]]]
    assert area.value == officer["area_code"]
    wards = reference.list_wards(app_store, area_code=officer["area_code"])
    assert at.selectbox(key="book_event.ward_code").options == list(wards["name"])
    assert at.selectbox(key="book_event.ward_code").value is None


def test_overview_takes_its_view_from_the_url_and_shows_the_query_results(app_store):
    from analytics.filters import Filters
    from analytics.queries import events_overview

    start, end = dt.date.today() - dt.timedelta(days=200), dt.date.today() - dt.timedelta(days=20)
    area = events_overview(app_store, Filters(start=start, end=end),
                           user=ANALYST).by_area["area_code"].iloc[0]  # the busiest
    at = open_app(COMMANDER)
    at.switch_page(OVERVIEW)
    at.query_params.update({"period": "custom", "start": start.isoformat(), "end": end.isoformat(), "area": area})
    at.run()
    assert not at.exception, at.exception

    expected = events_overview(app_store, Filters(start=start, end=end, areas=(area,)), user=ANALYST).headline
    assert expected["events_booked"] > 0, "the test store should have events in this view"
    assert headline(at, "Events booked") == expected["events_booked"]
    assert headline(at, "Events completed") == expected["events_completed"]
    assert at.multiselect(key="events_overview.areas").value == [area]
    assert at.date_input(key="events_overview.dates").value == (start, end)


def test_overview_filters_are_written_to_the_url(app_store):
    from data import reference

    area = reference.list_areas(app_store)["area_code"].iloc[0]
    at = open_page(OVERVIEW, COMMANDER)
    assert at.query_params["period"] == "last_28"

    at.button_group(key="events_overview.period").set_value("last_90").run()
    at.multiselect(key="events_overview.areas").set_value([area]).run()

    assert not at.exception, at.exception
    assert at.query_params["period"] == "last_90"
    assert at.query_params["area"] == area


def test_switching_user_starts_a_fresh_form(app_store, officer):
    from data import reference

    others = reference.list_users(app_store, role="officer")
    other = others[(others["area_code"] != officer["area_code"]) & others["area_code"].notna()].iloc[0]
    at = open_page(BOOK, officer["user_id"])
    at.text_input(key="book_event.title").input("Half-typed")
    at.sidebar.selectbox(key=USER_KEY).set_value(other["user_id"]).run()

    assert not at.exception, at.exception
    assert at.text_input(key="book_event.title").value == ""
    assert at.selectbox(key="book_event.area_code").value == other["area_code"]
