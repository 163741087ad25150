"""Community queries: log a query from the public, and answer my open ones within 72 hours."""

import datetime as dt

import streamlit as st

from analytics.guarantee import list_my_open_queries
from data.picklists import QUERY_CHANNELS
from forms.community_queries import (
    LABELS,
    SUMMARY_MAX,
    answer_defaults,
    answer_query,
    log_query,
    query_defaults,
    query_form_options,
)
from forms.ui.runtime import open_page
from forms.ui.widgets import (
    DATE_LIMITS,
    FormState,
    label_of,
    render_conflict,
    render_field_error,
    render_length_hint,
    render_refusal,
    render_saved_card,
    user_text,
)

_, store, user = open_page("log_activity")

st.title("Community queries")
st.caption("The Neighbourhood Policing Guarantee: every query answered within 72 hours.")
log_tab, answer_tab = st.tabs(["Log a query", "Answer my open queries"])

with log_tab:
    form = FormState("log_query", defaults=query_defaults(user), owner=user["user_id"], keep=("area_code",))
    errors = form.errors
    options = query_form_options(store, area_code=st.session_state[form.key("area_code")], user=user)

    def _save(values: dict, submission_id: str):
        return log_query(store=store, values=values, user=user, submission_id=submission_id)

    def _area_changed() -> None:
        form.set_field("ward_code", None)
        form.set_field("officer_id", user["user_id"])

    if form.confirmation is not None:
        logged = form.saved_values
        due = dt.datetime.combine(logged["received_date"], logged["received_time"]) + dt.timedelta(hours=72)
        render_saved_card(form, done=f"Query logged. Answer it by {due:%a %d %b %H:%M}.", again="Log another query",
                          already="logged",
                          details=[user_text(f"{options.wards.get(logged['ward_code'], logged['ward_code'])}"
                                             f" · {logged['topic']}", one_line=True)])
    else:
        st.selectbox(LABELS["area_code"], list(options.areas), key=form.key("area_code"), index=None,
                     format_func=lambda code: label_of(code, options.areas), placeholder="Choose an area",
                     on_change=_area_changed)
        render_field_error(errors, "area_code")
        st.selectbox(LABELS["ward_code"], list(options.wards), key=form.key("ward_code"), index=None,
                     format_func=lambda code: label_of(code, options.wards),
                     placeholder="Choose a ward" if options.wards else "Choose an area first")
        render_field_error(errors, "ward_code")
        st.date_input(LABELS["received_date"], key=form.key("received_date"), format="DD/MM/YYYY", **DATE_LIMITS)
        render_field_error(errors, "received_date")
        st.time_input(LABELS["received_time"], key=form.key("received_time"), step=dt.timedelta(minutes=5))
        render_field_error(errors, "received_time")
        st.radio(LABELS["channel"], list(options.channels), key=form.key("channel"), index=None, horizontal=True)
        render_field_error(errors, "channel")
        st.selectbox(LABELS["topic"], options.topics, key=form.key("topic"), index=None, placeholder="Choose a topic")
        render_field_error(errors, "topic")
        owners = options.officers if user["user_id"] in options.officers else {
            user["user_id"]: user.get("name") or user["user_id"], **options.officers}
        st.selectbox(LABELS["officer_id"], list(owners), key=form.key("officer_id"),
                     format_func=lambda code: label_of(code, owners))
        render_field_error(errors, "officer_id")
        st.text_area(LABELS["summary"], key=form.key("summary"), height=100)
        render_length_hint(form, "summary", SUMMARY_MAX)
        render_field_error(errors, "summary")
        st.button("Log query", type="primary", icon=":material/send:", width="stretch", key="log_query.submit",
                  on_click=form.submit, args=(_save,))
        render_refusal(form, LABELS)

with answer_tab:
    mine = list_my_open_queries(store, user=user)
    if mine.empty:
        st.info("You have no open queries.", icon=":material/task_alt:")
    else:
        late = int(mine["late"].sum())
        if late:
            st.warning(f"{late:,} of your open queries {'is' if late == 1 else 'are'} past 72 hours.",
                       icon=":material/alarm:")
        shown = mine.assign(status=mine["late"].map({True: "Past 72 hours", False: "Due"}))
        st.dataframe(shown[["ref", "received_at", "ward", "topic", "channel", "due_at", "status", "summary"]],
                     hide_index=True, key="log_query.open", column_config={"ref": "Ref",
                         "received_at": st.column_config.DatetimeColumn("Received", format="DD/MM/YYYY HH:mm"),
                         "ward": "Ward", "topic": "Topic", "channel": "Received by",
                         "due_at": st.column_config.DatetimeColumn("Answer by", format="DD/MM/YYYY HH:mm"),
                         "status": "Status", "summary": "What was asked"})
        labels = {r["record_id"]: f"{r['ref'] or 'CQ'} · {r['received_at']:%d/%m %H:%M} · {r['ward']} · {r['topic']}"
                  for r in mine.to_dict("records")}
        chosen = st.selectbox("Query to answer", list(labels), key="answer_query.record",
                              format_func=lambda code: label_of(code, labels))
        version = int(mine.set_index("record_id").at[chosen, "version"])
        answer = FormState(f"answer_query.{chosen}", defaults=answer_defaults(), owner=user["user_id"],
                           version=version)

        def _answer(values: dict, submission_id: str):
            saved = answer_query(store=store, record_id=chosen, values=values, user=user,
                                 submission_id=submission_id, base_version=answer.base_version or version)
            st.session_state["answer_query.done"] = labels[chosen]
            return saved

        st.date_input(LABELS["answered_date"], key=answer.key("answered_date"), format="DD/MM/YYYY", **DATE_LIMITS)
        render_field_error(answer.errors, "answered_date")
        st.time_input(LABELS["answered_time"], key=answer.key("answered_time"), step=dt.timedelta(minutes=5))
        render_field_error(answer.errors, "answered_time")
        st.radio(LABELS["answer_channel"], list(QUERY_CHANNELS), key=answer.key("answer_channel"), index=None,
                 horizontal=True)
        render_field_error(answer.errors, "answer_channel")
        st.button("Save answer", type="primary", icon=":material/reply:", width="stretch",
                  key="answer_query.submit", on_click=answer.submit, args=(_answer,))
        render_conflict(answer.conflict, key="answer_query.reload", reload=answer.reload)
        render_refusal(answer, LABELS)
    done = st.session_state.pop("answer_query.done", None)
    if done:
        st.success(f"Answer saved: {user_text(done, one_line=True)}.", icon=":material/check_circle:")
