"""Benchmark entries for the Events overview page and the headline summary."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from analytics import queries
from analytics.bench.floors import core as core_floors
from analytics.bench.in_memory import PANDAS_COLUMNS, PandasPages
from analytics.bench.registry import BenchPage, fields_of, register, sorted_rows, whole_numbers
from analytics.filters import Filters
from data.store import Store


def comparable(page: str, result: Any) -> dict:
    """The figures a page shows, in a form the three implementations can be checked on."""
    if page == "summary":
        return dict(result)
    if page == "events_overview":
        result = fields_of(result)
        wards = result["by_ward"]
        wards = wards[wards["events"].gt(0) | wards["completed"].gt(0) | wards["attendees"].gt(0)]
        return {
            "headline": whole_numbers(result["headline"]),
            "by_week": sorted_rows(result["by_week"], ["week", "status", "events"]),
            "by_type": sorted_rows(result["by_type"], ["event_type", "events", "completed", "attendees"]),
            "by_area": sorted_rows(result["by_area"], ["area_code", "events", "completed", "attendees"]),
            "by_ward": sorted_rows(wards, ["ward_code", "events", "completed", "attendees"]),
            "latest": list(result["latest"]["record_id"]),
        }
    raise ValueError(f"no comparison for page {page!r}")


def _core_page(name: str, store_function: Callable[[Store, Filters], Any]) -> BenchPage:
    return BenchPage(
        name=name,
        run_store=store_function,
        run_floor=getattr(core_floors, name),
        run_pandas=lambda frames, window: getattr(PandasPages(frames), name)(window),
        comparable=functools.partial(comparable, name),
        tables={t: PANDAS_COLUMNS[t] for t in CORE_TABLES[name]},
    )


CORE_TABLES = {
    "events_overview": ("events", "wards", "areas"),
    "summary": ("events", "ccrs", "ysywd"),
}
register(_core_page("events_overview", queries.events_overview), _core_page("summary", queries.summary))
