"""Beatbook: routing only. Page config, the store, who the user is, and the pages they may see."""

import os
from pathlib import Path

import streamlit as st

from data.access import role_of, roles_with
from forms.bench_reference import render_reference_page
from forms.connection import render_connection_banner
from forms.identity import DEMO, current_mode, current_user, demo_stand_in, render_identity
from forms.runtime import get_settings, get_store, render_demo_setup, render_page_style, route_through_app
from forms.widgets import user_text

route_through_app()
st.set_page_config(page_title="Beatbook", page_icon="🛡️", layout="wide")  # an emoji icon needs no download
render_connection_banner()  # a connection lost on the way says so, and that what was typed is kept
render_page_style()  # the one style sheet: focus ring, target sizes, no Tab stops in a folded sidebar, wrapping labels

settings = get_settings()
store = get_store(settings)
if current_mode() == DEMO:  # a store behind sign-in is never filled with a demo force
    render_demo_setup(store, seed=settings.demo_seed)
user = current_user(store)
render_identity(store, user)

RECORD = roles_with("log_activity")
OWN = roles_with("read_own_records")
TEAM = roles_with("read_team_records")
SHARE = roles_with("share")
EXPLORE = roles_with("read_aggregates")
PUBLISH = tuple(r for r in SHARE if r in {*roles_with("ysywd_publish"), *roles_with("import")})  # or load priorities

# section -> (script, title, icon, roles that see it; None = everyone). Each page checks its capability itself too.
PAGES = {
    "Record": [
        ("pages/book_event.py", "Book an event", ":material/event_available:", RECORD),
        ("pages/update_event.py", "Update an event", ":material/event_note:", RECORD),
        ("pages/record_contact.py", "Record a contact", ":material/record_voice_over:", RECORD),
        ("pages/log_patrol.py", "Log a patrol", ":material/directions_walk:", RECORD),
        ("pages/log_abstraction.py", "Log an abstraction", ":material/schedule:", RECORD),
        ("pages/log_query.py", "Community queries", ":material/contact_mail:", RECORD),
    ],
    "Me": [
        ("pages/my_activity.py", "My activity", ":material/person:", OWN),
        ("pages/search.py", "Search", ":material/search:", TEAM),
        ("pages/news.py", "News", ":material/newspaper:", SHARE),
    ],
    "Share": [
        ("pages/what_works_well.py", "What works well", ":material/thumb_up:", SHARE),
        ("pages/useful_info.py", "Useful information", ":material/folder_shared:", SHARE),
        ("pages/feedback.py", "Feedback", ":material/feedback:", SHARE),
    ],
    "You said, we did": [
        ("pages/ysywd_board.py", "Issues board", ":material/view_kanban:", roles_with("ysywd_read")),
        ("pages/ysywd_raise.py", "Raise an item", ":material/add_comment:", roles_with("ysywd_edit")),
        ("pages/ysywd_item.py", "Item", ":material/assignment:", roles_with("ysywd_read")),
        ("pages/ysywd_commander.py", "Commander view", ":material/monitoring:", EXPLORE),
        ("pages/guarantee.py", "Policing Guarantee", ":material/verified_user:", EXPLORE),
        ("pages/ysywd_publish.py", "Publish", ":material/campaign:", PUBLISH),
    ],
    "Explore": [
        ("pages/events_overview.py", "Events overview", ":material/insights:", EXPLORE),
        ("pages/events_completed.py", "Events completed", ":material/event_available:", EXPLORE),
        ("pages/event_outcomes.py", "Event outcomes", ":material/lightbulb:", EXPLORE),
        ("pages/engagement_activity.py", "Engagement activity", ":material/groups:", EXPLORE),
        ("pages/ccr_outcomes.py", "CCR outcomes", ":material/forum:", EXPLORE),
        ("pages/ccr_activity.py", "CCR activity", ":material/contacts:", EXPLORE),
        ("pages/patrols_abstractions.py", "Patrols and abstractions", ":material/directions_walk:", EXPLORE),
        ("pages/change_over_time.py", "Change over time", ":material/trending_up:", EXPLORE),
        ("pages/engagement_vs_demand.py", "Engagement vs demand", ":material/balance:", EXPLORE),
        ("pages/representativeness.py", "Representativeness", ":material/diversity_3:", EXPLORE),
    ],
    "Data": [
        ("pages/import_data.py", "Import data", ":material/upload_file:", roles_with("import")),
    ],
    "Supervise": [
        ("pages/dip_checks.py", "Dip checks", ":material/fact_check:", roles_with("dip_check")),
        ("pages/quality.py", "Quality", ":material/verified:", roles_with("read_quality")),
    ],
    "Admin": [
        ("pages/admin_users.py", "Users and roles", ":material/manage_accounts:", roles_with("administer")),
        ("pages/admin_places.py", "Areas and wards", ":material/map:", roles_with("administer")),
        ("pages/admin_ward_officers.py", "Named ward officers", ":material/badge:", roles_with("administer")),
        ("pages/admin_lists.py", "Lists, links, news and settings", ":material/tune:", roles_with("administer")),
        ("pages/audit_log.py", "Audit log", ":material/policy:", roles_with("read_audit")),
    ],
}

HIDDEN = {"pages/ysywd_item.py"}  # opened from the board (or a link), never from the menu

navigation = {
    section: [
        st.Page(script, title=title, icon=icon, visibility="hidden" if script in HIDDEN else "visible")
        for script, title, icon, roles in entries
        if roles is None or role_of(user) in roles
    ]
    for section, entries in PAGES.items()
}
st.sidebar.caption(user_text(settings.force_name, one_line=True))
if not any(navigation.values()):
    st.error("Your role has no pages in Beatbook. Ask an admin to check your account.", icon=":material/block:")
    st.stop()
if current_mode() == DEMO:  # a link to a page of another role offers to act as someone who can see it
    shown = next(pages for pages in navigation.values() if pages)
    shown += [st.Page(demo_stand_in(store, user, title=title, roles=roles), title=title, icon=icon,
                      url_path=Path(script).stem, visibility="hidden")
              for entries in PAGES.values() for script, title, icon, roles in entries
              if roles is not None and role_of(user) not in roles]
if os.environ.get("BEATBOOK_BENCH_REFERENCE"):  # the browser bench's floor: a page with a tiny query
    shown = next(pages for pages in navigation.values() if pages)
    shown.append(st.Page(render_reference_page, title="Reference", url_path="bench_reference", visibility="hidden"))
# Every page of the role is listed: a supervisor's or commander's dashboards folded under "View more" went unseen.
st.navigation({section: pages for section, pages in navigation.items() if pages}, expanded=True).run()
