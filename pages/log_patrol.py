"""Log a patrol: type, when, where, why and what came of it; the last hour by default."""

import datetime as dt

import streamlit as st

from forms.patrols import LABELS, patrol_defaults, patrol_form_options, save_patrol
from forms.ui.runtime import open_page
from forms.ui.widgets import DATE_LIMITS, FormState, render_field_error, render_refusal, render_saved_card, user_text

_, store, user = open_page("log_activity")
form = FormState("log_patrol", defaults=patrol_defaults(user), owner=user["user_id"],
                 keep=("patrol_type", "area_code", "ward_code"))
errors = form.errors
options = patrol_form_options(store, area_code=st.session_state.get(form.key("area_code")), user=user)


def _area_changed() -> None:
    form.set_field("ward_code", None)


st.title("Log a patrol")
saved = form.confirmation
if saved is not None:  # kept on screen, instead of an empty form, until the next patrol is started
    logged = form.saved_values
    render_saved_card(form, done=f"Patrol logged: {user_text(logged['patrol_type'], one_line=True)}, "
                      f"{logged['start_date']:%a %d %b} {logged['start_time']:%H:%M}–{logged['end_time']:%H:%M}.",
                      again="Log another patrol", already="logged",
                      links=[{"page": "pages/record_contact.py", "label": "Record a contact",
                              "icon": ":material/record_voice_over:"}])
    st.stop()

form.render_place_select(LABELS, options.areas, field="area_code", on_change=_area_changed)

with st.form("log_patrol_form", border=False):
    st.selectbox(LABELS["patrol_type"], options.patrol_types, key=form.key("patrol_type"), index=None,
                 placeholder="Choose a type")
    render_field_error(errors, "patrol_type")
    form.render_place_select(LABELS, options.wards, field="ward_code")
    for end in ("start", "end"):
        st.date_input(LABELS[f"{end}_date"], key=form.key(f"{end}_date"), format="DD/MM/YYYY", **DATE_LIMITS)
        render_field_error(errors, f"{end}_date")
        st.time_input(LABELS[f"{end}_time"], key=form.key(f"{end}_time"), step=dt.timedelta(minutes=5))
        render_field_error(errors, f"{end}_time")
    st.text_area(LABELS["places"], key=form.key("places"), height=80,
                 placeholder="Streets, parks, shops covered")
    render_field_error(errors, "places")
    st.text_area(LABELS["tasking"], key=form.key("tasking"), height=80,
                 placeholder="e.g. ASB hotspot tasking from the ward panel")
    render_field_error(errors, "tasking")
    st.text_area(LABELS["outcomes"], key=form.key("outcomes"), height=80,
                 placeholder="Stops, words of advice, intelligence, reassurance given")
    render_field_error(errors, "outcomes")
    form.render_submit_button("Log patrol", icon=":material/send:", save=save_patrol, store=store, user=user)
render_refusal(form, LABELS)
