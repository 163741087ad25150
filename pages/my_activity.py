"""My activity: what came back to me, my beat's map, everything I submitted (edit or withdraw it), news and links."""

import pandas as pd
import streamlit as st

from analytics.activity import (
    BEAT_DAYS,
    NEWS_ON_ACTIVITY,
    build_contributions_chart,
    count_my_activity_by_ward,
    list_my_activity,
    list_news,
)
from analytics.activity import count_my_contributions_by_week as count_by_week
from analytics.charts import build_ward_map
from analytics.guarantee import list_my_open_queries
from data.access import NotAllowed, can
from data.store import EditConflict
from forms.activity import FIELD_LABELS, edit_record, editable_values, withdraw_record
from forms.activity import withdraw_submission_id as withdraw_id
from forms.ui.activity import render_edit_fields, submission_heading
from forms.ui.alerts import render_my_alerts, render_team_flags
from forms.ui.export import render_calendar_download
from forms.ui.links import render_quick_links
from forms.ui.maps import render_map
from forms.ui.runtime import open_page
from forms.ui.widgets import RELOAD_REPLACES, FormState, render_conflict, render_errors, user_text

PAGE = 20
environment, store, user = open_page("read_own_records")
state = st.session_state


def _text(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _act(item, action: str) -> None:
    state["my_activity.action"] = (action, item.table_name, item.record_id)


def _withdraw(item) -> None:
    try:
        withdraw_record(store=store, table=item.table_name, record_id=item.record_id, user=user,
                        submission_id=withdraw_id(item.table_name, item.record_id, item.version),
                        base_version=int(item.version))
        state["my_activity.message"] = ("success", f"Withdrawn: {user_text(item.title, one_line=True)}. "
                                                   "Its history is kept.")
    except EditConflict as exc:
        state["my_activity.message"] = ("conflict", exc.errors["record"])
    except NotAllowed as exc:
        state["my_activity.message"] = ("error", exc.errors["record"])
    state["my_activity.action"] = None


def render_edit(item) -> None:
    row = store.get(item.table_name, item.record_id)
    if row is None:
        return
    # The form's widgets are keyed by the version its values stand on: it follows the record until it
    # holds a refused change, then keeps what was typed (and a save after someone else's change is refused).
    prefix = f"my_activity.edit.{item.table_name}.{item.record_id}"
    base = state.get(f"{prefix}__base")
    if base != row["version"] and not (base is not None and FormState.holds_refused(f"{prefix}.v{base}")):
        base = state[f"{prefix}__base"] = int(row["version"])
    form = FormState(f"{prefix}.v{base}", defaults=editable_values(row, item.table_name), owner=user["user_id"],
                     version=base)

    def save(values: dict, submission_id: str):
        try:
            saved = edit_record(store=store, table=item.table_name, record_id=item.record_id, changes=values,
                                user=user, submission_id=submission_id, base_version=form.base_version)
        except EditConflict as exc:
            if exc.withdrawn:  # the record leaves the list: say so on top of the page
                state["my_activity.message"] = ("conflict", exc.errors["record"])
                state["my_activity.action"] = None
            raise
        state["my_activity.message"] = ("success", f"Saved a new version of: {user_text(item.title, one_line=True)}.")
        state["my_activity.action"] = None
        return saved

    render_errors(form.errors, FIELD_LABELS)
    render_conflict(form.conflict, key=f"{form.name}.reload", reload=form.reload, reload_help=RELOAD_REPLACES)
    with st.form(f"{form.name}.form", border=False):
        render_edit_fields(form, item.table_name)
        st.form_submit_button("Save changes", type="primary", icon=":material/save:", width="stretch",
                              key=f"my_activity.save.{item.table_name}.{item.record_id}",
                              on_click=form.submit, args=(save,))


def render_item(item) -> None:
    with st.container(border=True):
        st.markdown(submission_heading(item, tail=item.status))
        if item.returned:
            st.warning(f"Returned by {user_text(item.reviewer, one_line=True)}: "
                       f"{user_text(item.review_comment) or 'see your supervisor'}", icon=":material/undo:")
        if _text(item.summary):
            st.caption(user_text(item.summary))
        key = f"{item.table_name}.{item.record_id}"
        with st.container(horizontal=True):
            st.button("Edit", key=f"my_activity.edit.{key}", icon=":material/edit:", on_click=_act,
                      args=(item, "edit"))
            st.button("Withdraw", key=f"my_activity.withdraw.{key}", icon=":material/delete:", on_click=_act,
                      args=(item, "withdraw"))
        action = state.get("my_activity.action")
        if action == ("edit", item.table_name, item.record_id):
            render_edit(item)
        elif action == ("withdraw", item.table_name, item.record_id):
            st.error("Withdraw this record? It leaves your lists and the dashboards; its history is kept.")
            with st.container(horizontal=True):
                st.button("Yes, withdraw", key=f"my_activity.confirm.{key}", type="primary", on_click=_withdraw,
                          args=(item,))
                st.button("Cancel", key=f"my_activity.cancel.{key}", on_click=_act, args=(item, "none"))


st.title("My activity")
late_queries = int(list_my_open_queries(store, user=user)["late"].sum())  # the Policing Guarantee's 72 hours
if late_queries:
    st.warning(f"{late_queries:,} of your community queries {'is' if late_queries == 1 else 'are'} unanswered"
               " after 72 hours.", icon=":material/alarm:")
    st.page_link("pages/log_query.py", label="Answer your queries", icon=":material/reply:")
message = state.pop("my_activity.message", None)
if message and message[0] == "conflict":
    render_conflict(message[1], key="my_activity.reload", reload=lambda: None, typed=False)
elif message:
    (st.success if message[0] == "success" else st.error)(message[1])

activity = list_my_activity(store, user=user)
returned = activity[activity["returned"]]
if not returned.empty:
    st.header(f"Returned to you ({len(returned)})")
    for item in returned.itertuples(index=False):
        render_item(item)

render_my_alerts(store, user)
if can(user, "dip_check"):  # a supervisor: the area's queries past 72 hours and ASB triggers are on Dip checks
    render_team_flags(store, user)
render_quick_links(store)
news = list_news(store, limit=NEWS_ON_ACTIVITY)
if not news.empty:
    with st.container(border=True):
        st.markdown("**Latest news**  \n" + "  \n".join(f"{n.published_on:%d %b} · {user_text(n.title, one_line=True)}"
                                                         for n in news.itertuples()))
        st.page_link("pages/news.py", label="All news", icon=":material/newspaper:")

render_calendar_download(store, user, label="My events (.ics)", key="my_activity.ics",
                         help="Events you organise or are down to attend, from the last 30 days on, for Outlook or a "
                              "phone's calendar.")

st.header("My contributions, last 12 weeks")
weeks = count_by_week(store, user=user)
if weeks.empty:
    st.caption("Nothing logged in the last 12 weeks.")
else:
    st.altair_chart(build_contributions_chart(weeks), width="stretch", alt="My contributions, last 12 weeks")

st.header(f"My beat, last {BEAT_DAYS} days")
beat = count_my_activity_by_ward(store, user=user)
if beat.empty:
    st.caption("Your area has no wards yet.")
else:
    st.caption(f"Events you organised, CCRs and patrols in each of your area's wards over the last {BEAT_DAYS} days.")
    render_map(build_ward_map(beat, beat, measure="records", label="Records I logged",
                              basemap_style=environment.basemap_style), key="my_activity.beat", height=380)

st.header("Everything I submitted")
rest = activity[~activity["returned"]]
if rest.empty:
    st.info("Nothing yet: what you record shows here.", icon=":material/info:")
shown = state.setdefault("my_activity.shown", PAGE)
for item in rest.head(shown).itertuples(index=False):
    render_item(item)
if len(rest) > shown:
    st.button(f"Show more ({len(rest) - shown} left)", key="my_activity.more", width="stretch",
              on_click=lambda: state.update({"my_activity.shown": shown + PAGE}))
