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


# -- shapes for maps: shared borders, points inside, the edges between groups ----------------------------------------


def simplify_shared(geometries: Sequence[dict[str, Any]], metres: float) -> list[dict[str, Any]]:
    """Polygons that share borders (a ward map), simplified by Douglas-Peucker without opening gaps between them.

    Every ring is cut into arcs where borders meet (a position with more than two
    neighbours among all the rings), each arc is simplified once and every ring
    that runs along it takes that same arc, so neighbours still meet exactly. An
    arc is simplified less (down to not at all) while a ring using it would
    collapse or cross itself, so every polygon stays valid if it was valid.
    """
    loops = []  # (geometry, polygon, ring) -> positions as tuples, the closing position left off
    for g, geometry in enumerate(geometries):
        polygons = [geometry["coordinates"]] if geometry.get("type") == "Polygon" else geometry["coordinates"]
        for p, polygon in enumerate(polygons):
            for r, ring in enumerate(polygon):
                points = [(float(x), float(y)) for x, y, *_ in ring]
                points = [q for i, q in enumerate(points) if i == 0 or q != points[i - 1]]
                if len(points) > 1 and points[0] == points[-1]:
                    points.pop()
                loops.append(((g, p, r), points))
    neighbours: dict[tuple[float, float], set] = {}
    for _, points in loops:
        n = len(points)
        for i, point in enumerate(points):
            neighbours.setdefault(point, set()).update((points[i - 1], points[(i + 1) % n]))
    # Each ring as a list of (arc key, reversed?), each arc once, in one direction.
    arcs: dict[tuple, list[tuple[float, float]]] = {}
    layout = []
    for _, points in loops:
        cuts = [i for i, point in enumerate(points) if len(neighbours[point]) > 2]
        if not cuts:  # a ring meeting no other: one closed arc from its smallest position
            start = points.index(min(points))
            loop = points[start:] + points[:start]
            if loop[-1] < loop[1]:
                loop = [loop[0], *reversed(loop[1:])]
            pieces = [loop + [loop[0]]]
        else:
            turned = points[cuts[0]:] + points[:cuts[0]]
            marks = [c - cuts[0] for c in cuts] + [len(points)]
            turned.append(turned[0])
            pieces = [turned[a:b + 1] for a, b in zip(marks, marks[1:], strict=False)]
        parts = []
        for piece in pieces:
            backwards = piece[::-1]
            flip = (backwards[0], backwards[1]) < (piece[0], piece[1]) if piece[0] == piece[-1] \
                else backwards < piece
            key = tuple(backwards if flip else piece)
            arcs.setdefault(key, list(key))
            parts.append((key, flip))
        layout.append(parts)
    tolerance = dict.fromkeys(arcs, float(metres))
    simple: dict[tuple, list[tuple[float, float]]] = {}

    def simplified(key: tuple) -> list[tuple[float, float]]:
        if key not in simple:
            xy = np.asarray(arcs[key], dtype=float)
            scale = np.array([METRES_PER_DEGREE_LON * np.cos(np.radians(xy[:, 1].mean())), METRES_PER_DEGREE_LAT])
            kept = _douglas_peucker(xy * scale, tolerance[key], [np.inf, np.inf], None) \
                if tolerance[key] > 0 else np.arange(len(xy))
            simple[key] = [arcs[key][i] for i in kept]
        return simple[key]

    def assemble(parts: list[tuple[tuple, bool]]) -> list[list[float]]:
        ring: list[tuple[float, float]] = []
        for key, flip in parts:
            arc = simplified(key)
            arc = arc[::-1] if flip else arc
            ring += arc[1:] if ring else arc
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        return [list(point) for point in ring]

    while True:
        out = [assemble(parts) for parts in layout]
        bad = [i for i, ring in enumerate(out) if not valid_ring(ring) and valid_ring(
            [list(q) for q in loops[i][1] + loops[i][1][:1]])]
        if not bad:
            break
        for i in bad:
            for key, _ in layout[i]:
                tolerance[key] = tolerance[key] / 2 if tolerance[key] > metres / 64 else 0.0
                simple.pop(key, None)
    result: list[dict[str, Any]] = []
    for (g, p, _), ring in zip((where for where, _ in loops), out, strict=True):
        kind = geometries[g].get("type")
        while len(result) <= g:
            result.append({"type": kind, "coordinates": []})
        polygons = result[g]["coordinates"]
        if kind == "Polygon":
            polygons.append(ring)
            continue
        while len(polygons) <= p:
            polygons.append([])
        polygons[p].append(ring)
    return result


def _cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a[..., 0] - o[..., 0]) * (b[..., 1] - o[..., 1]) - (a[..., 1] - o[..., 1]) * (b[..., 0] - o[..., 0])


