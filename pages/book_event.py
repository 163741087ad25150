"""Book an event: one column, thumb-sized, done in under a minute on a phone."""

import datetime as dt

import streamlit as st

from analytics.calendar import calendar_days, list_upcoming_events
from forms.events import LABELS, booking_defaults, event_form_options, save_event
from forms.ui.export import render_calendar_download
from forms.ui.runtime import open_page
from forms.ui.widgets import (
    DATE_LIMITS,
    FormState,
    label_of,
    render_field_error,
    render_refusal,
    render_saved_card,
    user_text,
)

_, store, user = open_page("log_activity")
form = FormState("book_event", defaults=booking_defaults(user), owner=user["user_id"],
                 keep=("event_type", "area_code", "ward_code"))
errors = form.errors


def _area_changed() -> None:
    form.set_field("ward_code", None)
    form.set_field("officers_attending", [])


st.title("Book an event")
saved = form.confirmation
if saved is not None:  # kept on screen, instead of an empty form, until the next booking is started
    booked = form.saved_values
    render_saved_card(form, done=f"Event booked: {user_text(booked['title'], one_line=True)}, "
                      f"{booked['date']:%a %d %b %Y} at {booked['start_time']:%H:%M}.", again="Book another event",
                      already="booked",
                      links=[{"page": "pages/update_event.py", "label": "Update this event",
                              "icon": ":material/event_note:", "query_params": {"event": saved.record_id}}])
    st.stop()

options = event_form_options(store, area_code=st.session_state.get(form.key("area_code")), user=user)
form.render_place_select(LABELS, options.areas, field="area_code", on_change=_area_changed)

with st.form("book_event_form", border=False):
    st.text_input(LABELS["title"], key=form.key("title"), placeholder="e.g. Street meeting, High St")
    render_field_error(errors, "title")
    st.selectbox(LABELS["event_type"], options.event_types, key=form.key("event_type"), index=None,
                 placeholder="Choose a type")
    render_field_error(errors, "event_type")
    form.render_place_select(LABELS, options.wards, field="ward_code")
    st.text_input(LABELS["place"], key=form.key("place"), placeholder="Where exactly")
    render_field_error(errors, "place")
    st.date_input(LABELS["date"], key=form.key("date"), format="DD/MM/YYYY", **DATE_LIMITS)
    render_field_error(errors, "date")
    st.time_input(LABELS["start_time"], key=form.key("start_time"), step=dt.timedelta(minutes=15))
    render_field_error(errors, "start_time")
    st.time_input(LABELS["end_time"], key=form.key("end_time"), step=dt.timedelta(minutes=15))
    render_field_error(errors, "end_time")
    st.multiselect(LABELS["officers_attending"], list(options.officers), key=form.key("officers_attending"),
                   format_func=lambda uid: label_of(uid, options.officers), select_all=False)
    render_field_error(errors, "officers_attending")
    st.multiselect(LABELS["communities_targeted"], options.communities, key=form.key("communities_targeted"),
                   select_all=False)
    render_field_error(errors, "communities_targeted")
    with st.expander("Exact location (optional)"):
        st.number_input(LABELS["lat"], key=form.key("lat"), value=None, format="%.5f", step=0.0001)
        render_field_error(errors, "lat")
        st.number_input(LABELS["lon"], key=form.key("lon"), value=None, format="%.5f", step=0.0001)
        render_field_error(errors, "lon")
    form.render_submit_button("Book event", icon=":material/send:", save=save_event, store=store, user=user)
render_refusal(form, LABELS)

if user.get("area_code"):
    st.header("Coming up in my area")
    upcoming = list_upcoming_events(store, user=user, area_code=user["area_code"], now=dt.datetime.now())
    if upcoming.empty:
        st.caption("Nothing booked in the next four weeks.")
    for day, events in calendar_days(upcoming):
        lines = [f"- {e['start']:%H:%M} **{user_text(e['title'], one_line=True)}** · "
                 f"{user_text(e['event_type'], one_line=True)} · {user_text(e['ward'], one_line=True)}" for e in events]
        st.markdown(f"**{day:%A %d %B}**\n" + "\n".join(lines))
    with st.container(horizontal=True):
        render_calendar_download(store, user, label="Area calendar (.ics)", key="book_event.area_ics",
                                 area_code=user["area_code"],
                                 help="The area's events from the last 30 days on, for Outlook or a phone.")
        render_calendar_download(store, user, label="Public events (data.police.uk)", key="book_event.public",
                                 area_code=user["area_code"], fmt="police-uk",
                                 help="Events not cancelled or marked unsuitable, in data.police.uk's format.")
