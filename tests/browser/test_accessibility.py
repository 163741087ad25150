"""In a real browser: axe-core finds no critical or serious WCAG 2.x A/AA violation on any page, for any role.

One server over a private copy of the demo store. Each role gets one browser tab: it picks the role's demo
user in the sidebar's "Acting as" list, then opens every page its navigation lists from the sidebar (so the
session, and so the role, carries over), waits for the page to settle (no run in progress, charts drawn)
and runs axe-core (pinned in .ci/node/package.json) with the WCAG 2.0, 2.1 and 2.2 A and AA rules.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from playwright import sync_api

from data import reference
from data.picklists import ROLES
from data.store import Store
from forms.identity import demo_label
from forms.ui.navigation import PAGES
from tests.browser.conftest import OUTPUT, ROOT
from tests.browser.ui import act_as, settle, wait_for_app
from tests.data.test_access import DEMO_USER, PAGES_OF

TIMEOUT_MS = 60_000
AXE = ROOT / ".ci/node/node_modules/axe-core/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING = ("critical", "serious")
ALSO_FAILING = ("heading-order",)  # moderate, and not a WCAG rule in axe, but a skipped level confuses a screen reader

# Rules that fail only on Streamlit's own markup, which the app cannot change: rule id -> why, the upstream issue,
# and what it hid on the last full run (nodes over all pages and roles). Nothing else is ever left out.
# Streamlit's sidebar navigation (st.navigation with sections) draws <ul> > <div> > <header> + <li>: each section's
# <div> sits directly in the list, and its <li> items are not directly in a list. No issue names this markup
# upstream yet; the nearest open one is https://github.com/streamlit/streamlit/issues/8399 (area:accessibility).
EXCLUDED: dict[str, str] = {
    "list": "st.navigation's sections in the sidebar's list (one node a page: 107 over the 107 page visits)",
    "listitem": "st.navigation's page links in the sidebar's list (one a link shown: 2,388 over the 107 page visits)",
}


TITLES = {entry.script: entry.title for entry in PAGES}
"""Page script -> the title the sidebar gives it."""
HIDDEN = {entry.script for entry in PAGES if entry.hidden}
"""The page scripts kept out of the menu, opened by their address instead."""


def _axe_path() -> Path:
    if not AXE.exists():
        reason = f"{AXE} is missing (npm ci --prefix .ci/node)"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return AXE


def open_from_sidebar(page, title: str) -> None:
    """Open the page called `title` from the sidebar's navigation, unfolding a long list first."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
    for _ in range(3):  # a click while the app redraws the sidebar can be lost: look again
        wait_for_app(page)
        more = page.get_by_test_id("stSidebarNavViewButton")
        if not link.count() and more.count() and "more" in more.inner_text().lower():
            try:
                more.click(timeout=10_000)
                link.wait_for(timeout=10_000)
            except sync_api.TimeoutError:
                continue
        break
    link.click()
    settle(page)


def run_axe(page) -> list[dict]:
    """axe-core's violations of the WCAG A/AA rules on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(_axe_path()))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                                                    rules: {'heading-order': {enabled: true}}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                          summary: (n.failureSummary || '').slice(0, 400)}))}));
        }""", TAGS)


def describe(found: dict[str, list[dict]]) -> str:
    """The violations found, page by page, for a failure message."""
    by_rule: dict[str, list] = {}
    for where, violations in found.items():
        for v in violations:
            by_rule.setdefault(f"{v['impact']} {v['id']}", []).append((where, len(v["nodes"])))
    lines = [f"{rule}: {sum(n for _, n in seen)} nodes on {len(seen)} pages" for rule, seen in sorted(by_rule.items())]
    for where, violations in found.items():
        for v in violations:
            lines.append(f"{where}: {v['impact']} {v['id']} x{len(v['nodes'])}: {v['help']} ({v['helpUrl']})")
            lines += [f"    {n['target']}\n      {n['html']}\n      {n['summary']}" for n in v["nodes"][:3]]
    return "\n".join(lines)


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_or_critical_violations_on_any_page(module_server, module_store_root, desktop, role):
    url, store, page = module_server, Store(module_store_root), desktop
    axe = _axe_path()
    users = reference.list_users(store).set_index("user_id")
    label = demo_label({"user_id": DEMO_USER[role], **users.loc[DEMO_USER[role]].to_dict()})
    pages = sorted(PAGES_OF[role], key=list(TITLES).index)
    found: dict[str, list[dict]] = {}
    excluded: Counter[str] = Counter()
    page.goto(url)
    settle(page)
    page.add_script_tag(path=str(axe))
    if role != "officer":
        act_as(page, label)
    for script in pages:
        if script in HIDDEN:  # in no menu: open its address, then act as the role again
            page.goto(f"{url}/{Path(script).stem}")
            wait_for_app(page)
            if role != "officer":
                act_as(page, label)
            settle(page)
        else:
            open_from_sidebar(page, TITLES[script])
        failing = [v for v in run_axe(page) if v["impact"] in FAILING or v["id"] in ALSO_FAILING]
        excluded.update({v["id"]: len(v["nodes"]) for v in failing if v["id"] in EXCLUDED})
        failing = [v for v in failing if v["id"] not in EXCLUDED]
        if failing:
            found[f"{role} {script}"] = failing
            page.screenshot(path=OUTPUT / f"a11y-{role}-{Path(script).stem}.png", full_page=True)
    counts = Counter(v["impact"] for violations in found.values() for v in violations for _ in v["nodes"])
    print(f"\n{role}: {len(pages)} pages; failing nodes {dict(counts)}; excluded rules hid {dict(excluded)}")
    assert not found, f"axe-core found {dict(counts)} on {len(found)} of {len(pages)} pages:\n{describe(found)}"
