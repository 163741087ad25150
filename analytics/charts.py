"""Chart and map builders: DataFrames in, `alt.Chart`, Vega-Lite specs or `pdk.Deck` out, no Streamlit.

A ward map is a Vega-Lite spec: ward boundaries shaded by a measure, each
area's outline a thicker line over them, ward centres as dots sized by the
measure, and optional points (or grid cells counting them) on top. Vega draws it
on a 2-D canvas, so it costs a few milliseconds on any machine; deck.gl's WebGL
blocked the page for 3-5 s where there is no GPU (a thin client, a virtual
desktop, a headless browser). Only when a force configures a basemap is the map
a pydeck Deck, as tiles need deck.gl. Either way it works on a closed network
and comes with its legend (the measure and the values its lightest and darkest
shades stand for) and each ward's name and figure as text, for pages to show
beside the map: phones have no hover, so a tooltip alone would leave them
nothing to read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import json
import math
from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from analytics.metrics import METRICS
from data import geo

STATUS_ORDER = ("completed", "booked", "cancelled")
STATUS_COLOURS = ("#1b7837", "#5aae61", "#bdbdbd")
SELECTION = "pick"
LOW = (222, 235, 247)  # light blue for the smallest value
HIGH = (8, 48, 107)  # dark blue for the largest
POINT_COLOUR = [214, 96, 77, 190]
FILL_ALPHA = 170
OUTLINE_COLOUR = [20, 20, 20, 230]
OUTLINE_PIXELS = 3

_LABELS = {"events": "Events", "completed": "Completed", "attendees": "People engaged", "ccrs": "Contacts",
           "consented": "Consented", "hours": "Patrol hours", "crimes": "Crimes and ASB", "items": "Items raised"}


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


class CompactDeck(pdk.Deck):
    """A pydeck Deck whose JSON (what Streamlit sends to the browser) is not indented: pydeck indents every
    coordinate on a line of its own, which makes a force's ward boundaries four times the size on the wire."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


@dataclasses.dataclass(frozen=True)
class MapLegend:
    """How to read a ward map: the measure its shades show and the values of the lightest and darkest shade."""

    title: str
    low: float
    high: float
    colours: tuple[str, str]  # the lightest and darkest shade as they look on the page (CSS rgb)
    notes: tuple[str, ...] = ()

    def ticks(self) -> list[str]:
        """The numbers to print under the colour bar: lowest, middle (if a whole number, for counts) and highest."""
        if self.high == self.low:
            return [_number(self.low)]
        middle = (self.low + self.high) / 2
        whole = float(self.high).is_integer() and float(self.low).is_integer()
        return [_number(v) for v in (self.low, middle, self.high)
                if v != middle or not whole or float(middle).is_integer()]

    def text(self) -> str:
        """The legend in words, e.g. for a screen reader."""
        return f"{self.title}: lightest {_number(self.low)}, darkest {_number(self.high)}."


MAP_SELECTIONS = ("ward", "ward_centre")
"""The Vega-Lite selection parameters a tap on a ward (its shape or its centre dot) fills with its `ward_code`."""


@dataclasses.dataclass(frozen=True)
class WardMap:
    """A ward map to draw (a Vega-Lite spec, or a Deck when a basemap is configured), its legend, and each
    ward's name and figure as text (ward_code -> text)."""

    spec: dict | None
    legend: MapLegend
    figures: Mapping[str, str]
    deck: pdk.Deck | None = None

    def figure(self, ward_code: str | None) -> str | None:
        """'Castle · Events: 12' for a ward on the map, else None."""
        return self.figures.get(ward_code) if ward_code else None


