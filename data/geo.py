"""Geometry without a spatial library: which polygon a point is in, a polygon's centre, and simplifying it.

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
from collections.abc import Callable, Iterable, Sequence
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


METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON = 111_320.0  # at the equator; times cos(latitude)
SIMPLIFY_PASSES = 64
"""Douglas-Peucker work allowed, in looks at every position of a boundary (see `simplify`)."""


def vertices(geometry: dict[str, Any]) -> int:
    """Positions in all of a geometry's rings (a closed ring counts its repeated first position)."""
    return sum(len(ring) for ring in rings(geometry))


def simplify(geometry: dict[str, Any], metres: float, *, max_vertices: int | None = None,
             check: Callable[[], None] | None = None) -> dict[str, Any] | None:
    """A Polygon or MultiPolygon simplified by Douglas-Peucker to within `metres` of the original.

    Each ring is simplified on its own (in local metres: longitude scaled by the
    cosine of the ring's latitude), keeping its first position and the one
    farthest from it, so a ring keeps at least four positions (a triangle,
    closed). Returns None as soon as more than `max_vertices` positions would
    be kept in all, or the work passes SIMPLIFY_PASSES looks at every position
    (a real boundary needs about log2 of the positions kept; only a boundary
    built to defeat Douglas-Peucker, or far too detailed to keep, needs more):
    an outsized boundary costs no more than that. `check` is called now and
    then (e.g. to stop at a deadline).
    """
    rings_in = [geometry.get("coordinates") or []] if geometry.get("type") == "Polygon" \
        else list(geometry.get("coordinates") or [])
    arrays = [[np.asarray(ring, dtype=float)[:, :2] for ring in polygon] for polygon in rings_in]
    total = sum(len(ring) for polygon in arrays for ring in polygon)
    budget = [max_vertices if max_vertices is not None else np.inf, SIMPLIFY_PASSES * total + 1_000_000]
    out = []
    for polygon in arrays:
        parts = []
        for xy in polygon:
            scale = np.array([METRES_PER_DEGREE_LON * np.cos(np.radians(xy[:, 1].mean())), METRES_PER_DEGREE_LAT])
            kept = _douglas_peucker(xy * scale, metres, budget, check)
            if kept is None:
                return None
            parts.append(xy[kept].tolist())
        out.append(parts)
    return {"type": "Polygon", "coordinates": out[0]} if geometry.get("type") == "Polygon" else \
        {"type": "MultiPolygon", "coordinates": out}


def _douglas_peucker(xy: np.ndarray, tolerance: float, budget: list[float],
                     check: Callable[[], None] | None) -> np.ndarray | None:
    """Indices of the positions Douglas-Peucker keeps; None once the budget (shared by the rings) runs out:
    `budget[0]` positions to keep, `budget[1]` positions to look at."""
    n = len(xy)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    budget[0] -= 2 if n > 1 else 1
    if budget[0] < 0:
        return None
    if n > 2 and np.array_equal(xy[0], xy[-1]):  # a closed ring: split it at the position farthest from its start
        far = 1 + int(np.argmax(np.hypot(*(xy[1:-1] - xy[0]).T)))
        keep[far] = True
        budget[0] -= 1
        budget[1] -= n
        stack = [(0, far), (far, n - 1)]
    else:
        stack = [(0, n - 1)]
    steps = 0
    while stack:
        start, end = stack.pop()
        if end - start < 2:
            continue
        steps += 1
        if check and steps % 256 == 0:
            check()
        budget[1] -= end - start
        if budget[1] < 0:
            return None
        inner = xy[start + 1:end] - xy[start]
        dx, dy = xy[end] - xy[start]
        length = float(np.hypot(dx, dy))
        distance = np.abs(dx * inner[:, 1] - dy * inner[:, 0]) / length if length else np.hypot(*inner.T)
        farthest = int(np.argmax(distance))
        if distance[farthest] > tolerance:
            middle = start + 1 + farthest
            keep[middle] = True
            budget[0] -= 1
            if budget[0] < 0:
                return None
            stack += [(start, middle), (middle, end)]
    if n > 3 and np.count_nonzero(keep) < 4 and np.array_equal(xy[0], xy[-1]):  # a ring, not a line: a triangle
        dx, dy = xy[far] - xy[0]
        distance = np.abs(dx * (xy[:, 1] - xy[0, 1]) - dy * (xy[:, 0] - xy[0, 0]))
        distance[keep] = -1
        keep[int(np.argmax(distance))] = True
        budget[0] -= 1
    return np.flatnonzero(keep)
