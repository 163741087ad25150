"""A banner while the browser has lost its connection to the app server (a phone going through a dead spot).

While disconnected, Streamlit greys out and disables every input but keeps what was typed in the page, and
sends nothing until it has reconnected (to the same session, whose values are kept). It marks its connection
state on the app's root element (`data-test-connection-state`: CONNECTED, or PINGING_SERVER and CONNECTING
while it tries again, DISCONNECTED_FOREVER once it gives up). A page-wide style shows a banner at the foot
of the screen, by the thumb, in each state but CONNECTED: no script, nothing from the server needed while
the connection is down.
"""

from __future__ import annotations

import streamlit as st

MESSAGE = ("Connection lost. What you typed is kept on this screen. Beatbook reconnects by itself: save once the "
           "form is active again.")
_STATES = ("PINGING_SERVER", "CONNECTING", "DISCONNECTED_FOREVER")

_STYLE = """<style>
.stApp:is({selectors})::after {{
  content: "{message}";
  position: fixed; left: 0; right: 0; bottom: 0; z-index: 1000200;
  padding: 0.9rem 1rem calc(0.9rem + env(safe-area-inset-bottom)); text-align: center;
  background: #8a1c00; color: #ffffff; font-weight: 600; font-size: 1rem; line-height: 1.4;
  box-shadow: 0 -2px 8px rgba(0, 0, 0, 0.35);
}}
</style>"""


def render_connection_banner() -> None:
    """The style that shows `MESSAGE` whenever the connection is down; call once per run (app.py)."""
    selectors = ", ".join(f'[data-test-connection-state="{state}"]' for state in _STATES)
    st.html(_STYLE.format(selectors=selectors, message=MESSAGE))
