"""A dashboard page's frame: its start (title, filter bar, drill view, breadcrumb) and the parts pages share."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from analytics.charts import WardMap, build_count_bar_chart, build_ward_map
from analytics.filters import Filters
from analytics.metrics import metric
from analytics.queries import list_ward_shapes
from data.environment import Environment
from data.store import Store
from forms.ui.drill import (
    DrillView,
    drill_view,
    render_breadcrumb,
    render_drill_chart,
    render_drill_map,
    render_drill_table,
)
from forms.ui.export import render_downloads
from forms.ui.filter_bar import render_filter_bar
from forms.ui.runtime import get_force_name
from forms.ui.widgets import render_metric_tiles

MAP_CENTRES = ["centre_lat", "centre_lon"]  # a ward table's map columns, left out of its download


@dataclasses.dataclass(frozen=True)
class Dashboard:
    """What a dashboard page works with (`board = open_dashboard(...)`), and the parts its pages share."""

    environment: Environment
    store: Store
    user: dict[str, Any]
    filters: Filters
    view: DrillView | None = None

    def render_headline(self, headline: Mapping[str, Any], names: Iterable[str], *, width: int = 170) -> None:
        """The metric tiles of the figures `names` (defined in analytics.metrics) from `headline`."""
        render_metric_tiles(headline, (metric(name) for name in names), width=width)

    def stop_if_empty(self, empty: bool, *, nothing: str) -> None:
        """When `empty`, say there are no `nothing` for these filters and how to find some, and stop the page."""
        if empty:
            st.info(f"No {nothing} for these filters. Widen the period or go back up the breadcrumb.",
                    icon=":material/info:")
            st.stop()

    def render_drill_chart(self, breakdowns: Mapping[str, pd.DataFrame], *, measure: str) -> None:
        """Bars one level down (areas, wards or officers); clicking one drills to it."""
        render_drill_chart(self.view, breakdowns, measure=measure)

    def render_drill_table(self, frame: pd.DataFrame, *, name: str, column: str, level: str,
                           column_config: Mapping[str, Any]) -> None:
        """A table, its columns in `column_config`'s order, whose rows drill to the `level` in `column`."""
        render_drill_table(self.view, frame, name=name, column=column, level=level, column_config=column_config,
                           column_order=list(column_config))

    def ward_map(self, counts: pd.DataFrame, *, measure: str) -> WardMap:
        """The ward map of `counts` in the board's filters and basemap."""
        return build_ward_map(list_ward_shapes(self.store, self.filters, user=self.user), counts, measure=measure,
                              basemap_style=self.environment.basemap_style)

    def render_ward_map(self, counts: pd.DataFrame, *, measure: str, height: int = 460) -> None:
        """The ward map of `counts`; tapping a ward drills to it."""
        render_drill_map(self.view, self.ward_map(counts, measure=measure), height=height)

    def render_downloads(self, frames: Mapping[str, pd.DataFrame], *, name: str, key: str) -> None:
        """The audited downloads of `frames`, as the board's user."""
        render_downloads(frames, name=name, key=key, store=self.store, user=self.user)


def open_dashboard(*, environment: Environment, store: Store, user: dict[str, Any], title: str, key: str,
                   event_types: bool = True, drill: bool = True, caption: str | None = None) -> Dashboard:
    """The top of a dashboard opened with `open_page`: its title (and `caption`), its filter bar under `key` and,
    when it drills, the drill view and its breadcrumb."""
    st.title(title)
    if caption:
        st.caption(caption)
    filters = render_filter_bar(store, key=key, event_types=event_types, user=user)
    if not drill:
        return Dashboard(environment, store, user, filters)
    view = drill_view(store, page=key, bar_key=key, filters=filters, force_name=get_force_name(store, environment))
    render_breadcrumb(view.crumbs(), bar_key=key)
    return Dashboard(environment, store, user, filters, view)


def render_chart_or_note(frame: pd.DataFrame, chart: Callable[[pd.DataFrame], alt.Chart], *, alt_text: str,
                         empty: str) -> None:
    """The chart of `frame` (named `alt_text` to a screen reader), or the caption `empty` when it has no rows."""
    if frame.empty:  # an empty chart would be an unnamed graphic to a screen reader, and says nothing
        st.caption(empty)
    else:
        st.altair_chart(chart(frame), width="stretch", alt=alt_text)


def render_count_chart(frame: pd.DataFrame, *, alt_text: str, empty: str, category: str, measure: str, title: str,
                       measure_title: str | None = None) -> None:
    """Plain bars of `measure` per `category`, or the caption `empty` when there are none."""
    render_chart_or_note(frame, lambda df: build_count_bar_chart(df, category=category, measure=measure, title=title,
                                                                 measure_title=measure_title),
                         alt_text=alt_text, empty=empty)

