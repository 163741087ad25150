"""Update an event: complete it (attendance, quality, issues, feedback), cancel it with a reason, or move it."""

import datetime as dt

import streamlit as st

from analytics.calendar import event_label, list_events_to_update, overdue_before
from forms.events import (
    CANCEL_LABELS,
    COMPLETION_LABELS,
    DETAIL_FIELDS,
    LABELS,
    QUALITY_RATINGS,
    booking_values,
    cancel_event,
    complete_event,
    completion_defaults,
    event_form_options,
    event_summary,
    get_event,
    update_event,
)
from forms.ui.runtime import open_page
from forms.ui.widgets import (
    DATE_LIMITS,
    RELOAD_KEEPS,
    RELOAD_REPLACES,
    FormState,
    label_of,
    render_conflict,
    render_errors,
    render_field_error,
    render_refusal,
    user_text,
)

PICK = "update_event.event"
ACTIONS = {"complete": "Complete", "cancel": "Cancel", "change": "Change details"}

_, store, user = open_page("log_activity")
area = user.get("area_code")
now = dt.datetime.now()
choices = list_events_to_update(store, user=user, area_code=area, now=now) if area else None
listed = [] if choices is None else choices.to_dict("records")
overdue = [e for e in listed if e["start"] < overdue_before(now)]
late = {e["record_id"] for e in overdue}
names = {e["record_id"]: ("Overdue · " if e["record_id"] in late else "") + event_label(e) for e in listed}
wanted = st.query_params.get("event")
if wanted and st.session_state.get("update_event.from_url") != wanted:  # a link opens its event once
    st.session_state["update_event.from_url"] = wanted
    st.session_state[PICK] = wanted
# stays offered once completed, or if opened by a link
in_hand = get_event(store, st.session_state.get(PICK), user=user)
if in_hand is not None and in_hand["record_id"] not in names:
    names[in_hand["record_id"]] = event_label({**in_hand, "ward": in_hand["ward_code"]})

st.title("Update an event")
if not names:
    st.info("There are no booked events in your area to update.", icon=":material/info:")
    st.page_link("pages/book_event.py", label="Book an event", icon=":material/event_available:", width="stretch")
    st.stop()
if st.session_state.get(PICK) not in names:
    st.session_state[PICK] = next(iter(names))
st.selectbox("Event", list(names), key=PICK, format_func=lambda rid: label_of(rid, names),
             help="Today's and those just finished first, then those to come, then overdue bookings.")
event = get_event(store, st.session_state[PICK], user=user)
options = event_form_options(store, area_code=event["area_code"], user=user)
st.caption(user_text(event_summary(event, ward=options.wards.get(event["ward_code"])), one_line=True))
started = event["start"] <= now
actions = ACTIONS if started else {"change": ACTIONS["change"], "cancel": ACTIONS["cancel"]}


def _pick(record_id: str, what: str) -> None:
    st.session_state[PICK] = record_id
    st.session_state["update_event.action"] = what


mine = [e for e in overdue if user["user_id"] == e["organiser"]
        or (e["officers_attending"] is not None and user["user_id"] in list(e["officers_attending"]))]
if mine and event["status"] == "booked":
    with st.expander(f"{len(mine)} of my past bookings still open: complete or cancel them", icon=":material/history:"):
        for past in mine[:20]:
            with st.container(horizontal=True, vertical_alignment="center"):
                st.text(event_label(past))
                st.button("Complete", key=f"update_event.overdue.complete.{past['record_id']}", on_click=_pick,
                          args=(past["record_id"], "complete"), icon=":material/task_alt:")
                st.button("Cancel", key=f"update_event.overdue.cancel.{past['record_id']}", on_click=_pick,
                          args=(past["record_id"], "cancel"), icon=":material/event_busy:")

scope = f"{user['user_id']}:{event['record_id']}"
complete = FormState("complete_event", defaults=completion_defaults(event), owner=scope)
cancel = FormState("cancel_event", defaults={"cancel_reason": ""}, owner=scope)
# The details form edits the event's own fields: its values stand on the version shown (`FormState`).
change = FormState("change_event", defaults={f: booking_values(event)[f] for f in DETAIL_FIELDS}, owner=scope,
                   keep=DETAIL_FIELDS, version=event["version"])  # after a change it shows the event as it now is
shown = event["version"]  # completing or cancelling adds to the event as this run shows it
for form, done in ((complete, "completed"), (cancel, "cancelled"), (change, "changed")):
    if form.confirmation is not None:
        note = " It was already saved: nothing new was written." if form.confirmation.duplicate else ""
        st.success(f"Event {done}: {user_text(event['title'], one_line=True)}.{note}  \n"
                   f"Reference: **{form.confirmation.reference or form.confirmation.record_id}**"
                   f" (version {form.confirmation.version})", icon=":material/check_circle:")
        if done != "cancelled":
            st.page_link("pages/record_contact.py", label="Record a contact at this event",
                         icon=":material/record_voice_over:", query_params={"event": event["record_id"]},
                         width="stretch")
        if done == "completed" and event["issues"]:
            st.page_link("pages/ysywd_raise.py", label="Raise its issues as \"You said, we did\" items",
                         icon=":material/add_comment:", query_params={"event": event["record_id"]}, width="stretch")
