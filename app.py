"""Beatbook: routing only. Page config, the store, who the user is, and the pages they may see (`PAGES`)."""

import os

import streamlit as st

from data.access import role_of
from forms.ui.bench_reference import record_run_times, render_reference_page
from forms.ui.connection import render_connection_banner
from forms.ui.identity import DEMO, current_mode, current_user, demo_stand_in, render_identity
from forms.ui.navigation import PAGES, SECTIONS, home_page, route_through_app
from forms.ui.runtime import (
    freeze_heap,
    get_environment,
    get_force_name,
    get_store,
    no_grid_export,
    render_demo_setup,
    render_page_style,
)
from forms.ui.widgets import user_text

route_through_app()
if os.environ.get("BEATBOOK_BENCH_RUN_TIMES"):  # the browser bench reads each run's server time from this file
    record_run_times(os.environ["BEATBOOK_BENCH_RUN_TIMES"])
no_grid_export()
st.set_page_config(page_title="Beatbook", page_icon="🛡️", layout="wide")  # an emoji icon needs no download
render_connection_banner()  # a connection lost on the way says so, and that what was typed is kept
render_page_style()  # the one style sheet: focus ring, target sizes, no Tab stops in a folded sidebar, wrapping labels

environment = get_environment()
store = get_store(environment)
if current_mode() == DEMO:  # a store behind sign-in is never filled with a demo force
    render_demo_setup(store, seed=environment.demo_seed)
user = current_user(store)
render_identity(store, user)

mine = [entry for entry in PAGES if role_of(user) in entry.roles]  # each page checks its capability itself too
navigation = {
    section: [st.Page(entry.script, title=entry.title, icon=entry.icon,
                      visibility="hidden" if entry.hidden else "visible")
              for entry in mine if entry.section == section]
    for section in SECTIONS
}
st.sidebar.caption(user_text(get_force_name(store, environment), one_line=True))
if not any(navigation.values()):
    st.error("Your role has no pages in Beatbook. Ask an admin to check your account.", icon=":material/block:")
    st.stop()
shown = next(pages for pages in navigation.values() if pages)
first = next(page for page in shown if page.visibility == "visible")
shown.insert(0, home_page(first))  # "/" opens the first page at its own address: a link to it by its name works
if current_mode() == DEMO:  # a link to a page of another role offers to act as someone who can see it
    shown += [st.Page(demo_stand_in(store, user, title=entry.title, roles=entry.roles), title=entry.title,
                      icon=entry.icon, url_path=entry.url_path, visibility="hidden")
              for entry in PAGES if entry not in mine]
if os.environ.get("BEATBOOK_BENCH_REFERENCE"):  # the browser bench's floor: a page with a tiny query
    shown.append(st.Page(render_reference_page, title="Reference", url_path="bench_reference", visibility="hidden"))
# Every page of the role is listed: a supervisor's or commander's dashboards folded under "View more" went unseen.
st.navigation({section: pages for section, pages in navigation.items() if pages}, expanded=True).run()
freeze_heap()  # the first run's imports are done: keep them out of every later garbage collection