def valid_ring(ring: Sequence[Sequence[float]]) -> bool:
    """A closed ring of four or more positions that encloses some area and never touches or crosses itself."""
    if len(ring) < 4 or list(ring[0])[:2] != list(ring[-1])[:2]:
        return False
    xy = np.asarray(ring, dtype=float)[:, :2]
    if len({tuple(q) for q in xy[:-1]}) != len(xy) - 1:
        return False
    x, y = xy[:, 0], xy[:, 1]
    if abs(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1])) == 0:
        return False
    a, b = xy[:-1], xy[1:]
    n = len(a)
    i, j = np.triu_indices(n, k=2)
    keep = ~((i == 0) & (j == n - 1))  # the first and last edges meet at the closing position
    i, j = i[keep], j[keep]
    d1, d2 = _cross(a[j], b[j], a[i]), _cross(a[j], b[j], b[i])
    d3, d4 = _cross(a[i], b[i], a[j]), _cross(a[i], b[i], b[j])
    proper = (d1 * d2 < 0) & (d3 * d4 < 0)
    touching = ((d1 == 0) | (d2 == 0) | (d3 == 0) | (d4 == 0)) & (d1 * d2 <= 0) & (d3 * d4 <= 0)
    if touching.any():  # on the line: crossing only if the boxes overlap too
        lo_i, hi_i = np.minimum(a[i], b[i]), np.maximum(a[i], b[i])
        lo_j, hi_j = np.minimum(a[j], b[j]), np.maximum(a[j], b[j])
        touching &= np.all((lo_i <= hi_j) & (lo_j <= hi_i), axis=1)
    return not (proper | touching).any()


def inner_point(geometry: dict[str, Any] | str) -> tuple[float, float] | None:
    """(lat, lon) of a point inside the polygon: its centre if that is inside, else the middle of the widest
    stretch of the polygon along the line of latitude through the centre; None for an empty geometry."""
    shape = json.loads(geometry) if isinstance(geometry, str) else geometry
    found = centre(shape)
    if found is None:
        return None
    lat, lon = found
    polygons = build_polygons(["shape"], [shape])
    if locate(np.array([lon]), np.array([lat]), polygons)[0] == 0:
        return found
    segments = polygons.edges[0]
    best = None
    for row in (lat, (polygons.boxes[0][1] + polygons.boxes[0][3]) / 2):
        x0, y0, x1, y1 = segments.T
        spans = (y0 > row) != (y1 > row)
        xs = np.sort(x0[spans] + (row - y0[spans]) * (x1[spans] - x0[spans]) / (y1[spans] - y0[spans]))
        if len(xs) >= 2:
            widths = xs[1::2] - xs[0::2]
            k = int(np.argmax(widths))
            best = (row, float((xs[2 * k] + xs[2 * k + 1]) / 2))
            break
    return best if best is not None else found


def border_paths(geometries: Sequence[dict[str, Any] | str | None], groups: Sequence[str],
                 *, metres: float = 15.0) -> list[tuple[str, list[list[float]]]]:
    """The stretches of the polygons' borders that divide one group (e.g. an area's wards) from another or from
    outside, as (group, path of [lon, lat]) pairs: area outlines drawn from ward boundaries.

    An edge is a group border when the points `metres` either side of its middle lie in different groups (or
    one side in none); this needs no exact shared positions, so independently simplified neighbours, with slivers
    narrower than 2 x `metres` between them, still outline as one.
    """
    shapes = [json.loads(g) if isinstance(g, str) else (g or {}) for g in geometries]
    polygons = build_polygons([str(i) for i in range(len(shapes))], shapes)
    edge_rings, starts, ends, owners = [], [], [], []
    for index, shape in enumerate(shapes):
        for ring in rings(shape):
            xy = np.asarray(ring, dtype=float)[:, :2] if len(ring) >= 4 else np.zeros((0, 2))
            if len(xy) < 4:
                continue
            edge_rings.append((index, xy))
            starts.append(xy[:-1])
            ends.append(xy[1:])
            owners.append(np.full(len(xy) - 1, index))
    if not edge_rings:
        return []
    a, b = np.concatenate(starts), np.concatenate(ends)
    middle = (a + b) / 2
    scale = np.stack([METRES_PER_DEGREE_LON * np.cos(np.radians(middle[:, 1])),
                      np.full(len(middle), METRES_PER_DEGREE_LAT)], axis=1)
    along = (b - a) * scale
    length = np.hypot(along[:, 0], along[:, 1])
    length[length == 0] = 1.0
    normal = np.stack([-along[:, 1], along[:, 0]], axis=1) / length[:, None] * metres / scale
    left = locate(middle[:, 0] + normal[:, 0], middle[:, 1] + normal[:, 1], polygons)
    right = locate(middle[:, 0] - normal[:, 0], middle[:, 1] - normal[:, 1], polygons)
    group = np.array([*groups, None], dtype=object)  # index -1: outside every polygon
    border = group[left] != group[right]
    paths = []
    offset = 0
    for index, xy in edge_rings:
        flags = border[offset:offset + len(xy) - 1]
        offset += len(xy) - 1
        if not flags.any():
            continue
        n = len(flags)
        first = int(np.argmin(flags)) if not flags.all() else 0  # start the walk on an edge that is not a border
        run: list[list[float]] = []
        for step in range(n):
            k = (first + step) % n
            if flags[k]:
                run = run or [xy[k].tolist()]
                run.append(xy[k + 1].tolist())
            elif run:
                paths.append((groups[index], run))
                run = []
        if run:
            paths.append((groups[index], run))
    return paths
