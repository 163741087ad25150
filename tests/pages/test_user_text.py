"""Text people typed is shown as text: Markdown, HTML and Streamlit directives planted in every free-text
field of every record type (`tests/planted_text.py`) stay inert on every page, in AppTest.

A page's Markdown is every string Streamlit reads as Markdown: bodies of st.markdown, st.caption, st.write
and the alerts, titles and headers, and the labels of widgets, expanders, tabs, metrics, buttons, page
links and options. In each, once every backslash-escaped character is taken out, nothing of the planted
syntax may be left (`live_markup`). Where a whole block of text is shown it goes through st.text, which
reads no Markdown. The browser test (`tests/browser/test_user_text.py`) checks the same in a real DOM.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from hypothesis import given, strategies

from data import reference
from data.schema import TABLES
from data.store import Store
from forms.ui.widgets import user_text
from tests.pages.test_pages import PAGES, open_app, page_roles
from tests.planted_text import (
    BLOCK,
    IDENTIFIERS,
    LINE,
    NOT_PLANTED,
    PLANTED_TABLES,
    QUICK,
    SHORT,
    SKIPPED_TABLES,
    live_markup,
    plant,
    text_fields,
)

PLAIN_ELEMENTS = {"text", "arrow_data_frame", "dataframe", "deck_gl_json_chart", "arrow_vega_lite_chart",
                  "vega_lite_chart", "imgs", "image", "code", "json", "iframe", "html", "empty"}
"""Elements that read no Markdown: st.text, grids, charts, maps, images, code, embedded pages."""
PLAIN_FIELDS = {"id", "formId", "default", "value", "rawValue", "rawValues", "placeholder", "setValue",
                "defaultValues", "values", "url", "pageScriptHash", "queryString", "data", "spec", "json"}
"""Fields of other elements that are not Markdown: ids, typed values, links."""
PLAIN_OPTIONS = {"selectbox", "multiselect"}
"""Widgets whose options are plain text (radio, pills and segmented-control options are Markdown)."""
SHOWN = {"pages/book_event.py", "pages/my_activity.py", "pages/news.py", "pages/what_works_well.py",
         "pages/useful_info.py", "pages/feedback.py", "pages/ysywd_board.py", "pages/ysywd_raise.py",
         "pages/log_abstraction.py", "pages/dip_checks.py", "pages/search.py", "pages/update_event.py"}
"""Pages that show some planted text as their first view (as the officer, or their supervisor)."""


@pytest.fixture(scope="module")
def planted_store(demo_store_root, tmp_path_factory):
    root = tmp_path_factory.mktemp("planted") / "store"
    shutil.copytree(demo_store_root, root)
    return root, plant(Store(root))


@pytest.fixture
def planted(planted_store, monkeypatch):
    """The planted store, opened by app.py (BEATBOOK_STORE), and what was planted where."""
    root, what = planted_store
    monkeypatch.setenv("BEATBOOK_STORE", str(root))
    monkeypatch.delenv("BEATBOOK_DEMO_USER", raising=False)
    return what


def markdown_strings(at) -> list[str]:
    """Every string of the run that Streamlit reads as Markdown."""
    found: list[str] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if node.type in PLAIN_ELEMENTS or not isinstance(proto, Message):
            continue
        fields = MessageToDict(proto)
        if node.type in PLAIN_OPTIONS:
            fields.pop("options", None)
        found += _strings(fields)
    return found


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in PLAIN_FIELDS for s in _strings(v)]
    return []


def text_bodies(at) -> list[str]:
    return [node.proto.body for node in at._tree if node.type == "text"]


def assert_inert(at, page: str) -> list[str]:
    """No planted syntax is live in any Markdown of the run; returns that Markdown."""
    assert not at.exception, at.exception
    markdown = markdown_strings(at)
    live = {s: live_markup(s) for s in markdown if live_markup(s)}
    assert not live, f"{page}: user text read as Markdown: {live}"
    return markdown


def shows_planted(at, markdown: list[str]) -> bool:
    """Some planted text is on the page: escaped in Markdown, or whole in st.text."""
    escaped = user_text("[Click me](https://evil.example)")
    return any(escaped in s for s in markdown) or any("[Click me](https://evil.example)" in s
                                                       for s in text_bodies(at))


def who_sees(store, page: str, planted) -> str:
    """The planted officer where the page is theirs, else their supervisor, else the first user of its roles."""
    roles = page_roles().get(page)
    for person in (planted.officer, planted.supervisor):
        if roles is None or person["role"] in roles:
            return person["user_id"]
    users = reference.list_users(store)
    return users[users["role"].isin(roles) & users["active"]]["user_id"].iloc[0]


def open_as(page: str, user_id: str, **query) -> object:
    at = open_app(user_id)
    for name, value in query.items():
        at.query_params[name] = value
    at.switch_page(page).run()
    return at


# -- the helper --------------------------------------------------------------------------------------------

MARKUP = set("\\`*_[](){}#+-.!|<>:$~&=/@")


def _shown(markdown: str) -> str:
    """What a reader sees of `user_text`'s output: escapes and word joiners gone, breaks as new lines."""
    text = re.sub(r"\\(.)", r"\1", markdown.replace("  \n", "\n")).replace("\u2060", "")
    return re.sub(r"^\u00a0+", lambda m: " " * len(m.group()), text, flags=re.MULTILINE)


