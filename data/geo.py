"""Geometry without a spatial library: which polygon a point is in, and a polygon's centre.

Coordinates are GeoJSON's (longitude, latitude) in WGS84, treated as planar:
at ward scale the error is far below the anonymised points' own offset.

`locate` assigns many points to many polygons at once: a bounding-box test
first keeps only the points near each polygon, then an even-odd ray cast
counts, for all those points against all the polygon's edges in one numpy
step, how many edges a ray going east from the point crosses. Holes and
multi-part polygons need nothing special under the even-odd rule. A point
on a shared border goes to the first polygon that claims it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

CELLS_PER_STEP = 4_000_000  # points x edges compared per numpy step (about 16 MB of booleans)


@dataclasses.dataclass(frozen=True)
class Polygons:
    """Polygons ready for `locate`: every ring's edges, and each polygon's bounding box."""

    codes: tuple[str, ...]
    boxes: np.ndarray  # (n, 4): min lon, min lat, max lon, max lat
    edges: tuple[np.ndarray, ...]  # per polygon (k, 4): x0, y0, x1, y1


def rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """Every ring (outer and holes) of a Polygon or MultiPolygon geometry, a Feature, or a FeatureCollection."""
    kind = geometry.get("type")
    if kind == "FeatureCollection":
        return [r for f in geometry.get("features", []) for r in rings(f)]
    if kind == "Feature":
        return rings(geometry.get("geometry") or {})
    if kind == "Polygon":
        return list(geometry.get("coordinates") or [])
    if kind == "MultiPolygon":
        return [ring for polygon in geometry.get("coordinates") or [] for ring in polygon]
    if kind == "GeometryCollection":
        return [r for g in geometry.get("geometries", []) for r in rings(g)]
    return []


def outer_rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """The outer ring of each part of a Polygon or MultiPolygon (holes left out)."""
    kind = geometry.get("type")
    if kind == "Feature":
        return outer_rings(geometry.get("geometry") or {})
    if kind == "Polygon":
        return list(geometry.get("coordinates") or [])[:1]
    if kind == "MultiPolygon":
        return [polygon[0] for polygon in geometry.get("coordinates") or [] if polygon]
    return []


def build_polygons(codes: Sequence[str], geometries: Iterable[dict[str, Any] | str | None]) -> Polygons:
    """Polygons for `locate` from GeoJSON geometries (dicts or JSON text); empty ones match nothing."""
    boxes, edges = [], []
    for geometry in geometries:
        shape = json.loads(geometry) if isinstance(geometry, str) else (geometry or {})
        parts = [np.asarray(ring, dtype=float)[:, :2] for ring in rings(shape) if len(ring) >= 3]
        if not parts:
            boxes.append([np.inf, np.inf, -np.inf, -np.inf])
            edges.append(np.zeros((0, 4)))
            continue
        segments = np.concatenate([np.hstack([ring, np.roll(ring, -1, axis=0)]) for ring in parts])
        segments = segments[segments[:, 1] != segments[:, 3]]  # horizontal edges never cross an eastward ray
        points = np.concatenate(parts)
        boxes.append([*points.min(axis=0), *points.max(axis=0)])
        edges.append(segments)
    return Polygons(tuple(codes), np.array(boxes, dtype=float).reshape(-1, 4), tuple(edges))


def locate(lon: np.ndarray, lat: np.ndarray, polygons: Polygons) -> np.ndarray:
    """For each point, the index of the first polygon containing it, or -1 (also for NaN points)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    found = np.full(len(lon), -1, dtype=np.int64)
    valid = ~(np.isnan(lon) | np.isnan(lat))
    for index, (box, segments) in enumerate(zip(polygons.boxes, polygons.edges, strict=True)):
        if not len(segments):
            continue
        near = np.flatnonzero(valid & (found < 0) & (lon >= box[0]) & (lon <= box[2])
                              & (lat >= box[1]) & (lat <= box[3]))
        if not len(near):
            continue
        x0, y0, x1, y1 = (segments[:, i] for i in range(4))
        slope = (x1 - x0) / (y1 - y0)
        step = max(1, CELLS_PER_STEP // len(segments))
        for begin in range(0, len(near), step):
            chunk = near[begin:begin + step]
            px, py = lon[chunk, None], lat[chunk, None]
            spans = (y0 > py) != (y1 > py)
            crosses = spans & (px < x0 + (py - y0) * slope)
            inside = np.count_nonzero(crosses, axis=1) % 2 == 1
            found[chunk[inside]] = index
    return found


def centre(geometry: dict[str, Any] | str) -> tuple[float, float] | None:
    """(lat, lon) of the area-weighted centroid of the outer rings; None for an empty geometry."""
    shape = json.loads(geometry) if isinstance(geometry, str) else geometry
    total, cx, cy = 0.0, 0.0, 0.0
    for ring in outer_rings(shape):
        xy = np.asarray(ring, dtype=float)[:, :2]
        if len(xy) < 3:
            continue
        x, y = xy[:, 0], xy[:, 1]
        xn, yn = np.roll(x, -1), np.roll(y, -1)
        cross = x * yn - xn * y
        area = cross.sum() / 2
        if area == 0:
            continue
        weight = abs(area)  # rings may wind either way
        total += weight
        cx += weight * ((x + xn) * cross).sum() / (6 * area)
        cy += weight * ((y + yn) * cross).sum() / (6 * area)
    if total == 0:
        return None
    return cy / total, cx / total
