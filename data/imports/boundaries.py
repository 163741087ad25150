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
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from data import db, geo
from data.imports.common import (
    ImportReport,
    Source,
    begin,
    content_id,
    finish,
    read_bytes,
    read_sheet,
    record_table,
    source_name,
    write_records,
)
from data.store import Store, ValidationError, validate

CODE_FIELDS = (r"WD\d\dCD", r"NBHD\w*CD", r"LSOA\d\dCD", r"MSOA\d\dCD", "ward_code", "code", "id")
NAME_FIELDS = (r"WD\d\dNM", r"NBHD\w*NM", r"LSOA\d\dNM", r"MSOA\d\dNM", "ward_name", "name")
AREA_FIELDS = (r"LAD\d\dCD", r"LAD_CD", r"LAD\w*CD", "area_code", "area")
AREA_NAME_FIELDS = (r"LAD\d\dNM", r"LAD_NM", r"LAD\w*NM", "area_name")
FORCE_FIELDS = (r"PFA\d\dNM", r"PFA_NM", "force")


def find_field(names: list[str], patterns: tuple[str, ...]) -> str | None:
    """The first name matching the first pattern that matches any (case-insensitive, whole name)."""
    for pattern in patterns:
        for name in names:
            if re.fullmatch(pattern, name, flags=re.IGNORECASE):
                return name
    return None


def load_boundaries(store: Store, geojson: Source | Mapping[str, Any], *, user: Mapping[str, Any],
                    area_lookup: Source | pd.DataFrame | None = None, force: str | None = None,
                    code_field: str | None = None, name_field: str | None = None,
                    area_field: str | None = None, name: str | None = None) -> ImportReport:
    """Load ward boundaries into `wards` (and new areas into `areas`); the report says what changed.

    `force`: keep only features of that police force area (by the lookup's or
    the features' force name column). The other `*_field` arguments name the
    properties to use where finding them by name would guess wrong.
    """
    user_id = begin(store, user)
    report = ImportReport("wards", files=[source_name(geojson, name) if not isinstance(geojson, Mapping)
                                         else (name or "boundaries.geojson")])
    collection = dict(geojson) if isinstance(geojson, Mapping) else json.loads(read_bytes(geojson))
    features = [f for f in collection.get("features", []) if isinstance(f, dict)] \
        if collection.get("type") == "FeatureCollection" else [collection]
    report.read = len(features)
    properties = sorted({k for f in features for k in (f.get("properties") or {})})
    code_field = code_field or find_field(properties, CODE_FIELDS)
    name_field = name_field or find_field(properties, NAME_FIELDS)
    area_field = area_field or find_field(properties, AREA_FIELDS)
    if code_field is None or name_field is None:
        raise ValidationError({"file": f"no ward code or name property among {', '.join(properties) or 'none'}"})
    lookup = _lookup(area_lookup)
    area_name_field = find_field(properties, AREA_NAME_FIELDS)
    force_field = find_field(properties, FORCE_FIELDS)

    wards = _stored(store, "wards", "ward_code")
    areas = _stored(store, "areas", "area_code")
    rows, rejected, seen = [], [], set()
    new_areas: dict[str, dict] = {}
    skipped_force = 0
    for position, feature in enumerate(features):
        props = feature.get("properties") or {}
        code = str(props.get(code_field) or "").strip()
        key = str(props.get(area_field) or "").strip() if area_field else ""
        mapped = lookup.get(code) or lookup.get(key) or {}
        if force and (mapped.get("force") or props.get(force_field) or "").strip().lower() != force.lower():
            skipped_force += 1
            continue
        area_code = mapped.get("area_code") or key
        reason = _check(feature, code, str(props.get(name_field) or "").strip(), area_code, seen)
        if reason:
            rejected.append((position, code, reason))
            continue
        seen.add(code)
        geometry = feature["geometry"]
        lat, lon = geo.centre(geometry)
        ward_name = str(props[name_field]).strip()
        values = {"ward_code": code, "name": ward_name, "area_code": area_code,
                  "centre_lat": round(lat, 6), "centre_lon": round(lon, 6),
                  "geojson": json.dumps({"type": "Feature", "geometry": geometry,
                                         "properties": {"ward_code": code, "name": ward_name,
                                                        "area_code": area_code}}, separators=(",", ":"))}
        try:
            validate("wards", values)
        except ValidationError as exc:
            rejected.append((position, code, str(exc)))
            continue
        record_id = wards.get(code) or content_id("wards", code)
        rows.append(values | {"record_id": record_id,
                              "submission_id": content_id(record_id, *(values[k] for k in sorted(values)))})
        if area_code not in areas:
            area = new_areas.setdefault(area_code, {
                "area_code": area_code,
                "name": mapped.get("area_name") or str(props.get(area_name_field) or "").strip() or area_code,
                "lats": [], "lons": []})
            area["lats"].append(lat)
            area["lons"].append(lon)

    report.rejected = len(rejected)
    for _, _, reason in rejected:
        report.reasons[reason] += 1
    report.rejected_rows = pd.DataFrame(rejected, columns=["feature", "ward_code", "reason"])
    if skipped_force:
        report.notes.append(f"{skipped_force:,} features outside {force} left out")
    missing = sorted(set(wards) - seen)
    if missing and seen:
        report.notes.append(f"{len(missing):,} wards already stored are not in this file; they are kept")
    if new_areas:
        named = (f"{code} ({area['name']})" for code, area in sorted(new_areas.items()))
        report.notes.append("new areas: " + ", ".join(named))
        area_rows = [{"area_code": code, "name": v["name"][:200], "centre_lat": round(float(np.mean(v["lats"])), 6),
                      "centre_lon": round(float(np.mean(v["lons"])), 6)} for code, v in sorted(new_areas.items())]
        for row in area_rows:
            row["record_id"] = content_id("areas", row["area_code"])
            row["submission_id"] = content_id(row["record_id"], *(row[k] for k in sorted(row)))
        write_records(store, "areas", record_table("areas", area_rows), user_id=user_id, report=ImportReport("areas"))
    write_records(store, "wards", record_table("wards", rows), user_id=user_id, report=report)
    return finish(store, user, report, detail=f"code {code_field}, name {name_field}, area {area_field}")


