"""A link with a number in other digits (`?days=²`) opens Change over time on its default comparison."""

from __future__ import annotations

from analytics import trends
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
