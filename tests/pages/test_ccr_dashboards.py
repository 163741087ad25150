"""The CCR outcomes and CCR activity pages render for each role, with no record-level diversity data."""

from __future__ import annotations

import pytest

from analytics import ccr_dash
from analytics.metrics import metric
from data import access, reference
from data.schema import DIVERSITY_FIELDS
from tests.pages.test_pages import open_page

OUTCOMES = "pages/ccr_outcomes.py"
ACTIVITY = "pages/ccr_activity.py"
ROLES = ("supervisor", "commander", "analyst")  # the roles with the dashboards


def table_with(at, column: str):
    """The first table on the page that has `column` (AppTest does not keep a plain table's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def user_with_role(store, role: str) -> str:
    users = reference.list_users(store, role=role)
    return users[users["active"]].iloc[0]["user_id"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", [OUTCOMES, ACTIVITY])
def test_page_renders_for_role(app_store, page, role):
    at = open_page(page, user_with_role(app_store, role))
    assert at.title[0].value in ("CCR outcomes", "CCR activity")
    assert at.metric, f"{page} shows no figures for a {role}"
    keys = {b.key for b in at.get("download_button")}
    may_export = access.can(reference.get_user(app_store, user_with_role(app_store, role)), "export")
    assert bool(keys) == may_export, f"{page} offers downloads to a {role}: {may_export=}"


def test_outcomes_shows_the_headline_and_keeps_diversity_aggregated(app_store):
    at = open_page(OUTCOMES, user_with_role(app_store, "commander"))
    labels = [m.label for m in at.metric]
    assert labels == [metric(n).label for n in ccr_dash.OUTCOME_HEADLINE]
    details = table_with(at, "contact_method")
    assert not set(DIVERSITY_FIELDS) & set(details.columns)
    assert not {c for c in details.columns if "consent" in c}
    tables = [d.value for d in at.dataframe]
    assert not any(set(DIVERSITY_FIELDS) & set(t.columns) and "record_id" in t.columns for t in tables)
    sex = table_with(at, "sex")
    assert sex["count"].iloc[-1] != "" and sex["sex"].iloc[-1] == "Total"
    # Every shown count is text: a number of 5 or more, 0, "<5" or "[c]".
    for value in sex["count"]:
        assert value in ("0", "<5", "[c]") or int(value.replace(",", "")) >= 5
    assert {b.key for b in at.get("download_button")} >= {
        "ccr_outcomes.details_export.csv", "ccr_outcomes.details_export.xlsx",
        "ccr_outcomes.diversity.csv", "ccr_outcomes.diversity.xlsx"}


def test_activity_shows_the_headline(app_store):
    at = open_page(ACTIVITY, user_with_role(app_store, "commander"))
    assert [m.label for m in at.metric] == [metric(n).label for n in ccr_dash.ACTIVITY_HEADLINE]
    officers = table_with(at, "officer_id")
    assert list(officers["ccrs"]) == sorted(officers["ccrs"], reverse=True)
