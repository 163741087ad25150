"""The app's pages: each script's title, icon, menu section and the capabilities that open it; and the routing.

`PAGES` is read by app.py (the menu), by the tests, and by `route_through_app`. The menu shows each role only the
pages it has a capability for; each page checks again when it opens (`forms.ui.runtime.open_page`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from data.access import roles_with
from data.picklists import ROLES


@dataclass(frozen=True)
class PageEntry:
    """One page of the menu; `capabilities` opens it (any one of them), `hidden` pages are reached by a link."""

    script: str
    title: str
    icon: str
    section: str
    capabilities: tuple[str, ...]
    hidden: bool = False

    @property
    def url_path(self) -> str:
        return Path(self.script).stem

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles that see this page in the menu, in the order of `ROLES`."""
        having = {role for capability in self.capabilities for role in roles_with(capability)}
        return tuple(role for role in ROLES if role in having)


def _section(section: str, *entries: tuple) -> list[PageEntry]:
    return [PageEntry(script, title, icon, section, caps if isinstance(caps, tuple) else (caps,), *rest)
            for script, title, icon, caps, *rest in entries]


PAGES: tuple[PageEntry, ...] = (
    *_section("Record",
              ("pages/book_event.py", "Book an event", ":material/event_available:", "log_activity"),
              ("pages/update_event.py", "Update an event", ":material/event_note:", "log_activity"),
              ("pages/record_contact.py", "Record a contact", ":material/record_voice_over:", "log_activity"),
              ("pages/log_patrol.py", "Log a patrol", ":material/directions_walk:", "log_activity"),
              ("pages/log_abstraction.py", "Log an abstraction", ":material/schedule:", "log_activity"),
              ("pages/log_query.py", "Community queries", ":material/contact_mail:", "log_activity")),
    *_section("Me",
              ("pages/my_activity.py", "My activity", ":material/person:", "read_own_records"),
              ("pages/search.py", "Search", ":material/search:", "read_team_records"),
              ("pages/news.py", "News", ":material/newspaper:", "share")),
    *_section("Share",
              ("pages/what_works_well.py", "What works well", ":material/thumb_up:", "share"),
              ("pages/useful_info.py", "Useful information", ":material/folder_shared:", "share"),
              ("pages/feedback.py", "Feedback", ":material/feedback:", "share")),
    *_section("You said, we did",
              ("pages/ysywd_board.py", "Issues board", ":material/view_kanban:", "ysywd_read"),
              ("pages/ysywd_raise.py", "Raise an item", ":material/add_comment:", "ysywd_edit"),
              # opened from the board (or a link), never from the menu
              ("pages/ysywd_item.py", "Item", ":material/assignment:", "ysywd_read", True),
              ("pages/ysywd_commander.py", "Commander view", ":material/monitoring:", "read_aggregates"),
              ("pages/guarantee.py", "Policing Guarantee", ":material/verified_user:", "read_aggregates"),
              ("pages/problems.py", "Problem solving", ":material/psychology:", "problem_read"),
              ("pages/problems_by_stage.py", "Problems by stage", ":material/stacked_bar_chart:", "problem_read"),
              # publish the summary, or load published priorities
              ("pages/ysywd_publish.py", "Publish", ":material/campaign:", ("ysywd_publish", "import"))),
    *_section("Explore",
              ("pages/events_overview.py", "Events overview", ":material/insights:", "read_aggregates"),
              ("pages/events_completed.py", "Events completed", ":material/event_available:", "read_aggregates"),
              ("pages/event_outcomes.py", "Event outcomes", ":material/lightbulb:", "read_aggregates"),
              ("pages/engagement_activity.py", "Engagement activity", ":material/groups:", "read_aggregates"),
              ("pages/ccr_outcomes.py", "CCR outcomes", ":material/forum:", "read_aggregates"),
              ("pages/ccr_activity.py", "CCR activity", ":material/contacts:", "read_aggregates"),
              ("pages/patrols_abstractions.py", "Patrols and abstractions", ":material/directions_walk:",
               "read_aggregates"),
              ("pages/change_over_time.py", "Change over time", ":material/trending_up:", "read_aggregates"),
              ("pages/engagement_vs_demand.py", "Engagement vs demand", ":material/balance:", "read_aggregates"),
              ("pages/representativeness.py", "Representativeness", ":material/diversity_3:", "read_aggregates")),
    *_section("Data",
              ("pages/import_data.py", "Import data", ":material/upload_file:", "import")),
    *_section("Supervise",
              ("pages/dip_checks.py", "Dip checks", ":material/fact_check:", "dip_check"),
              ("pages/quality.py", "Quality", ":material/verified:", "read_quality")),
    *_section("Admin",
              ("pages/admin_users.py", "Users and roles", ":material/manage_accounts:", "administer"),
              ("pages/admin_places.py", "Areas and wards", ":material/map:", "administer"),
              ("pages/admin_ward_officers.py", "Named ward officers", ":material/badge:", "administer"),
              ("pages/admin_lists.py", "Lists, links, news and settings", ":material/tune:", "administer"),
              ("pages/audit_log.py", "Audit log", ":material/policy:", "read_audit")),
)
"""Every page, in menu order."""

SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(entry.section for entry in PAGES))
HOME_PATH = "home"
"""The hidden page at the app's root address ("/"); every page of the menu keeps its own address."""


def home_page(first: st.Page) -> st.Page:
    """The app's root address: a hidden page that opens `first` (the role's first page) at its own address.

    Streamlit serves its default page at "/" only, so a link to the default page by its name ("/book_event")
    would be "Page not found". With this page as the default, every page of the menu, the role's first one
    included, is opened by its name; "/" goes on to the first page, keeping the link's query parameters.
    """
    def open_first() -> None:
        st.switch_page(first, query_params={name: st.query_params.get_all(name) for name in st.query_params})

    return st.Page(open_first, title="Beatbook", url_path=HOME_PATH, default=True, visibility="hidden")


def route_through_app() -> None:
    """Make sure this run goes through app.py's routing; call first in app.py and in every page.

    With a `pages/` folder beside app.py, Streamlit starts each process (and AppTest each run) in its older
    multipage mode, which runs a page script on its own (no page config, no identity, no menu) until some
    session calls `st.navigation`; from then on it ignores `pages/` (Streamlit's documented behaviour). A
    deep link opened first (e.g. /events_overview) would run its page alone, so a run in that mode declares
    the app's pages with `st.navigation` and starts again: the same address then runs through app.py.

    Streamlit has no public way to tell that mode apart, so this reads its flag (and only reads it); the
    pages declared here are never run.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if not PagesManager.uses_pages_directory:
        return
    st.navigation([st.Page(_not_run, title="Beatbook", url_path="", default=True),
                   *(st.Page(_not_run, title=entry.title, url_path=entry.url_path) for entry in PAGES)],
                  position="hidden")
    st.rerun()


def _not_run() -> None:
    """A stand-in for a page in `route_through_app`'s declaration, which starts the run again before any page."""
