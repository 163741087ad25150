"""The browser bench's reference page: a title, three metrics and one small chart from a tiny query.

It goes through the same routing, identity and style as every page, so its time to settle is the
framework's own floor on this machine; the bench gives every dashboard's time as a ratio to it.
Served only when BEATBOOK_BENCH_REFERENCE is set.
"""

from __future__ import annotations

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