def build_ward_map(
    wards_df: pd.DataFrame,
    counts_df: pd.DataFrame,
    *,
    measure: str,
    basemap_style: str | None = None,
    points_df: pd.DataFrame | None = None,
    hexbin: bool = False,
    label: str | None = None,
) -> WardMap:
    """Wards shaded by `measure`, area outlines, ward centres as dots, optional points or hexbins; works offline.

    wards_df: ward_code, name, centre_lat, centre_lon, geojson (a GeoJSON geometry,
    Feature or FeatureCollection as text; missing boundaries are skipped) and
    area_code (whose outlines are drawn thicker, from the wards' own borders).
    counts_df: ward_code and the `measure` column. points_df: lat, lon (and any
    tooltip columns); drawn as dots, or as hexbins when `hexbin` is true.
    `label` names the measure (default: its metric label).
    """
    values = counts_df.set_index("ward_code")[measure] if len(counts_df) else pd.Series(dtype="int64")
    values = pd.to_numeric(values, errors="coerce").fillna(0)
    top = float(values.max()) if len(values) and values.max() > 0 else 1.0
    label = label or _label(measure)

    features, centres, figures = [], [], {}
    for ward in wards_df.itertuples(index=False):
        value = _value(values.get(ward.ward_code, 0))
        figure = f"{label}: {_number(value)}"
        props = {"ward_code": ward.ward_code, "name": ward.name, "measure": label, "value": value,
                 "figure": figure, "fill": _shade(value / top)}
        figures[ward.ward_code] = f"{ward.name} · {figure}"
        features += _features(getattr(ward, "geojson", None), props)
        if pd.notna(ward.centre_lat) and pd.notna(ward.centre_lon):
            centres.append({**props, "lat": float(ward.centre_lat), "lon": float(ward.centre_lon),
                            "radius": 150 + 1_350 * math.sqrt(value / top)})

    outlines = _area_outlines(wards_df)
    points = points_df.dropna(subset=["lat", "lon"]) if points_df is not None and len(points_df) else None
    if basemap_style:
        deck, spec = _deck(features, outlines, centres, points, hexbin=hexbin, basemap_style=basemap_style,
                           view=_view(wards_df, points_df, features)), None
    else:
        deck, spec = None, _map_spec(features, outlines, centres, points, hexbin=hexbin, label=label)
    notes = ["Thick lines: area boundaries."] if outlines else []
    if centres:
        notes.append("Dots: ward centres, bigger for a higher figure.")
    legend = MapLegend(title=f"{label} per ward", low=0.0, high=float(values.max()) if len(values) else 0.0,
                       colours=(_css(_shade(0.0)), _css(_shade(1.0))), notes=tuple(notes))
    return WardMap(spec=spec, legend=legend, figures=figures, deck=deck)


def _deck(features: list[dict], outlines: list[dict], centres: list[dict], points: pd.DataFrame | None, *,
          hexbin: bool, basemap_style: str, view: pdk.ViewState) -> pdk.Deck:
    """The map over a configured basemap: deck.gl layers, as tiles need them."""
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            data={"type": "FeatureCollection", "features": features},
            id="ward-boundaries",
            pickable=True, stroked=True, filled=True, auto_highlight=True,
            get_fill_color="properties.fill",
            get_line_color=[80, 80, 80, 200],
            line_width_min_pixels=1,
        ),
        pdk.Layer(
            "PathLayer",
            data=outlines,
            id="area-outlines",
            pickable=False,
            get_path="path",
            get_color=OUTLINE_COLOUR,
            get_width=OUTLINE_PIXELS,
            width_units="'pixels'",  # a string literal: pydeck reads bare strings as expressions
            joint_rounded=True,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data=centres,
            id="ward-centres",
            pickable=True,
            get_position=["lon", "lat"],
            get_radius="radius",
            radius_units="'meters'",
            get_fill_color=[33, 33, 33, 160],
        ),
    ]
    if points is not None:
        if hexbin:
            layers.append(pdk.Layer("HexagonLayer", data=points[["lat", "lon"]], id="points-hexbin",
                                    get_position=["lon", "lat"], radius=500, extruded=False,
                                    pickable=True, opacity=0.6))
        else:
            layers.append(pdk.Layer("ScatterplotLayer", data=points, id="points", pickable=True,
                                    get_position=["lon", "lat"], get_radius=60, radius_min_pixels=2,
                                    get_fill_color=POINT_COLOUR))
    return CompactDeck(
        layers=layers,
        initial_view_state=view,
        # Text, not HTML: ward names are typed by people, and the tooltip would run HTML in them.
        tooltip={"text": "{name}\n{figure}"},
        map_provider="carto",
        map_style=basemap_style,
    )


GRID_DEGREES = 0.005
"""Points are counted in grid cells this many degrees square (about 550 m by 350 m in England) when binned."""


