"""Ward maps on a page: the map, its legend, and the tapped ward's name and figure written under it.

A phone has no hover, so a tooltip alone shows nothing there: a tap selects the
ward (the chart's `on_select`) and its name and figure are written under the
map as text, where a screen reader finds them too. Without a configured basemap
a map is a Vega-Lite chart on a 2-D canvas (light on a machine with no GPU); with
one it is a pydeck map over the tiles. Either works on a closed network.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from analytics.charts import MAP_SELECTIONS, WardMap, build_map_legend_html
from forms.ui.widgets import user_text

TAP_HINT = "Tap or click a ward to see its name and figure here."


def selection_part(mapping: Any, name: str) -> Any:
    """`name` of a Streamlit selection event or part of one (a mapping or an attribute object); None if absent."""
    if mapping is None:
        return None
    try:
        return mapping[name]
    except (KeyError, TypeError, IndexError):
        return getattr(mapping, name, None)


def picked_from_map(event: Any, *, field: str = "ward_code") -> str | None:
    """The `field` of the map feature clicked in a map's selection event (Vega-Lite or pydeck `on_select`).

    A Vega-Lite map fills its MAP_SELECTIONS parameters with the field; in a pydeck map a GeoJSON feature keeps
    it under `properties`, a scatter point at the top level.
    """
    selection = selection_part(event, "selection")
    objects = selection_part(selection, "objects")
    if not isinstance(objects, Mapping):
        objects = {name: selection_part(selection, name) for name in MAP_SELECTIONS}
    for picked in objects.values():
        for item in picked or []:
            if not isinstance(item, Mapping):
                continue
            value = item.get(field)
            if value is None and isinstance(item.get("properties"), Mapping):
                value = item["properties"].get(field)
            if value not in (None, ""):
                return str(value)
    return None


def show_map(ward_map: WardMap, *, key: str, height: int, on_select: Callable[[], None] | str = "rerun") -> Any:
    """Draw the map (no basemap unless one is configured) with taps selecting one ward; the selection event."""
    if ward_map.deck is not None:
        return st.pydeck_chart(ward_map.deck, height=height, key=key, on_select=on_select,
                               selection_mode="single-object")
    return st.vega_lite_chart(spec={**ward_map.spec, "height": height}, width="stretch", key=key,
                              on_select=on_select, selection_mode=list(MAP_SELECTIONS),
                              alt=ward_map.legend.text())


def render_map_key(ward_map: WardMap, *, key: str, tapped: str | None, hint: str = TAP_HINT) -> None:
    """Under the map: the tapped ward's name and figure (or how to get them), then the legend."""
    figure = ward_map.figure(tapped)
    with st.container(key=f"{key}.readout"):
        if figure:
            st.markdown(f":material/location_on: **{user_text(figure, one_line=True)}**")
        else:
            st.caption(hint)
        st.html(build_map_legend_html(ward_map.legend))


def render_map(ward_map: WardMap, *, key: str, height: int = 480) -> None:
    """A ward map with its legend; tapping a ward writes its name and figure under the map."""
    event = show_map(ward_map, key=key, height=height)
    render_map_key(ward_map, key=key, tapped=picked_from_map(event))
