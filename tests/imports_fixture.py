"""A tiny force for the import and demand tests: two areas, three square wards, users of every role.

    A1 (North): W1 = lon -1.3..-1.2, lat 51.7..51.8;  W2 = lon -1.2..-1.1, lat 51.7..51.8
    A2 (South): W3 = lon -1.1..-1.0, lat 51.7..51.8
Users: P1 officer (A1), S1 supervisor (A1), C1 commander, N1 analyst, D1 admin.
"""

from __future__ import annotations

import json
from pathlib import Path

from data.store import Store

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
ANALYST = {"user_id": "N1", "name": "Ana Lyst", "email": "n1@example.police.uk", "role": "analyst",
           "rank": "Staff", "area_code": None, "active": True}
ADMIN = {"user_id": "D1", "name": "Ad Min", "email": "d1@example.police.uk", "role": "admin", "rank": "Staff",
         "area_code": None, "active": True}
OFFICER = {"user_id": "P1", "name": "Pat Constable", "email": "p1@example.police.uk", "role": "officer",
           "rank": "PC", "area_code": "A1", "active": True}
USERS = [OFFICER, ANALYST, ADMIN,
         {"user_id": "S1", "name": "Sam Sergeant", "email": "s1@example.police.uk", "role": "supervisor",
          "rank": "Sergeant", "area_code": "A1", "active": True},
         {"user_id": "C1", "name": "Chris Commander", "email": "c1@example.police.uk", "role": "commander",
          "rank": "Superintendent", "area_code": None, "active": True}]
WARDS = {"W1": ("North One", "A1", -1.3), "W2": ("North Two", "A1", -1.2), "W3": ("South Three", "A2", -1.1)}
CRIME_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                "Crime type,Last outcome category,Context")


def square(west: float, south: float = 51.7, size: float = 0.1) -> dict:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_store(root: Path | Store, *, wards: bool = True) -> Store:
    """The tiny force's store (in a folder, or filling a given empty store): areas, users and (unless
    told not to) the three square wards."""
    store = root if isinstance(root, Store) else Store(root)
    store.create()
    for i, (code, name, lat) in enumerate((("A1", "North", 51.75), ("A2", "South", 51.75))):
        store.save("areas", {"area_code": code, "name": name, "centre_lat": lat, "centre_lon": -1.2 + i * 0.1},
                   user="D1", submission_id=f"area-{code}")
    for user in USERS:
        store.save("users", user, user="D1", submission_id=f"user-{user['user_id']}")
    if wards:
        for code, (name, area, west) in WARDS.items():
            store.save("wards", {"ward_code": code, "name": name, "area_code": area, "centre_lat": 51.75,
                                 "centre_lon": west + 0.05, "geojson": json.dumps(square(west))},
                       user="D1", submission_id=f"ward-{code}")
    return store


def crime_row(*, crime_id: str = "", month: str = "2025-03", lon: str = "", lat: str = "",
              crime_type: str = "Burglary", lsoa: str = "Northtown 001A", outcome: str = "") -> str:
    location = "On or near High Street" if lat else "No Location"
    return (f"{crime_id},{month},Test Police,Test Police,{lon},{lat},{location},E01000001,{lsoa},"
            f"{crime_type},{outcome},")


def crime_csv(*rows: str) -> bytes:
    return ("\n".join([CRIME_HEADER, *rows]) + "\n").encode()
