"""Import data: data.police.uk crime files, ward boundaries, census tables and past spreadsheets.

A file that cannot be imported is refused with one message naming it and the
problem (never a traceback), and nothing is written.
"""

import logging

import streamlit as st

from data.access import NotAllowed
from data.imports.boundaries import load_boundaries
from data.imports.census import import_census
from data.imports.crime import import_crime
from data.imports.spreadsheet import check_rows, import_spreadsheet, read_spreadsheet
from data.store import DuplicateVersions, ValidationError
from forms.ui.imports import error_text, progress_bar, render_mapping_editor, render_report, show_error
from forms.ui.runtime import open_page

log = logging.getLogger(__name__)

_, store, user = open_page("import")

st.title("Import data")
st.caption("Every row is checked; good rows are stored in one step and rejected rows come back with the reason. "
           "Importing the same file again adds nothing.")


def run(key: str, action, files: list[str]) -> None:
    """Run an import, keep its report for this session, show what went wrong if it could not be done."""
    try:
        st.session_state[key] = action()
    except (ValidationError, NotAllowed) as exc:  # a refused file (ImportRefused), a bad choice, a refusal
        st.session_state.pop(key, None)
        show_error(error_text(exc))
    except (DuplicateVersions, TimeoutError) as exc:  # another writer got there first: nothing was imported
        st.session_state.pop(key, None)
        show_error(str(exc))
    except Exception as exc:  # noqa: BLE001 - a file must never show a traceback; the log keeps it
        st.session_state.pop(key, None)
        log.exception("import of %s failed", files)
        show_error(f"{', '.join(files)}: could not be imported ({type(exc).__name__}); nothing was imported")


def render_last_report(name: str) -> None:
    """The report of the last import from the tab `name` in this session, if any."""
    if f"import.{name}_report" in st.session_state:
        render_report(st.session_state[f"import.{name}_report"], key=f"import.{name}", store=store, user=user)


crime_tab, boundary_tab, census_tab, sheet_tab = st.tabs(
    ["Crime and ASB", "Ward boundaries", "Census population", "Past events or CCRs"])

with crime_tab:
    st.write("Street-level crime files from data.police.uk (`YYYY-MM-force-street.csv`, plain or .gz), one or "
             "many months. Crimes are placed in wards by their location; load the boundaries first.")
    files = st.file_uploader("Crime files", type=["csv", "gz"], accept_multiple_files=True, key="import.crime_files")
    if st.button("Import crime files", disabled=not files, key="import.crime_go", type="primary"):
        report_progress, clear = progress_bar("Reading the files…")
        run("import.crime_report", lambda: import_crime(store, [f.getvalue() for f in files], user=user,
                                                         names=[f.name for f in files], progress=report_progress),
            [f.name for f in files])
        clear()
    render_last_report("crime")

with boundary_tab:
    st.write("Ward or neighbourhood boundaries as GeoJSON with ONS codes and names. The area of each ward comes "
             "from its properties (e.g. LAD13CD) or from a lookup CSV (e.g. the ONS ward to local authority lookup).")
    shapes = st.file_uploader("Boundaries (GeoJSON)", type=["geojson", "json"], key="import.boundary_file")
    lookup = st.file_uploader("Area lookup (CSV, optional)", type=["csv"], key="import.boundary_lookup")
    force = st.text_input("Only this police force area (optional, as the lookup names it)", key="import.force")
    if st.button("Load boundaries", disabled=shapes is None, key="import.boundary_go", type="primary"):
        run("import.boundary_report", lambda: load_boundaries(
            store, shapes.getvalue(), user=user, name=shapes.name, force=force.strip() or None,
            area_lookup=lookup.getvalue() if lookup else None), [shapes.name])
    render_last_report("boundary")

with census_tab:
    st.write("Census ethnicity by local authority from Nomis (2011 QS201EW or 2021 TS021, CSV). Local authorities "
             "are matched to areas by code or name, or by a lookup CSV with `LAD..CD` and `area_code` columns.")
    table = st.file_uploader("Census table (CSV)", type=["csv", "xlsx"], key="import.census_file")
    census_lookup = st.file_uploader("Local authority to area lookup (optional)", type=["csv"],
                                     key="import.census_lookup")
    if st.button("Import census table", disabled=table is None, key="import.census_go", type="primary"):
        run("import.census_report", lambda: import_census(
            store, table.getvalue(), user=user, name=table.name,
            area_lookup=census_lookup.getvalue() if census_lookup else None), [table.name])
    render_last_report("census")

with sheet_tab:
    st.write("A CSV or Excel export of past events or CCRs (e.g. from Microsoft Forms or Lists). Match its "
             "columns to Beatbook's fields, check the preview, then import.")
    kind = st.segmented_control("Records", ["events", "ccrs"], format_func={"events": "Events", "ccrs": "CCRs"}.get,
                                default="events", required=True, key="import.sheet_kind")
    upload = st.file_uploader("Spreadsheet", type=["csv", "xlsx", "gz"], key="import.sheet_file")
    if upload is not None:
        if st.session_state.get("import.sheet_id") != upload.file_id:  # read a file once, not on every rerun
            st.session_state.pop("import.sheet_frame", None)
            st.session_state["import.sheet_id"] = upload.file_id
            try:
                st.session_state["import.sheet_frame"] = read_spreadsheet(upload.getvalue(), name=upload.name)
                st.session_state.pop("import.sheet_error", None)
            except ValidationError as exc:
                st.session_state["import.sheet_error"] = error_text(exc)
            except Exception as exc:  # noqa: BLE001 - a file must never show a traceback; the log keeps it
                log.exception("reading %s failed", upload.name)
                st.session_state["import.sheet_error"] = f"{upload.name}: could not be read ({type(exc).__name__})"
        if "import.sheet_frame" not in st.session_state:
            show_error(st.session_state.get("import.sheet_error", f"{upload.name}: could not be read"))
            st.stop()
        frame = st.session_state["import.sheet_frame"]
        st.caption(f"{len(frame):,} rows, {len(frame.columns)} columns.")
        mapping, defaults = render_mapping_editor(kind, list(frame.columns), key=f"import.mapping.{kind}")
        try:
            preview = check_rows(store, kind, frame, mapping, defaults=defaults, limit=20)
        except ValidationError as exc:
            show_error(error_text(exc))
            st.stop()
        st.header("Preview: the first rows as Beatbook will store them")
        st.dataframe(preview.preview(frame, kind), hide_index=True, key="import.preview")
        if st.button(f"Import {len(frame):,} rows", key="import.sheet_go", type="primary"):
            report_progress, clear = progress_bar("Checking rows…")
            run("import.sheet_report", lambda: import_spreadsheet(
                store, kind, frame, mapping=mapping, defaults=defaults, user=user, name=upload.name,
                progress=report_progress), [upload.name])
            clear()
    render_last_report("sheet")
