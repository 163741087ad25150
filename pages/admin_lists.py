"""Admin: pick-lists, quick links, news and settings (the retention periods)."""

import pandas as pd
import streamlit as st

from analytics.activity import list_news
from analytics.admin import find_record
from data import picklists
from forms import admin
from forms.admin_ui import record_key, render_flash, render_history, require_admin, run_change
from forms.identity import current_user
from forms.links import list_quick_links
from forms.runtime import get_store, route_through_app

route_through_app()
store = get_store()
user = current_user(store)
require_admin(user)

st.title("Lists, links, news and settings")
render_flash()
tab_lists, tab_links, tab_news, tab_settings = st.tabs(["Pick-lists", "Quick links", "News", "Settings"])

with tab_lists:
    list_name = st.selectbox("Pick-list", list(picklists.DEFAULTS), key="admin_lists.list",
                             format_func=lambda n: n.replace("_", " ").capitalize())
    values = admin.list_picklist(store, list_name=list_name, user=user)
    st.dataframe(pd.DataFrame(values)[["value", "active"]], hide_index=True, width="stretch", height=250)
    value = st.selectbox("Value", [v["value"] for v in values], key=f"admin_lists.value.{list_name}")
    chosen = next((v for v in values if v["value"] == value), None)
    key = f"admin_lists.{list_name}.{value}.{chosen['version'] if chosen else 0}"
    with st.container(horizontal=True):
        up = st.button("Move up", icon=":material/arrow_upward:", key=f"{key}.up")
        down = st.button("Move down", icon=":material/arrow_downward:", key=f"{key}.down")
        toggle = st.button("Retire" if chosen and chosen["active"] else "Reactivate", key=f"{key}.toggle")
    if up or down:
        run_change(key, lambda sid: admin.move_picklist_value(store=store, list_name=list_name, value=value,
                                                              offset=-1 if up else 1, user=user, submission_id=sid),
                   f"Moved {value!r}.")
    if toggle and chosen:
        run_change(key, lambda sid: admin.set_picklist_value_active(
            store=store, list_name=list_name, value=value, active=not chosen["active"], user=user,
            submission_id=sid), f"{'Retired' if chosen['active'] else 'Reactivated'} {value!r}.")
    with st.form(f"admin_lists.add.{list_name}", border=False):
        new_value = st.text_input("New value", key=f"admin_lists.add.{list_name}.value")
        pressed = st.form_submit_button("Add to the list", type="primary", key=f"admin_lists.add.{list_name}.submit")
    if pressed:
        run_change(f"admin_lists.add.{list_name}", lambda sid: admin.add_picklist_value(
            store=store, list_name=list_name, value=new_value, user=user, submission_id=sid),
            f"Added {new_value!r} to {list_name}.")
    if chosen and chosen["record_id"]:
        render_history(store, table="picklists", record=chosen, user=user)

with tab_links:
    links = list_quick_links(store)
    st.dataframe(pd.DataFrame({"label": list(links), "link": list(links.values())}), hide_index=True,
                 width="stretch")
    with st.form("admin_lists.link", border=False):
        label = st.text_input("Label (an existing one replaces that link)", key="admin_lists.link.label")
        url = st.text_input("Link (empty hides it)", key="admin_lists.link.url", placeholder="https://")
        pressed = st.form_submit_button("Save link", type="primary", key="admin_lists.link.submit")
    if pressed:
        run_change("admin_lists.link", lambda sid: admin.save_quick_link(store=store, label=label, url=url,
                                                                          user=user, submission_id=sid),
                   f"Saved the link {label!r}.")

with tab_news:
    st.caption("Post news on the News page. Withdraw an item here; its history stays.")
    news = list_news(store)
    titles = dict(zip(news["record_id"], news["title"], strict=True))
    withdraw = st.selectbox("News item", list(titles), format_func=titles.__getitem__, index=None,
                            key="admin_lists.news", placeholder="Choose an item to withdraw")
    if withdraw and st.button("Withdraw", icon=":material/delete:", key="admin_lists.news.withdraw"):
        run_change(f"admin_lists.news.{withdraw}", lambda sid: admin.withdraw_news(
            store=store, record_id=withdraw, user=user, submission_id=sid), f"Withdrew {titles[withdraw]!r}.")

with tab_settings:
    setting = st.selectbox("Setting", list(admin.SETTINGS), key="admin_lists.setting")
    record = find_record(store, table="settings", column="key", value=setting, user=user)
    st.caption(admin.SETTINGS[setting])
    key = record_key(f"admin_lists.setting.{setting}", record)
    with st.form(key, border=False):
        value = st.text_input("Value", value=(record or {}).get("value") or "", key=f"{key}.value")
        pressed = st.form_submit_button("Save setting", type="primary", key=f"{key}.submit")
    if pressed:
        run_change(key, lambda sid: admin.save_setting(store=store, key=setting, value=value, user=user,
                                                       submission_id=sid), f"Saved {setting}.")
    render_history(store, table="settings", record=record, user=user)
    st.subheader("Retention")
    st.caption("`python -m data retention --store PATH` applies these periods (schedule it, e.g. nightly).")
    if st.button("Preview what it would remove today", icon=":material/preview:", key="admin_lists.preview"):
        preview = admin.preview_retention(store=store, user=user)
        st.dataframe(pd.DataFrame([{"rule": name, **rule} for name, rule in preview["rules"].items()]),
                     hide_index=True, width="stretch")
