"""The Patrols and abstractions and Change over time pages render for each role, and their widgets drive them."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from analytics import trends
from data import reference
from forms.ui.widgets import user_text
from tests.pages.test_pages import open_app

PATROLS = "pages/patrols_abstractions.py"
TRENDS = "pages/change_over_time.py"
ROLES = ("supervisor", "commander", "analyst")  # the roles with the dashboards


def user_of(store, role: str) -> str:
    users = reference.list_users(store, role=role)
    return users[users["active"]].iloc[0]["user_id"]


def open_as(store, page: str, role: str) -> AppTest:
    at = open_app(user_of(store, role))
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", [PATROLS, TRENDS])
def test_page_renders_for_each_role(app_store, page, role):
    at = open_as(app_store, page, role)
    assert at.title[0].value in ("Patrols and abstractions", "Change over time")
    assert len(at.metric) >= 3


def test_patrols_page_shows_the_figures_and_switches_to_months(app_store):
    at = open_as(app_store, PATROLS, "commander")
    at.segmented_control(key="patrols_abstractions.period").set_value("this_year").run()
    labels = [m.label for m in at.metric]
    assert labels == ["Patrols", "Patrol hours", "Abstractions", "Hours lost to abstractions"]
    at.segmented_control(key="patrols_abstractions.grain").set_value("month").run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader][0] == "Patrol hours per month, by type"


def test_change_over_time_before_after_controls(app_store):
    at = open_as(app_store, TRENDS, "commander")
    at.segmented_control(key="change_over_time.grain").set_value("month").run()
    at.selectbox(key="change_over_time.days").set_value(28).run()
    at.selectbox(key="change_over_time.measure").set_value("engagement").run()
    assert not at.exception, at.exception
    (table,) = [frame.value for frame in at.dataframe]
    assert table["area"].iloc[0] == "All areas"
    assert set(table["measure"]) == {"engagement"}


def test_change_over_time_takes_its_comparison_from_the_url(app_store):
    pivot = dt.date.today() - dt.timedelta(days=100)
    at = open_app(user_of(app_store, "commander"))
    at.switch_page(TRENDS)
    at.query_params.update({"period": "this_year", "per": "month", "pivot": pivot.isoformat(), "days": "56",
                            "measure": "ccrs"})
    at.run()
    assert not at.exception, at.exception
    assert at.segmented_control(key="change_over_time.grain").value == "month"
    assert at.date_input(key="change_over_time.pivot").value == pivot
    assert at.selectbox(key="change_over_time.days").value == 56
    assert at.selectbox(key="change_over_time.measure").value == "ccrs"
    assert at.button_group(key="change_over_time.period").value == "this_year"  # the filter bar's own
    (table,) = [frame.value for frame in at.dataframe]
    assert set(table["measure"]) == {"ccrs"}
    # The filter bar keeps the page's parameters when it writes its own.
    assert at.query_params["pivot"] == pivot.isoformat() and at.query_params["per"] == "month"


def test_change_over_time_writes_its_comparison_to_the_url(app_store):
    at = open_as(app_store, TRENDS, "commander")
    assert at.query_params["days"] == str(trends.DEFAULT_DAYS)
    assert at.query_params["pivot"] == trends.default_pivot(dt.date.today()).isoformat()
    at.selectbox(key="change_over_time.days").set_value(182).run()
    at.selectbox(key="change_over_time.measure").set_value("engagement").run()
    at.button_group(key="change_over_time.period").set_value("last_90").run()
    assert not at.exception, at.exception
    assert at.query_params["days"] == "182"
    assert at.query_params["measure"] == "engagement"
    assert at.query_params["period"] == "last_90"


def test_patrols_page_shows_the_breadcrumb_and_goes_back_up(app_store):
    at = open_as(app_store, PATROLS, "commander")
    names = reference.area_names(app_store)
    area = sorted(names)[0]
    at.segmented_control(key="patrols_abstractions.period").set_value("this_year").run()
    at.multiselect(key="patrols_abstractions.areas").set_value([area]).run()
    assert not at.exception, at.exception
    # Force › <area>: the area is the current (bold) part, the force a button back up
    assert f"**{user_text(names[area], one_line=True)}**" in [m.value for m in at.markdown]
    at.button(key="patrols_abstractions.crumb.force").click().run()
    assert not at.exception, at.exception
    assert at.multiselect(key="patrols_abstractions.areas").value == []
