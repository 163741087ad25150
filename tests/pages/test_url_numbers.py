"""A link with a number in other digits (`?days=²`) opens Change over time on its default comparison; a link
with other digits or control characters in any parameter opens the newer pages on their defaults."""

from __future__ import annotations

import pytest

from analytics import trends
from analytics.filters import Filters
from tests.pages.test_pages import COMMANDER, open_app

TRENDS = "pages/change_over_time.py"


def test_change_over_time_opens_on_its_default_days_for_other_digits(app_store):
    at = open_app(COMMANDER)
    at.switch_page(TRENDS)
    at.query_params.update({"days": "²"})  # str.isdigit() is true of it; int() refuses it
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="change_over_time.days").value == trends.DEFAULT_DAYS
    assert at.query_params["days"] == str(trends.DEFAULT_DAYS), "the page writes back the days it shows"


HOSTILE = {"start": "２０２５-01-01", "end": "2025-0²-01", "period": "²", "area": "ST-STA\x00", "ward": "١",
           "days": "²", "problem": "²", "item": "\x00", "pivot": "２０２５-01-01"}
"""Parameters a pasted link could carry: other digits in dates and numbers, control characters in codes."""


@pytest.mark.parametrize("page", ["pages/guarantee.py", "pages/problems_by_stage.py", "pages/problems.py",
                                  "pages/engagement_vs_demand.py"])
def test_the_newer_pages_open_on_their_defaults_for_a_hostile_link(app_store, page):
    at = open_app(COMMANDER)
    at.switch_page(page)
    at.query_params.update(HOSTILE)
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    for name in ("Areas", "Wards"):  # the filter bar, where the page has one, took none of the link's codes
        assert all(not m.value for m in at.multiselect if m.label == name)
    assert Filters.from_query_params(HOSTILE) == Filters(areas=(), wards=("١",))  # a code, matched as text only
