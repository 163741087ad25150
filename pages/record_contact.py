"""Community Contact Record: one contact with the public, in under a minute, no names taken."""

import datetime as dt

import streamlit as st

from analytics.calendar import event_label, list_recent_events
from forms.ccrs import DIVERSITY_CHOICES, LABELS, ccr_defaults, ccr_form_options, ethnicity_label, form_values, save_ccr
from forms.ui.runtime import open_page
from forms.ui.widgets import (
    DATE_LIMITS,
    FormState,
    label_of,
    render_field_error,
    render_length_hint,
    render_refusal,
    render_saved_card,
    user_text,
)

_, store, user = open_page("log_activity")
methods = ccr_form_options(store, area_code=None, user=user).contact_methods
form = FormState("record_contact", owner=user["user_id"],
                 defaults=ccr_defaults(user, contact_method=methods[0] if methods else None),
                 keep=("area_code", "ward_code", "event_id", "contact_method"))


def _recent_events(area: str | None, areas: dict[str, str]) -> dict[str, str]:
    """Events in the area in the last 7 days and today, by record id: their labels."""
    if area not in areas:
        return {}
    events = list_recent_events(store, user=user, area_code=area, today=dt.date.today())
    return {e["record_id"]: event_label(e) for e in events.to_dict("records")}


wanted = st.query_params.get("event")
if wanted and st.session_state.get("record_contact.from_url") != wanted:  # "at this event" links
    area = st.session_state[form.key("area_code")]
    events = list_recent_events(store, user=user, area_code=area, today=dt.date.today()) \
        if area in ccr_form_options(store, area_code=area, user=user).areas else None
    if events is not None and wanted in set(events["record_id"]):
        st.session_state["record_contact.from_url"] = wanted
        form.set_field("event_id", wanted)
        form.set_field("ward_code", events.set_index("record_id").at[wanted, "ward_code"])


def _area_changed() -> None:
    form.set_field("ward_code", None)
    form.set_field("event_id", None)


def _save(values: dict, submission_id: str):
    return save_ccr(store=store, values=form_values(values), user=user, submission_id=submission_id)


st.title("Record a contact")
if form.confirmation is not None:  # kept on screen, instead of an empty form, until the next contact is started
    contact = form.saved_values
    wards = ccr_form_options(store, area_code=contact.get("area_code"), user=user).wards
    where = ", ".join(p for p in (wards.get(contact.get("ward_code")), contact.get("place")) if p)
    issues = ", ".join([*(contact.get("issues") or []), *filter(None, [contact.get("issues_text")])])
    next_step = ({"page": "pages/update_event.py", "label": "Complete the event", "icon": ":material/event_available:",
                  "query_params": {"event": contact["event_id"]}} if contact.get("event_id") else
                 {"page": "pages/log_patrol.py", "label": "Log a patrol", "icon": ":material/directions_walk:"})
    render_saved_card(form, done="Contact recorded.", again="Record another contact", already="recorded",
                      links=[next_step], details=[
        f"{contact['contact_date']:%a %d %b %Y} {contact['contact_time']:%H:%M} · {user_text(where, one_line=True)}",
        f"Issues: {user_text(issues, one_line=True) or 'none'}"])
    st.stop()


@st.fragment
def _contact_form() -> None:
    """The form itself: a tap on any of its fields reruns this part only, not the whole page (a phone on a slow
    link waits for each rerun). A save that worked reruns the page, which then shows the saved card."""
    if form.confirmation is not None:
        st.rerun()
    errors = form.errors
    area = st.session_state[form.key("area_code")]
    options = ccr_form_options(store, area_code=area, user=user)
    event_names = _recent_events(area, options.areas)

    def _field(label_key: str) -> None:
        render_field_error(errors, label_key)

    form.render_place_select(LABELS, options.areas, field="area_code", on_change=_area_changed)
    form.render_place_select(LABELS, options.wards, field="ward_code")
    st.date_input(LABELS["contact_date"], key=form.key("contact_date"), format="DD/MM/YYYY", **DATE_LIMITS)
    _field("contact_date")
    st.time_input(LABELS["contact_time"], key=form.key("contact_time"), step=dt.timedelta(minutes=5))
    _field("contact_time")
    st.text_input(LABELS["place"], key=form.key("place"), placeholder="e.g. outside the Co-op, High St")
    render_length_hint(form, "place", 200)
    _field("place")
    if st.session_state.get(form.key("event_id")) not in event_names:
        form.set_field("event_id", None)
    st.selectbox(LABELS["event_id"], list(event_names), key=form.key("event_id"), index=None,
                 format_func=lambda rid: label_of(rid, event_names), placeholder="Not at an event",
                 help="Events in this area in the last 7 days and today")
    _field("event_id")
    st.selectbox(LABELS["contact_method"], options.contact_methods, key=form.key("contact_method"), index=None,
                 placeholder="Choose how")
    _field("contact_method")
    st.multiselect(LABELS["issues"], options.issue_categories, key=form.key("issues"), placeholder="Choose issues",
                   select_all=False)
    _field("issues")
    st.text_area(LABELS["issues_text"], key=form.key("issues_text"), height=100)
    render_length_hint(form, "issues_text", 4000)
    _field("issues_text")
    st.toggle(LABELS["info_submitted"], key=form.key("info_submitted"))
    if st.session_state.get(form.key("info_submitted")):
        st.text_area(LABELS["info_text"], key=form.key("info_text"), height=100)
        render_length_hint(form, "info_text", 4000)
    _field("info_text")
    st.toggle(LABELS["smart_alert_signup"], key=form.key("smart_alert_signup"))

    st.header("Diversity questions")
    st.radio(LABELS["diversity_consent"], [False, True], key=form.key("diversity_consent"), horizontal=True,
             format_func=lambda given: "Yes" if given else "No")
    _field("diversity_consent")
    if st.session_state.get(form.key("diversity_consent")):
        st.caption("Each answer is optional; \"Prefer not to say\" is always a choice.")
        for field, choices in DIVERSITY_CHOICES.items():
            st.selectbox(LABELS[field], choices, key=form.key(field), index=None, placeholder="Choose an answer",
                         format_func=ethnicity_label if field == "ethnicity" else str)
            _field(field)

    st.button("Save contact", type="primary", icon=":material/send:", width="stretch", key="record_contact.submit",
              on_click=form.submit, args=(_save,))
    render_refusal(form, LABELS)


_contact_form()
