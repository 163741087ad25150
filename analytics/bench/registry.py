"""The benchmark's registry of pages, and how a page's answers are made comparable."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from analytics.filters import Filters
from data.store import Store

BENCH_USER = {"user_id": "bench", "role": "analyst", "area_code": None, "active": True}
"""The bench reads as a force-wide analyst (what every dashboard query asks for)."""


def as_analyst(run: Callable[..., Any]) -> Callable[..., Any]:
    """`run`, called as the bench's analyst when it takes the acting user."""
    if "user" in inspect.signature(run).parameters:
        return functools.partial(run, user=BENCH_USER)
    return run


PAGES = "analytics.bench.pages"
CORE = "core"  # the module of the core pages (events overview, summary), registered first

Window = tuple[dt.datetime, dt.datetime] | None


# -- the registry ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BenchPage:
    """One dashboard page's query set, three ways, and how to compare the answers.

    run_store(store, filters): the page's analytics function as the page calls it.
    run_floor(paths, window): the same figures by hand-written DuckDB over one
      Parquet file per table (`paths`: table -> file; `window`: [start, end) or None).
    run_pandas(frames, window): the same with pandas over DataFrames in memory.
    comparable(result): any of the three results reduced to plain, equal-if-right values.
    tables: table -> the columns the pandas version needs.
    """

    name: str
    run_store: Callable[[Store, Filters], Any]
    run_floor: Callable[[dict[str, str], Window], Any]
    run_pandas: Callable[[dict[str, pd.DataFrame], Window], Any]
    comparable: Callable[[Any], dict]
    tables: Mapping[str, Sequence[str]]


_registry: dict[str, BenchPage] = {}


def register(*pages: BenchPage) -> None:
    """Add pages to the benchmark (a second page of the same name replaces the first)."""
    for page in pages:
        _registry[page.name] = page


def registered_pages() -> list[BenchPage]:
    """Every registered page, after importing each module of `analytics.bench.pages` (`core` first)."""
    package = importlib.import_module(PAGES)
    for module in sorted((m.name for m in pkgutil.iter_modules(package.__path__)), key=lambda n: (n != CORE, n)):
        importlib.import_module(f"{PAGES}.{module}")
    return list(_registry.values())


# -- windows --------------------------------------------------------------------


def window_filters(window: Window) -> Filters:
    """The dashboard filters for a [start, end) window of whole days (no filters for all time)."""
    if window is None:
        return Filters()
    return Filters(start=window[0].date(), end=window[1].date() - dt.timedelta(days=1))


# -- comparable results ---------------------------------------------------------


def fields_of(result: Any) -> dict[str, Any]:
    """A page's result as a dict of its parts, whether the page's dataclass or a floor's dict."""
    if dataclasses.is_dataclass(result):
        return {field.name: getattr(result, field.name) for field in dataclasses.fields(result)}
    return dict(result)


def whole_numbers(figures: Mapping[str, Any]) -> dict[str, int]:
    """Headline figures as plain ints."""
    return {k: int(v) for k, v in figures.items()}


def sorted_rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """The frame's `columns` as sorted tuples of plain Python values."""
    out = []
    for row in frame[columns].itertuples(index=False):
        out.append(tuple(_plain(v) for v in row))
    return sorted(out)


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value

