"""Admin: areas and wards. Add or rename them, assign a ward to an area, load ward boundaries from GeoJSON."""

import streamlit as st

from analytics.admin import find_record, list_records
from data import reference
from data.imports import boundaries
from data.store import ValidationError
from forms import admin
from forms.ui.admin import change_button, render_admin_heading, render_change_errors, render_history, start_edit_form
from forms.ui.runtime import open_page
from forms.ui.widgets import label_of, user_text

_, store, user = open_page("administer")
render_admin_heading("Areas and wards")
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


# For an area and a ward: the admin functions that add one and change one, and the code column.
CHANGES = {"area": (admin.add_area, admin.update_area, "area_code"),
           "ward": (admin.add_ward, admin.update_ward, "ward_code")}


def _save_button(kind: str, *, key: str, fields: tuple, code: str | None, version: int) -> None:
    """The button that adds an area or a ward (no `code`), or saves the one with `code` as of `version`."""
    add, update, column = CHANGES[kind]

    def change(values: dict, sid: str):
        if code:
            return update(store=store, values=values, user=user, submission_id=sid, base_version=version,
                          **{column: code})
        return add(store=store, values=values, user=user, submission_id=sid)

    change_button(f"Save {kind}" if code else f"Add {kind}", key=key, fields=fields, type="primary", change=change,
                  message=f"Saved {kind} {code}." if code else f"Added the {kind}.")


tab_areas, tab_wards, tab_load = st.tabs(["Areas", "Wards", "Load ward boundaries"], key="admin_places.tab",
                                         on_change="rerun")
with tab_areas:
    st.dataframe(list_records(store, table="areas", user=user).drop(columns=["record_id"]), hide_index=True,
                 width="stretch")
    area_picked = st.selectbox("Area to change", [None, *areas], key="admin_places.area",
                               format_func=lambda c: name_of(c) if c else "— add a new area")
    record = find_record(store, table="areas", column="area_code", value=area_picked, user=user)
    key, area_version = start_edit_form("admin_places.area_form", record)
    with st.form(key, border=False):
        fields = tuple(_place(key, record or {}, code=None if record else "area_code"))
        _save_button("area", key=key, fields=fields, code=area_picked if record else None, version=area_version)
    render_history(store, table="areas", record=record, user=user)

with tab_wards:
    in_area = st.selectbox("Area", list(areas), format_func=name_of, key="admin_places.ward_area")
    wards = list_records(store, table="wards", user=user, where={"area_code": in_area})
    st.dataframe(wards.drop(columns=["record_id"]), hide_index=True, width="stretch", height=250)
    names = dict(zip(wards["ward_code"], wards["name"], strict=True))
    ward_picked = st.selectbox("Ward to change", [None, *names], key="admin_places.ward",
                               format_func=lambda c: f"{names[c]} ({c})" if c else "— add a new ward")
    record = find_record(store, table="wards", column="ward_code", value=ward_picked, user=user)
    key, ward_version = start_edit_form("admin_places.ward_form", record)
    with st.form(key, border=False):
        fields = (*_place(key, record or {}, code=None if record else "ward_code"), "area_code")
        st.selectbox("In area", list(areas), format_func=name_of, key=f"{key}.area_code",
                     index=list(areas).index(record["area_code"] if record else in_area))
        _save_button("ward", key=key, fields=fields, code=ward_picked if record else None, version=ward_version)
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
