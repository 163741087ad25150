"""Ward (or neighbourhood) boundaries from a GeoJSON file: codes, names, areas, centres and shapes.

    load_boundaries(store, "wards.geojson", user=admin, area_lookup="lad_lookup.csv")

Each feature becomes a `wards` row: its ONS code and name (found among the
properties: WD13CD/WD13NM and the like, or `ward_code`/`name`), its area, its
centre (area-weighted centroid of the outer rings) and its boundary. The area
comes from a property of the feature (LAD13CD, LAD_CD, `area_code`), mapped
through `area_lookup` when given: a CSV (e.g. the ONS ward-to-local-authority
or local-authority-to-police-force lookup) whose columns are found by name.
Areas the store does not have yet are created, named from the lookup or the
features, centred on their wards. A ward already stored (same code) gets a new
version only if something changed; wards missing from the file are kept.

The file is read within the JSON limits (`reading.read_json`: size, nesting,
values). Each boundary is checked (finite numbers, rings of three or more
points), its centre taken from it as given, then it is simplified by
Douglas-Peucker to within SIMPLIFY_METRES (5 m) and refused if it still has
more than MAX_WARD_VERTICES points: every map and every form's ward lookup
carries the stored boundaries, so their size is bounded here.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from data import db, geo
from data.imports.common import ImportReport, begin, content_id, finish, record_table, write_records
from data.imports.limits import Deadline, ImportRefused
from data.imports.reading import Source, read_json, read_sheet, source_name
from data.store import Store, ValidationError, validate

CODE_FIELDS = (r"WD\d\dCD", r"NBHD\w*CD", r"LSOA\d\dCD", r"MSOA\d\dCD", "ward_code", "code", "id")
NAME_FIELDS = (r"WD\d\dNM", r"NBHD\w*NM", r"LSOA\d\dNM", r"MSOA\d\dNM", "ward_name", "name")
AREA_FIELDS = (r"LAD\d\dCD", r"LAD_CD", r"LAD\w*CD", "area_code", "area")
AREA_NAME_FIELDS = (r"LAD\d\dNM", r"LAD_NM", r"LAD\w*NM", "area_name")
FORCE_FIELDS = (r"PFA\d\dNM", r"PFA_NM", "force")
SIMPLIFY_METRES = 5.0
"""Douglas-Peucker tolerance for stored boundaries: every point of the boundary as given lies within this distance
of the stored one. data.police.uk already moves each crime to a nearby anonymous map point, often tens of metres
off, so 5 m is well inside the precision of what is mapped; it drops most points of a full-resolution boundary."""
MAX_WARD_VERTICES = 10_000
"""Points in one ward's stored boundary, after simplification (a ward in the ONS generalised boundaries has a few
hundred; a large rural ward at full resolution simplified to 5 m, a few thousand)."""


def find_field(names: list[str], patterns: tuple[str, ...]) -> str | None:
    """The first name matching the first pattern that matches any (case-insensitive, whole name)."""
    for pattern in patterns:
        for name in names:
            if re.fullmatch(pattern, name, flags=re.IGNORECASE):
                return name
    return None


UK_LON, UK_LAT = (-8.7, 1.8), (49.8, 60.9)
"""The longitudes and latitudes a UK ward's centre lies within (anything else is another projection)."""


@dataclasses.dataclass
class WardRows:
    """A file's features as `wards` rows, and the features left out with their reasons."""

    rows: list[dict[str, Any]]
    """ward_code, name, area_code, centre_lat, centre_lon, geojson (a Feature of the boundary)."""
    rejected: list[tuple[int, str, str, str]]
    """(feature position, ward code, reason, field the reason is about: file or area_code)."""
    outside_force: int = 0
    area_names: dict[str, str] = dataclasses.field(default_factory=dict)
    """area_code -> name, from the lookup or the features, for areas the store may not have yet."""
    fields: dict[str, str | None] = dataclasses.field(default_factory=dict)
    """The properties used: code, name, area."""


