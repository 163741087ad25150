"""Widgets of the import page: the column-mapping editor, a progress bar, an import's report, its errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from analytics.export import file_stem, to_csv_bytes
from data.access import NotAllowed
from data.imports.common import ImportReport
from data.imports.spreadsheet import fields, suggest_mapping
from data.store import Store, ValidationError
from forms.export import audited
from forms.ui.widgets import user_text

NOT_MAPPED = "— not in the file —"


def render_mapping_editor(table: str, columns: Sequence[str], *, key: str) -> tuple[dict[str, str], dict[str, str]]:
    """One row per Beatbook field: the spreadsheet column it comes from, or one value for every row.

    Returns (mapping field -> column, defaults field -> value).
    """
    suggested = suggest_mapping(table, columns)
    rows = pd.DataFrame([{"field": f.name, "meaning": f.label + (" (required)" if f.required else ""),
                          "column": suggested.get(f.name, NOT_MAPPED), "every_row": ""}
                         for f in fields(table)])
    edited = st.data_editor(
        rows, hide_index=True, key=key, disabled=["field", "meaning"], width="stretch",
        column_config={
            "field": st.column_config.TextColumn("Beatbook field"),
            "meaning": st.column_config.TextColumn("What it is", width="large"),
            "column": st.column_config.SelectboxColumn("Column in the file", options=[NOT_MAPPED, *columns],
                                                       required=True),
            "every_row": st.column_config.TextColumn("Or one value for every row",
                                                     help="Used where the row has no value (e.g. the area)."),
        })
    mapping = {r.field: r.column for r in edited.itertuples() if r.column and r.column != NOT_MAPPED}
    defaults = {r.field: str(r.every_row).strip() for r in edited.itertuples()
                if isinstance(r.every_row, str) and r.every_row.strip()}
    return mapping, defaults


def progress_bar(text: str) -> tuple[Callable[[float, str], None], Callable[[], None]]:
    """A progress bar and its (report, clear) functions, for an importer's `progress` argument."""
    slot = st.empty()
    bar = slot.progress(0.0, text=text)

    def report(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=user_text(message, one_line=True))  # names a file

    return report, slot.empty


def render_report(report: ImportReport, *, key: str, store: Store, user: Mapping[str, Any]) -> None:
    """An import's counts, reasons, notes, and the rejected rows as a CSV download (audited as an export)."""
    with st.container(horizontal=True):
        for label, value in (("Rows read", report.read), ("Imported", report.imported),
                             ("Updated", report.updated), ("Already there", report.unchanged),
                             ("Rejected", report.rejected)):
            st.metric(label, f"{value:,}", border=True, width=150)
    if report.reasons:
        st.dataframe(pd.DataFrame(report.reasons.most_common(), columns=["Why rejected", "Rows"]),
                     hide_index=True, key=f"{key}.reasons")
    for note in report.notes:
        st.caption(user_text(note))
    if report.rejected and len(report.rejected_rows):
        file_name, make = rejected_rows_download(report, store=store, user=user)
        st.download_button("Download the rejected rows, with the reason per row", data=make, file_name=file_name,
                           mime="text/csv", key=f"{key}.rejected", icon=":material/download:", on_click="ignore")


def rejected_rows_download(report: ImportReport, *, store: Store, user: Mapping[str, Any]
                           ) -> tuple[str, Callable[[], bytes]]:
    """The rejected rows' file name and maker: each download is logged as an "export" audit entry (as every
    dashboard download is), for the user who may import (the rows are from their own file)."""
    source = report.files[0] if report.files else report.table
    source = re.sub(r"(\.(csv|gz|xlsx|xlsm|geojson|json|txt))+$", "", source, flags=re.IGNORECASE)
    name = f"{file_stem(source) or 'import'}-rejected.csv"
    rows = report.rejected_rows
    make = audited(lambda frames: to_csv_bytes(frames["rejected rows"]), {"rejected rows": rows}, store=store,
                   user=user, file_name=name, table=report.table, capability="import",
                   context=f"rejected rows of the import of {', '.join(report.files)[:500]}")
    return name, make


def error_text(exc: ValidationError | NotAllowed) -> str:
    """A ValidationError as one line: a refused file's message names it ("events.csv: ..."), others say the field."""
    return "; ".join(str(v) if k == "file" else f"{k}: {v}" for k, v in exc.errors.items())


def show_error(message: str) -> None:
    st.error(user_text(message), icon=":material/error:")
