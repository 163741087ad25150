"""Download buttons for the data behind a page's charts and tables (CSV and Excel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from analytics.export import file_stem, to_csv_bytes, to_excel_bytes, to_zip_of_csv_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render_downloads(frames: Mapping[str, pd.DataFrame], *, name: str, key: str,
                     today: dt.date | None = None) -> None:
    """A CSV button (one frame: a .csv; several: a .zip of CSVs) and an Excel button (one sheet per frame).

    The files are made only when a button is pressed. Every text cell is
    neutralised against formula injection (see `analytics.export`).
    """
    if not frames:
        return
    frames = dict(frames)
    stem = f"{file_stem(name) or 'beatbook'}-{(today or dt.date.today()).isoformat()}"
    if len(frames) == 1:
        (frame,) = frames.values()
        csv_data, csv_name, csv_mime, csv_label = (lambda: to_csv_bytes(frame)), f"{stem}.csv", "text/csv", "CSV"
    else:
        csv_data, csv_name, csv_mime, csv_label = ((lambda: to_zip_of_csv_bytes(frames)), f"{stem}-csv.zip",
                                                   "application/zip", "CSV (zip)")
    with st.container(horizontal=True):
        st.download_button(csv_label, data=csv_data, file_name=csv_name, mime=csv_mime, key=f"{key}.csv",
                           icon=":material/download:", on_click="ignore")
        st.download_button("Excel", data=lambda: to_excel_bytes(frames), file_name=f"{stem}.xlsx", mime=XLSX,
                           key=f"{key}.xlsx", icon=":material/download:", on_click="ignore")