def binned_points(points: pd.DataFrame, *, degrees: float = GRID_DEGREES) -> pd.DataFrame:
    """Points counted per grid cell: lat and lon of each cell's centre, and `points` in it."""
    cells = pd.DataFrame({"lat": (points["lat"].astype(float) / degrees).round() * degrees,
                          "lon": (points["lon"].astype(float) / degrees).round() * degrees})
    counted = cells.groupby(["lat", "lon"], sort=True).size().rename("points").reset_index()
    counted[["lat", "lon"]] = counted[["lat", "lon"]].round(5)
    return counted


def _map_spec(features: list[dict], outlines: list[dict], centres: list[dict], points: pd.DataFrame | None, *,
              hexbin: bool, label: str, height: int = 460) -> dict:
    """The ward map as a Vega-Lite spec, drawn on a 2-D canvas; a tap fills MAP_SELECTIONS with the ward."""
    def described(props: dict) -> dict:  # what the tooltip shows, and a screen reader reads out, for a ward
        return {"ward_code": props["ward_code"], "name": props["name"], "value": props["value"],
                "description": f"{props['name']} · {props['figure']}"}

    wards = [{**described(f["properties"]), "fill": _css(f["properties"]["fill"]), "geo": f} for f in features]
    tooltip = [{"field": "name", "type": "nominal", "title": "Ward"},
               {"field": "value", "type": "quantitative", "title": label, "format": ","}]
    description = {"field": "description", "type": "nominal"}
    faded = {"condition": {"param": MAP_SELECTIONS[0], "empty": True, "value": 1}, "value": 0.45}
    layers: list[dict] = [{
        "data": {"values": wards},
        "mark": {"type": "geoshape", "stroke": "rgb(80, 80, 80)", "strokeWidth": 0.8, "cursor": "pointer"},
        "params": [{"name": MAP_SELECTIONS[0], "select": {"type": "point", "fields": ["ward_code"], "on": "click"}}],
        "encoding": {"shape": {"field": "geo", "type": "geojson"},
                     "color": {"field": "fill", "type": "nominal", "scale": None, "legend": None},
                     "fillOpacity": faded, "tooltip": tooltip, "description": description},
    }]
    if outlines:
        layers.append({
            "data": {"values": [{"geo": {"type": "Feature", "properties": {},
                                         "geometry": {"type": "LineString", "coordinates": o["path"]}}}
                                for o in outlines]},
            "mark": {"type": "geoshape", "filled": False, "stroke": _css(OUTLINE_COLOUR),
                     "strokeWidth": OUTLINE_PIXELS, "strokeJoin": "round"},
            "encoding": {"shape": {"field": "geo", "type": "geojson"}},
        })
    if centres:
        layers.append({
            "data": {"values": [{**described(c), "lat": c["lat"], "lon": c["lon"],
                                 "size": round(c["radius"] / 15, 1)} for c in centres]},
            "mark": {"type": "circle", "color": "rgb(33, 33, 33)", "opacity": 0.65, "cursor": "pointer"},
            "params": [{"name": MAP_SELECTIONS[1], "select": {"type": "point", "fields": ["ward_code"],
                                                              "on": "click"}}],
            "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                         "latitude": {"field": "lat", "type": "quantitative"},
                         "size": {"field": "size", "type": "quantitative", "scale": None},
                         "tooltip": tooltip, "description": description},
        })
    if points is not None:
        if hexbin:
            cells = binned_points(points)
            layers.append({
                "data": {"values": cells.to_dict("records")},
                "mark": {"type": "square", "color": _css(POINT_COLOUR[:3] + [255]), "opacity": 0.55},
                "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                             "latitude": {"field": "lat", "type": "quantitative"},
                             "size": {"field": "points", "type": "quantitative", "title": "Points in the cell",
                                      "scale": {"range": [6, 140]}, "legend": None},
                             "tooltip": [{"field": "points", "type": "quantitative", "title": "Here"}]},
            })
        else:
            layers.append({
                "data": {"values": points[["lat", "lon"]].astype(float).round(5).to_dict("records")},
                "mark": {"type": "circle", "color": _css(POINT_COLOUR[:3] + [255]), "opacity": 0.7, "size": 12},
                "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                             "latitude": {"field": "lat", "type": "quantitative"}},
            })
    return {
        "width": "container",
        "height": height,
        "projection": {"type": "mercator"},
        "layer": layers,
        "config": {"view": {"stroke": None}},
    }


