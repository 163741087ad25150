"""Chart and map builders: DataFrames in, `alt.Chart` / `pdk.Deck` out, no Streamlit.

Maps draw without a basemap unless a style is configured: ward boundaries are
a GeoJSON layer shaded by a measure, ward centres a scatter layer, and
optional points or hexbins go on top, so they work on a closed network.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence

import altair as alt
import pandas as pd
import pydeck as pdk

from analytics.metrics import METRICS

STATUS_ORDER = ("completed", "booked", "cancelled")
STATUS_COLOURS = ("#1b7837", "#5aae61", "#bdbdbd")
SELECTION = "pick"
LOW = (222, 235, 247)  # light blue for the smallest value
HIGH = (8, 48, 107)  # dark blue for the largest
POINT_COLOUR = [214, 96, 77, 190]

_LABELS = {"events": "Events", "completed": "Completed", "attendees": "People engaged", "ccrs": "Contacts",
           "consented": "Consented"}


def _label(measure: str) -> str:
    return _LABELS.get(measure) or (METRICS[measure].label if measure in METRICS else measure)


# -- Altair -----------------------------------------------------------------------


def build_events_by_week_chart(df: pd.DataFrame) -> alt.Chart:
    """Events per week stacked by status; clicking a bar selects (week, status) as `pick`."""
    pick = alt.selection_point(name=SELECTION, fields=["week", "status"], on="click")
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="Week", timeUnit="yearweek"),  # a bar as wide as its week
            y=alt.Y("sum(events):Q", title="Events", stack="zero"),
            color=alt.Color("status:N", title="Status",
                            scale=alt.Scale(domain=list(STATUS_ORDER), range=list(STATUS_COLOURS))),
            order=alt.Order("status_rank:Q"),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
            tooltip=[alt.Tooltip("week:T", title="Week starting", format="%d %b %Y"),
                     alt.Tooltip("status:N", title="Status"),
                     alt.Tooltip("sum(events):Q", title="Events", format=",")],
        )
        .transform_calculate(status_rank=f"indexof({json.dumps(list(STATUS_ORDER))}, datum.status)")
        .add_params(pick)
    )


def build_events_by_type_chart(df: pd.DataFrame) -> alt.Chart:
    """Events by type, longest bar first; the tooltip adds completed events and attendees."""
    return _horizontal_bars(df, category="event_type", title="Event type", measure="events",
                            extra=("completed", "attendees"))


def build_area_bar_chart(df: pd.DataFrame, *, measure: str = "events", category: str = "area",
                         title: str = "Area") -> alt.Chart:
    """One bar per area (or any `category` column) for `measure`, longest first; click selects it."""
    extra = tuple(c for c in ("events", "completed", "attendees", "ccrs", "consented")
                  if c in df.columns and c != measure)
    return _horizontal_bars(df, category=category, title=title, measure=measure, extra=extra)


def _horizontal_bars(df: pd.DataFrame, *, category: str, title: str, measure: str,
                     extra: Sequence[str]) -> alt.Chart:
    pick = alt.selection_point(name=SELECTION, fields=[category], on="click")
    tooltip = [alt.Tooltip(f"{category}:N", title=title),
               alt.Tooltip(f"{measure}:Q", title=_label(measure), format=",")]
    tooltip += [alt.Tooltip(f"{c}:Q", title=_label(c), format=",") for c in extra]
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X(f"{measure}:Q", title=_label(measure)),
            y=alt.Y(f"{category}:N", title=title, sort="-x"),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
            tooltip=tooltip,
        )
        .add_params(pick)
    )


# -- pydeck -----------------------------------------------------------------------


def build_ward_map(
    wards_df: pd.DataFrame,
    counts_df: pd.DataFrame,
    *,
    measure: str,
    basemap_style: str | None = None,
    points_df: pd.DataFrame | None = None,
    hexbin: bool = False,
) -> pdk.Deck:
    """Wards shaded by `measure`, their centres as dots, optional points or hexbins; works offline.

    wards_df: ward_code, name, centre_lat, centre_lon, geojson (a GeoJSON geometry,
    Feature or FeatureCollection as text; missing boundaries are skipped).
    counts_df: ward_code and the `measure` column. points_df: lat, lon (and any
    tooltip columns); drawn as dots, or as hexbins when `hexbin` is true.
    """
    values = counts_df.set_index("ward_code")[measure] if len(counts_df) else pd.Series(dtype="int64")
    top = float(values.max()) if len(values) and values.max() > 0 else 1.0
    label = _label(measure)

    features, centres = [], []
    for ward in wards_df.itertuples(index=False):
        value = int(values.get(ward.ward_code, 0) or 0)
        props = {"ward_code": ward.ward_code, "name": ward.name, "measure": label, "value": value,
                 "fill": _shade(value / top)}
        features += _features(getattr(ward, "geojson", None), props)
        if pd.notna(ward.centre_lat) and pd.notna(ward.centre_lon):
            centres.append({**props, "lat": float(ward.centre_lat), "lon": float(ward.centre_lon),
                            "radius": 150 + 1_350 * math.sqrt(value / top)})

    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            data={"type": "FeatureCollection", "features": features},
            id="ward-boundaries",
            pickable=True, stroked=True, filled=True,
            get_fill_color="properties.fill",
            get_line_color=[80, 80, 80, 200],
            line_width_min_pixels=1,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data=centres,
            id="ward-centres",
            pickable=True,
            get_position=["lon", "lat"],
            get_radius="radius",
            radius_units="'meters'",  # a string literal: pydeck reads bare strings as expressions
            get_fill_color=[33, 33, 33, 160],
        ),
    ]
    if points_df is not None and len(points_df):
        points = points_df.dropna(subset=["lat", "lon"])
        if hexbin:
            layers.append(pdk.Layer("HexagonLayer", data=points[["lat", "lon"]], id="points-hexbin",
                                    get_position=["lon", "lat"], radius=500, extruded=False,
                                    pickable=True, opacity=0.6))
        else:
            layers.append(pdk.Layer("ScatterplotLayer", data=points, id="points", pickable=True,
                                    get_position=["lon", "lat"], get_radius=60, radius_min_pixels=2,
                                    get_fill_color=POINT_COLOUR))

    return pdk.Deck(
        layers=layers,
        initial_view_state=_view(wards_df, points_df),
        tooltip={"html": "<b>{name}</b><br/>{measure}: {value}"},
        map_provider="carto" if basemap_style else None,
        map_style=basemap_style or None,
    )


def _features(text: str | None, props: dict) -> list[dict]:
    """GeoJSON Features with `props` from a geometry, Feature or FeatureCollection string."""
    if not isinstance(text, str) or not text.strip():
        return []
    try:
        shape = json.loads(text)
    except ValueError:
        return []
    kind = shape.get("type") if isinstance(shape, dict) else None
    if kind == "FeatureCollection":
        return [{"type": "Feature", "geometry": f.get("geometry"), "properties": props}
                for f in shape.get("features", []) if isinstance(f, dict)]
    if kind == "Feature":
        return [{"type": "Feature", "geometry": shape.get("geometry"), "properties": props}]
    if kind in ("Polygon", "MultiPolygon", "Point", "MultiPoint", "LineString", "MultiLineString"):
        return [{"type": "Feature", "geometry": shape, "properties": props}]
    return []


def _shade(share: float) -> list[int]:
    share = min(max(share, 0.0), 1.0)
    return [round(lo + (hi - lo) * share) for lo, hi in zip(LOW, HIGH, strict=True)] + [170]


def _view(wards_df: pd.DataFrame, points_df: pd.DataFrame | None) -> pdk.ViewState:
    lats = list(wards_df["centre_lat"].dropna()) if len(wards_df) else []
    lons = list(wards_df["centre_lon"].dropna()) if len(wards_df) else []
    if not lats and points_df is not None and len(points_df):
        lats, lons = list(points_df["lat"].dropna()), list(points_df["lon"].dropna())
    if not lats:
        return pdk.ViewState(latitude=52.5, longitude=-1.5, zoom=6)
    span = max(max(lats) - min(lats), (max(lons) - min(lons)) * 0.6, 0.01)
    zoom = max(5.0, min(13.0, math.log2(360 / span) - 1.2))
    return pdk.ViewState(latitude=(max(lats) + min(lats)) / 2, longitude=(max(lons) + min(lons)) / 2,
                         zoom=round(zoom, 2))


# -- drill-down and dashboard bars -------------------------------------------------


def build_drill_bar_chart(df: pd.DataFrame, *, code: str, label: str, measure: str, title: str) -> alt.Chart:
    """One bar per place or officer (`label`), longest first; clicking a bar selects its `code` as `pick`."""
    pick = alt.selection_point(name=SELECTION, fields=[code], on="click")
    return (
        alt.Chart(df)
        .mark_bar(cursor="pointer")
        .encode(
            x=alt.X(f"{measure}:Q", title=_label(measure)),
            y=alt.Y(f"{label}:N", title=title, sort="-x"),
            detail=alt.Detail(f"{code}:N"),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.55)),
            tooltip=[alt.Tooltip(f"{label}:N", title=title),
                     alt.Tooltip(f"{measure}:Q", title=_label(measure), format=",")],
        )
        .add_params(pick)
    )


def build_count_bar_chart(df: pd.DataFrame, *, category: str, measure: str, title: str,
                          measure_title: str | None = None) -> alt.Chart:
    """Plain horizontal bars of `measure` per `category`, longest first (no selection)."""
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X(f"{measure}:Q", title=measure_title or _label(measure)),
            y=alt.Y(f"{category}:N", title=title, sort="-x"),
            tooltip=[alt.Tooltip(f"{category}:N", title=title),
                     alt.Tooltip(f"{measure}:Q", title=measure_title or _label(measure), format=",")],
        )
    )


def build_daily_chart(df: pd.DataFrame, *, measure: str = "events", start: dt.date | None = None,
                      end: dt.date | None = None) -> alt.Chart:
    """`measure` per day (column `day`) as bars, one bar per day; the axis spans `start`..`end` when given."""
    scale = alt.Scale(domain=[start.isoformat(), (end + dt.timedelta(days=1)).isoformat()]) if start and end \
        else alt.Undefined
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("day:T", title="Date", timeUnit="yearmonthdate", scale=scale),
            y=alt.Y(f"{measure}:Q", title=_label(measure)),
            tooltip=[alt.Tooltip("day:T", title="Date", format="%a %d %b %Y"),
                     alt.Tooltip(f"{measure}:Q", title=_label(measure), format=",")],
        )
    )
