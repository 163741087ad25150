"""Drill-down: force -> area -> ward -> officer, by clicking a bar, a map feature or a table row.

A click narrows the dashboard's filters one level (the filter bar's areas,
wards and officers) and the page reruns; a breadcrumb ("Force › North ›
Castle › PC Smith") shows where you are and each part goes back up.

How a selection becomes filters is plain functions (`picked_from_chart`,
`picked_from_table`, `picked_from_map`, `narrow`, `breadcrumb`), tested
without Streamlit; the `render_*` and `on_*` helpers only wire them to
widgets and the filter bar's session state.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from analytics.charts import SELECTION, WardMap, build_drill_bar_chart
from analytics.filters import Filters
from data import reference
from data.store import Store
from forms.ui.filter_bar import officer_names, set_places
from forms.ui.maps import picked_from_map, render_map_key, selection_part, show_map
from forms.ui.widgets import user_text

LEVELS = ("force", "area", "ward", "officer")
SEPARATOR = "›"


def level_of(filters: Filters) -> str:
    """How far down the filters are: force, area, ward or officer."""
    if filters.officers:
        return "officer"
    if filters.wards:
        return "ward"
    if filters.areas:
        return "area"
    return "force"


def next_level(filters: Filters) -> str | None:
    """The level a click drills to from here (None at officer level)."""
    index = LEVELS.index(level_of(filters)) + 1
    return LEVELS[index] if index < len(LEVELS) else None


def narrow(filters: Filters, *, level: str, code: str, ward_areas: Mapping[str, str] | None = None) -> Filters:
    """The filters after clicking `code` at `level`: an area, a ward (and its area) or an officer.

    An area or a ward replaces the places chosen so far and clears the levels
    below; an officer keeps the places and picks that officer.
    """
    if level == "area":
        return dataclasses.replace(filters, areas=(code,), wards=(), officers=())
    if level == "ward":
        area = (ward_areas or {}).get(code)
        areas = (area,) if area else filters.areas
        return dataclasses.replace(filters, areas=areas, wards=(code,), officers=())
    if level == "officer":
        return dataclasses.replace(filters, officers=(code,))
    raise ValueError(f"cannot drill to {level!r}; choose from area, ward, officer")


def up_to(filters: Filters, level: str) -> Filters:
    """The filters with every level below `level` cleared (force clears areas, wards and officers)."""
    depth = LEVELS.index(level)
    return dataclasses.replace(
        filters,
        areas=filters.areas if depth >= 1 else (),
        wards=filters.wards if depth >= 2 else (),
        officers=filters.officers if depth >= 3 else (),
    )


# -- reading selections ---------------------------------------------------------


def picked_from_chart(event: Any, *, field: str, param: str = SELECTION) -> str | None:
    """The `field` of the bar clicked in an Altair chart's selection event (`st.altair_chart(on_select=...)`)."""
    points = selection_part(selection_part(event, "selection"), param)
    if isinstance(points, list) and points and isinstance(points[0], Mapping):
        value = points[0].get(field)
        return str(value) if value not in (None, "") else None
    return None


def picked_from_table(event: Any, frame: pd.DataFrame, *, column: str) -> str | None:
    """The `column` of the row clicked in a dataframe's selection event (`st.dataframe(on_select=...)`)."""
    rows = selection_part(selection_part(event, "selection"), "rows")
    if not rows:
        return None
    index = rows[0]
    if not isinstance(index, int) or not 0 <= index < len(frame):
        return None
    value = frame.iloc[index][column]
    return str(value) if pd.notna(value) else None


# -- breadcrumb -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Crumb:
    """One part of the breadcrumb: what it says, the filters clicking it goes back to, and its level."""

    label: str
    filters: Filters
    level: str
    current: bool = False


def breadcrumb(filters: Filters, *, force_name: str, area_names: Mapping[str, str],
               ward_names: Mapping[str, str], officer_names: Mapping[str, str]) -> list[Crumb]:
    """Force › area › ward › officer, as far down as the filters go; the last part is where you are."""

    def names(codes: tuple[str, ...], lookup: Mapping[str, str], plural: str) -> str:
        if len(codes) == 1:
            return lookup.get(codes[0], codes[0])
        return f"{len(codes)} {plural}"

    crumbs = [Crumb(force_name, up_to(filters, "force"), "force")]
    if filters.areas:
        crumbs.append(Crumb(names(filters.areas, area_names, "areas"), up_to(filters, "area"), "area"))
    if filters.wards:
        crumbs.append(Crumb(names(filters.wards, ward_names, "wards"), up_to(filters, "ward"), "ward"))
    if filters.officers:
        crumbs.append(Crumb(names(filters.officers, officer_names, "officers"), filters, "officer"))
    crumbs[-1] = dataclasses.replace(crumbs[-1], current=True)
    return crumbs


def breadcrumb_text(crumbs: list[Crumb]) -> str:
    """The breadcrumb as one line of text."""
    return f" {SEPARATOR} ".join(c.label for c in crumbs)


# -- Streamlit wiring -------------------------------------------------------------


