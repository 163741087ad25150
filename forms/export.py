"""Download buttons for the data behind a page's charts and tables (CSV and Excel).

Only roles with the `export` capability see them, and every file made is
written to the audit log (who, which page's data, which tables).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from analytics.export import file_stem, to_csv_bytes, to_excel_bytes, to_zip_of_csv_bytes
from data import access, audit
from data.store import Store

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def exported(store: Store, user: Mapping[str, Any], make: Callable[[], bytes], *, file_name: str,
             tables: list[str]) -> Callable[[], bytes]:
    """`make`, checked against the user's `export` capability and audited each time a file is made."""

    def checked() -> bytes:
        access.require(user, "export")
        audit.log(store, user, "export", detail=f"{file_name}: {', '.join(tables)}")
        return make()

    return checked


def render_downloads(frames: Mapping[str, pd.DataFrame], *, name: str, key: str, store: Store,
                     user: Mapping[str, Any], today: dt.date | None = None) -> None:
    """A CSV button (one frame: a .csv; several: a .zip of CSVs) and an Excel button (one sheet per frame).

    Nothing is shown to a user without the `export` capability. The files are
    made only when a button is pressed, and each one made is audited. Every
    text cell is neutralised against formula injection (see `analytics.export`).
    """
    if not frames or not access.can(user, "export"):
        return
    frames = dict(frames)
    stem = f"{file_stem(name) or 'beatbook'}-{(today or dt.date.today()).isoformat()}"
    if len(frames) == 1:
        (frame,) = frames.values()
        csv_data, csv_name, csv_mime, csv_label = (lambda: to_csv_bytes(frame)), f"{stem}.csv", "text/csv", "CSV"
    else:
        csv_data, csv_name, csv_mime, csv_label = ((lambda: to_zip_of_csv_bytes(frames)), f"{stem}-csv.zip",
                                                   "application/zip", "CSV (zip)")
    tables = list(frames)
    csv_data = exported(store, user, csv_data, file_name=csv_name, tables=tables)
    excel_data = exported(store, user, lambda: to_excel_bytes(frames), file_name=f"{stem}.xlsx", tables=tables)
    with st.container(horizontal=True):
        st.download_button(csv_label, data=csv_data, file_name=csv_name, mime=csv_mime, key=f"{key}.csv",
                           icon=":material/download:", on_click="ignore")
        st.download_button("Excel", data=excel_data, file_name=f"{stem}.xlsx", mime=XLSX,
                           key=f"{key}.xlsx", icon=":material/download:", on_click="ignore")