CHARACTERS = strategies.characters(codec="utf-8", exclude_categories=["Cs", "Cc"], exclude_characters="\u2060\u00a0")
PIECES = strategies.sampled_from([*MARKUP, " ", "  ", "\n", "www.", "http://", "a@b.org", ":smile:", "->", "&lt;"])


@given(strategies.lists(CHARACTERS | PIECES).map("".join))
def test_user_text_leaves_no_markup_live_and_shows_the_text_itself(text):
    markdown = user_text(text)
    live = re.sub(r"\\.", "", markdown.replace("  \n", ""))
    assert not MARKUP & set(live), (text, markdown)
    assert _shown(markdown) == text


@pytest.mark.parametrize("text", [LINE, BLOCK, SHORT, "www.evil.example", "me@evil.example", "https://x.org",
                                  ":smile: :streamlit: :material_home: a -> b"])
def test_user_text_breaks_what_streamlit_finds_after_parsing(text):
    shown = re.sub(r"\\(.)", r"\1", user_text(text, one_line=True))
    for pattern in (r"https?://", r"www\.", r"\w@\w", r":[\w+-]+:", r"(^|\s)->(\s|$)"):
        assert not re.search(pattern, shown), (pattern, shown)


def test_code_spans_hold_any_backticks():
    assert user_text("a`b``c", code=True) == "```a`b``c```"
    assert user_text("`x`", code=True) == "`` `x` ``"
    assert user_text(None) == user_text(float("nan")) == ""


def test_no_page_reads_record_text_as_markdown_tables_or_html():
    """st.table reads Markdown in every cell and unsafe_allow_html lets HTML through: grids (st.dataframe) and
    `user_text` are the ways to show records."""
    root = Path(__file__).resolve().parents[2]
    for path in [root / "app.py", *sorted((root / "pages").glob("*.py")), *sorted((root / "forms").glob("*.py"))]:
        source = path.read_text()
        assert "st.table(" not in source and "unsafe_allow_html=True" not in source, path.name


def test_every_text_field_is_planted_or_named():
    assert set(TABLES) == set(PLANTED_TABLES) | set(SKIPPED_TABLES), "classify the new table"
    for table in PLANTED_TABLES:
        model = TABLES[table]
        texts = text_fields(table)
        for name, field in model.model_fields.items():
            annotation = str(field.annotation)
            if "str" not in annotation or "Literal" in annotation:
                continue
            assert name in texts or name in IDENTIFIERS or (table, name) in NOT_PLANTED, (table, name)
    assert {"action_type", "text"} <= set(text_fields("ysywd")["actions"]), "nested items are planted"


