"""A record changed underneath an open form: the save is refused on the page, naming who changed it and when,
the form keeps what was typed, nothing is stored, and the latest version can be loaded."""

from __future__ import annotations

import datetime as dt

from analytics.activity import list_my_activity
from analytics.admin import find_record
from analytics.search import list_useful_info
from data import reference
from data.schema import TABLES
from data.store import new_submission_id
from forms import admin
from forms.events import update_event
from forms.useful_info import save_useful_info
from forms.ysywd import raise_item, set_publishable
from tests.conftest import count_rows, make_booking
from tests.forms.factories import book_event
from tests.pages.test_pages import open_app, open_page

OFFICER, SERGEANT = "u0001", "u0003"  # Stafford's officer and its sergeant
CHANGED = "This record changed while you had it open. What you typed is still here."


def _texts(at) -> str:
    return " ".join(t.value for t in at.text)


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _click(at, key: str):
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def test_my_activity_edit_of_a_record_changed_underneath(app_store):
    officer, sergeant = reference.get_user(app_store, OFFICER), reference.get_user(app_store, SERGEANT)
    item = list_my_activity(app_store, user=officer, tables=("patrols",)).iloc[0]
    at = open_page("pages/my_activity.py", OFFICER)
    key = f"patrols.{item.record_id}"
    _click(at, f"my_activity.edit.{key}")
    box = f"my_activity.edit.{key}.v{item.version}.outcomes"

    # The sergeant corrects the patrol while the officer's form is open; the officer then types and saves.
    row = app_store.get("patrols", item.record_id)
    fields = {k: v for k, v in row.items() if k in TABLES["patrols"].model_fields}
    app_store.save("patrols", {**fields, "outcomes": "Corrected by the sergeant"}, user=SERGEANT,
                   submission_id=new_submission_id(), record_id=item.record_id, base_version=int(item.version))
    rows = count_rows(app_store, "patrols")
    at.text_area(key=box).input("Area quiet; two words of advice")
    _click(at, f"my_activity.save.{key}")
    assert CHANGED in _errors(at)
    assert sergeant["name"] in _texts(at) and "UTC" in _texts(at)
    assert SERGEANT not in " ".join(_errors(at)) + _texts(at), "the person is named, not their id"
    assert at.text_area(key=box).value == "Area quiet; two words of advice", "what was typed is kept"
    assert count_rows(app_store, "patrols") == rows
    assert app_store.get("patrols", item.record_id)["outcomes"] == "Corrected by the sergeant"
    _click(at, f"my_activity.save.{key}")  # saving again from the same version: still refused
    assert count_rows(app_store, "patrols") == rows and CHANGED in _errors(at)

    _click(at, f"my_activity.edit.{key}.v{item.version}.reload")  # load the latest version
    latest = f"my_activity.edit.{key}.v{item.version + 1}.outcomes"
    assert at.text_area(key=latest).value == "Corrected by the sergeant"
    assert CHANGED not in _errors(at)
    at.text_area(key=latest).input("Corrected; then two words of advice")
    _click(at, f"my_activity.save.{key}")
    row = app_store.get("patrols", item.record_id)
    assert (row["version"], row["outcomes"]) == (item.version + 2, "Corrected; then two words of advice")


def _open_event(user_id: str, event_id: str):
    at = open_app(user_id)
    at.switch_page("pages/update_event.py")
    at.query_params["event"] = event_id
    at.run()
    assert not at.exception, at.exception
    return at


