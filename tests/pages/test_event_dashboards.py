"""The event dashboards run for each role, show summary's figures, and drill back up by the breadcrumb."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from analytics import queries
from analytics.filters import Filters
from data import reference
from forms.ui.filter_bar import CARRY_KEY, state_from_query_params
from forms.ui.widgets import user_text
from tests.pages.test_pages import headline, open_app

PAGES = ("pages/events_completed.py", "pages/event_outcomes.py", "pages/engagement_activity.py")
ROLES = ("supervisor", "commander", "analyst")  # the roles with the dashboards
# page -> (tile label, summary key) pairs that must agree
FIGURES = {
    "pages/events_completed.py": (("Events completed", "events_completed"), ("People engaged", "attendees"),
                                  ("Officer attendances", "officer_attendances")),
    "pages/event_outcomes.py": (("Intelligence submissions", "intel_submissions"),
                                ("Events completed", "events_completed")),
    "pages/engagement_activity.py": (("Events booked", "events_booked"),
                                     ("Officer attendances", "officer_attendances"),
                                     ("Officers engaging", "distinct_officers")),
}


def user_of(store, role: str) -> str:
    users = reference.list_users(store, role=role)
    return users[users["active"]].iloc[0]["user_id"]


def default_filters() -> Filters:
    today = dt.date.today()
    return state_from_query_params({}, today=today).to_filters(today=today)


@pytest.mark.parametrize(("page", "role", "any_app_store"),
                         [(page, role, "local") for page in PAGES for role in ROLES]
                         + [(PAGES[0], "commander", "azurite")], indirect=["any_app_store"])
def test_each_page_runs_for_each_role_and_agrees_with_summary(any_app_store, page, role):
    app_store = any_app_store
    user = reference.list_users(app_store).set_index("user_id").loc[user_of(app_store, role)]
    at = open_app(user.name)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    # A supervisor's dashboards are their own area's; the others' are force-wide.
    scope = (user["area_code"],) if role == "supervisor" else ()
    summary = queries.summary(app_store, dataclasses.replace(default_filters(), areas=scope))
    for label, key in FIGURES[page]:
        assert headline(at, label) == summary[key], label
    assert [m.value for m in at.markdown if m.value.startswith("**")][0] == "**Staffordshire Police \\(demo\\)**"


@pytest.mark.parametrize("page", PAGES)
def test_a_view_carried_from_another_page_is_drilled_and_the_breadcrumb_goes_back_up(app_store, page):
    area, name = next(iter(reference.area_names(app_store).items()))
    at = open_app(user_of(app_store, "commander"))
    at.session_state[CARRY_KEY] = {"period": "last_90", "area": [area]}
    at.switch_page(page).run()
    assert not at.exception, at.exception
    bar = page.removeprefix("pages/").removesuffix(".py")
    assert at.multiselect(key=f"{bar}.areas").value == [area]
    assert f"**{user_text(name, one_line=True)}**" in [m.value for m in at.markdown], "the breadcrumb ends at the area"
    today = dt.date.today()
    label, key = FIGURES[page][0]
    in_area = queries.summary(app_store, Filters(start=today - dt.timedelta(days=89), end=today, areas=(area,)))
    assert headline(at, label) == in_area[key]

    at.button(key=f"{bar}.crumb.force").click().run()  # back up to the force
    assert not at.exception, at.exception
    assert at.multiselect(key=f"{bar}.areas").value == []
    force = queries.summary(app_store, Filters(start=today - dt.timedelta(days=89), end=today))
    assert headline(at, label) == force[key]
    assert force[key] >= in_area[key]


def test_the_filters_follow_to_the_next_dashboard_page(app_store):
    area = next(iter(reference.area_names(app_store)))
    at = open_app(user_of(app_store, "analyst"))
    at.switch_page(PAGES[0]).run()
    at.multiselect(key="events_completed.areas").set_value([area]).run()
    at.segmented_control(key="events_completed.period").set_value("last_90").run()
    assert not at.exception, at.exception
    at.switch_page(PAGES[2]).run()
    assert not at.exception, at.exception
    assert at.multiselect(key="engagement_activity.areas").value == [area]
    assert at.segmented_control(key="engagement_activity.period").value == "last_90"
