"""Audit log: who signed in, exported, viewed personal data, saved, edited or withdrew what, and when."""

import datetime as dt

import streamlit as st

from analytics.audit import ACTIONS, PAGE_SIZE, search_audit
from analytics.export import to_csv_bytes
from data import reference
from data.schema import TABLES
from forms.export import audited
from forms.ui.runtime import open_page
from forms.ui.widgets import label_of

EXPORT_ROWS = 50_000
_, store, user = open_page("read_audit")

st.title("Audit log")

today = dt.date.today()
users = reference.list_users(store)
people = dict(zip(users["user_id"], users["name"], strict=True))
with st.container(horizontal=True):
    start = st.date_input("From", value=today - dt.timedelta(days=30), key="audit_log.start", format="DD/MM/YYYY")
    end = st.date_input("To", value=today, key="audit_log.end", format="DD/MM/YYYY")
    who = st.selectbox("User", list(people), index=None, key="audit_log.user", placeholder="Anyone",
                       format_func=lambda u: f"{label_of(u, people)} ({u})")
with st.container(horizontal=True):
    action = st.selectbox("Action", ACTIONS, index=None, key="audit_log.action", placeholder="Any action",
                          format_func=lambda a: a.replace("_", " "))
    table = st.selectbox("Table", list(TABLES), index=None, key="audit_log.table", placeholder="Any table")
    target = st.text_input("Record id", key="audit_log.target", placeholder="Any record").strip() or None
filters = {"start": start or None, "end": end or None, "user_id": who, "action": action, "table": table,
           "target": target}

page = int(st.number_input("Page", min_value=1, value=1, step=1, key="audit_log.page"))
results = search_audit(store, user, **filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
st.caption(f"{results.total:,} entries, newest first; page {page} of {max(-(-results.total // PAGE_SIZE), 1)}.")
st.dataframe(results.entries, hide_index=True, key="audit_log.entries", column_config={
    "written_at": st.column_config.DatetimeColumn("When (UTC)", format="D MMM YYYY, HH:mm:ss"),
    "user_id": "User id", "user": "User", "action": "Action", "table_name": "Table",
    "record_ids": st.column_config.TextColumn("Records", width="medium"), "version": "Version",
    "detail": st.column_config.TextColumn("Detail", width="large")})

described = ", ".join(f"{k}={v}" for k, v in filters.items() if v is not None)
csv = audited(lambda frames: to_csv_bytes(frames["Audit log"]),
              lambda: {"Audit log": search_audit(store, user, **filters, limit=EXPORT_ROWS).entries},
              store=store, user=user, file_name=f"audit-log-{today.isoformat()}.csv", table="audit",
              context=f"search {described or 'everything'}", capability="read_audit")
st.download_button(f"CSV (up to {EXPORT_ROWS:,} entries)", data=csv, file_name=f"audit-log-{today.isoformat()}.csv",
                   mime="text/csv", key="audit_log.csv", icon=":material/download:", on_click="ignore")
