"""The demo force: its areas and real wards, its users, when things happen, and its small reference tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from data import geo, picklists
from data.arrow_schema import arrow_schema, system_columns
from data.demo import geography
from data.demo.columns import MINUTE, Chooser, Num, Pick, as_us, choice, hex_list, new_ids, pick, shares, sometimes
from data.demo.phrases import APP_FEEDBACK, FIRST_NAMES, GOOD_PRACTICE, ISSUE_TEXT, NEWS, SURNAMES, USEFUL_INFO
from data.demo.weights import (
    COMMUNITY_BASE,
    COMMUNITY_BOOST,
    ETHNICITY,
    HOURS,
    ISSUE_BASE,
    KIND_ACTIVITY,
    MONTH,
    RELIGION_BY_ETHNICITY,
    RELIGION_DEFAULT,
    WEEKDAY,
)
from data.store import validate

HISTORY_DAYS = 548  # 18 months
FUTURE_DAYS = 42
FORCE_NAME = "Staffordshire Police (demo)"
ANALYST = "u0005"  # who imported the demo's crime and census data


@dataclasses.dataclass(frozen=True)
class AreaSpec:
    """A local policing area of the demo force (one local authority, whose real wards it takes) and what its
    communities raise most."""

    code: str
    name: str
    lad: str  # ONS code of the local authority (`geography`'s LAD13CD)
    kind: str  # urban, suburban, rural, diverse
    issue_boost: dict[str, float]


AREAS = (
    AreaSpec("ST-STA", "Stafford", "E07000197", "suburban",
             {"Shoplifting": 2.0, "Street drinking": 2.0, "Anti-social behaviour": 1.5, "Speeding": 1.5}),
    AreaSpec("ST-STK", "Stoke-on-Trent", "E06000021", "urban",
             {"Drugs": 2.5, "Anti-social behaviour": 2.0, "Knife crime": 2.0, "Street drinking": 2.0, "Violence": 1.5,
              "Hate crime": 1.5}),
    AreaSpec("ST-NUL", "Newcastle-under-Lyme", "E07000195", "urban",
             {"Vehicle crime": 2.0, "Anti-social behaviour": 2.0, "Drugs": 1.8, "Youth nuisance": 2.0}),
    AreaSpec("ST-EST", "East Staffordshire", "E07000193", "urban",
             {"Drugs": 2.0, "Hate crime": 2.0, "Fly-tipping": 2.0, "Shoplifting": 1.5, "Violence": 1.5}),
    AreaSpec("ST-MOR", "Staffordshire Moorlands", "E07000198", "rural",
             {"Rural crime": 3.0, "Speeding": 2.5, "Fly-tipping": 1.5, "Burglary": 1.3}),
    AreaSpec("ST-SST", "South Staffordshire", "E07000196", "rural",
             {"Rural crime": 2.5, "Speeding": 2.0, "Vehicle crime": 1.5, "Scams and fraud": 1.5}),
    AreaSpec("ST-LIC", "Lichfield", "E07000194", "suburban",
             {"Burglary": 2.0, "Scams and fraud": 2.0, "Road safety": 2.0, "Parking": 1.5}),
    AreaSpec("ST-CAN", "Cannock Chase", "E07000192", "suburban",
             {"Anti-social behaviour": 2.0, "Youth nuisance": 2.0, "Vehicle crime": 1.5, "Fly-tipping": 1.5}),
    AreaSpec("ST-TAM", "Tamworth", "E07000199", "suburban",
             {"Shoplifting": 2.0, "Youth nuisance": 2.0, "Parking": 1.5, "Burglary": 1.5}),
)


class Force:
    """Areas, wards, users and who does what: everything the activity tables draw from."""

    POINTS_PER_WARD = 64  # places inside each ward that located activity and crime are drawn from

    def __init__(self, rng: np.random.Generator, today: dt.date):
        self.rng = rng
        self.today = today
        self.midnight = np.datetime64(today, "us")
        self.start_day = np.datetime64(today, "D") - HISTORY_DAYS
        self.set_up_at = as_us(self.start_day) - np.timedelta64(2, "D")
        self.area_codes = [a.code for a in AREAS]
        self._build_wards()
        self.area_activity = shares([np.count_nonzero(self.ward_area == k) * KIND_ACTIVITY[a.kind]
                                     for k, a in enumerate(AREAS)])
        self._build_users()
        self.issues = Chooser([shares(ISSUE_BASE | {k: ISSUE_BASE[k] * v for k, v in a.issue_boost.items()},
                                      picklists.ISSUE_CATEGORIES) for a in AREAS])
        self.communities = Chooser([
            shares({k: v * COMMUNITY_BOOST[a.kind].get(k, 1.0) for k, v in COMMUNITY_BASE.items()},
                   picklists.COMMUNITIES) for a in AREAS])
        codes = list(picklists.ETHNICITY)
        self.ethnicity = Chooser([shares(ETHNICITY[a.kind], codes) for a in AREAS])
        self.religion = Chooser([shares(RELIGION_BY_ETHNICITY.get(c, RELIGION_DEFAULT), picklists.RELIGIONS)
                                 for c in codes])
        issue_names = picklists.ISSUE_CATEGORIES
        self.issue_sentences = [s for name in issue_names for s in ISSUE_TEXT[name]]
        self.issue_variants = 3

    # wards: the real wards of each area's local authority, each with a centre and places inside it
    def _build_wards(self) -> None:
        area_of = {a.lad: k for k, a in enumerate(AREAS)}
        wards = sorted((w for w in geography.load_wards() if w["lad_code"] in area_of),
                       key=lambda w: (area_of[w["lad_code"]], w["ward_code"]))
        self.ward_codes = [w["ward_code"] for w in wards]
        self.ward_names = [w["name"] for w in wards]
        self.ward_area = np.array([area_of[w["lad_code"]] for w in wards])
        centres = [geo.inner_point(w["geometry"]) for w in wards]
        self.ward_lat = np.array([round(lat, 5) for lat, _ in centres])
        self.ward_lon = np.array([round(lon, 5) for _, lon in centres])
        self.ward_geojson = [json.dumps({"type": "Feature", "geometry": w["geometry"],
                                         "properties": {"ward_code": w["ward_code"], "name": w["name"],
                                                        "area_code": AREAS[area_of[w["lad_code"]]].code}},
                                        separators=(",", ":"), ensure_ascii=False) for w in wards]
        self.area_centres = [(round(float(self.ward_lat[self.ward_area == k].mean()), 4),
                              round(float(self.ward_lon[self.ward_area == k].mean()), 4)) for k in range(len(AREAS))]
        self.point_lat, self.point_lon = self._points_inside([w["geometry"] for w in wards])
        area_wards = [np.flatnonzero(self.ward_area == k) for k in range(len(AREAS))]
        self.wards = Chooser([self.rng.gamma(3.0, 1.0, len(w)) for w in area_wards])
        self.ward_of = np.concatenate(area_wards)  # chooser position -> ward index

    def _points_inside(self, shapes: Sequence[dict]) -> tuple[np.ndarray, np.ndarray]:
        """(wards, POINTS_PER_WARD) latitudes and longitudes, uniform inside each ward (5 decimals)."""
        n = self.POINTS_PER_WARD
        lat, lon = np.zeros((len(shapes), n)), np.zeros((len(shapes), n))
        for index, shape in enumerate(shapes):
            polygons = geo.build_polygons(["ward"], [shape])
            west, south, east, north = polygons.boxes[0]
            found_lat, found_lon = [], []
            while len(found_lat) < n:
                x = np.round(self.rng.uniform(west, east, 4 * n), 5)
                y = np.round(self.rng.uniform(south, north, 4 * n), 5)
                inside = geo.locate(x, y, polygons) == 0
                found_lat += y[inside].tolist()
                found_lon += x[inside].tolist()
            lat[index], lon[index] = found_lat[:n], found_lon[:n]
        return lat, lon

    # users: fixed handy identities first, then officers and supervisors spread over the areas
    def _build_users(self) -> None:
        k_area = {a.code: k for k, a in enumerate(AREAS)}
        plan = [("officer", "PC", "ST-STA"), ("officer", "PCSO", "ST-STK"), ("supervisor", "Sergeant", "ST-STA"),
                ("commander", "Chief Inspector", "ST-STA"), ("analyst", "Staff", "ST-STA"),
                ("admin", "Staff", "ST-STA")]
        plan += [("commander", "Superintendent", "ST-STK"), ("commander", "Chief Inspector", "ST-NUL"),
                 ("commander", "Chief Inspector", "ST-EST"), ("analyst", "Staff", "ST-NUL"),
                 ("analyst", "Staff", "ST-STK"), ("admin", "Staff", "ST-NUL"), ("admin", "Staff", "ST-MOR")]
        plan += [("supervisor", "Sergeant", a.code) for a in AREAS if a.code != "ST-STA"]
        plan += [("supervisor", "Sergeant", c) for c in ("ST-NUL", "ST-STK", "ST-EST", "ST-CAN")]
        plan += [("supervisor", "Inspector", c) for c in ("ST-STA", "ST-STK", "ST-NUL", "ST-EST", "ST-SST", "ST-LIC")]
        officers = 120 - len(plan)
        share = np.floor(self.area_activity * (officers - 3 * len(AREAS))).astype(int) + 3
        share[np.argsort(-self.area_activity)[: officers - share.sum()]] += 1
        ranks = self.rng.random(officers) < 0.55
        plan += [("officer", "PC" if ranks[i] else "PCSO", code)
                 for i, code in enumerate(c for k, c in enumerate(self.area_codes) for _ in range(share[k]))]
        names = [f"{f} {s}" for f in FIRST_NAMES for s in SURNAMES]
        chosen = self.rng.choice(len(names), size=len(plan), replace=False)
        self.users = [
            {"user_id": f"u{i + 1:04d}", "name": names[chosen[i]], "role": role, "rank": rank, "area_code": code}
            for i, (role, rank, code) in enumerate(plan)
        ]
        for user in self.users:
            user["email"] = f"{user['user_id']}@example.police.uk"
        self.user_ids = [u["user_id"] for u in self.users]
        # Who logs activity: officers, and sergeants now and then; a few officers log far more than the rest.
        activity = self.rng.lognormal(0.0, 0.9, len(self.users))
        activity[0] *= 4.0
        busiest = [i for i in np.argsort(-activity) if self.users[i]["role"] == "officer"][:4]
        activity[busiest] *= 2.5
        groups, weights = [], []
        for k in range(len(AREAS)):
            members = [i for i, u in enumerate(self.users)
                       if k_area[u["area_code"]] == k and (u["role"] == "officer" or u["rank"] == "Sergeant")]
            groups.append(np.array(members))
            weights.append(np.array([activity[i] * (1.0 if self.users[i]["role"] == "officer" else 0.3)
                                     for i in members]))
        self.officer_of = np.concatenate(groups)  # chooser position -> user index
        self.officers = Chooser(weights)

    # sampling helpers shared by the activity tables
    def ward_strings(self, prefixes: Sequence[str]) -> list[str]:
        """"<prefix>, <ward name>" for every prefix and ward: pick index = prefix * wards + ward."""
        return [f"{p}, {w}" for p in prefixes for w in self.ward_names]

    def user_pick(self, index: np.ndarray, nulls: np.ndarray | None = None) -> Pick:
        return pick(self.user_ids, index, nulls)

    def days(self, rng: np.random.Generator, table: str, n: int, *, future: bool = False) -> np.ndarray:
        """n dates over the history (and the next six weeks if `future`), weighted by the force's rhythm."""
        first = self.start_day
        last = np.datetime64(self.today, "D") + (FUTURE_DAYS if future else -1)
        days = np.arange(first, last + 1)
        weekday = (days.astype(np.int64) + 3) % 7
        month = days.astype("datetime64[M]").astype(np.int64) % 12
        w = np.array(WEEKDAY[table])[weekday] * np.array(MONTH)[month]
        age = (np.datetime64(self.today, "D") - days).astype(np.int64)
        w *= np.where(age > 0, 1.1 - 0.4 * age / HISTORY_DAYS, np.clip(1 + age / 50, 0.05, 1) * 0.8)
        return days[choice(rng, w / w.sum(), n)]

    def times(self, rng: np.random.Generator, days: np.ndarray, table: str, *, step: int = 1) -> np.ndarray:
        """A time on each day, from the table's hour-of-day weights, in `step`-minute steps."""
        hours = np.array(list(HOURS[table]))
        hour = hours[choice(rng, shares(list(HOURS[table].values())), len(days))]
        minute = rng.integers(0, 60 // step, len(days)) * step
        return as_us(days) + (hour * 60 + minute) * MINUTE

    def written(self, rng: np.random.Generator, moments: np.ndarray, lo_minutes: int, hi_minutes: int) -> np.ndarray:
        """When a record of `moments` was saved: a little later, but before today (the day of generating)."""
        delay = rng.integers(lo_minutes, hi_minutes, len(moments)) * MINUTE
        latest = self.midnight - MINUTE
        return np.minimum(moments + delay, np.maximum(moments, latest))

    def jitter(self, rng: np.random.Generator, ward: np.ndarray, share: float) -> tuple[Num, Num]:
        """A place inside the ward for `share` of rows (others null)."""
        nulls = ~sometimes(rng, len(ward), share)
        place = rng.integers(0, self.POINTS_PER_WARD, len(ward))
        return (Num(self.point_lat[ward, place], pa.float64(), nulls),
                Num(self.point_lon[ward, place], pa.float64(), nulls))

    def issue_text(self, rng: np.random.Generator, first_issue: np.ndarray, nulls: np.ndarray) -> Pick:
        index = first_issue * self.issue_variants + rng.integers(0, self.issue_variants, len(first_issue))
        return pick(self.issue_sentences, index, nulls)

    # small reference tables, built row by row
    def _rows(self, table: str, rows: list[dict], *, by: str = "u0006", at: np.datetime64 | None = None) -> pa.Table:
        ids = hex_list(new_ids(self.rng, len(rows)))
        moment = (at if at is not None else self.set_up_at).astype(dt.datetime)
        out = []
        for record_id, row in zip(ids, rows, strict=True):
            fields = {k: v for k, v in row.items() if k != "_by"}
            validate(table, fields)
            out.append(fields | system_columns(record_id=record_id, written_at=moment,
                                               written_by=row.get("_by", by)))
        return pa.Table.from_pylist(out, schema=arrow_schema(table))

    def areas_table(self) -> pa.Table:
        return self._rows("areas", [{"area_code": a.code, "name": a.name, "centre_lat": lat, "centre_lon": lon}
                                    for a, (lat, lon) in zip(AREAS, self.area_centres, strict=True)])

    def wards_table(self) -> pa.Table:
        return self._rows("wards", [
            {"ward_code": code, "name": name, "area_code": self.area_codes[k], "centre_lat": float(lat),
             "centre_lon": float(lon), "geojson": geo}
            for code, name, k, lat, lon, geo in zip(self.ward_codes, self.ward_names, self.ward_area,
                                                    self.ward_lat, self.ward_lon, self.ward_geojson, strict=True)])

    def users_table(self) -> pa.Table:
        return self._rows("users", [{**u, "active": True} for u in self.users])

    def picklists_table(self) -> pa.Table:
        return self._rows("picklists", [{"list_name": name, "value": v, "position": i, "active": True}
                                        for name, values in picklists.DEFAULTS.items()
                                        for i, v in enumerate(values)])

    def settings_table(self) -> pa.Table:
        return self._rows("settings", [{"key": "force_name", "value": FORCE_NAME}])

    def extra_tables(self) -> dict[str, pa.Table]:
        """A few good-practice, useful-info, news and app-feedback rows, so those pages are not empty."""
        days = HISTORY_DAYS
        officers = [u["user_id"] for u in self.users if u["role"] == "officer"]

        def when(i: int, count: int) -> np.datetime64:
            return as_us(self.start_day) + np.timedelta64((i + 1) * days // (count + 1), "D") + np.timedelta64(10, "h")

        good = [{"title": t, "area_code": a, "problem": p, "action": act, "result": r, "tags": list(tags),
                 "_by": officers[i * 7 % len(officers)]}
                for i, (t, a, p, act, r, tags) in enumerate(GOOD_PRACTICE)]
        info = [{"title": t, "area_code": a, "folder": f, "body": b} for t, a, f, b in USEFUL_INFO]
        news = [{"title": t, "body": b, "published_on": (self.start_day + (i + 1) * days // (len(NEWS) + 1))
                 .astype(dt.date)} for i, (t, b) in enumerate(NEWS)]
        feedback = [{"kind": k, "text": t, "_by": officers[i * 11 % len(officers)]}
                    for i, (k, t) in enumerate(APP_FEEDBACK)]
        out = {}
        for table, rows, by in (("good_practice", good, "u0003"), ("useful_info", info, "u0003"),
                                ("news", news, "u0006"), ("app_feedback", feedback, "u0001")):
            parts = [self._rows(table, [row], by=by, at=when(i, len(rows))) for i, row in enumerate(rows)]
            out[table] = pa.concat_tables(parts)
        return out