def test_changing_an_events_details_after_a_colleague_changed_them(app_store, officer):
    colleague = reference.get_user(app_store, SERGEANT)
    event_id = book_event(app_store, officer, days_ago=-4, title="Street meeting")
    at = _open_event(officer["user_id"], event_id)
    at.button_group(key="update_event.action").set_value("change").run()

    update_event(store=app_store, record_id=event_id, user=colleague, submission_id=new_submission_id(),
                 base_version=1, values=make_booking(app_store, officer, title="Street meeting at the library",
                                                     place="Central Library",
                                                     date=dt.date.today() + dt.timedelta(days=4)))
    rows = count_rows(app_store)
    at.text_input(key="change_event.place").input("Community centre")
    at.time_input(key="change_event.start_time").set_value(dt.time(11))
    _click(at, "change_event.submit")
    assert CHANGED in _errors(at)
    assert colleague["name"] in _texts(at)
    assert at.text_input(key="change_event.place").value == "Community centre"
    assert at.time_input(key="change_event.start_time").value == dt.time(11)
    assert count_rows(app_store) == rows
    assert app_store.get("events", event_id)["place"] == "Central Library"

    _click(at, "change_event.reload")
    assert at.text_input(key="change_event.place").value == "Central Library"
    assert at.text_input(key="change_event.title").value == "Street meeting at the library"
    at.text_input(key="change_event.place").input("Community centre")
    _click(at, "change_event.submit")
    row = app_store.get("events", event_id)
    assert (row["version"], row["place"], row["title"]) == (3, "Community centre", "Street meeting at the library")


def test_completing_an_event_a_colleague_changed_keeps_the_completion_typed(app_store, officer):
    colleague = reference.get_user(app_store, SERGEANT)
    event_id = book_event(app_store, officer, days_ago=1, start=dt.time(9), end=dt.time(10))
    at = _open_event(officer["user_id"], event_id)
    update_event(store=app_store, record_id=event_id, user=colleague, submission_id=new_submission_id(),
                 base_version=1, values=make_booking(app_store, officer, place="Central Library",
                                                     date=dt.date.today() - dt.timedelta(days=1),
                                                     start_time=dt.time(9), end_time=dt.time(10)))
    rows = count_rows(app_store)
    at.number_input(key="complete_event.attendees").set_value(31)
    at.button_group(key="complete_event.quality_rating").set_value(4)
    at.text_area(key="complete_event.public_feedback").input("More patrols near the park, please")
    _click(at, "complete_event.submit")
    assert CHANGED in _errors(at) and colleague["name"] in _texts(at)
    assert count_rows(app_store) == rows
    assert at.number_input(key="complete_event.attendees").value == 31
    assert at.text_area(key="complete_event.public_feedback").value == "More patrols near the park, please"

    _click(at, "complete_event.reload")  # the completion is new information: loading the event keeps it
    assert at.text_area(key="complete_event.public_feedback").value == "More patrols near the park, please"
    _click(at, "complete_event.submit")
    row = app_store.get("events", event_id)
    assert (row["version"], row["status"], row["place"], row["attendees"]) == (3, "completed", "Central Library", 31)


def _item_the_sergeant_changes_while_open(store, **values) -> tuple:
    """The officer raises an item and opens it; then the sergeant makes it publishable (version 2).
    (the officer's item page, the item's record id, the sergeant)"""
    officer, sergeant = reference.get_user(store, OFFICER), reference.get_user(store, SERGEANT)
    record_id = raise_item(store=store, user=officer, submission_id=new_submission_id(), values={
        **values, "area_code": officer["area_code"], "ward_code": None, "publishable": False}).record_id
    at = open_page("pages/ysywd_board.py", OFFICER)
    at.session_state["ysywd_item.id"] = record_id
    at.switch_page("pages/ysywd_item.py").run()
    set_publishable(store=store, record_id=record_id, publishable=True, user=sergeant,
                    submission_id=new_submission_id(), base_version=1)
    return at, record_id, sergeant


def test_an_action_on_an_item_the_sergeant_changed_meanwhile(app_store):
    at, record_id, sergeant = _item_the_sergeant_changes_while_open(
        app_store, issue_category="Speeding", issue_text="Cars racing on the Botley Road", source="meeting",
        raised_on=dt.date.today() - dt.timedelta(days=3))
    rows = count_rows(app_store, "ysywd")
    at.selectbox(key="ysywd_action.action_type").set_value("Patrol plan")
    at.text_area(key="ysywd_action.text").input("Evening speed checks for four weeks")
    _click(at, "ysywd_action.submit")
    assert CHANGED in _errors(at) and sergeant["name"] in _texts(at)
    assert at.text_area(key="ysywd_action.text").value == "Evening speed checks for four weeks"
    assert at.selectbox(key="ysywd_action.action_type").value == "Patrol plan"
    assert count_rows(app_store, "ysywd") == rows
    assert len(app_store.get("ysywd", record_id)["actions"]) == 0

    _click(at, "ysywd_action.reload")  # an action is new information: loading the item keeps it
    assert at.text_area(key="ysywd_action.text").value == "Evening speed checks for four weeks"
    _click(at, "ysywd_action.submit")
    item = app_store.get("ysywd", record_id)
    assert (item["version"], item["status"], item["publishable"]) == (3, "action_taken", True)
    assert [a["text"] for a in item["actions"]] == ["Evening speed checks for four weeks"]