def render_breadcrumb(crumbs: list[Crumb], *, bar_key: str) -> None:
    """The breadcrumb: earlier parts are buttons that go back up, the last is plain text."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small", key=f"{bar_key}.crumbs"):
        for crumb in crumbs:
            if crumb.current:
                st.markdown(f"**{user_text(crumb.label, one_line=True)}**")
            else:
                st.button(user_text(crumb.label, one_line=True), key=f"{bar_key}.crumb.{crumb.level}", type="tertiary",
                          on_click=set_places, args=(bar_key, crumb.filters))
                st.markdown(SEPARATOR)


def chart_key(page: str, name: str, filters: Filters) -> str:
    """A widget key that changes with the drill level, so a new level starts with no selection."""
    return f"{page}.{name}.{level_of(filters)}.{'+'.join(filters.areas + filters.wards + filters.officers)}"


def on_chart_pick(bar_key: str, widget_key: str, filters: Filters, level: str, field: str,
                  ward_areas: Mapping[str, str]) -> None:
    """`on_select` callback of a drill bar chart: narrow the filter bar to the clicked bar."""
    code = picked_from_chart(st.session_state.get(widget_key), field=field)
    if code:
        set_places(bar_key, narrow(filters, level=level, code=code, ward_areas=ward_areas))


def on_table_pick(bar_key: str, widget_key: str, filters: Filters, frame: pd.DataFrame, column: str,
                  level: str, ward_areas: Mapping[str, str]) -> None:
    """`on_select` callback of a drill table: narrow the filter bar to the clicked row."""
    code = picked_from_table(st.session_state.get(widget_key), frame, column=column)
    if code:
        set_places(bar_key, narrow(filters, level=level, code=code, ward_areas=ward_areas))


def on_map_pick(bar_key: str, widget_key: str, filters: Filters, ward_areas: Mapping[str, str],
                tapped_key: str | None = None) -> None:
    """`on_select` callback of a ward map: narrow the filter bar to the clicked ward (kept in `tapped_key`)."""
    code = picked_from_map(st.session_state.get(widget_key))
    if code:
        if tapped_key:
            st.session_state[tapped_key] = code
        set_places(bar_key, narrow(filters, level="ward", code=code, ward_areas=ward_areas))


@dataclasses.dataclass(frozen=True)
class DrillView:
    """What a dashboard page needs to drill: its filter bar, its filters and the names of places and officers."""

    page: str
    bar_key: str
    filters: Filters
    force_name: str
    area_names: Mapping[str, str]
    ward_names: Mapping[str, str]
    ward_areas: Mapping[str, str]
    officer_names: Mapping[str, str]

    def crumbs(self) -> list[Crumb]:
        return breadcrumb(self.filters, force_name=self.force_name, area_names=self.area_names,
                          ward_names=self.ward_names, officer_names=self.officer_names)


def drill_view(store: Store, *, page: str, bar_key: str, filters: Filters, force_name: str) -> DrillView:
    """The drill context of a page, with names looked up once."""
    wards = reference.list_wards(store)
    return DrillView(
        page=page, bar_key=bar_key, filters=filters, force_name=force_name,
        area_names=reference.area_names(store),
        ward_names=dict(zip(wards["ward_code"], wards["name"], strict=True)),
        ward_areas=dict(zip(wards["ward_code"], wards["area_code"], strict=True)),
        officer_names=officer_names(store),
    )


# For each level drilled to: the breakdown to show, its code and label columns, its title.
_NEXT = {
    "area": ("by_area", "area_code", "name", "Area"),
    "ward": ("by_ward", "ward_code", "name", "Ward"),
    "officer": ("by_officer", "officer_id", "officer", "Officer"),
}


def drill_frame(level: str | None, breakdowns: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, str, str, str]:
    """The breakdown one level down (officers at officer level), with its code, label and title."""
    part, code, label, title = _NEXT[level or "officer"]
    return breakdowns[part], code, label, title


def render_drill_chart(view: DrillView, breakdowns: Mapping[str, pd.DataFrame], *, measure: str,
                       height: int = 320) -> None:
    """Bars one level down (areas, wards or officers); clicking one drills to it."""
    level = next_level(view.filters)
    frame, code, label, title = drill_frame(level, breakdowns)
    if frame.empty:
        st.caption("Nothing to break down for these filters.")
        return
    chart = build_drill_bar_chart(frame, code=code, label=label, measure=measure, title=title)
    name = f"Bar chart of {measure} by {title.lower()}"  # its accessible name
    if level is None:
        st.altair_chart(chart, width="stretch", height=height, alt=name)
        return
    key = chart_key(view.page, "drill", view.filters)
    pick = functools.partial(on_chart_pick, view.bar_key, key, view.filters, level, code, view.ward_areas)
    st.altair_chart(chart, width="stretch", height=height, key=key, on_select=pick, selection_mode=SELECTION,
                    alt=name)
    st.caption(f"Click a bar to drill down to that {title.lower()}.")


def render_drill_table(view: DrillView, frame: pd.DataFrame, *, name: str, column: str, level: str,
                       column_config: Mapping[str, Any] | None = None, column_order: list[str] | None = None) -> None:
    """A table whose rows drill to the `level` (area, ward or officer) in `column` when clicked."""
    key = chart_key(view.page, name, view.filters)
    pick = functools.partial(on_table_pick, view.bar_key, key, view.filters, frame, column, level, view.ward_areas)
    st.dataframe(frame, hide_index=True, key=key, on_select=pick, selection_mode="single-row",
                 column_config=column_config, column_order=column_order)


def render_drill_map(view: DrillView, ward_map: WardMap, *, height: int = 460) -> None:
    """A ward map with its legend (no basemap unless configured); tapping a ward drills to it, and its name
    and figure are written under the map."""
    key = chart_key(view.page, "map", view.filters)
    tapped_key = f"{view.page}.map.tapped"
    pick = functools.partial(on_map_pick, view.bar_key, key, view.filters, view.ward_areas, tapped_key)
    show_map(ward_map, key=key, height=height, on_select=pick)
    render_map_key(ward_map, key=f"{view.page}.map", tapped=st.session_state.get(tapped_key),
                   hint="Tap or click a ward to see its figure and drill down to it.")
