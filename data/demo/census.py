"""Census 2011 ethnicity for the demo areas' local authorities: synthetic counts, keyed as the importer keys them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from data import picklists
from data.arrow_schema import arrow_schema, system_columns
from data.demo.force import ANALYST, AREAS, Force
from data.demo.weights import ETHNICITY

# Census 2011 local authorities of each demo area (ONS codes and names; populations rounded).
_CENSUS_YEAR = 2011
LOCAL_AUTHORITIES = (
    ("ST-STA", "E07000197", "Stafford", 130_900),
    ("ST-STK", "E06000021", "Stoke-on-Trent", 249_000),
    ("ST-NUL", "E07000195", "Newcastle-under-Lyme", 123_900),
    ("ST-EST", "E07000193", "East Staffordshire", 113_600),
    ("ST-MOR", "E07000198", "Staffordshire Moorlands", 97_100),
    ("ST-SST", "E07000196", "South Staffordshire", 108_100),
    ("ST-LIC", "E07000194", "Lichfield", 100_700),
    ("ST-CAN", "E07000192", "Cannock Chase", 97_500),
    ("ST-TAM", "E07000199", "Tamworth", 76_800),
)
# How much more of the population a group is than of the people met in CCRs: the groups
# neighbourhood teams tend to under-reach (students, newer arrivals, mixed-heritage residents).
_CENSUS_LIFT = {"W3": 2.0, "W5": 1.35, "A1": 1.2, "A2": 1.6, "B1": 1.3, "M1": 1.7, "M2": 1.7, "M3": 1.6, "M4": 1.7,
                "O1": 1.5, "O2": 1.6}


def census_table(force: Force, rng: np.random.Generator) -> pa.Table:
    """Census 2011 ethnicity for each local authority of the demo areas (synthetic counts).

    Each authority's mix starts from the people its area's teams meet in CCRs
    and lifts the groups teams tend to reach less (`_CENSUS_LIFT`), with some
    variation per authority. Ids are the census importer's, so an import of the
    real table for the same authorities writes new versions of these records.
    """
    from data.imports.common import content_id  # the importers' ids; imported here to keep demo start-up light

    kinds = {a.code: a.kind for a in AREAS}
    codes = [c for c in picklists.ETHNICITY if c not in ("NS", "W4")]  # 2011 had no Roma category
    rows = []
    for area_code, la_code, la_name, population in LOCAL_AUTHORITIES:
        base = np.array([ETHNICITY[kinds[area_code]][c] * _CENSUS_LIFT.get(c, 1.0) for c in codes])
        share = base * rng.lognormal(0.0, 0.15, len(codes))
        people = rng.multinomial(population, share / share.sum())
        for code, count in zip(codes, people, strict=True):
            values = {"census_year": _CENSUS_YEAR, "geography_code": la_code, "geography_name": la_name,
                      "area_code": area_code, "ethnicity_code": code, "ethnic_group": picklists.ETHNICITY[code][1],
                      "people": int(count), "source_file": "census2011-ethnic-group-demo.csv"}
            record_id = content_id("census", _CENSUS_YEAR, la_code, code)
            submission = content_id(record_id, *(values[k] for k in sorted(values) if k != "source_file"))
            rows.append(values | system_columns(record_id=record_id, written_at=force.set_up_at.astype(dt.datetime),
                                                written_by=ANALYST, submission_id=submission))
    return pa.Table.from_pylist(rows, schema=arrow_schema("census_population"))
