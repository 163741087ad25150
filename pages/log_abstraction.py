"""Log an abstraction: time taken away from neighbourhood duty, and to what. Officer and team are you."""

import streamlit as st

from forms.abstractions import LABELS, abstraction_defaults, abstraction_form_options, save_abstraction
from forms.ui.runtime import open_page
from forms.ui.widgets import DATE_LIMITS, FormState, render_field_error, render_refusal, render_saved_card, user_text

_, store, user = open_page("log_activity")
form = FormState("log_abstraction", defaults=abstraction_defaults(), owner=user["user_id"], keep=("reason",))
errors = form.errors
options = abstraction_form_options(store)


st.title("Log an abstraction")
st.caption(f"For {user_text(user['name'], one_line=True)}, "
           f"{user_text(user.get('area_code'), one_line=True) or 'no team'}.")
saved = form.confirmation
if saved is not None:  # kept on screen, instead of an empty form, until the next one is started
    logged = form.saved_values
    render_saved_card(form, done=f"Abstraction logged: {logged['hours']:g} hours on {logged['date']:%a %d %b %Y}, "
                      f"{user_text(logged['reason'], one_line=True)}.", again="Log another abstraction",
                      already="logged",
                      links=[{"page": "pages/log_patrol.py", "label": "Log a patrol",
                              "icon": ":material/directions_walk:"}])
    st.stop()

with st.form("log_abstraction_form", border=False):
    st.date_input(LABELS["date"], key=form.key("date"), format="DD/MM/YYYY", **DATE_LIMITS)
    render_field_error(errors, "date")
    st.number_input(LABELS["hours"], key=form.key("hours"), value=None, min_value=0.0, max_value=24.0, step=0.5,
                    format="%.1f", placeholder="e.g. 8")
    render_field_error(errors, "hours")
    st.selectbox(LABELS["reason"], options.reasons, key=form.key("reason"), index=None, placeholder="Choose a reason")
    render_field_error(errors, "reason")
    st.text_input(LABELS["duty_taken_to"], key=form.key("duty_taken_to"), placeholder="e.g. Response shift cover")
    render_field_error(errors, "duty_taken_to")
    form.render_submit_button("Log abstraction", icon=":material/send:",
                              save=save_abstraction, store=store, user=user)
render_refusal(form, LABELS)