def test_a_status_button_drawn_before_a_change_is_refused(app_store):
    at, record_id, sergeant = _item_the_sergeant_changes_while_open(
        app_store, issue_category="Parking", issue_text="Vans on the pavement", source="online",
        raised_on=dt.date.today())
    rows = count_rows(app_store, "ysywd")
    _click(at, "ysywd_item.move.in_progress")
    assert "This record changed while you had it open." in _errors(at)
    assert sergeant["name"] in _texts(at)
    assert count_rows(app_store, "ysywd") == rows and app_store.get("ysywd", record_id)["status"] == "open"
    _click(at, "ysywd_item.move.in_progress")  # drawn again with the latest version: saved
    assert app_store.get("ysywd", record_id)["status"] == "in_progress"


def test_an_admin_change_to_a_user_another_admin_changed(app_store):
    admins = reference.list_users(app_store, role="admin")
    first, second = (row.to_dict() for _, row in admins[admins["active"]].head(2).iterrows())
    at = open_page("pages/admin_users.py", first["user_id"])
    at.selectbox(key="admin_users.pick").set_value(OFFICER).run()
    (key,) = {w.key.rsplit(".", 1)[0] for w in at.text_input if w.key and w.key.startswith("admin_users.edit.")}

    record = find_record(app_store, table="users", column="user_id", value=OFFICER, user=second)
    admin.update_user(store=app_store, user_id=OFFICER, values={"rank": "PCSO"}, user=second,
                      submission_id=new_submission_id(), base_version=int(record["version"]))
    rows, audits = count_rows(app_store, "users"), count_rows(app_store, "audit")
    at.text_input(key=f"{key}.rank").input("Sgt")
    _click(at, f"{key}.submit")
    assert CHANGED in _errors(at) and second["name"] in _texts(at)
    assert at.text_input(key=f"{key}.rank").value == "Sgt"
    assert (count_rows(app_store, "users"), count_rows(app_store, "audit")) == (rows, audits)
    assert reference.get_user(app_store, OFFICER)["rank"] == "PCSO"

    _click(at, f"{key}.reload")
    (latest,) = {w.key.rsplit(".", 1)[0] for w in at.text_input if w.key and w.key.startswith("admin_users.edit.")}
    assert latest != key and at.text_input(key=f"{latest}.rank").value == "PCSO"


def test_useful_information_edited_by_a_teammate_while_open(app_store):
    officer, sergeant = reference.get_user(app_store, OFFICER), reference.get_user(app_store, SERGEANT)
    entry = list_useful_info(app_store, user=officer).iloc[0]
    at = open_page("pages/useful_info.py", OFFICER)
    at.selectbox(key="useful_info.target").set_value(entry.record_id).run()
    assert not at.exception, at.exception

    save_useful_info(store=app_store, user=sergeant, submission_id=new_submission_id(), record_id=entry.record_id,
                     base_version=int(entry.version), values={"title": entry.title, "folder": entry.folder,
                                                              "body": "Changed by the sergeant",
                                                              "area_code": officer["area_code"]})
    rows = count_rows(app_store, "useful_info")
    form = f"useful_info_edit.{entry.record_id}"
    at.text_area(key=f"{form}.body").input("Changed by the officer")
    _click(at, "useful_info.submit")
    assert CHANGED in _errors(at) and sergeant["name"] in _texts(at)
    assert at.text_area(key=f"{form}.body").value == "Changed by the officer"
    assert count_rows(app_store, "useful_info") == rows
    assert app_store.get("useful_info", entry.record_id)["body"] == "Changed by the sergeant"
    _click(at, f"{form}.reload")
    assert at.text_area(key=f"{form}.body").value == "Changed by the sergeant"


