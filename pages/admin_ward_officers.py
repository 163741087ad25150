"""Admin: named ward officers (Neighbourhood Policing Guarantee). Name an officer for a ward; end the naming."""

import datetime as dt

import pandas as pd
import streamlit as st

from analytics.guarantee import list_ward_officers
from data import reference
from forms.ui.admin import change_button, render_change_errors, render_flash
from forms.ui.runtime import open_page
from forms.ui.widgets import label_of
from forms.ward_officers import LABELS, NAMEABLE_ROLES, end_ward_officer, save_ward_officer

_, store, user = open_page("administer")
st.title("Named ward officers")
st.caption("Every neighbourhood has named, contactable officers. A ward may have several.")
render_flash()
areas = reference.area_names(store)
area = st.selectbox("Area", list(areas), key="admin_ward_officers.area", format_func=lambda c: label_of(c, areas))
wards = reference.ward_names(store, area_code=area)
people = reference.list_users(store, area_code=area)
people = people[people["active"].astype(bool) & people["role"].isin(NAMEABLE_ROLES)]
officers = dict(zip(people["user_id"], people["name"], strict=True))
held = list_ward_officers(store, user=user, area_code=area)
today = dt.date.today()
lasting = held[held["end_date"].isna() | (held["end_date"] >= pd.Timestamp(today))] if len(held) else held

st.header("Wards with no named officer today")
named_today = set(list_ward_officers(store, user=user, area_code=area, on=today)["ward_code"])
missing = [wards[w] for w in wards if w not in named_today]
st.dataframe({"Ward": missing}, hide_index=True, key="admin_ward_officers.missing")

st.header("Name an officer for a ward")
key = "admin_ward_officers.add"
render_change_errors(key)
with st.form(key, border=False):
    st.selectbox(LABELS["ward_code"], list(wards), key=f"{key}.ward_code", index=None,
                 format_func=lambda c: label_of(c, wards), placeholder="Choose a ward")
    st.selectbox(LABELS["officer_id"], list(officers), key=f"{key}.officer_id", index=None,
                 format_func=lambda c: label_of(c, officers), placeholder="Choose an officer")
    st.date_input(LABELS["start_date"], value=today, key=f"{key}.start_date", format="DD/MM/YYYY")
    st.date_input(LABELS["end_date"], value=None, key=f"{key}.end_date", format="DD/MM/YYYY")
    change_button("Name officer", key=key, fields=("ward_code", "officer_id", "start_date", "end_date"),
                  type="primary", message="Named the officer for the ward.",
                  change=lambda values, sid: save_ward_officer(store=store, values=values, user=user,
                                                               submission_id=sid))

st.header("Assignments")
st.dataframe(held.drop(columns=["record_id", "version"]) if len(held) else held, hide_index=True,
             key="admin_ward_officers.table", column_config={
                 "ward": "Ward", "ward_code": None, "area_code": None, "officer_id": "Officer id", "name": "Name",
                 "email": "Contact", "start_date": st.column_config.DateColumn("Named from", format="DD/MM/YYYY"),
                 "end_date": st.column_config.DateColumn("Named until", format="DD/MM/YYYY")})
if len(lasting):
    labels = {r["record_id"]: f"{r['ward']} · {r['name']}" for r in lasting.to_dict("records")}
    versions = dict(zip(lasting["record_id"], lasting["version"], strict=True))
    end_key = "admin_ward_officers.end"
    render_change_errors(end_key)
    with st.form(end_key, border=False):
        st.selectbox("Assignment to end", list(labels), key=f"{end_key}.record_id",
                     format_func=lambda c: label_of(c, labels))
        st.date_input("Last day", value=today, key=f"{end_key}.end_date", format="DD/MM/YYYY")
        change_button("End assignment", key=end_key, fields=("record_id", "end_date"), message="Ended the assignment.",
                      change=lambda values, sid: end_ward_officer(
                          store=store, record_id=values["record_id"], end_date=values["end_date"], user=user,
                          submission_id=sid, base_version=int(versions.get(values["record_id"], 0))))
