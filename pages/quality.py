"""Quality: how much of each team's work was dip checked, how it fared, and the faults found most."""

import datetime as dt

import streamlit as st

from analytics.quality import SHEETS, build_faults_chart, count_faults, dip_check_shares, quality_by_area_month
from data import access, reference
from data.access import NotAllowed
from forms.ui.runtime import open_page
from forms.ui.widgets import label_of

COLUMNS = {
    "area": st.column_config.TextColumn("Team (area)", pinned=True),
    "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
    "submissions": st.column_config.NumberColumn("Submissions", format="%d"),
    "checked": st.column_config.NumberColumn("Checked", format="%d"),
    "checked_share": st.column_config.NumberColumn("Checked share", format="percent",
                                                   help="Checked records / submissions"),
    "passed": st.column_config.NumberColumn("Passed", format="%d", help="First check: pass"),
    "advised": st.column_config.NumberColumn("Advice", format="%d", help="First check: pass with advice"),
    "returned": st.column_config.NumberColumn("Returned", format="%d", help="First check: returned"),
    "pass_rate": st.column_config.NumberColumn("Pass rate", format="percent",
                                               help="Records passed at their first check / records checked"),
    "common_faults": st.column_config.TextColumn("Common faults", help="Records with each fault"),
}

_, store, user = open_page("read_quality")

st.title("Quality")
st.caption("Dip checks by the month of each record's own date. Sampled: "
           + ", ".join(f"{SHEETS[t]} {s:.0%}" for t, s in dip_check_shares(store).items()) + ".")
today = dt.date.today()
first_month = (today.replace(day=1) - dt.timedelta(days=150)).replace(day=1)
with st.container(horizontal=True):
    start = st.date_input("From", value=first_month, key="quality.start", format="DD/MM/YYYY")
    end = st.date_input("To", value=today, key="quality.end", format="DD/MM/YYYY")
areas: list[str] = []
if access.scope(user) is None:
    names = reference.area_names(store)
    areas = st.multiselect("Teams (areas)", list(names), key="quality.areas", placeholder="Every area",
                           format_func=lambda c: label_of(c, names))

try:
    figures = quality_by_area_month(store, user=user, start=start, end=end, areas=areas)
    faults = count_faults(store, user=user, start=start, end=end, areas=areas)
except NotAllowed as exc:
    st.warning(exc.errors["record"], icon=":material/block:")
    st.stop()

if figures.empty:
    st.info("No submissions in this period.", icon=":material/info:")
    st.stop()

totals = figures[["submissions", "checked", "passed"]].sum()
with st.container(horizontal=True):
    st.metric("Submissions", f"{totals['submissions']:,}", border=True)
    st.metric("Checked", f"{totals['checked']:,}", border=True)
    st.metric("Checked share", f"{totals['checked'] / totals['submissions']:.0%}", border=True)
    st.metric("Pass rate", f"{totals['passed'] / totals['checked']:.0%}" if totals["checked"] else "–", border=True)

st.header("By team and month")
st.dataframe(figures, column_config=COLUMNS, column_order=list(COLUMNS), hide_index=True, key="quality.table")

st.header("Common faults")
if faults.empty:
    st.caption("No faults recorded in this period.")
else:
    st.altair_chart(build_faults_chart(faults), width="stretch", alt="Common faults")
