"""Beatbook: routing only. Page config, the store, who the user is, and the pages they may see."""

import streamlit as st

from forms.identity import DEMO, current_mode, current_user, render_identity
from forms.runtime import get_settings, get_store, render_demo_setup, route_through_app

route_through_app()
st.set_page_config(page_title="Beatbook", page_icon="🛡️", layout="wide")  # an emoji icon needs no download

settings = get_settings()
store = get_store(settings)
if current_mode() == DEMO:  # a store behind sign-in is never filled with a demo force
    render_demo_setup(store, seed=settings.demo_seed)
user = current_user(store)
render_identity(store, user)

# section -> (script, title, icon, roles that see it; None = everyone)
PAGES = {
    "Record": [
        ("pages/book_event.py", "Book an event", ":material/event_available:", None),
        ("pages/update_event.py", "Update an event", ":material/event_note:", None),
        ("pages/record_contact.py", "Record a contact", ":material/record_voice_over:", None),
        ("pages/log_patrol.py", "Log a patrol", ":material/directions_walk:", None),
        ("pages/log_abstraction.py", "Log an abstraction", ":material/schedule:", None),
    ],
    "Me": [
        ("pages/my_activity.py", "My activity", ":material/person:", None),
        ("pages/search.py", "Search", ":material/search:", None),
        ("pages/news.py", "News", ":material/newspaper:", None),
    ],
    "Share": [
        ("pages/what_works_well.py", "What works well", ":material/thumb_up:", None),
        ("pages/useful_info.py", "Useful information", ":material/folder_shared:", None),
        ("pages/feedback.py", "Feedback", ":material/feedback:", None),
    ],
    "You said, we did": [
        ("pages/ysywd_board.py", "Issues board", ":material/view_kanban:", None),
        ("pages/ysywd_raise.py", "Raise an item", ":material/add_comment:", ("officer", "supervisor")),
        ("pages/ysywd_item.py", "Item", ":material/assignment:", None),
        ("pages/ysywd_commander.py", "Commander view", ":material/monitoring:",
         ("supervisor", "commander", "analyst", "admin")),
        ("pages/ysywd_publish.py", "Publish", ":material/campaign:", ("supervisor", "commander", "analyst", "admin")),
    ],
    "Explore": [
        ("pages/events_overview.py", "Events overview", ":material/insights:", None),
        ("pages/events_completed.py", "Events completed", ":material/event_available:", None),
        ("pages/event_outcomes.py", "Event outcomes", ":material/lightbulb:", None),
        ("pages/engagement_activity.py", "Engagement activity", ":material/groups:", None),
        ("pages/ccr_outcomes.py", "CCR outcomes", ":material/forum:", None),
        ("pages/ccr_activity.py", "CCR activity", ":material/contacts:", None),
        ("pages/patrols_abstractions.py", "Patrols and abstractions", ":material/directions_walk:", None),
        ("pages/change_over_time.py", "Change over time", ":material/trending_up:", None),
        ("pages/engagement_vs_demand.py", "Engagement vs demand", ":material/balance:",
         ("supervisor", "commander", "analyst", "admin")),
        ("pages/representativeness.py", "Representativeness", ":material/diversity_3:",
         ("supervisor", "commander", "analyst", "admin")),
    ],
    "Data": [
        ("pages/import_data.py", "Import data", ":material/upload_file:", ("analyst", "admin")),
    ],
    "Supervise": [
        ("pages/dip_checks.py", "Dip checks", ":material/fact_check:", ("supervisor",)),
        ("pages/quality.py", "Quality", ":material/verified:", ("supervisor", "commander", "analyst")),
    ],
    "Admin": [
        ("pages/admin_users.py", "Users and roles", ":material/manage_accounts:", ("admin",)),
        ("pages/admin_places.py", "Areas and wards", ":material/map:", ("admin",)),
        ("pages/admin_lists.py", "Lists, links, news and settings", ":material/tune:", ("admin",)),
        ("pages/audit_log.py", "Audit log", ":material/policy:", ("admin",)),
    ],
}

navigation = {
    section: [
        st.Page(script, title=title, icon=icon)
        for script, title, icon, roles in entries
        if roles is None or user["role"] in roles
    ]
    for section, entries in PAGES.items()
}
st.sidebar.caption(settings.force_name)
st.navigation({section: pages for section, pages in navigation.items() if pages}).run()