def _check(feature: dict, code: str, ward_name: str, area_code: str, seen: set[str]) -> str | None:
    geometry = feature.get("geometry") or {}
    if not code:
        return "no ward code"
    if code in seen:
        return "ward code appears twice in the file"
    if not ward_name:
        return "no ward name"
    if not area_code:
        return "no area: the feature has no area property and the lookup does not list it"
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return "geometry is not a polygon"
    if geo.centre(geometry) is None:
        return "polygon has no area"
    return None


def _lookup(source: Source | pd.DataFrame | None) -> dict[str, dict[str, str]]:
    """ward or local-authority code -> area_code, area_name, force (from a lookup CSV's named columns)."""
    if source is None:
        return {}
    frame = source if isinstance(source, pd.DataFrame) else read_sheet(source)
    columns = [str(c) for c in frame.columns]
    ward = find_field(columns, (r"WD\d\dCD", "ward_code"))
    area = find_field(columns, (r"LAD\d\dCD", r"LAD\w*CD", "area_code"))
    area_name = find_field(columns, (r"LAD\d\dNM", r"LAD\w*NM", "area_name"))
    force = find_field(columns, (r"PFA\d\dNM", "force"))
    if area is None:
        raise ValidationError({"area_lookup": f"no area code column (e.g. LAD13CD) among {', '.join(columns)}"})
    out = {}
    for row in frame.fillna("").astype(str).to_dict("records"):
        entry = {"area_code": row[area].strip(), "area_name": row[area_name].strip() if area_name else "",
                 "force": row[force].strip() if force else ""}
        out[(row[ward] if ward else row[area]).strip()] = entry
    return out


def _stored(store: Store, table: str, key: str) -> dict[str, str]:
    """key -> record_id of the table's current rows."""
    rows = db.cursor().execute(f"SELECT {key}, record_id FROM {store.relation(table)}").fetchall()
    return dict(rows)

