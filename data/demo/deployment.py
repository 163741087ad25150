"""Where the demo force's officers were: patrols, and the hours they were abstracted to other duties."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from data import picklists
from data.demo.activity import Activity
from data.demo.columns import MINUTE, Column, Num, as_us, choice, pick, shares, sometimes
from data.demo.force import Force
from data.demo.phrases import DUTIES, PATROL_OUTCOMES, PLACES
from data.demo.weights import ABSTRACTION_REASONS, PATROL_TYPES


class Patrols(Activity):
    """Patrols of one to four hours, mostly on foot or at hotspots."""

    table = "patrols"
    DATE = "start"

    def __init__(self, force: Force, rng: np.random.Generator, n: int):
        super().__init__(rng, n)
        area = choice(rng, force.area_activity, n)
        ward = force.ward_of[force.wards.pick(rng, area)]
        officer = force.officer_of[force.officers.pick(rng, area)]
        start = force.times(rng, force.days(rng, "patrols", n), "patrols", step=15)
        end = start + rng.integers(4, 17, n) * 15 * MINUTE
        tasking = force.issues.pick(rng, area) - force.issues.start[area]
        lat, lon = force.jitter(rng, ward, 0.7)
        wards = len(force.ward_names)
        self.columns: dict[str, Column] = {
            "officer_id": force.user_pick(officer),
            "patrol_type": pick(picklists.PATROL_TYPES,
                                choice(rng, shares(PATROL_TYPES, picklists.PATROL_TYPES), n)),
            "start": Num(start, pa.timestamp("us")),
            "end": Num(end, pa.timestamp("us")),
            "area_code": pick(force.area_codes, area),
            "ward_code": pick(force.ward_codes, ward),
            "places": pick(force.ward_strings(PLACES), rng.integers(0, len(PLACES), n) * wards + ward,
                           ~sometimes(rng, n, 0.7)),
            "tasking": pick([f"Ward priority: {i.lower()}" for i in picklists.ISSUE_CATEGORIES], tasking,
                            ~sometimes(rng, n, 0.5)),
            "outcomes": pick(PATROL_OUTCOMES, rng.integers(0, len(PATROL_OUTCOMES), n), ~sometimes(rng, n, 0.75)),
            "lat": lat,
            "lon": lon,
        }
        self.written_at = force.written(rng, end, 15, 600)
        self.written_by = force.user_pick(officer)


class Abstractions(Activity):
    """Hours officers were taken away from neighbourhood duties, and to what."""

    table = "abstractions"
    DATE = "date"

    def __init__(self, force: Force, rng: np.random.Generator, n: int):
        super().__init__(rng, n)
        area = choice(rng, force.area_activity, n)
        officer = force.officer_of[force.officers.pick(rng, area)]
        days = force.days(rng, "abstractions", n)
        reason = choice(rng, shares(ABSTRACTION_REASONS, picklists.ABSTRACTION_REASONS), n)
        duties = [d for r in picklists.ABSTRACTION_REASONS for d in DUTIES[r]]
        self.columns: dict[str, Column] = {
            "officer_id": force.user_pick(officer),
            "area_code": pick(force.area_codes, area),
            "team": pick(force.area_codes, area),
            "date": Num(days, pa.date32()),
            "hours": Num(rng.integers(4, 21, n) / 2.0, pa.float64()),
            "reason": pick(picklists.ABSTRACTION_REASONS, reason),
            "duty_taken_to": pick(duties, reason * 3 + rng.integers(0, 3, n)),
        }
        evening = as_us(days) + np.timedelta64(17, "h")
        self.written_at = force.written(rng, evening, 0, 3 * 1440)
        self.written_by = force.user_pick(officer)
