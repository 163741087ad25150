"""The quick links, drawn as link buttons."""

from __future__ import annotations

import streamlit as st

from data.store import Store
from forms.links import list_quick_links
from forms.ui.widgets import user_text


def render_quick_links(store: Store) -> None:
    """The quick links as link buttons in a row that wraps on a phone."""
    with st.container(horizontal=True):
        for label, url in list_quick_links(store).items():
            st.link_button(user_text(label, one_line=True), url, icon=":material/open_in_new:")
