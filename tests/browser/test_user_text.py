"""In a real browser: text people typed is shown as text, and no grid offers its own download.

Over a copy of the test store with Markdown, HTML and Streamlit directives planted in every free-text
field (`tests/planted_text.py`), each page that shows them is checked in the DOM: no link, image, coloured
text, icon, formula, heading or table comes from the planted text, nothing is fetched from the planted
addresses, and the planted text is there to read. Then a grid is hovered: its toolbar has no "Download as
CSV", with the option set by `.streamlit/config.toml` and (a server started from another folder) by
`forms/ui/runtime.py`. Screenshots go to test-output/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from analytics.bench.browser import app_server
from data.store import Store
from tests.browser.conftest import OUTPUT, ROOT, app_env, open_tab
from tests.browser.ui import wait_for_app
from tests.planted_text import plant

FROM_TEXT = {  # what the planted text would have become, had it been read as Markdown
    "link": 'a[href*="evil.example"], a[href^="data:"], a[href^="javascript:"], a[href^="mailto:"]',
    "image": 'img[src*="host/p.png"], img[onerror], [data-testid="stMarkdown"] img',
    "formula": ".katex",
    "table": '[data-testid="stMarkdown"] table',
    "code block": '[data-testid="stMarkdown"] pre',
}


@pytest.fixture(scope="module")
def planted(module_store_root):
    """The module's copy of the demo store, with text planted in every free-text field."""
    return plant(Store(module_store_root))


@pytest.fixture(scope="module")
def module_user_id(planted) -> str:
    return planted.officer["user_id"]


def _assert_inert(page, where: str) -> None:
    """Nothing on the page was made from the planted text, and the planted text is there to read."""
    expect(page.get_by_text("Click me").first).to_be_attached()
    for what, selector in FROM_TEXT.items():
        assert page.locator(selector).count() == 0, f"{where}: a {what} made from typed text"
    colour = page.locator(".stMarkdownColoredText, .stMarkdownColoredBackground, .stMarkdownBadge")
    assert colour.filter(has_text=re.compile(r"^(RED|R)$")).count() == 0, f"{where}: coloured typed text"
    assert page.locator('span[style*="color"]').filter(has_text=re.compile(r"^(RED|R)$")).count() == 0, where
    assert page.locator('[role="img"]').filter(has_text=re.compile(r"^skull$")).count() == 0, f"{where}: an icon"
    assert page.get_by_role("heading", name="Planted heading").count() == 0, f"{where}: a heading"
    visible = page.get_by_text(re.compile(r"\[Click me\]\(https:\u2060?//evil\.example\)")).first
    expect(visible).to_be_visible()


@pytest.mark.parametrize(("path", "expand"), [
    ("", None),  # Book an event: "Coming up in my area"
    ("/my_activity", None),
    ("/search?open=events:{events}", None),
    ("/search?open=ccrs:{ccrs}", None),
    ("/news", None),
    ("/what_works_well", "expander"),
    ("/useful_info", "expander"),
    ("/feedback", None),
    ("/ysywd_item?item={ysywd}", None),
    ("/problems?problem={problems}", None),
    ("/ysywd_raise", None),
])
def test_planted_text_is_shown_as_text(module_server, planted, path, expand):
    url = module_server
    requests: list[str] = []
    with open_tab(viewport={"width": 1280, "height": 2000}) as page:
        page.on("request", lambda request: requests.append(request.url))
        page.goto(url + path.format(**planted.ids))
        wait_for_app(page)
        if expand:
            page.get_by_test_id("stExpander").filter(has_text="Click me").first.locator("summary").click()
            wait_for_app(page)
        page.wait_for_timeout(1_000)  # lazily loaded Markdown plugins (KaTeX, emoji) have had their chance
        _assert_inert(page, path or "/")
        name = path.strip("/").split("?")[0] or "book_event"
        page.screenshot(path=OUTPUT / f"user-text-{name}.png", full_page=True)
    assert not [r for r in requests if "host/p.png" in r or "evil.example" in r], "fetched a planted address"


def _grid_toolbar(page, url: str):
    """Open the CCR details table and hover it: its toolbar."""
    page.goto(f"{url}/ccr_outcomes")
    wait_for_app(page)
    grid = page.get_by_test_id("stDataFrame").last
    grid.scroll_into_view_if_needed()
    grid.hover()
    toolbar = page.get_by_test_id("stElementToolbar").filter(has=page.get_by_role("button", name="Search")).last
    expect(toolbar).to_be_visible()  # the hover showed the toolbar: its other buttons are there
    return grid, toolbar


def _assert_no_grid_download(page, url: str, shot: str) -> None:
    downloads: list = []
    page.on("download", lambda download: downloads.append(download))
    _grid_toolbar(page, url)
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)
    page.screenshot(path=OUTPUT / shot)
    assert downloads == []


@pytest.mark.parametrize("started_in", ["checkout", "elsewhere"])
def test_no_grid_offers_its_own_download(module_store_root, planted, tmp_path, started_in):
    """The CCR details grid's toolbar has no "Download as CSV": the app's audited buttons are the only way."""
    cwd = ROOT if started_in == "checkout" else tmp_path  # elsewhere: .streamlit/config.toml is not read
    env = app_env(module_store_root, planted.supervisor["user_id"])
    with app_server(env, tmp_path / "streamlit.log", cwd=cwd) as url, \
            open_tab(viewport={"width": 1280, "height": 1000}) as page:
        _assert_no_grid_download(page, url, f"grid-toolbar-{started_in}.png")
        expect(page.get_by_test_id("stDownloadButton").first).to_be_visible()  # the app's own, audited
