"""The browser bench in a real browser: one dashboard's five figures and its reference page, on the demo store.

The figures are times on a busy machine, so nothing here judges them; the test checks that every step the
bench times was really taken and settled (a heading, a changed address, a drill chart clicked), so the
benchmark cannot quietly stop measuring one of them.
"""

from __future__ import annotations

import shutil
import time

from analytics.bench import browser
from analytics.bench.browser import Dashboard, app_server
from tests.browser.conftest import app_env
from tests.data.test_access import DEMO_USER


def test_the_bench_times_every_step_of_a_dashboard_and_the_reference_page(demo_store_root, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(demo_store_root, root)
    env = app_env(root, DEMO_USER["commander"], BEATBOOK_BENCH_REFERENCE="1")
    with app_server(env, tmp_path / "streamlit.log") as url:
        figures = browser.time_dashboard(url, Dashboard("engagement_activity", drill=True))
        figures["reference_median_s"] = browser.time_reference(url, visits=1)
        figures["load"] = 0.0
        with browser.browser_tab() as page:
            _, heading = browser.open_page(page, f"{url}/{browser.REFERENCE}")
            metrics = page.get_by_test_id("stMetric").count()
    assert figures["heading"] == "Engagement activity"
    for name in browser.FIGURES:
        assert figures[name] > 0, name  # each step happened: a drill chart was found and clicked, and so on
    assert (heading, metrics) == ("Reference", 3)
    assert browser.format_row(figures).startswith("engagement_activity")


def test_the_reference_page_is_served_only_for_the_bench(demo_store_root, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(demo_store_root, root)
    with app_server(app_env(root, DEMO_USER["commander"]), tmp_path / "streamlit.log") as url, \
            browser.browser_tab() as page:
        page.goto(f"{url}/{browser.REFERENCE}")
        page.get_by_test_id("stApp").wait_for()
        browser.settle(page, time.perf_counter())
        headings = [h.inner_text() for h in page.locator("h1").all()]
    assert headings and "Reference" not in headings
