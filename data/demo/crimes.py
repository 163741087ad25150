"""Street-level crime and anti-social behaviour, as data.police.uk's files record it, placed in the demo's wards."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from data.demo.activity import Activity
from data.demo.census import LOCAL_AUTHORITIES
from data.demo.columns import (
    MINUTE,
    ArrowColumn,
    Chooser,
    Column,
    Num,
    as_us,
    choice,
    pick,
    random_hex,
    shares,
    sometimes,
)
from data.demo.force import ANALYST, AREAS, Force
from data.demo.weights import MONTH

FORCE_REPORTING = "Staffordshire Police"
NO_LOCATION = 0.02  # share of rows the files give with no location
CRIME_TYPES = {  # share of all rows, force-wide
    "Anti-social behaviour": 22, "Violence and sexual offences": 28, "Public order": 8,
    "Criminal damage and arson": 8, "Other theft": 7, "Shoplifting": 6, "Vehicle crime": 6, "Burglary": 4,
    "Drugs": 2.5, "Other crime": 2, "Bicycle theft": 1.5, "Theft from the person": 1.2, "Robbery": 1,
    "Possession of weapons": 0.8,
}
CRIME_BOOST = {
    "urban": {"Shoplifting": 1.5, "Bicycle theft": 2.5, "Theft from the person": 2.0, "Drugs": 1.4, "Robbery": 1.5},
    "suburban": {"Burglary": 1.3, "Vehicle crime": 1.2, "Theft from the person": 0.6},
    "rural": {"Burglary": 1.3, "Vehicle crime": 1.2, "Shoplifting": 0.5, "Theft from the person": 0.3,
              "Bicycle theft": 0.5, "Robbery": 0.4, "Drugs": 0.7},
    "diverse": {"Drugs": 1.5, "Possession of weapons": 1.8, "Robbery": 1.6, "Shoplifting": 1.2},
}
CRIME_RATE = {"urban": 1.7, "suburban": 0.9, "rural": 0.6, "diverse": 1.6}  # a ward's crime, relative
CRIME_OUTCOMES = {
    "Investigation complete; no suspect identified": 40, "Unable to prosecute suspect": 28,
    "Local resolution": 5, "Awaiting court outcome": 5, "Court result unavailable": 4, "Offender given a caution": 3,
    "Action to be taken by another organisation": 3, "Status update unavailable": 3,
    "Further investigation is not in the public interest": 2, "Formal action is not in the public interest": 2,
    "Offender sent to prison": 2, "Offender fined": 2, "Suspect charged as part of another case": 1,
}
UNDER_INVESTIGATION = "Under investigation"
STREETS = (
    "High Street", "Station Road", "Church Lane", "Mill Lane", "London Road", "Victoria Road", "Park Road",
    "The Green", "Queen Street", "King Street", "School Lane", "Manor Road", "The Crescent", "Bridge Street",
    "Market Place", "North Street", "Orchard Close", "Meadow Way", "Green Lane", "New Road", "Windsor Road",
    "Oxford Road", "Chapel Street", "Albert Road", "Springfield Road", "York Road", "The Avenue", "West Street",
    "Parking Area", "Supermarket", "Petrol Station", "Shopping Area", "Sports/Recreation Area", "Nightclub",
    "Further/Higher Educational Building", "Hospital", "Bus/Coach Station", "Theatre/Concert Hall",
)
POINTS_PER_WARD = 12  # the anonymised map points ("On or near ...") crimes are snapped to
LSOAS_PER_WARD = 4


class Crimes(Activity):
    """Street-level crime and ASB per whole month of the period, as the crime importer stores it.

    Each ward's demand is its own (urban and town-centre wards far busier), drawn
    apart from where the teams work, so some wards get much less engagement than
    their share of crime. Located rows sit on a few anonymised map points inside
    the ward, with a street and an LSOA; a small share has no location
    (no ward, no area), as in the published files.
    """

    table = "crimes"
    DATE = "month"

    def __init__(self, force: Force, rng: np.random.Generator, n: int):
        super().__init__(rng, n)
        wards = len(force.ward_codes)
        kinds = [AREAS[k].kind for k in force.ward_area]
        # Demand per ward: by kind of area, spread wide, and a town-centre hotspot or two per area.
        demand = np.array([CRIME_RATE[k] for k in kinds]) * rng.lognormal(0.0, 0.7, wards)
        for k in range(len(AREAS)):
            mine = np.flatnonzero(force.ward_area == k)
            demand[rng.choice(mine, size=min(2, len(mine)), replace=False)] *= rng.uniform(2.5, 5.0, 2)[: len(mine)]
        ward = choice(rng, demand / demand.sum(), n)
        area = force.ward_area[ward]
        # Months: every whole month of the period, summer busier.
        first = (force.start_day + np.timedelta64(31, "D")).astype("datetime64[M]")
        months = np.arange(first, np.datetime64(force.today, "M"))
        if not len(months):
            months = np.array([np.datetime64(force.today, "M") - 1])
        season = np.sqrt(np.array(MONTH)[months.astype(np.int64) % 12])
        month = choice(rng, season / season.sum(), n)
        days = months.astype("datetime64[D]")
        # Crime types by kind of area.
        types = list(CRIME_TYPES)
        chooser = Chooser([shares({t: w * CRIME_BOOST[a.kind].get(t, 1.0) for t, w in CRIME_TYPES.items()},
                                  types) for a in AREAS])
        kind = chooser.pick(rng, area) - chooser.start[area]
        asb = kind == types.index("Anti-social behaviour")
        # Map points: a few places per ward, inside it, some streets busier than others.
        point_ward = np.repeat(np.arange(wards), POINTS_PER_WARD)
        place = np.argsort(rng.random((wards, force.POINTS_PER_WARD)), axis=1)[:, :POINTS_PER_WARD].ravel()
        point_lat, point_lon = force.point_lat[point_ward, place], force.point_lon[point_ward, place]
        point_street = rng.integers(0, len(STREETS), len(point_ward))
        points = Chooser([rng.lognormal(0.0, 1.0, POINTS_PER_WARD) for _ in range(wards)])
        point = points.pick(rng, ward)
        lsoa = ward * LSOAS_PER_WARD + (point - points.start[ward]) % LSOAS_PER_WARD
        no_location = sometimes(rng, n, NO_LOCATION)
        # Outcomes: recent crimes are mostly still under investigation.
        outcomes = [*CRIME_OUTCOMES, UNDER_INVESTIGATION]
        outcome = choice(rng, shares([*CRIME_OUTCOMES.values(), 0]), n)
        age = len(months) - 1 - month
        outcome[rng.random(n) < 0.6 * np.exp(-age / 2.0)] = len(outcomes) - 1
        # LSOA names: the area's first local authority, a number per ward and a letter.
        first_la = {}
        for code, _, name, _ in LOCAL_AUTHORITIES:
            first_la.setdefault(code, name)
        within = np.zeros(wards, dtype=int)
        for k in range(len(AREAS)):
            mine = np.flatnonzero(force.ward_area == k)
            within[mine] = np.arange(len(mine))
        lsoa_codes = [f"E01{900001 + i:06d}" for i in range(wards * LSOAS_PER_WARD)]
        lsoa_names = [f"{first_la[force.area_codes[force.ward_area[w]]]} {within[w] + 1:03d}{'ABCDEFGH'[j]}"
                      for w in range(wards) for j in range(LSOAS_PER_WARD)]
        files = [f"{m}-staffordshire-street.csv" for m in months.astype(str)]
        published = as_us((months + 1).astype("datetime64[D]")) + np.timedelta64(9, "h")
        written = published[month] + rng.integers(18, 30, n) * np.timedelta64(1, "D")
        written = np.minimum(written, force.midnight - MINUTE)
        self.columns: dict[str, Column] = {
            "crime_id": ArrowColumn(random_hex(rng, n, 64, asb)),
            "month": Num(days[month], pa.date32()),
            "reported_by": pick([FORCE_REPORTING], np.zeros(n)),
            "falls_within": pick([FORCE_REPORTING], np.zeros(n)),
            "lat": Num(np.round(point_lat[point], 5), pa.float64(), no_location),
            "lon": Num(np.round(point_lon[point], 5), pa.float64(), no_location),
            "location": pick([*(f"On or near {s}" for s in STREETS), "No location"],
                             np.where(no_location, len(STREETS), point_street[point])),
            "lsoa_code": pick(lsoa_codes, lsoa, no_location),
            "lsoa_name": pick(lsoa_names, lsoa, no_location),
            "crime_type": pick(types, kind),
            "last_outcome": pick(outcomes, outcome, asb),
            "ward_code": pick(force.ward_codes, ward, no_location),
            "area_code": pick(force.area_codes, area, no_location),
            "source_file": pick(files, month),
        }
        self.written_at, self.written_by = written, pick([ANALYST], np.zeros(n))