def test_a_form_holding_nothing_refused_follows_the_record(app_store, officer):
    """A form shown again after the change (nothing refused in it yet) starts from the new version and saves."""
    colleague = reference.get_user(app_store, SERGEANT)
    event_id = book_event(app_store, officer, days_ago=-4, title="Street meeting")
    at = _open_event(officer["user_id"], event_id)
    at.button_group(key="update_event.action").set_value("change").run()
    assert at.text_input(key="change_event.title").value == "Street meeting"
    at.button_group(key="update_event.action").set_value("cancel").run()  # the details form is put away

    update_event(store=app_store, record_id=event_id, user=colleague, submission_id=new_submission_id(),
                 base_version=1, values=make_booking(app_store, officer, title="Street meeting at the library",
                                                     date=dt.date.today() + dt.timedelta(days=4)))
    at.button_group(key="update_event.action").set_value("change").run()
    assert at.text_input(key="change_event.title").value == "Street meeting at the library"
    at.text_input(key="change_event.place").input("Community centre")
    _click(at, "change_event.submit")
    assert not [e for e in _errors(at) if "changed while" in e]
    row = app_store.get("events", event_id)
    assert (row["version"], row["title"], row["place"]) == (3, "Street meeting at the library", "Community centre")


def test_my_activity_edit_opened_again_after_a_change_saves(app_store):
    officer = reference.get_user(app_store, OFFICER)
    item = list_my_activity(app_store, user=officer, tables=("patrols",)).iloc[0]
    at = open_page("pages/my_activity.py", OFFICER)
    key = f"patrols.{item.record_id}"
    _click(at, f"my_activity.edit.{key}")
    _click(at, f"my_activity.withdraw.{key}")  # the edit form is put away...
    _click(at, f"my_activity.cancel.{key}")
    row = app_store.get("patrols", item.record_id)
    fields = {k: v for k, v in row.items() if k in TABLES["patrols"].model_fields}
    app_store.save("patrols", {**fields, "tasking": "Set by the sergeant"}, user=SERGEANT,
                   submission_id=new_submission_id(), record_id=item.record_id, base_version=int(item.version))
    _click(at, f"my_activity.edit.{key}")  # ...and opened again, on the sergeant's version
    form = f"my_activity.edit.{key}.v{item.version + 1}"
    assert at.text_area(key=f"{form}.tasking").value == "Set by the sergeant"
    at.text_area(key=f"{form}.outcomes").input("Quiet evening")
    _click(at, f"my_activity.save.{key}")
    row = app_store.get("patrols", item.record_id)
    assert (row["version"], row["tasking"], row["outcomes"]) == (item.version + 2, "Set by the sergeant",
                                                                 "Quiet evening")


def test_a_form_refused_once_keeps_its_version_until_the_latest_is_loaded(app_store, officer):
    """What was typed and refused (here: the end before the start) stays on the version it was typed on."""
    colleague = reference.get_user(app_store, SERGEANT)
    event_id = book_event(app_store, officer, days_ago=-4, title="Street meeting")
    at = _open_event(officer["user_id"], event_id)
    at.button_group(key="update_event.action").set_value("change").run()
    at.text_input(key="change_event.place").input("Community centre")
    at.time_input(key="change_event.end_time").set_value(dt.time(9))
    _click(at, "change_event.submit")
    assert any("**End time**" in e for e in _errors(at))

    update_event(store=app_store, record_id=event_id, user=colleague, submission_id=new_submission_id(),
                 base_version=1, values=make_booking(app_store, officer, title="Street meeting at the library",
                                                     date=dt.date.today() + dt.timedelta(days=4)))
    at.run()  # the page shows the colleague's version; the form keeps what was typed
    assert at.text_input(key="change_event.place").value == "Community centre"
    rows = count_rows(app_store)
    at.time_input(key="change_event.end_time").set_value(dt.time(13))
    _click(at, "change_event.submit")
    assert CHANGED in _errors(at) and colleague["name"] in _texts(at)
    assert count_rows(app_store) == rows
    assert app_store.get("events", event_id)["title"] == "Street meeting at the library"