# -- every page ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_planted_text_as_text(planted_store, planted, page):
    store = Store(planted_store[0])
    at = open_as(page, who_sees(store, page, planted))
    markdown = assert_inert(at, page)
    if page in SHOWN:
        assert shows_planted(at, markdown), f"{page} shows none of the planted text: the check proves nothing"


def test_search_results_and_each_record_opened(planted):
    me = planted.officer["user_id"]
    at = open_as("pages/search.py", me)
    at.text_input(key="search.text").input("Click me").run()
    assert shows_planted(at, assert_inert(at, "search results"))
    for table in ("events", "ccrs", "patrols", "good_practice", "useful_info"):
        at = open_as("pages/search.py", me, open=f"{table}:{planted.ids[table]}")
        markdown = assert_inert(at, f"search: {table}")
        assert shows_planted(at, markdown), table
        assert any(user_text(SHORT) in s for s in markdown) or table in ("good_practice", "useful_info"), table


def test_an_item_and_an_event_opened(planted):
    at = open_as("pages/ysywd_item.py", planted.officer["user_id"], item=planted.ids["ysywd"])
    assert at.title[0].value == user_text(SHORT, one_line=True)
    assert BLOCK in text_bodies(at)
    assert_inert(at, "ysywd item")
    at = open_as("pages/update_event.py", planted.officer["user_id"], event=planted.ids["events"])
    assert shows_planted(at, assert_inert(at, "update event"))


def test_a_problem_opened_and_the_item_it_answers(planted):
    at = open_as("pages/problems.py", planted.officer["user_id"], problem=planted.ids["problems"])
    assert at.header[0].value == user_text(LINE, one_line=True)
    assert BLOCK in text_bodies(at)
    assert_inert(at, "problem")
    at = open_as("pages/ysywd_item.py", planted.officer["user_id"], item=planted.ids["ysywd"])
    assert any(user_text(LINE, one_line=True) in link.label for link in at.get("page_link")), "the problem's title"
    assert_inert(at, "ysywd item with its problem")


def test_the_returned_event_tops_my_activity_with_the_comment_escaped(planted):
    at = open_as("pages/my_activity.py", planted.officer["user_id"])
    assert user_text(QUICK, one_line=True) in [b.proto.label for b in at.get("link_button")], "the quick link"
    (returned,) = [w.value for w in at.warning if "Returned by" in w.value]
    assert returned.count(user_text(LINE, one_line=True)) == 2, "the supervisor's name and the comment"
    assert user_text("# Planted heading") in returned
    assert "[Click me](https://evil.example)" not in returned


def test_a_shared_link_naming_an_area_is_quoted_as_text(planted):
    """A dashboard link's `?area=` is the sender's text: the warning leaving it out quotes it, inert."""
    at = open_app(planted.supervisor["user_id"])
    at.query_params["area"] = SHORT
    at.switch_page("pages/events_completed.py").run()
    (warning,) = [w.value for w in at.warning if "Left out of this view" in w.value]
    assert user_text(SHORT, one_line=True) in warning
    assert_inert(at, "a shared link")


DRILLED = ("pages/events_completed.py", "pages/event_outcomes.py", "pages/engagement_activity.py",
           "pages/ccr_outcomes.py", "pages/ccr_activity.py", "pages/patrols_abstractions.py")


@pytest.mark.parametrize("page", DRILLED)
def test_a_dashboard_drilled_to_the_area_names_it_as_text(planted, page):
    """The breadcrumb (and its buttons) name the area and the force as typed by an admin."""
    at = open_as(page, planted.supervisor["user_id"], area=planted.area_code, period="this_year")
    markdown = assert_inert(at, page)
    assert f"**{user_text(LINE, one_line=True)}**" in markdown, "the breadcrumb ends at the planted area"
