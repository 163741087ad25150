"""Useful information for your area's team (keyholders, contacts, partners), filed in folders."""

import streamlit as st

from analytics.search import list_info_folders, list_useful_info
from data import reference
from data.access import info_area, may_add_info
from forms.ui.runtime import open_page
from forms.ui.widgets import (
    RELOAD_REPLACES,
    FormState,
    render_conflict,
    render_errors,
    render_field_error,
    show_text,
    user_text,
)
from forms.useful_info import DEFAULT_FOLDERS, LABELS, save_useful_info, useful_info_defaults

_, store, user = open_page("share")
area = info_area(user)

st.title("Useful information")
if area is None:
    st.info("Useful information belongs to an area's team; you are not in one.", icon=":material/info:")
    st.stop()
st.caption(f"Visible to the {user_text(reference.area_names(store).get(area, area), one_line=True)} team only.")

folders = list_info_folders(store, user=user)
folder = st.pills("Folder", folders, key="useful_info.browse_folder",
                  format_func=lambda name: user_text(name, one_line=True)) if folders else None
text = st.text_input("Search", key="useful_info.browse_text", placeholder="e.g. church, council")
entries = list_useful_info(store, user=user, folder=folder, text=text)
if entries.empty:
    st.info("Nothing filed here yet.", icon=":material/folder_open:")
for item in entries.itertuples(index=False):
    with st.expander(f"**{user_text(item.title, one_line=True)}**  \n{user_text(item.folder, one_line=True)}"):
        show_text(item.body)
        st.caption(f"Last updated {item.updated_at:%d %b %Y} by {user_text(item.updated_by_name, one_line=True)}")

st.header("Add or update an entry")
everything = list_useful_info(store, user=user)
titles = dict(zip(everything["record_id"], everything["folder"] + ": " + everything["title"], strict=True))
choices = ([None] if may_add_info(user, area) else []) + list(titles)
if not choices:
    st.caption("Your sergeant or an admin adds the first entries; you can then keep them up to date.")
    st.stop()
target = st.selectbox("Entry", choices, key="useful_info.target",
                      format_func=lambda rid: "New entry" if rid is None else titles.get(rid, rid),
                      on_change=lambda: st.session_state.pop("useful_info.saved", None))
record = store.get("useful_info", target) if target else None
name = "useful_info" if record is None else f"useful_info_edit.{target}"
# An edit stands on the version of the entry shown: changed by someone else since, it is refused.
form = FormState(name, defaults=useful_info_defaults(user, record=record), owner=user["user_id"],
                 version=record["version"] if record else None)
errors = form.errors


def _save(values: dict, submission_id: str):
    return save_useful_info(store=store, values=values, user=user, submission_id=submission_id, record_id=target,
                            base_version=form.base_version)


saved = st.session_state.get("useful_info.saved")
if form.confirmation is not None:
    saved = (form.confirmation, form.saved_values["title"])
    st.session_state["useful_info.saved"] = saved
if saved is not None:
    note = " Nothing new was saved: it was already there." if saved[0].duplicate else ""
    st.success(f"Saved: {user_text(saved[1], one_line=True)}.{note}  \nReference: **{saved[0].record_id}**",
               icon=":material/check_circle:")
render_errors(errors, LABELS)
render_conflict(form.conflict, key=f"{name}.reload", reload=form.reload, reload_help=RELOAD_REPLACES)
with st.form(f"{name}.form", border=False):
    st.text_input(LABELS["title"], key=form.key("title"), placeholder="e.g. Keyholder: St Mary's")
    render_field_error(errors, "title")
    st.selectbox(LABELS["folder"], sorted({*DEFAULT_FOLDERS, *folders}), key=form.key("folder"), index=None,
                 accept_new_options=True, placeholder="Choose or type a folder")
    render_field_error(errors, "folder")
    st.text_area(LABELS["body"], key=form.key("body"), height=150)
    render_field_error(errors, "body")
    form.render_submit_button("Save", icon=":material/save:", save=_save, key="useful_info.submit")
