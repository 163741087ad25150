"""Admin: pick-lists, quick links, news and settings (the retention periods)."""

import pandas as pd
import streamlit as st

from analytics.activity import list_news
from analytics.admin import find_record
from data import picklists
from forms import admin
from forms.links import list_quick_links
from forms.ui.admin import change_button, render_admin_heading, render_change_errors, render_history, start_edit_form
from forms.ui.runtime import open_page

_, store, user = open_page("administer")
render_admin_heading("Lists, links, news and settings")
tab_lists, tab_links, tab_news, tab_settings = st.tabs(["Pick-lists", "Quick links", "News", "Settings"],
                                                      key="admin_lists.tab", on_change="rerun")

with tab_lists:
    list_name = st.selectbox("Pick-list", list(picklists.DEFAULTS), key="admin_lists.list",
                             format_func=lambda n: n.replace("_", " ").capitalize())
    values = admin.list_picklist(store, list_name=list_name, user=user)
    st.dataframe(pd.DataFrame(values)[["value", "active"]], hide_index=True, width="stretch", height=250)
    value = st.selectbox("Value", [v["value"] for v in values], key=f"admin_lists.value.{list_name}")
    chosen = next((v for v in values if v["value"] == value), None)
    # The buttons change the list as shown here: each names the versions it shows (0 for built-in defaults).
    shown = {v["value"]: int(v["version"]) for v in values}
    key = f"admin_lists.{list_name}.{value}"
    for offset in (-1, 1):
        render_change_errors(f"{key}.{offset}", typed=False)
    render_change_errors(f"{key}.toggle", typed=False)
    with st.container(horizontal=True):
        for offset, label, icon in ((-1, "Move up", ":material/arrow_upward:"),
                                    (1, "Move down", ":material/arrow_downward:")):
            change_button(label, key=f"{key}.{offset}", form=False, icon=icon,
                          change=lambda _, sid, offset=offset: admin.move_picklist_value(
                              store=store, list_name=list_name, value=value, offset=offset, user=user,
                              submission_id=sid, base_versions=shown), message=f"Moved {value!r}.")
        active = bool(chosen and chosen["active"])
        change_button("Retire" if active else "Reactivate", key=f"{key}.toggle", form=False,
                      change=lambda _, sid: admin.set_picklist_value_active(
                          store=store, list_name=list_name, value=value, active=not active, user=user,
                          submission_id=sid, base_version=shown.get(value, 0)),
                      message=f"{'Retired' if active else 'Reactivated'} {value!r}.")
    add = f"admin_lists.add.{list_name}"
    render_change_errors(add)
    with st.form(add, border=False):
        st.text_input("New value", key=f"{add}.value")
        change_button("Add to the list", key=add, fields=("value",), type="primary",
                      change=lambda values, sid: admin.add_picklist_value(
                          store=store, list_name=list_name, value=values["value"], user=user, submission_id=sid),
                      message=f"Added to {list_name}.")
    if chosen and chosen["record_id"]:
        render_history(store, table="picklists", record=chosen, user=user)

with tab_links:
    links = list_quick_links(store)
    st.dataframe(pd.DataFrame({"label": list(links), "link": list(links.values())}), hide_index=True,
                 width="stretch")
    render_change_errors("admin_lists.link")
    with st.form("admin_lists.link", border=False):
        st.text_input("Label (an existing one replaces that link)", key="admin_lists.link.label")
        st.text_input("Link (empty hides it)", key="admin_lists.link.url", placeholder="https://")
        change_button("Save link", key="admin_lists.link", fields=("label", "url"), type="primary",
                      change=lambda values, sid: admin.save_quick_link(store=store, label=values["label"],
                                                                       url=values["url"], user=user, submission_id=sid),
                      message="Saved the link.")

with tab_news:
    st.caption("Post news on the News page. Withdraw an item here; its history stays.")
    news = list_news(store)
    titles = dict(zip(news["record_id"], news["title"], strict=True))
    news_versions = dict(zip(news["record_id"], news["version"], strict=True))
    withdraw = st.selectbox("News item", list(titles), format_func=titles.__getitem__, index=None,
                            key="admin_lists.news", placeholder="Choose an item to withdraw")
    if withdraw:
        render_change_errors(f"admin_lists.news.{withdraw}", typed=False)
        change_button("Withdraw", key=f"admin_lists.news.{withdraw}", form=False, icon=":material/delete:",
                      change=lambda _, sid: admin.withdraw_news(store=store, record_id=withdraw, user=user,
                                                                submission_id=sid,
                                                                base_version=int(news_versions[withdraw])),
                      message=f"Withdrew {titles[withdraw]!r}.")

with tab_settings:
    setting = st.selectbox("Setting", list(admin.FORCE_SETTINGS), key="admin_lists.setting")
    record = find_record(store, table="settings", column="key", value=setting, user=user)
    st.caption(admin.FORCE_SETTINGS[setting])
    key, setting_version = start_edit_form(f"admin_lists.setting.{setting}", record)
    with st.form(key, border=False):
        st.text_input("Value", value=(record or {}).get("value") or "", key=f"{key}.value")
        change_button("Save setting", key=key, fields=("value",), type="primary",
                      change=lambda values, sid: admin.save_setting(store=store, key=setting, value=values["value"],
                                                                    user=user, submission_id=sid,
                                                                    base_version=setting_version),
                      message=f"Saved {setting}.")
    render_history(store, table="settings", record=record, user=user)
    st.header("Retention")
    st.caption("`python -m data retention --store PATH` applies these periods (schedule it, e.g. nightly).")
    if st.toggle("Show what it would remove today", key="admin_lists.preview"):
        preview = admin.preview_retention(store=store, user=user)
        st.dataframe(pd.DataFrame([{"rule": name, **rule} for name, rule in preview["rules"].items()]),
                     hide_index=True, width="stretch")
