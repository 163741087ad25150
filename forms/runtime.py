"""What every page shares from the running app: its settings and its one store.

The store is opened once per process (`st.cache_resource`) and shared by all
sessions; it is thread-safe and hands each read its own DuckDB cursor. The
first run in a process fills an empty store with the demo force, showing its
progress, so `streamlit run app.py` opens on a populated app.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

import streamlit as st

from data import access, demo, maintenance
from data.settings import Settings, load_settings
from data.store import Store


def route_through_app() -> None:
    """Make sure this run goes through app.py's routing; call first in app.py and in every page.

    With a `pages/` folder beside app.py, Streamlit starts each process in its
    older multipage mode, which runs a page script on its own (no page config,
    no identity, no navigation) until app.py has called `st.navigation` once.
    A deep link opened first (e.g. /events_overview) would stay in that mode, so
    such a run switches it off and starts again through app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def require_page(user: Mapping[str, Any] | None, capability: str) -> None:
    """Stop this page, with a clear message, unless the user has `capability`; call right after getting the user.

    Navigation lists each role only its pages, but a page script can still be
    reached directly, so every page checks again (and so does every function it calls).
    """
    if access.can(user, capability):
        return
    role = access.role_of(user)
    who = f"your role ({role})" if role else "you (not an active user)"
    st.error(f"This page is not available to {who}: it needs permission to "
             f"{access.describe(capability)}. Choose another page from the menu.", icon=":material/block:")
    st.stop()


def get_settings() -> Settings:
    """Settings from BEATBOOK_* environment variables, then `[beatbook]` in secrets.toml."""
    return load_settings(_secrets())


def get_store(settings: Settings | None = None) -> Store:
    """The process's store for the configured location."""
    settings = settings or get_settings()
    options = json.dumps(settings.storage_options, sort_keys=True) if settings.storage_options else None
    return _open_store(settings.store, options, settings.maintenance_seconds)


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
