"""Admin: users and roles. Add a user, change their role, area or details, deactivate them (never delete)."""

import streamlit as st

from analytics.admin import find_record, list_records
from data import picklists, reference
from forms import admin
from forms.identity import clear_sign_in, sign_in_binding
from forms.ui.admin import change_button, render_admin_heading, render_change_errors, render_history, start_edit_form
from forms.ui.runtime import open_page
from forms.ui.widgets import label_of, user_text

_, store, user = open_page("administer")
render_admin_heading("Users and roles")
areas = reference.area_names(store)
area_options = [None, *areas]

users = list_records(store, table="users", user=user)
shown = st.radio("Show", ["Active", "Inactive", "Everyone"], horizontal=True, key="admin_users.show")
if shown != "Everyone":
    users = users[users["active"].fillna(True).astype(bool) == (shown == "Active")]
st.dataframe(users[["user_id", "name", "email", "role", "rank", "area_code", "active"]], hide_index=True,
             width="stretch", height=300)


def _details(prefix: str, values: dict) -> dict:
    """The user-detail widgets, starting from `values`; what they hold."""
    return {
        "name": st.text_input(admin.LABELS["name"], value=values.get("name") or "", key=f"{prefix}.name"),
        "email": st.text_input(admin.LABELS["email"], value=values.get("email") or "", key=f"{prefix}.email"),
        "role": st.selectbox(admin.LABELS["role"], picklists.ROLES, key=f"{prefix}.role",
                             index=picklists.ROLES.index(values.get("role") or "officer")),
        "rank": st.text_input(admin.LABELS["rank"], value=values.get("rank") or "", key=f"{prefix}.rank"),
        "area_code": st.selectbox(admin.LABELS["area_code"], area_options, key=f"{prefix}.area_code",
                                  index=area_options.index(values.get("area_code")),
                                  format_func=lambda code: label_of(code, areas) if code else "— none (force-wide)"),
    }


DETAILS = ("name", "email", "role", "rank", "area_code")
tab_change, tab_add = st.tabs(["Change a user", "Add a user"], key="admin_users.tab", on_change="rerun")
with tab_change:
    names = dict(zip(users["user_id"], users["name"], strict=True))
    picked = st.selectbox("User", list(names), key="admin_users.pick", index=None, placeholder="Choose a user",
                          format_func=lambda uid: f"{uid} · {names[uid]}")
    record = find_record(store, table="users", column="user_id", value=picked, user=user) if picked else None
    if record:
        key, version = start_edit_form("admin_users.edit", record)
        with st.form(key, border=False):
            _details(key, record)
            st.checkbox("Active (untick when they leave)", value=bool(record["active"]), key=f"{key}.active")
            change_button("Save changes", key=key, fields=(*DETAILS, "active"), type="primary",
                          change=lambda values, sid: admin.update_user(store=store, user_id=picked, values=values,
                                                                       user=user, submission_id=sid,
                                                                       base_version=version),
                          message=f"Saved {picked}.")
        bound = sign_in_binding(store, record["record_id"])
        if bound:
            st.caption(f"Signs in only as the identity-provider account {user_text(bound, code=True)} "
                       "(bound at their first sign-in).")
            render_change_errors(f"{key}.unbind", typed=False)
            change_button("Clear sign-in binding", key=f"{key}.unbind", form=False, icon=":material/link_off:",
                          help="When their account was re-created at the identity provider: their next sign-in "
                               "binds them to the account they sign in with.",
                          change=lambda values, sid: clear_sign_in(store=store, user_id=picked, user=user,
                                                                   submission_id=sid, base_version=version),
                          message=f"Cleared {picked}'s sign-in binding: their next sign-in binds it again.")
        else:
            st.caption("Not bound to an identity-provider account yet: their next sign-in binds it.")
        render_history(store, table="users", record=record, user=user)

with tab_add:
    render_change_errors("admin_users.add")
    with st.form("admin_users.add", border=False):
        st.text_input(admin.LABELS["user_id"], key="admin_users.add.user_id")
        _details("admin_users.add", {})
        change_button("Add user", key="admin_users.add", fields=("user_id", *DETAILS), type="primary",
                      change=lambda values, sid: admin.add_user(store=store, values=values, user=user,
                                                                submission_id=sid),
                      message=lambda saved: f"Added {st.session_state.get('admin_users.add.user_id')}.")