if event["status"] != "booked":
    render_errors({**complete.errors, **cancel.errors}, {"record": "Event"})
    st.info(f"This event is {event['status']}: it cannot be completed or cancelled again.", icon=":material/info:")
    st.stop()


def _complete(values: dict, submission_id: str):
    return complete_event(store=store, record_id=event["record_id"], values=values, user=user,
                          submission_id=submission_id, base_version=shown)


def _change(values: dict, submission_id: str):
    return update_event(store=store, record_id=event["record_id"], values={**booking_values(event), **values},
                        user=user, submission_id=submission_id, base_version=change.base_version)


def _cancel(values: dict, submission_id: str):
    return cancel_event(store=store, record_id=event["record_id"], values=values, user=user,
                        submission_id=submission_id, base_version=shown)


officers = {**{uid: uid for uid in event["officers_attending"]}, **options.officers}
if st.session_state.get("update_event.action") not in actions:  # e.g. "Complete", chosen for another event
    st.session_state["update_event.action"] = next(iter(actions))
action = st.segmented_control("What happened?", list(actions), format_func=actions.get, key="update_event.action",
                              width="stretch") or next(iter(actions))
if not started:  # said before anything is typed: completing needs the event to have started
    st.info(f"This event starts {event['start']:%a %d %b %Y at %H:%M}: you can complete it once it has started. "
            "Until then you can change its details or cancel it.", icon=":material/schedule:")
if action == "cancel":
    errors = cancel.errors
    render_conflict(cancel.conflict, key="cancel_event.reload", reload=cancel.reload,
                    reload_help=RELOAD_KEEPS)
    with st.form("cancel_event_form", border=False):
        st.text_area(CANCEL_LABELS["cancel_reason"], key=cancel.key("cancel_reason"), height=100)
        render_field_error(errors, "cancel_reason")
        st.form_submit_button("Cancel event", type="primary", icon=":material/event_busy:", width="stretch",
                              key="cancel_event.submit", on_click=cancel.submit, args=(_cancel,))
    render_refusal(cancel, {**CANCEL_LABELS, "record": "Event"})
    st.stop()
if action == "change":
    errors = change.errors
    render_conflict(change.conflict, key="change_event.reload", reload=change.reload, reload_help=RELOAD_REPLACES)
    with st.form("change_event_form", border=False):
        st.text_input(LABELS["title"], key=change.key("title"))
        render_field_error(errors, "title")
        st.text_input(LABELS["place"], key=change.key("place"))
        render_field_error(errors, "place")
        st.date_input(LABELS["date"], key=change.key("date"), format="DD/MM/YYYY", **DATE_LIMITS)
        render_field_error(errors, "date")
        for field in ("start_time", "end_time"):
            st.time_input(LABELS[field], key=change.key(field), step=dt.timedelta(minutes=15))
            render_field_error(errors, field)
        st.form_submit_button("Save changes", type="primary", icon=":material/save:", width="stretch",
                              key="change_event.submit", on_click=change.submit, args=(_change,))
    render_refusal(change, {**LABELS, "record": "Event"})
    st.stop()

errors = complete.errors
render_conflict(complete.conflict, key="complete_event.reload", reload=complete.reload,
                reload_help=RELOAD_KEEPS)
labels, key = COMPLETION_LABELS, complete.key
with st.form("complete_event_form", border=False):
    st.number_input(labels["attendees"], key=key("attendees"), value=None, min_value=0, step=1, placeholder="0")
    render_field_error(errors, "attendees")
    st.multiselect(labels["officers_involved"], list(officers), key=key("officers_involved"),
                   format_func=lambda uid: label_of(uid, officers), select_all=False)
    render_field_error(errors, "officers_involved")
    st.multiselect(labels["communities_supported"], options.communities, key=key("communities_supported"),
                   select_all=False)
    render_field_error(errors, "communities_supported")
    st.segmented_control(labels["quality_rating"], list(QUALITY_RATINGS), key=key("quality_rating"),
                         format_func=QUALITY_RATINGS.get, width="stretch")
    render_field_error(errors, "quality_rating")
    for field in ("quality_note", "public_feedback"):
        st.text_area(labels[field], key=key(field), height=80)
        render_field_error(errors, field)
    st.multiselect(labels["issues"], options.issue_categories, key=key("issues"), select_all=False)
    render_field_error(errors, "issues")
    st.text_area(labels["issues_text"], key=key("issues_text"), height=80)
    render_field_error(errors, "issues_text")
    st.number_input(labels["intel_submissions"], key=key("intel_submissions"), min_value=0, step=1)
    render_field_error(errors, "intel_submissions")
    st.toggle(labels["suitable_for_publishing"], key=key("suitable_for_publishing"))
    st.text_area(labels["value_gained"], key=key("value_gained"), height=80)
    render_field_error(errors, "value_gained")
    st.form_submit_button("Complete event", type="primary", icon=":material/task_alt:", width="stretch",
                          key="complete_event.submit", on_click=complete.submit, args=(_complete,))
render_refusal(complete, {**COMPLETION_LABELS, "record": "Event"})
