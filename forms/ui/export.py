"""Download buttons for the data behind a page's charts and tables (CSV and Excel), each download audited."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from analytics.calendar_feed import calendar_file_name, make_calendar
from analytics.export import file_stem, to_excel_bytes, to_zip_of_csv_bytes
from analytics.pack import make_pack_file
from data import access, reference
from data.store import Store
from forms.export import Frames, audited, single_csv
from forms.ui.identity import current_user
from forms.ui.runtime import get_store

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render_downloads(frames: Mapping[str, pd.DataFrame], *, name: str, key: str,
                     today: dt.date | None = None, store: Store | None = None,
                     user: Mapping[str, Any] | None = None) -> None:
    """A CSV button (one frame: a .csv; several: a .zip of CSVs) and an Excel button (one sheet per frame).

    Shown only to users who may export. The files are made only when a button
    is pressed, and each one made is logged as an "export" audit entry. Every
    text cell is neutralised against formula injection (see `analytics.export`).
    """
    if not frames:
        return
    store = store if store is not None else get_store()
    user = user if user is not None else current_user(store)
    if not access.can(user, "export"):
        return
    frames = dict(frames)
    stem = f"{file_stem(name) or 'beatbook'}-{(today or dt.date.today()).isoformat()}"
    context = _page_context()
    if len(frames) == 1:
        csv_make, csv_name, csv_mime, csv_label = single_csv, f"{stem}.csv", "text/csv", "CSV"
    else:
        csv_make, csv_name, csv_mime, csv_label = to_zip_of_csv_bytes, f"{stem}-csv.zip", "application/zip", "CSV (zip)"

    def logged(make: Callable[[Frames], bytes], file_name: str) -> Callable[[], bytes]:
        return audited(make, frames, store=store, user=user, file_name=file_name, context=context)

    with st.container(horizontal=True):
        st.download_button(csv_label, data=logged(csv_make, csv_name), file_name=csv_name, mime=csv_mime,
                           key=f"{key}.csv", icon=":material/download:", on_click="ignore")
        st.download_button("Excel", data=logged(to_excel_bytes, f"{stem}.xlsx"),
                           file_name=f"{stem}.xlsx", mime=XLSX, key=f"{key}.xlsx", icon=":material/download:",
                           on_click="ignore")


def render_calendar_download(store: Store, user: Mapping[str, Any], *, label: str, key: str,
                             area_code: str | None = None, fmt: str = "ics", help: str | None = None) -> None:
    """A button for the user's own calendar (no `area_code`) or an area's (.ics, or its public events as
    data.police.uk JSON); the file is made, checked and audited only when pressed (`make_calendar`)."""
    file_name, mime = calendar_file_name(user, area_code=area_code, fmt=fmt)

    def make() -> bytes:
        return make_calendar(store, user=user, area_code=area_code, fmt=fmt, context=_page_context()).data

    st.download_button(label, data=make, file_name=file_name, mime=mime, key=key, icon=":material/calendar_month:",
                       on_click="ignore", help=help)


def render_pack_download(store: Store, user: Mapping[str, Any], *, key: str, force_name: str = "",
                         today: dt.date | None = None, months: int = 12) -> None:
    """Pick an area and a month and download its monthly area pack (PDF, or the HTML copy); each file is made
    and audited when pressed.
    Shown only to users who may export."""
    if not access.can(user, "export"):
        return
    areas = access.areas_in_scope(user, reference.area_names(store))
    if not areas:
        return
    last_ended = ((today or dt.date.today()).replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    choices = [last_ended]  # months that have ended: a pack reports a whole month
    for _ in range(months - 1):
        choices.append((choices[-1] - dt.timedelta(days=1)).replace(day=1))
    with st.container(horizontal=True, vertical_alignment="bottom"):
        area = st.selectbox("Area", list(areas), format_func=lambda code: f"{areas[code]} ({code})",
                            key=f"{key}.area")
        month = st.selectbox("Month", choices, index=0, format_func=lambda day: f"{day:%B %Y}", key=f"{key}.month")
        stem = f"pack-{file_stem(area) or 'area'}-{month:%Y-%m}"
        for fmt, label, mime, icon in (("pdf", "Monthly area pack (PDF)", "application/pdf", "picture_as_pdf"),
                                       ("html", "HTML copy", "text/html", "html")):
            st.download_button(label, data=_pack_maker(store, user, area, month, fmt, force_name), mime=mime,
                               key=f"{key}.{fmt}", file_name=f"{stem}.{fmt}", icon=f":material/{icon}:",
                               on_click="ignore")


def _pack_maker(store: Store, user: Mapping[str, Any], area: str, month: dt.date, fmt: str,
                force_name: str) -> Callable[[], bytes]:
    def make() -> bytes:
        return make_pack_file(store, user=user, area_code=area, month=month, fmt=fmt, force_name=force_name,
                              context=_page_context())

    return make


def _page_context() -> str:
    """The page and its filters as its link shows them (a view is a link)."""
    try:
        page = st.context.url or ""
    except Exception:  # noqa: BLE001 - AppTest has no browser URL
        page = ""
    query = urllib.parse.urlencode(st.query_params.to_dict())
    path = urllib.parse.urlparse(page).path if page else ""
    return f"page {path or '?'}" + (f"?{query}" if query else "")
