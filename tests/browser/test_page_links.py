"""A link to a page by its name opens it, in a real browser: the role's first page too (Streamlit serves its
default page at "/" only), and in demo mode a page of another role offers a role that can see it. The server
acts (BEATBOOK_DEMO_USER) as a user far down the demo switcher's list: its log must hold no Streamlit warning
of a widget given a default and a value through the session at once.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from analytics.bench.browser import app_server
from tests.browser.conftest import DESKTOP, OUTPUT, app_env, open_tab
from tests.browser.ui import wait_for_app
from tests.data.test_access import DEMO_USER

TIMEOUT_MS = 60_000
WIDGET_WARNING = "was created with a default value but also had its value set via the Session State API"


def _opened(page, title: str, path: str) -> None:
    """The page called `title` is drawn at `/path`, and Streamlit said nothing of a page not found."""
    wait_for_app(page)
    expect(page.get_by_test_id("stMain").get_by_role("heading", name=title, level=1)).to_be_visible()
    assert re.search(rf"/{path}(\?|$)", page.url), page.url
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_links_to_first_pages_open_them_and_no_widget_warning(store_root, tmp_path):
    analyst = DEMO_USER["analyst"]  # an analyst's first page is News; Book an event is not theirs
    log = tmp_path / "streamlit.log"
    with app_server(app_env(store_root, analyst), log) as url, \
            open_tab(viewport=DESKTOP, timeout_ms=TIMEOUT_MS) as page:
        page.goto(f"{url}/news")  # the first address the server is asked for: the analyst's first page by name
        _opened(page, "News", "news")
        page.goto(url)  # the root opens the first page at its own address
        _opened(page, "News", "news")

        page.goto(f"{url}/book_event?ward=E05009999")  # an officer's and a supervisor's first page
        wait_for_app(page)
        expect(page.get_by_text("is not a page for an analyst")).to_be_visible()
        offers = page.get_by_role("button", name=re.compile(r"^Act as (Officer|Supervisor)"))
        expect(offers).to_have_count(2)
        page.get_by_role("button", name=re.compile(r"^Act as Officer")).click()
        _opened(page, "Book an event", "book_event")  # once switched, the same address opens the page itself
        assert "ward=E05009999" in page.url, "the link's query is kept"
        page.screenshot(path=OUTPUT / "page-links-book-event.png")
    assert WIDGET_WARNING not in log.read_text(), "Streamlit warned of a widget given a default and a value"