def read_features(geojson: Source | Mapping[str, Any], *, name: str | None = None) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection (or one Feature); ImportRefused (a ValidationError on
    "file") for anything else, or for a file past the JSON limits."""
    label = name or (source_name(geojson) if not isinstance(geojson, Mapping) else "the boundaries")
    if isinstance(geojson, Mapping):
        collection: Any = dict(geojson)
    else:
        collection = read_json(geojson, name=label, what="GeoJSON (JSON)")
    kind = collection.get("type") if isinstance(collection, dict) else None
    features = collection.get("features") if kind == "FeatureCollection" else [collection] if kind == "Feature" \
        else None
    features = [f for f in features if isinstance(f, dict)] if isinstance(features, list) else []
    if not features:
        raise ImportRefused(label, "must be a GeoJSON FeatureCollection with at least one feature")
    return features


def property_names(features: list[dict[str, Any]]) -> list[str]:
    """The features' property names, in the order they first appear (for choosing code and name)."""
    return list(dict.fromkeys(str(k) for f in features for k in _properties(f)))


def _properties(feature: Mapping[str, Any]) -> Mapping[str, Any]:
    properties = feature.get("properties")
    return properties if isinstance(properties, dict) else {}


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


def read_wards(features: list[dict[str, Any]], *, code_field: str | None = None, name_field: str | None = None,
               area_field: str | None = None, area_code: str | None = None,
               lookup: Mapping[str, Mapping[str, str]] | None = None, force: str | None = None,
               known_areas: Mapping[str, str] | None = None, name: str = "the boundaries",
               deadline: Deadline | None = None) -> WardRows:
    """The features as `wards` rows (nothing written).

    Properties not named are found by name (WD13CD, WD13NM, LAD13CD, ...). A
    ward's area is the lookup's, else its area property's, else (for a ward
    already stored, `known_areas`: ward_code -> area_code) the one it has, else
    `area_code`. Giving `area_code` without `area_field` means the features'
    area properties are not looked for. Each boundary is checked, centred as
    given, then simplified (SIMPLIFY_METRES) and bounded (MAX_WARD_VERTICES).
    """
    deadline = deadline or Deadline(name)
    properties = sorted(property_names(features))
    code_field = code_field or find_field(properties, CODE_FIELDS)
    name_field = name_field or find_field(properties, NAME_FIELDS)
    if area_field is None and area_code is None:
        area_field = find_field(properties, AREA_FIELDS)
    if code_field is None or name_field is None:
        raise ImportRefused(name, f"no ward code or name property among {', '.join(properties[:50]) or 'none'}")
    lookup, known_areas = lookup or {}, known_areas or {}
    area_name_field = find_field(properties, AREA_NAME_FIELDS)
    force_field = find_field(properties, FORCE_FIELDS)
    out = WardRows([], [], fields={"code": code_field, "name": name_field, "area": area_field})
    seen: set[str] = set()
    for position, feature in enumerate(features):
        props = _properties(feature)
        code = _text(props.get(code_field))
        key = _text(props.get(area_field)) if area_field else ""
        mapped = lookup.get(code) or lookup.get(key) or {}
        if force and (mapped.get("force") or _text(props.get(force_field))).lower() != force.lower():
            out.outside_force += 1
            continue
        ward_area = mapped.get("area_code") or key or known_areas.get(code) or area_code or ""
        ward_name = _text(props.get(name_field))
        geometry, problem = clean_geometry(feature.get("geometry"))
        centre = _centre(geometry) if geometry else None
        reason = _check(geometry, problem, code, ward_name, ward_area, centre, seen)
        if reason is None:
            geometry = geo.simplify(geometry, SIMPLIFY_METRES, max_vertices=MAX_WARD_VERTICES, check=deadline.check)
            if geometry is None:
                reason = (f"boundary is too detailed: more than {MAX_WARD_VERTICES:,} points even simplified to "
                          f"{SIMPLIFY_METRES:g} m; use a generalised (simplified) boundary file", "file")
        if reason:
            out.rejected.append((position, code[:60], *reason))
            continue
        seen.add(code)
        lat, lon = centre
        values = {"ward_code": code, "name": ward_name, "area_code": ward_area,
                  "centre_lat": round(lat, 6), "centre_lon": round(lon, 6),
                  "geojson": json.dumps({"type": "Feature", "geometry": geometry,
                                         "properties": {"ward_code": code, "name": ward_name,
                                                        "area_code": ward_area}}, separators=(",", ":"))}
        try:
            validate("wards", values)
        except ValidationError as exc:
            out.rejected.append((position, code[:60], str(exc), "file"))
            continue
        out.rows.append(values)
        out.area_names.setdefault(ward_area, mapped.get("area_name") or _text(props.get(area_name_field))
                                  or ward_area)
    return out


