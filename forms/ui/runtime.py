"""What every page shares from the running app: its environment, its one store, and `open_page`.

The store is opened once per process (`st.cache_resource`) and shared by all
sessions; it is thread-safe and hands each read its own DuckDB cursor. The
first run in a process fills an empty store with the demo force, showing its
progress, so `streamlit run app.py` opens on a populated app.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Mapping
from typing import Any, NamedTuple

import streamlit as st

from data import access, demo, maintenance, reference
from data.environment import Environment, load_environment
from data.store import Store
from forms.ui.identity import current_user
from forms.ui.navigation import route_through_app


def no_grid_export() -> None:
    """Turn off the data grids' own "Download as CSV" and copying (`client.disableDataExport`).

    A grid's toolbar download would write cells that could run as formulas (`=HYPERLINK(...)`) and leave no
    `export` entry in the audit log; every download goes through the app's own buttons instead
    (`forms.ui.export`: neutralised and audited). `.streamlit/config.toml` sets the option; a server started
    without that file (from another folder) gets it here, before any grid is drawn: the option reaches the
    browser at the start of a run, so this run starts again.
    """
    if not st.get_option("client.disableDataExport"):
        st.set_option("client.disableDataExport", True)
        st.rerun()


PAGE_STYLE = """<style>
/* A visible focus ring, 2 px, on whatever has the keyboard's focus (WCAG 2.4.7, 2.4.13). */
.stApp :focus-visible {{ outline: 2px solid {ring} !important; outline-offset: 2px !important; }}
/* Each part of a date or time field (day, month, year, hour, minute) is a target of 24 px at least (WCAG 2.5.8). */
.stApp [role="spinbutton"] {{ display: inline-block; min-width: 24px; min-height: 24px; line-height: 24px;
  text-align: center; }}
/* No "link to heading" anchor beside every heading: pages are shared by their address, and each anchor is one
   more Tab press on the way to a form's fields. */
[data-testid="stHeaderActionElements"] a[href^="#"] {{ display: none; }}
/* A folded sidebar (a phone's, or one folded by hand) takes no Tab presses: its links are off the screen. */
[data-testid="stSidebar"][data-collapsed="true"] {{ visibility: hidden; transition: visibility 0s 0.3s; }}
/* A metric's label wraps instead of being cut off ("Median days to feed..."). */
[data-testid="stMetricLabel"] .stMarkdownEllipsis, [data-testid="stMetricLabel"] .stMarkdownEllipsis p {{
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere; }}
</style>"""
"""The app's one style sheet (`render_page_style`); colours come from the theme in .streamlit/config.toml."""


_FROZEN = threading.Event()


def freeze_heap() -> None:
    """After the process's first run, move everything alive (the modules and tables its imports built) out of the
    garbage collector's sight (`gc.freeze`), so each later collection scans only what runs create. Once only."""
    if not _FROZEN.is_set():
        _FROZEN.set()
        gc.collect()
        gc.freeze()


def render_page_style() -> None:
    """The app's own CSS: the focus ring, touch-size date and time parts, no heading anchors, no Tab stops in a
    folded sidebar, wrapping metric labels. Call once per run (app.py), before the page."""
    st.html(PAGE_STYLE.format(ring=st.get_option("theme.primaryColor") or "#1d4f91"))


class Page(NamedTuple):
    """What a page works with: `environment, store, user = open_page(...)`."""

    environment: Environment
    store: Store
    user: dict[str, Any]


def open_page(*capabilities: str) -> Page:
    """Start a page: route this run through app.py, then the environment, the store and the user, who must have
    one of `capabilities` (else the page stops with a message naming the first). Call first in every page."""
    route_through_app()
    no_grid_export()
    environment = get_environment()
    store = get_store(environment)
    user = current_user(store)
    require_page(user, *capabilities)
    return Page(environment, store, user)


def require_page(user: Mapping[str, Any] | None, capability: str, *or_capabilities: str) -> None:
    """Stop this page, with a clear message, unless the user has `capability` (or one of `or_capabilities`).

    Navigation lists each role only its pages, but a page script can still be
    reached directly, so every page checks again (and so does every function it calls).
    """
    if any(access.can(user, c) for c in (capability, *or_capabilities)):
        return
    role = access.role_of(user)
    who = f"your role ({role})" if role else "you (not an active user)"
    st.error(f"This page is not available to {who}: it needs permission to "
             f"{access.describe(capability)}. Choose another page from the menu.", icon=":material/block:")
    st.stop()


def get_environment() -> Environment:
    """The environment from BEATBOOK_* environment variables, then `[beatbook]` in secrets.toml."""
    return load_environment(_secrets())


def get_store(environment: Environment | None = None) -> Store:
    """The process's store for the configured location."""
    environment = environment or get_environment()
    options = json.dumps(environment.storage_options, sort_keys=True) if environment.storage_options else None
    return _open_store(environment.store, options, environment.maintenance_seconds)


def get_force_name(store: Store, environment: Environment) -> str:
    """The force's name: the `force_name` row of the settings table, else the environment's."""
    return reference.get_setting(store, "force_name", environment.force_name) or environment.force_name


@st.cache_resource(show_spinner=False)
def _open_store(root: str, storage_options: str | None, maintenance_seconds: float) -> Store:
    """The store, opened once per process, with its background maintenance worker (`data.maintenance`)."""
    store = Store(root, storage_options=json.loads(storage_options) if storage_options else None)
    store.create()
    maintenance.start(store, maintenance_seconds)
    return store


@st.cache_resource(show_spinner=False)
def _demo_guard(root: str) -> dict:
    """Per store and process: whether the demo check ran, and a lock so only one session runs it."""
    return {"lock": threading.Lock(), "done": False}


def render_demo_setup(store: Store, *, seed: int) -> None:
    """On a process's first run, fill an empty store with the demo force, with a progress bar."""
    guard = _demo_guard(store.root)
    if guard["done"]:
        return
    with guard["lock"]:
        if guard["done"]:
            return
        slot = st.empty()
        with slot.container():
            bar = st.progress(0.0, text="Checking the store…")

            def report(fraction: float, text: str | None = None, *_: object) -> None:
                bar.progress(min(max(float(fraction), 0.0), 1.0), text=text or "Setting up the demo force…")

            created = demo.ensure_demo(store, seed=seed, progress=report)
        slot.empty()
        guard["done"] = True
    if created:
        st.toast("Demo force ready: areas, wards, officers and their recent activity.", icon=":material/check_circle:")


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml: environment variables and defaults only
        return {}
