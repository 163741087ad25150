"""The browser bench's reference page, and its record of each script run's server time.

The reference page is a title, three metrics and one small chart from a tiny query. It goes through
the same routing, identity and style as every page, so its time to settle is the framework's own
floor on this machine; the bench gives every dashboard's time as a ratio to it. Served only when
BEATBOOK_BENCH_REFERENCE is set. With BEATBOOK_BENCH_RUN_TIMES naming a file, each script run's
server time (a whole page's, or a fragment's) is appended to it as a line of JSON.
"""

from __future__ import annotations

import json
import threading
import time

import altair as alt
import streamlit as st

from data import reference
from forms.ui.runtime import get_store


def render_reference_page() -> None:
    """Areas, wards and active users of the store, and wards per area as bars."""
    store = get_store()
    areas = reference.list_areas(store)
    wards = reference.list_wards(store)
    users = reference.list_users(store)
    st.title("Reference")
    left, middle, right = st.columns(3)
    left.metric("Areas", f"{len(areas):,}")
    middle.metric("Wards", f"{len(wards):,}")
    right.metric("Active users", f"{int(users['active'].sum()):,}")
    per_area = wards.groupby("area_code").size().rename("wards").reset_index()
    st.altair_chart(alt.Chart(per_area).mark_bar().encode(x=alt.X("area_code:N", title="Area"),
                                                         y=alt.Y("wards:Q", title="Wards")),
                    width="stretch", height=240)


_TIMED = threading.Lock()


def record_run_times(path: str) -> None:
    """Append each later script run's server time to `path`: {"fragment": bool, "seconds": float, "ended": epoch}.

    The time runs from the start of the run to the end of Streamlit's clean-up after it (including the garbage
    collection it may do), which is what holds up the session's next run. Idempotent within a process.
    """
    from streamlit.runtime.scriptrunner import script_runner

    with _TIMED:
        runner = script_runner.ScriptRunner
        if getattr(runner, "_beatbook_timed", False):
            return
        original = runner._run_script

        def timed(self, rerun_data):
            began = time.perf_counter()
            try:
                return original(self, rerun_data)
            finally:
                line = {"fragment": bool(rerun_data.fragment_id_queue), "seconds": time.perf_counter() - began,
                        "ended": time.time()}
                with open(path, "a", encoding="utf-8") as out:
                    out.write(json.dumps(line) + "\n")

        runner._run_script = timed
        runner._beatbook_timed = True