def load_boundaries(store: Store, geojson: Source | Mapping[str, Any], *, user: Mapping[str, Any],
                    area_lookup: Source | pd.DataFrame | None = None, force: str | None = None,
                    code_field: str | None = None, name_field: str | None = None,
                    area_field: str | None = None, area_code: str | None = None, name: str | None = None,
                    new_areas: bool = True, all_or_nothing: bool = False,
                    audit_action: str = "import") -> ImportReport:
    """Load ward boundaries into `wards` (and new areas into `areas`); the report says what changed.

    `force`: keep only features of that police force area (by the lookup's or
    the features' force name column). The `*_field` arguments name the
    properties to use where finding them by name would guess wrong; `area_code`
    is the area of wards nothing else places (see `read_wards`).
    `new_areas=False` rejects wards of areas the store does not have instead of
    creating them; `all_or_nothing` refuses the whole file (ValidationError,
    nothing written) if any feature is rejected. The wards are written in one
    commit and the load is audited as `audit_action`.
    """
    user_id = begin(store, user)
    label = source_name(geojson, name) if not isinstance(geojson, Mapping) else (name or "boundaries.geojson")
    report = ImportReport("wards", files=[label])
    deadline = Deadline(label)
    features = read_features(geojson, name=label)
    report.read = len(features)
    stored = _stored(store, "wards", "ward_code", "area_code")
    wards = read_wards(features, code_field=code_field, name_field=name_field, area_field=area_field,
                       area_code=area_code, lookup=_lookup(area_lookup), force=force,
                       known_areas={code: area for code, (_, area) in stored.items()}, name=label,
                       deadline=deadline)
    areas = set(_stored(store, "areas", "area_code"))
    rows, rejected = [], list(wards.rejected)
    for values in wards.rows:
        if not new_areas and values["area_code"] not in areas:
            rejected.append((-1, values["ward_code"], f"{values['area_code']} is not an area", "area_code"))
            continue
        record_id = stored[values["ward_code"]][0] if values["ward_code"] in stored \
            else content_id("wards", values["ward_code"])
        rows.append(values | {"record_id": record_id,
                              "submission_id": content_id(record_id, *(values[k] for k in sorted(values)))})
    if all_or_nothing and rejected:
        raise ValidationError(problems(rejected))

    report.rejected = len(rejected)
    for _, _, reason, _ in rejected:
        report.reasons[reason] += 1
    report.rejected_rows = pd.DataFrame([r[:3] for r in rejected], columns=["feature", "ward_code", "reason"])
    if wards.outside_force:
        report.notes.append(f"{wards.outside_force:,} features outside {force} left out")
    missing = sorted(set(stored) - {r["ward_code"] for r in rows})
    if missing and rows:
        report.notes.append(f"{len(missing):,} wards already stored are not in this file; they are kept")
    added = sorted({r["area_code"] for r in rows} - areas)
    area_rows = []
    if added:
        report.notes.append("new areas: " + ", ".join(f"{code} ({wards.area_names[code]})" for code in added))
        for code in added:
            placed = [r for r in rows if r["area_code"] == code]
            row = {"area_code": code, "name": wards.area_names[code][:200],
                   "centre_lat": round(float(np.mean([r["centre_lat"] for r in placed])), 6),
                   "centre_lon": round(float(np.mean([r["centre_lon"] for r in placed])), 6)}
            row["record_id"] = content_id("areas", code)
            row["submission_id"] = content_id(row["record_id"], *(row[k] for k in sorted(row)))
            area_rows.append(row)
    # Both tables are built (and so type-checked) before either is written.
    ward_table, area_table = record_table("wards", rows), record_table("areas", area_rows)
    if area_rows:
        write_records(store, "areas", area_table, user_id=user_id, report=ImportReport("areas"))
    outcomes = write_records(store, "wards", ward_table, user_id=user_id, report=report)
    written = [r["record_id"] for r, outcome in zip(rows, outcomes, strict=True) if outcome != "unchanged"]
    fields = wards.fields
    return finish(store, user, report, action=audit_action, target_ids=written,
                  detail=f"code {fields['code']}, name {fields['name']}, area {fields['area'] or area_code}")