def build_map_legend_html(legend: MapLegend) -> str:
    """The legend as a small block of HTML: its title, a colour bar from lightest to darkest, numbers under it."""
    ticks = "".join(f"<span>{html.escape(t)}</span>" for t in legend.ticks())
    notes = " ".join(html.escape(n) for n in legend.notes)
    return (
        f'<div class="beatbook-map-legend" role="img" aria-label="{html.escape(legend.text(), quote=True)}"'
        ' style="max-width:22rem;font-size:0.85rem;line-height:1.3">'
        f"<div><strong>{html.escape(legend.title)}</strong></div>"
        f'<div style="height:0.8rem;border:1px solid #888;background:linear-gradient(to right, '
        f'{legend.colours[0]}, {legend.colours[1]})"></div>'
        f'<div style="display:flex;justify-content:space-between">{ticks}</div>'
        + (f'<div style="opacity:0.8">{notes}</div>' if notes else "")
        + "</div>"
    )


def _area_outlines(wards_df: pd.DataFrame) -> list[dict]:
    """Each area's outline as paths (list of {area_code, path}), from its wards' borders with other areas."""
    if wards_df.empty or "area_code" not in wards_df.columns or "geojson" not in wards_df.columns:
        return []
    shapes = tuple(g if isinstance(g, str) else "" for g in wards_df["geojson"])
    groups = tuple("" if pd.isna(a) else str(a) for a in wards_df["area_code"])
    return [{"area_code": area, "path": path} for area, path in _outline_paths(shapes, groups)]


@functools.lru_cache(maxsize=16)
def _outline_paths(shapes: tuple[str, ...], groups: tuple[str, ...]) -> tuple[tuple[str, list], ...]:
    parsed = []
    for text in shapes:
        try:
            parsed.append(json.loads(text) if text.strip() else None)
        except ValueError:
            parsed.append(None)
    paths = geo.border_paths([p if isinstance(p, dict) else None for p in parsed], groups)
    return tuple((area, [[round(x, 5), round(y, 5)] for x, y in path]) for area, path in paths)


def _value(value) -> float | int:
    number = float(value) if value is not None and not pd.isna(value) else 0.0
    return int(number) if number.is_integer() else round(number, 1)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _css(colour: list[int]) -> str:
    """An RGBA shade as it looks over a white page."""
    alpha = colour[3] / 255 if len(colour) > 3 else 1.0
    r, g, b = (round(c * alpha + 255 * (1 - alpha)) for c in colour[:3])
    return f"rgb({r}, {g}, {b})"


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
    return [round(lo + (hi - lo) * share) for lo, hi in zip(LOW, HIGH, strict=True)] + [FILL_ALPHA]


FIT_PIXELS = 400
"""The map size a view is fitted to (a phone's width; wider maps show a little more around it)."""


def _view(wards_df: pd.DataFrame, points_df: pd.DataFrame | None, features: Sequence[dict] = ()) -> pdk.ViewState:
    """A view of the wards' boundaries (else their centres, else the points), fitted to FIT_PIXELS square."""
    positions = [p for f in features for ring in geo.rings(f) for p in ring]
    lons, lats = [p[0] for p in positions], [p[1] for p in positions]
    if not lats and len(wards_df):
        lats, lons = list(wards_df["centre_lat"].dropna()), list(wards_df["centre_lon"].dropna())
    if not lats and points_df is not None and len(points_df):
        lats, lons = list(points_df["lat"].dropna()), list(points_df["lon"].dropna())
    if not lats:
        return pdk.ViewState(latitude=52.5, longitude=-1.5, zoom=6)
    latitude, longitude = (max(lats) + min(lats)) / 2, (max(lons) + min(lons)) / 2
    # At zoom z the world is 512 x 2^z pixels wide; a degree of latitude is 1 / cos(latitude) times longer.
    wide = FIT_PIXELS * 360 / (512 * max(max(lons) - min(lons), 0.005))
    tall = FIT_PIXELS * 360 * math.cos(math.radians(latitude)) / (512 * max(max(lats) - min(lats), 0.005))
    zoom = max(5.0, min(13.0, math.log2(min(wide, tall)) - 0.1))
    return pdk.ViewState(latitude=round(latitude, 5), longitude=round(longitude, 5), zoom=round(zoom, 2))


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
            # Counts: whole-number ticks only (no 0.5 steps on a small count).
            x=alt.X(f"{measure}:Q", title=measure_title or _label(measure), axis=alt.Axis(tickMinStep=1, format=",d")),
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
