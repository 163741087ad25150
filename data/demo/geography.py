"""The demo force's geography: Staffordshire's real wards, simplified and shipped with Beatbook.

`data/boundaries/staffordshire_wards_2013.geojson` holds the 211 electoral wards (2013)
of the nine local authorities in the Staffordshire police force area, with their
ONS codes and names and their local authority (`WD13CD`, `WD13NM`, `LAD13CD`,
`LAD13NM`, the names the boundary importer looks for, so Admin can load the file
as it is). Each boundary is simplified to within SIMPLIFY_METRES by
`geo.simplify_shared`, which keeps shared borders shared (neighbouring wards still
meet exactly), and its coordinates are rounded to DECIMALS places (about a metre).
`data/boundaries/LICENCE.md` says whose data it is and under which licence.

`build_wards` makes the file's content from the published boundaries (a GeoJSON
FeatureCollection of ward polygons with those codes and names, in WGS84):

    python -m data.demo.geography staffordshire_wards_2013.geojson
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

from data import geo

WARDS_FILE = Path(__file__).resolve().parents[1] / "boundaries" / "staffordshire_wards_2013.geojson"
SIMPLIFY_METRES = 40.0
DECIMALS = 5
ATTRIBUTION = ("Contains OS data © Crown copyright and database right 2013. Contains public sector information "
               "licensed under the Open Government Licence v3.0.")
LICENCE = "Open Government Licence v3.0 (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)"
_SOURCE_FIELDS = {"code": ("WD13CD",), "name": ("WD13NM",), "lad": ("LAD13CD", "LAD_CD"),
                  "lad_name": ("LAD13NM", "LAD_NM")}


def build_wards(source: dict[str, Any], *, metres: float = SIMPLIFY_METRES) -> dict[str, Any]:
    """The shipped FeatureCollection from the published ward boundaries: simplified together, rounded, by code."""
    features = sorted(source["features"], key=lambda f: _field(f, "code"))
    shapes = geo.simplify_shared([f["geometry"] for f in features], metres)
    out = []
    for feature, shape in zip(features, shapes, strict=True):
        rings = [shape["coordinates"]] if shape["type"] == "Polygon" else shape["coordinates"]
        rounded = [[[[round(x, DECIMALS), round(y, DECIMALS)] for x, y in ring] for ring in polygon]
                   for polygon in rings]
        geometry = {"type": "Polygon", "coordinates": rounded[0]} if shape["type"] == "Polygon" \
            else {"type": "MultiPolygon", "coordinates": rounded}
        out.append({"type": "Feature",
                    "properties": {"WD13CD": _field(feature, "code"), "WD13NM": _field(feature, "name"),
                                   "LAD13CD": _field(feature, "lad"), "LAD13NM": _field(feature, "lad_name")},
                    "geometry": geometry})
    return {"type": "FeatureCollection", "attribution": ATTRIBUTION, "licence": LICENCE, "features": out}


def _field(feature: dict[str, Any], name: str) -> str:
    props = feature.get("properties") or {}
    for key in _SOURCE_FIELDS[name]:
        if props.get(key):
            return str(props[key])
    raise ValueError(f"ward feature without {' or '.join(_SOURCE_FIELDS[name])}: {props}")


def write_wards(collection: dict[str, Any], path: Path = WARDS_FILE) -> int:
    """Write the collection as compact GeoJSON, one feature a line; the bytes written."""
    lines = [json.dumps(f, separators=(",", ":"), ensure_ascii=False) for f in collection["features"]]
    head = {k: v for k, v in collection.items() if k != "features"}
    text = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


@functools.cache
def load_wards() -> tuple[dict[str, Any], ...]:
    """The shipped wards, by code: ward_code, name, lad_code, lad_name and geometry (a GeoJSON dict)."""
    collection = json.loads(WARDS_FILE.read_text(encoding="utf-8"))
    return tuple({"ward_code": f["properties"]["WD13CD"], "name": f["properties"]["WD13NM"],
                  "lad_code": f["properties"]["LAD13CD"], "lad_name": f["properties"]["LAD13NM"],
                  "geometry": f["geometry"]} for f in collection["features"])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m data.demo.geography WARDS.geojson")
    size = write_wards(build_wards(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
    print(f"{WARDS_FILE}: {size:,} bytes")