def clean_geometry(geometry: Any) -> tuple[dict[str, Any] | None, str | None]:
    """A (Multi)Polygon with every ring a closed (n, 2) array of longitude, latitude (to be simplified, not stored
    as it is), or None and why it cannot be a boundary."""
    if not isinstance(geometry, dict):
        return None, "geometry is not a GeoJSON geometry object"
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        return None, "geometry is not a polygon"
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    invalid = "polygon coordinates are not valid GeoJSON (rings of three or more [longitude, latitude] numbers)"
    if not isinstance(polygons, list) or not polygons:
        return None, invalid
    out = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return None, invalid
        parts = []
        for ring in polygon:
            try:
                xy = np.asarray(ring, dtype=float)
            except (TypeError, ValueError, OverflowError):
                return None, invalid
            if xy.ndim != 2 or xy.shape[1] < 2 or len(xy) < 3 or not np.isfinite(xy[:, :2]).all():
                return None, invalid
            xy = xy[:, :2]
            if not np.array_equal(xy[0], xy[-1]):
                xy = np.vstack([xy, xy[:1]])
            parts.append(xy)
        out.append(parts)
    return ({"type": "Polygon", "coordinates": out[0]} if kind == "Polygon"
            else {"type": "MultiPolygon", "coordinates": out}), None


def _centre(geometry: Mapping[str, Any]) -> tuple[float, float] | None:
    """(lat, lon) of a (Multi)Polygon; None for other or malformed geometries."""
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    try:
        return geo.centre(dict(geometry))
    except (TypeError, ValueError, IndexError):
        return None


def _check(geometry: Mapping[str, Any] | None, problem: str | None, code: str, ward_name: str, area_code: str,
           centre: tuple[float, float] | None, seen: set[str]) -> tuple[str, str] | None:
    """Why a feature cannot be a ward, and the field that is about (file or area_code); None if it can."""
    if not code:
        return "no ward code", "file"
    if code in seen:
        return "ward code appears twice in the file", "file"
    if not ward_name:
        return "no ward name", "file"
    if geometry is None:
        return problem or "geometry is not a polygon", "file"
    if centre is None:
        return "polygon has no area", "file"
    lat, lon = centre
    if not (UK_LON[0] <= lon <= UK_LON[1] and UK_LAT[0] <= lat <= UK_LAT[1]):
        return ("coordinates are not UK longitude/latitude: the file must be in WGS84 (EPSG:4326), "
                "not British National Grid", "file")
    if not area_code:
        return "no area: neither the feature, the lookup nor a chosen area gives one", "area_code"
    return None


def problems(rejected: list[tuple[int, str, str, str]]) -> dict[str, str]:
    """The rejected features as ValidationError messages per field (the first five of each)."""
    by_field: dict[str, list[str]] = {}
    for position, code, reason, field in rejected:
        by_field.setdefault(field, []).append(f"{code or f'feature {position + 1}'}: {reason}")
    return {field: "; ".join(found[:5]) + (f" (and {len(found) - 5} more)" if len(found) > 5 else "")
            for field, found in by_field.items()}


def _lookup(source: Source | pd.DataFrame | None) -> dict[str, dict[str, str]]:
    """ward or local-authority code -> area_code, area_name, force (from a lookup CSV's named columns)."""
    if source is None:
        return {}
    label = source_name(source, None if isinstance(source, str | Path) else "the area lookup") \
        if not isinstance(source, pd.DataFrame) else "the area lookup"
    frame = source if isinstance(source, pd.DataFrame) else read_sheet(source, name=label)
    columns = [str(c) for c in frame.columns]
    ward = find_field(columns, (r"WD\d\dCD", "ward_code"))
    area = find_field(columns, (r"LAD\d\dCD", r"LAD\w*CD", "area_code"))
    area_name = find_field(columns, (r"LAD\d\dNM", r"LAD\w*NM", "area_name"))
    force = find_field(columns, (r"PFA\d\dNM", "force"))
    if area is None:
        raise ImportRefused(label, f"no area code column (e.g. LAD13CD) among {', '.join(columns[:50])}",
                            field="area_lookup")
    out = {}
    for row in frame.fillna("").astype(str).to_dict("records"):
        entry = {"area_code": row[area].strip(), "area_name": row[area_name].strip() if area_name else "",
                 "force": row[force].strip() if force else ""}
        out[(row[ward] if ward else row[area]).strip()] = entry
    return out


def _stored(store: Store, table: str, key: str, *columns: str) -> dict[str, tuple]:
    """key -> (record_id, *columns) of the table's current rows."""
    rows = db.rows(f"SELECT {', '.join((key, 'record_id', *columns))} FROM {store.relation(table)}")
    return {row[0]: tuple(row[1:]) for row in rows}
