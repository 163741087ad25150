"""Admin: areas and wards. Add or rename them, assign a ward to an area, load ward boundaries from GeoJSON."""

import streamlit as st

from analytics.admin import find_record, list_records
from data import reference
from data.imports import boundaries
from data.store import ValidationError
from forms import admin
from forms.ui.admin import (
    change_button,
    edit_form,
    render_change_errors,
    render_flash,
    render_history,
)
from forms.ui.runtime import open_page
from forms.ui.widgets import label_of, user_text

_, store, user = open_page("administer")
st.title("Areas and wards")
render_flash()
areas = reference.area_names(store)
name_of = lambda code: label_of(code, areas)  # noqa: E731


def _place(prefix: str, values: dict, *, code: str | None) -> dict:
    """Code (new places only), name and centre widgets; what they hold."""
    found = {"name": st.text_input("Name", value=values.get("name") or "", key=f"{prefix}.name")}
    if code:
        found[code] = st.text_input(admin.LABELS[code] if code == "ward_code" else "Area code", key=f"{prefix}.{code}")
    for field, default in (("centre_lat", 51.75), ("centre_lon", -1.25)):
        found[field] = st.number_input(admin.LABELS[field], value=float(values.get(field) or default),
                                       format="%.5f", key=f"{prefix}.{field}")
    return found


tab_areas, tab_wards, tab_load = st.tabs(["Areas", "Wards", "Load ward boundaries"], key="admin_places.tab",
                                         on_change="rerun")
with tab_areas:
    st.dataframe(list_records(store, table="areas", user=user).drop(columns=["record_id"]), hide_index=True,
                 width="stretch")
    area_picked = st.selectbox("Area to change", [None, *areas], key="admin_places.area",
                               format_func=lambda c: name_of(c) if c else "— add a new area")
    record = find_record(store, table="areas", column="area_code", value=area_picked, user=user)
    key, area_version = edit_form("admin_places.area_form", record)
    render_change_errors(key)
    with st.form(key, border=False):
        fields = tuple(_place(key, record or {}, code=None if record else "area_code"))
        change_button("Save area" if record else "Add area", key=key, fields=fields, type="primary",
                      change=(lambda values, sid: admin.update_area(store=store, area_code=area_picked, values=values,
                                                                    user=user, submission_id=sid,
                                                                    base_version=area_version)) if record else
                      (lambda values, sid: admin.add_area(store=store, values=values, user=user, submission_id=sid)),
                      message=f"Saved area {area_picked}." if record else "Added the area.")
    render_history(store, table="areas", record=record, user=user)

with tab_wards:
    in_area = st.selectbox("Area", list(areas), format_func=name_of, key="admin_places.ward_area")
    wards = list_records(store, table="wards", user=user, where={"area_code": in_area})
    st.dataframe(wards.drop(columns=["record_id"]), hide_index=True, width="stretch", height=250)
    names = dict(zip(wards["ward_code"], wards["name"], strict=True))
    ward_picked = st.selectbox("Ward to change", [None, *names], key="admin_places.ward",
                               format_func=lambda c: f"{names[c]} ({c})" if c else "— add a new ward")
    record = find_record(store, table="wards", column="ward_code", value=ward_picked, user=user)
    key, ward_version = edit_form("admin_places.ward_form", record)
    render_change_errors(key)
    with st.form(key, border=False):
        fields = (*_place(key, record or {}, code=None if record else "ward_code"), "area_code")
        st.selectbox("In area", list(areas), format_func=name_of, key=f"{key}.area_code",
                     index=list(areas).index(record["area_code"] if record else in_area))
        change_button("Save ward" if record else "Add ward", key=key, fields=fields, type="primary",
                      change=(lambda values, sid: admin.update_ward(store=store, ward_code=ward_picked, values=values,
                                                                    user=user, submission_id=sid,
                                                                    base_version=ward_version)) if record else
                      (lambda values, sid: admin.add_ward(store=store, values=values, user=user, submission_id=sid)),
                      message=f"Saved ward {ward_picked}." if record else "Added the ward.")
    render_history(store, table="wards", record=record, user=user)

with tab_load:
    st.caption("A GeoJSON FeatureCollection of ward polygons in longitude/latitude (WGS84), e.g. the ONS ward "
               "boundaries. Known ward codes get the new boundary and name; new codes are added to the area chosen.")
    upload = st.file_uploader("GeoJSON file", type=["geojson", "json"], key="admin_places.file")
    pasted = st.text_area("…or paste GeoJSON", key="admin_places.pasted", height=100)
    text = upload.getvalue() if upload is not None else pasted.strip().encode()
    try:
        properties = boundaries.property_names(boundaries.read_features(text)) if text else []
    except ValidationError as exc:
        st.error(user_text(exc.errors["file"]), icon=":material/error:")
        properties = []
    if properties:
        guess = lambda ending: next((i for i, p in enumerate(properties) if p.upper().endswith(ending)), 0)  # noqa: E731
        render_change_errors("admin_places.load")
        with st.form("admin_places.load", border=False):
            st.selectbox("Ward code property", properties, index=guess("CD"), key="admin_places.load.code")
            st.selectbox("Ward name property", properties, index=guess("NM"), key="admin_places.load.name")
            st.selectbox("Area for new wards", list(areas), format_func=name_of, key="admin_places.load.area")
            st.selectbox("…or each ward's area code from a property", [None, *properties],
                         key="admin_places.load.area_property", format_func=lambda p: p or "— no, the area above")
            change_button("Load boundaries", key="admin_places.load", fields=("code", "name", "area", "area_property"),
                          type="primary", change=lambda values, sid: admin.load_boundaries(
                              store=store, text=text, code_property=values["code"], name_property=values["name"],
                              area_code=values["area"], area_property=values["area_property"], user=user),
                          message=lambda n: f"Boundaries loaded: {n.imported} wards added, {n.updated} updated, "
                                            f"{n.unchanged} unchanged.")
