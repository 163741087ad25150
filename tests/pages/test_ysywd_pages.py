"""The "You said, we did" pages, driven by their widget keys in AppTest."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.ysywd import list_board
from data import reference, refs
from data.store import new_submission_id
from forms.events import complete_event
from forms.ui.navigation import PAGES as NAVIGATION
from forms.ysywd import get_item, raise_item
from tests.conftest import count_rows
from tests.forms.factories import book_event, make_completion
from tests.pages.test_pages import open_page

OFFICER, READING_OFFICER, SERGEANT, COMMANDER, ANALYST, ADMIN = "u0001", "u0002", "u0003", "u0004", "u0005", "u0006"
PAGES = ("pages/ysywd_board.py", "pages/ysywd_raise.py", "pages/ysywd_item.py", "pages/ysywd_commander.py",
         "pages/ysywd_publish.py")


def _raise(store, user_id: str, **overrides) -> str:
    user = reference.get_user(store, user_id)
    values = {"issue_category": "Parking", "issue_text": "Vans parked on the pavement by the school",
              "source": "meeting", "area_code": user["area_code"], "ward_code": None,
              "raised_on": dt.date.today() - dt.timedelta(days=3), "publishable": True, **overrides}
    return raise_item(store=store, values=values, user=user, submission_id=new_submission_id()).record_id


ROLES = {OFFICER: "officer", SERGEANT: "supervisor", COMMANDER: "commander", ANALYST: "analyst", ADMIN: "admin"}
PAGE_ROLES = {entry.script: entry.roles for entry in NAVIGATION}
VISIBLE = [(page, who) for page in PAGES for who, role in ROLES.items() if role in PAGE_ROLES[page]]


@pytest.mark.parametrize("page, who", VISIBLE)
def test_page_renders_for_each_role_that_sees_it(app_store, page, who):
    at = open_page(page, who)
    assert at.title


def test_board_shows_my_area_only_oldest_first(app_store):
    _raise(app_store, OFFICER, raised_on=dt.date.today() - dt.timedelta(days=40))
    _raise(app_store, READING_OFFICER)
    at = open_page("pages/ysywd_board.py", OFFICER)
    assert not [s for s in at.selectbox if s.key == "ysywd_board.area"]  # an officer has no area choice
    officer = reference.get_user(app_store, OFFICER)
    expected = list_board(app_store, user=officer, area_code="ST-STA")
    tiles = {m.label: int(m.value) for m in at.metric}
    assert tiles["Open"] == int((expected["status"] == "open").sum()) >= 1
    shown = at.dataframe[0].value
    assert list(shown["record_id"]) == list(expected[expected["status"] != "closed"]["record_id"])
    assert list(shown["raised_on"]) == sorted(shown[shown["status"] == "Open"]["raised_on"]) + list(
        shown[shown["status"] != "Open"]["raised_on"])


def test_raise_by_hand_then_act_tell_and_close_on_the_item_page(app_store):
    before = count_rows(app_store, "ysywd")
    at = open_page("pages/ysywd_raise.py", OFFICER)
    key = "ysywd_raise.{}".format
    at.selectbox(key=key("issue_category")).set_value("Speeding")
    at.text_area(key=key("issue_text")).input("Cars racing on the Botley Road after 10pm")
    at.button(key=key("submit")).click().run()
    assert not at.exception and not at.error, at.error
    assert count_rows(app_store, "ysywd") == before + 1
    _, record_id = refs.find(app_store, at.success[0].value.split("**")[1])

    at.session_state["ysywd_item.id"] = record_id
    at.switch_page("pages/ysywd_item.py").run()
    assert at.title[0].value == "Speeding"
    at.selectbox(key="ysywd_action.action_type").set_value("Patrol plan")
    at.text_area(key="ysywd_action.text").input("Evening speed checks for four weeks")
    at.button(key="ysywd_action.submit").click().run()
    assert not at.exception, at.exception
    at.selectbox(key="ysywd_feedback.channel").set_value("Leaflet")
    at.text_area(key="ysywd_feedback.text").input("Leaflets on what the checks found")
    at.button(key="ysywd_feedback.submit").click().run()
    officer = reference.get_user(app_store, OFFICER)
    assert get_item(app_store, record_id, user=officer)["status"] == "feedback_given"
    at.button(key="ysywd_item.move.closed").click().run()
    item = get_item(app_store, record_id, user=officer)
    assert (item["status"], item["version"], [a["action_type"] for a in item["actions"]],
            [f["channel"] for f in item["feedback"]]) == ("closed", 4, ["Patrol plan"], ["Leaflet"])
    assert not [b for b in at.button if b.key == "ysywd_action.submit"]  # closed: no more actions


def test_feedback_before_any_action_is_refused_on_the_page(app_store):
    record_id = _raise(app_store, OFFICER)
    at = open_page("pages/ysywd_board.py", OFFICER)
    at.session_state["ysywd_item.id"] = record_id
    at.switch_page("pages/ysywd_item.py").run()
    at.selectbox(key="ysywd_feedback.channel").set_value("Website")
    at.text_area(key="ysywd_feedback.text").input("We are on it")
    at.button(key="ysywd_feedback.submit").click().run()
    assert "add an action first" in at.error[0].value
    assert app_store.get("ysywd", record_id)["version"] == 1


def test_one_tap_raises_an_event_issue_once(app_store):
    officer = reference.get_user(app_store, OFFICER)
    event_id = book_event(app_store, officer, days_ago=2)
    complete_event(store=app_store, record_id=event_id, user=officer, submission_id=new_submission_id(),
                   base_version=1, values=make_completion(app_store, officer, issues=["Drugs"]))
    before = count_rows(app_store, "ysywd")
    at = open_page("pages/ysywd_raise.py", OFFICER)
    at.button(key=f"raise.{event_id}.Drugs").click().run()
    assert not at.exception, at.exception
    assert count_rows(app_store, "ysywd") == before + 1
    assert at.button(key=f"raise.{event_id}.Drugs").disabled  # shown as raised now


def test_commander_view_counts_and_the_overdue_threshold(app_store):
    _raise(app_store, OFFICER, raised_on=dt.date.today() - dt.timedelta(days=20))
    at = open_page("pages/ysywd_commander.py", COMMANDER)
    labels = [m.label for m in at.metric]
    assert "No action after 28 days" in labels
    at.number_input(key="ysywd_commander.overdue_days").set_value(10).run()
    assert not at.exception, at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert "No action after 10 days" in tiles and int(tiles["No action after 10 days"]) >= 1


def test_publishing_is_audited_and_offers_both_files(app_store):
    _raise(app_store, SERGEANT)
    audits = count_rows(app_store, "audit")
    at = open_page("pages/ysywd_publish.py", SERGEANT)
    assert [s.options for s in at.selectbox if s.key == "ysywd_publish.summary.area"][0] == ["Stafford"]
    at.button(key="ysywd_publish.prepare").click().run()
    assert not at.exception, at.exception
    assert "item(s) in the summary" in at.success[0].value
    assert count_rows(app_store, "audit") == audits + 1
    assert at.session_state["ysywd_publish.result"]["json"].startswith("[")


def test_linking_another_event_where_the_issue_came_up(app_store):
    from forms.ysywd import raise_from_source

    officer = reference.get_user(app_store, OFFICER)
    first, second = book_event(app_store, officer, days_ago=4), book_event(app_store, officer, days_ago=2)
    for event_id in (first, second):
        complete_event(store=app_store, record_id=event_id, user=officer, submission_id=new_submission_id(),
                       base_version=1, values=make_completion(app_store, officer, issues=["Shoplifting"]))
    record_id = raise_from_source(store=app_store, table="events", record_id=first, issue_category="Shoplifting",
                                  user=officer).record_id
    at = open_page("pages/ysywd_board.py", OFFICER)
    at.session_state["ysywd_item.id"] = record_id
    at.switch_page("pages/ysywd_item.py").run()
    at.button(key=f"ysywd_item.link.{second}").click().run()
    assert not at.exception, at.exception
    assert get_item(app_store, record_id, user=officer)["linked_events"] == [first, second]
    assert not [b for b in at.button if b.key == f"ysywd_item.link.{second}"]  # linked: no longer offered


def test_the_commander_view_offers_the_monthly_pack_in_scope(app_store):
    at = open_page("pages/ysywd_commander.py", SERGEANT)
    assert not at.exception, at.exception
    assert [s.options for s in at.selectbox if s.key == "ysywd_commander.pack.area"] == [["Stafford (ST-STA)"]]
    assert {"ysywd_commander.pack.pdf", "ysywd_commander.pack.html"} <= {b.key for b in at.get("download_button")}


def test_officers_download_their_own_and_their_areas_calendars(app_store):
    at = open_page("pages/my_activity.py", OFFICER)
    assert not at.exception, at.exception
    assert "my_activity.ics" in {b.key for b in at.get("download_button")}
    at = open_page("pages/book_event.py", OFFICER)
    assert {"book_event.area_ics", "book_event.public"} <= {b.key for b in at.get("download_button")}


def test_an_item_is_found_by_search_and_opens_on_its_own_page(app_store):
    rid = _raise(app_store, OFFICER, issue_text="Lorries idling outside the care home on Tixall Road")
    label = refs.label("ysywd", app_store.get("ysywd", rid)["reference"])
    at = open_page("pages/search.py", OFFICER)
    at.text_input(key="search.text").input(label.lower()).run()
    assert at.caption[0].value == "1 found"
    assert any("**Parking**" in m.value and f"**{label}** · You said, we did" in m.value for m in at.markdown)
    at.text_input(key="search.text").input("care home on tixall").run()
    assert at.caption[0].value == "1 found"
    at.query_params["open"] = f"ysywd:{rid}"
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Parking" and at.query_params["item"] == rid, "the item's own page"
