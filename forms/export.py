"""Audited exports: a file maker that checks the capability and logs an "export" audit entry for each file made."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from analytics.export import to_csv_bytes
from data import access, audit
from data.store import Store

MAX_LOGGED_IDS = 5000
"""At most this many record ids are listed in one export's audit entry."""


Frames = Mapping[str, pd.DataFrame]


def audited(make: Callable[[Frames], bytes], frames: Frames | Callable[[], Frames], *, store: Store,
            user: Mapping[str, Any], file_name: str, table: str | None = None, context: str = "",
            capability: str = "export") -> Callable[[], bytes]:
    """A file maker for `st.download_button(data=...)`: each call (one download) checks `capability`, logs an
    "export" audit entry, then returns `make(frames)`.

    `frames` may be a function, run only when the file is made. The entry
    names the file, each frame with its row count, the page's filters
    (`context`) and the ids of the records exported (a `record_id` column).
    """
    def generate() -> bytes:
        access.require(user, capability)
        data = dict(frames() if callable(frames) else frames)
        ids: list[str] = []
        for frame in data.values():
            if "record_id" in frame.columns:
                ids += [str(v) for v in frame["record_id"].dropna()]
        parts = ", ".join(f"{label} ({len(frame):,} rows)" for label, frame in data.items())
        detail = f"{file_name}: {parts}" + (f"; {context}" if context else "")
        audit.log(store, user, "export", table=table, target_ids=ids[:MAX_LOGGED_IDS], detail=detail[:4000])
        return make(data)

    return generate


def single_csv(frames: Frames) -> bytes:
    """The one frame of `frames` as CSV bytes."""
    (frame,) = frames.values()
    return to_csv_bytes(frame)
