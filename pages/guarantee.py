"""The Neighbourhood Policing Guarantee: named officers, current priorities, beat meetings, 72-hour answers,
abstraction and hotspot patrols, per ward and area for the 91 days to a chosen date."""

import datetime as dt

import streamlit as st

from analytics.guarantee import (
    CURRENT_DAYS,
    MIN_BEAT_MEETINGS,
    RESPONSE_HOURS,
    STALE_WARNING_DAYS,
    guarantee,
    list_late_queries,
    list_stale_soon,
)
from forms.ui.alerts import render_late_queries
from forms.ui.filter_bar import render_as_of_bar
from forms.ui.runtime import open_page

FLAGS = {"no_named_officer": "No named officer", "not_current": "Priorities not current",
         "stale_soon": f"Priorities stale within {STALE_WARNING_DAYS} days",
         "few_beat_meetings": "No beat meeting" if MIN_BEAT_MEETINGS == 1 else
         f"Fewer than {MIN_BEAT_MEETINGS} beat meetings", "late_queries":
         f"Open queries past {RESPONSE_HOURS} hours"}
WARD_COLUMNS = {
    "ward": st.column_config.TextColumn("Ward", pinned=True), "area_code": "Area",
    "named": "Named officers", "contacts": "Contact",
    "priorities_open": "Open priorities",
    "last_priority_update": st.column_config.DateColumn("Last priority update", format="DD/MM/YYYY"),
    "priorities_current": st.column_config.CheckboxColumn(
        "Current", help=f"At least one open priority, updated in the {CURRENT_DAYS} days to the end"),
    "priorities_stale_soon": "Going stale", "beat_meetings_91d": "Beat meetings (91 days)",
    "queries_received": "Queries received",
    "queries_answered_72h": st.column_config.NumberColumn(f"Answered in {RESPONSE_HOURS}h", format="percent"),
    "queries_open_late": f"Open past {RESPONSE_HOURS}h", "flags": "Flags",
}
AREA_COLUMNS = {
    "area": "Area", "officers": "Officers", "on_duty_hours": st.column_config.NumberColumn("Hours on duty",
                                                                                            format="%.0f"),
    "hours_abstracted": st.column_config.NumberColumn("Hours abstracted", format="%.1f"),
    "abstraction_share": st.column_config.NumberColumn("Abstraction", format="percent"),
    "hotspot_wards": "Hotspot wards",
    "patrol_hours": st.column_config.NumberColumn("Patrol hours", format="%.1f"),
    "hotspot_patrol_share": st.column_config.NumberColumn("Patrol hours in hotspots", format="percent"),
}
MONTH_COLUMNS = {
    "area_code": "Area", "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
    "days": "Days in period", "on_duty_hours": st.column_config.NumberColumn("Hours on duty", format="%.0f"),
    "hours_abstracted": st.column_config.NumberColumn("Hours abstracted", format="%.1f"),
    "abstraction_share": st.column_config.NumberColumn("Abstraction", format="percent"),
}

_, store, user = open_page("read_aggregates")
st.title("Neighbourhood Policing Guarantee")
filters = render_as_of_bar(store, user, key="guarantee", label="Period end")
end = filters.end
figures = guarantee(store, filters, user=user)
wards = figures.wards
st.caption(f"The 91 days from {end - dt.timedelta(days=90):%d %b %Y} to {end:%d %b %Y}.")

with st.container(horizontal=True):
    for flag, label in FLAGS.items():
        st.metric(label, f"{int(wards[flag].sum()):,}" if len(wards) else "0", border=True, width=190,
                  help="Wards flagged")

st.header("Per ward")
shown = wards.assign(
    named=[", ".join(n) for n in wards["named_officers"]], contacts=[", ".join(c) for c in wards["named_contacts"]],
    flags=[", ".join(label for flag, label in FLAGS.items() if row[flag]) for row in wards.to_dict("records")])
only_flagged = st.toggle("Only wards with a flag", key="guarantee.flagged")
if only_flagged:
    shown = shown[shown["flags"] != ""]
st.dataframe(shown, hide_index=True, column_order=list(WARD_COLUMNS), column_config=WARD_COLUMNS,
             key="guarantee.wards")

st.subheader(f"Priorities going stale within {STALE_WARNING_DAYS} days")
soon = list_stale_soon(store, filters, user=user)
st.dataframe(soon, hide_index=True, key="guarantee.stale_soon",
             column_order=["ward", "issue_category", "raised_on", "last_update", "stale_on", "days_left"],
             column_config={"ward": "Ward", "issue_category": "Issue",
                            "raised_on": st.column_config.DateColumn("Raised", format="DD/MM/YYYY"),
                            "last_update": st.column_config.DateColumn("Last update", format="DD/MM/YYYY"),
                            "stale_on": st.column_config.DateColumn("Stale from", format="DD/MM/YYYY"),
                            "days_left": "Days left"})

st.subheader(f"Queries open past {RESPONSE_HOURS} hours")
late = list_late_queries(store, filters, user=user)
render_late_queries(late, key="guarantee.late_queries")

st.header("Per area")
st.caption("Abstraction: hours abstracted ÷ contracted hours of the area's officers and supervisors over the period."
           " Hotspot patrols: the share of patrol hours in the tenth of the area's wards with the most crime and"
           " ASB over the months the period touches.")
st.dataframe(figures.areas.assign(hotspot_wards=[", ".join(w) for w in figures.areas["hotspot_wards"]]),
             hide_index=True, column_order=list(AREA_COLUMNS), column_config=AREA_COLUMNS, key="guarantee.areas_table")
st.subheader("Abstraction by month")
st.dataframe(figures.months, hide_index=True, column_order=list(MONTH_COLUMNS), column_config=MONTH_COLUMNS,
             key="guarantee.months")
