"""You said, we did: raise an item in one tap from a completed event's or a contact's issues, or by hand."""


import streamlit as st

from analytics.ysywd import list_raise_sources
from data import reference
from data.access import NotAllowed
from data.store import ValidationError
from forms.ui.runtime import open_page
from forms.ui.widgets import DATE_LIMITS, FormState, label_of, render_errors, render_field_error, show_text, user_text
from forms.ysywd import LABELS, SOURCE_LABELS, raise_defaults, raise_from_source, raise_item

DONE = "ysywd_raise.done"

_, store, user = open_page("ysywd_edit")
area = user.get("area_code")
st.title("Raise a \"You said, we did\" item")
if not area or user.get("role") not in ("officer", "supervisor"):
    st.info("Items are raised by an area's officers and supervisors.", icon=":material/info:")
    st.stop()


def _one_tap(table: str, record_id: str, issue: str) -> None:
    try:
        saved = raise_from_source(store=store, table=table, record_id=record_id, issue_category=issue, user=user)
        st.session_state[DONE] = (saved.record_id, issue, None)
    except (ValidationError, NotAllowed) as exc:
        st.session_state[DONE] = (None, issue, "; ".join(exc.errors.values()))


done = st.session_state.pop(DONE, None)
if done and done[0]:
    st.success(f"Raised: {user_text(done[1], one_line=True)}.", icon=":material/check_circle:")
    st.page_link("pages/ysywd_item.py", label="Open it to add an action", icon=":material/open_in_new:",
                 query_params={"item": done[0]}, width="stretch")
elif done:
    st.error(f"{user_text(done[1], one_line=True)}: {user_text(done[2])}", icon=":material/error:")

wanted = st.query_params.get("event")
tab_names = ["From an event", "From a contact", "By hand"]
tabs = dict(zip(tab_names, st.tabs(tab_names), strict=True))
for name, table in (("From an event", "events"), ("From a contact", "ccrs")):
    with tabs[name]:
        sources = list_raise_sources(store, user=user, area_code=area, table=table)
        if wanted and table == "events":
            sources = sources.sort_values("record_id", key=lambda s: s != wanted, kind="stable")
        if sources.empty:
            st.caption("Nothing with issues raised in your area in the last 60 days.")
        for source in sources.head(30).itertuples(index=False):
            with st.container(border=True):
                st.markdown(f"**{source.when:%a %d %b %Y}** · {user_text(source.ward, one_line=True)}")
                show_text(source.label)
                if source.issues_text:
                    show_text(source.issues_text)
                with st.container(horizontal=True):
                    for issue in source.issues:
                        if issue in list(source.raised):
                            st.button(f"{user_text(issue, one_line=True)}: raised",
                                      key=f"raise.{source.record_id}.{issue}", disabled=True,
                                      icon=":material/check:")
                        else:
                            st.button(f"Raise: {user_text(issue, one_line=True)}",
                                      key=f"raise.{source.record_id}.{issue}", icon=":material/add_comment:",
                                      on_click=_one_tap,
                                      args=(table, source.record_id, issue))

with tabs["By hand"]:
    form = FormState("ysywd_raise", defaults=raise_defaults(user), owner=user["user_id"])
    if form.confirmation is not None:
        st.success(f"Raised. Reference: **{form.confirmation.reference or form.confirmation.record_id}**",
                   icon=":material/check_circle:")
        st.page_link("pages/ysywd_item.py", label="Open it", icon=":material/open_in_new:",
                     query_params={"item": form.confirmation.record_id}, width="stretch")
    errors = form.errors
    render_errors(errors, LABELS)
    wards = reference.ward_names(store, area_code=area)
    sources = {k: v for k, v in SOURCE_LABELS.items() if k not in ("event", "ccr", "import")}
    with st.form("ysywd_raise_form", border=False):
        st.selectbox(LABELS["issue_category"], reference.picklist(store, "issue_categories"),
                     key=form.key("issue_category"), index=None, placeholder="Choose an issue")
        render_field_error(errors, "issue_category")
        st.text_area(LABELS["issue_text"], key=form.key("issue_text"), height=100,
                     placeholder="In their words; no names or contact details")
        render_field_error(errors, "issue_text")
        st.segmented_control(LABELS["source"], list(sources), key=form.key("source"), format_func=sources.get)
        render_field_error(errors, "source")
        st.selectbox(LABELS["ward_code"], list(wards), key=form.key("ward_code"), index=None,
                     placeholder="Area-wide", format_func=lambda c: label_of(c, wards))
        render_field_error(errors, "ward_code")
        st.date_input(LABELS["raised_on"], key=form.key("raised_on"), format="DD/MM/YYYY", **DATE_LIMITS)
        render_field_error(errors, "raised_on")
        st.toggle(LABELS["publishable"], key=form.key("publishable"))
        form.render_submit_button("Raise item", icon=":material/add_comment:",
                                  save=raise_item, store=store, user=user)
