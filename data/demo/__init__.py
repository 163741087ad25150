"""The demo force: a Staffordshire Police neighbourhood-policing store, deterministic for a seed.

Its areas are Staffordshire's nine local authorities and its wards their real
electoral wards (2013 ONS codes, names and boundaries, shipped simplified in
`data/boundaries/`, see `geography`); everything recorded on them is made up.
`generate` writes reference data (areas, wards with boundaries, users, pick-lists,
settings) and 18 months of activity ending `today` (events, CCRs, patrols,
abstractions, "You said, we did" items, problem-solving records answering some of
them, plus a few good-practice, useful-info, news and app-feedback rows). It also holds what an analyst would import:
street-level crime and anti-social behaviour for each whole month of the
period (as data.police.uk publishes it, placed inside the wards, with demand
that does not follow where the engagement is), and census 2011 ethnicity for
the areas' local authorities (synthetic counts, keyed as the census importer
keys them, so importing the real table replaces them). The same seed and
`today` give identical data.

Every scale runs the same vectorised code: columns are drawn with numpy for the
whole table at once, then turned into Arrow in chunks of about `CHUNK_ROWS` rows,
each appended as one Delta commit, with rows sorted by (record_id, version).

Where things are: `force` (areas, wards, users, reference tables), `weights` and `phrases`
(what is drawn), `columns` (the column mini-language), `activity` (the chunked tables'
base, with their system columns), `engagement`, `deployment`, `crimes` and `census` (the
tables), `geography` (the shipped ward boundaries). Everything is written with
`Store.append_rows`.

Handy demo identities: u0001 PC (Stafford), u0002 PCSO (Stoke-on-Trent), u0003
Sergeant (Stafford), u0004 commander (Stafford), u0005 analyst, u0006 admin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data import db
from data.demo.activity import Activity
from data.demo.census import census_table
from data.demo.crimes import Crimes
from data.demo.deployment import Abstractions, Patrols
from data.demo.engagement import Ccrs, Events, Ysywd
from data.demo.force import Force
from data.demo.guarantee import GuaranteeRecords
from data.demo.problems import ProblemRecords
from data.objects import LeaseBusy
from data.store import Store

Progress = Callable[[float, str], None]

DEMO_COUNTS = {"events": 4_000, "ccrs": 12_000, "patrols": 8_000, "abstractions": 1_500, "ysywd": 300}
SCALES = {"demo": sum(DEMO_COUNTS.values()), "force": 10 * sum(DEMO_COUNTS.values()), "national": 10_000_000}
CHUNK_ROWS = 1_500_000
CRIMES_PER_ACTIVITY = 1.0  # crime and ASB rows per activity record, up to CRIME_CAP
CRIME_CAP = 1_500_000
QUERY_CAP = 20_000


def activity_counts(scale: str | int) -> dict[str, int]:
    """Records per activity table for a scale name or a total, in the demo's proportions."""
    if isinstance(scale, str):
        total = int(scale) if scale.isascii() and scale.isdigit() and len(scale) <= 9 else SCALES.get(scale)
        if total is None:
            raise ValueError(f"unknown scale {scale!r}: use one of {', '.join(SCALES)} or a number of rows")
    else:
        total = int(scale)
    if total < 1:
        raise ValueError("scale must be at least one row")
    demo_total = sum(DEMO_COUNTS.values())
    exact = {t: total * n / demo_total for t, n in DEMO_COUNTS.items()}
    counts = {t: int(v) for t, v in exact.items()}
    for table in sorted(exact, key=lambda t: counts[t] - exact[t])[: total - sum(counts.values())]:
        counts[table] += 1
    return counts


def crime_count(counts: dict[str, int]) -> int:
    """Crime and ASB rows for activity `counts`: in proportion, but no more than CRIME_CAP."""
    return min(int(CRIMES_PER_ACTIVITY * sum(counts.values())), CRIME_CAP)


def generate(
    store: Store,
    *,
    scale: str | int = "demo",
    seed: int = 7,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Write the demo force into an empty store; return the rows written per table."""
    today = today or dt.date.today()
    counts = activity_counts(scale)
    store.create()
    if _count(store, "users") or _count(store, "areas"):
        raise RuntimeError(f"store {store.root} already holds reference data; generate into an empty store")
    force = Force(np.random.default_rng([seed, 0]), today)
    reference = {"areas": force.areas_table(), "wards": force.wards_table(), "picklists": force.picklists_table(),
                 "settings": force.settings_table()}
    extras, users = force.extra_tables(), force.users_table()
    small = sum(t.num_rows for t in [*reference.values(), *extras.values(), users])
    crimes_n = crime_count(counts)
    report = _Report(progress, total=sum(counts.values()) + crimes_n + small)
    for table, rows in reference.items():
        report.write(store, table, rows)

    events = Events(force, np.random.default_rng([seed, 1]), counts["events"])
    report.write_chunks(store, events)
    ccrs = Ccrs(force, np.random.default_rng([seed, 2]), counts["ccrs"], events)
    report.write_chunks(store, ccrs)
    patrols = Patrols(force, np.random.default_rng([seed, 3]), counts["patrols"])
    report.write_chunks(store, patrols)
    abstractions = Abstractions(force, np.random.default_rng([seed, 4]), counts["abstractions"])
    report.write_chunks(store, abstractions)
    ysywd = Ysywd(force, np.random.default_rng([seed, 5]), counts["ysywd"], events, ccrs)
    report.write_chunks(store, ysywd)
    # Crime and census rows draw on streams of their own, so the tables above stay as they were.
    report.write_chunks(store, Crimes(force, np.random.default_rng([seed, 6]), crimes_n))
    report.write(store, "census_population", census_table(force, np.random.default_rng([seed, 7])))
    for table, rows in extras.items():
        report.write(store, table, rows)
    # The Guarantee's records draw on a stream of their own too, after everything above.
    npg = GuaranteeRecords(force, np.random.default_rng([seed, 8]), queries=min(counts["ccrs"] // 6, QUERY_CAP),
                           beat_share=min(1.0, counts["events"] / DEMO_COUNTS["events"]))
    report.write(store, "ward_officers", npg.ward_officers())
    report.write_dated(store, "events", npg.beat_meetings(), by="start")
    report.write_dated(store, "community_queries", npg.queries(), by="received_at")
    report.write(store, "settings", npg.settings())
    # Problem solving answers the items written above, from a stream of its own.
    items = db.rows(f"SELECT record_id, area_code, ward_code, issue_category, raised_on FROM {store.relation('ysywd')}"
                    " WHERE ward_code IS NOT NULL ORDER BY record_id")
    problems = ProblemRecords(force, np.random.default_rng([seed, 9]), items).table()
    report.write_dated(store, "problems", problems, by="opened_on")
    users = npg.weekly_hours(users)
    # Users go last: a store with users is a complete demo (see ensure_demo).
    report.write(store, "users", users)
    report.done()
    return report.rows


def ensure_demo(store: Store, *, seed: int = 7, progress: Progress | None = None, scale: str | int = "demo",
                timeout: float = 900.0) -> bool:
    """Generate the demo if the store has no users yet; True if this call generated it.

    Processes starting at once on an empty store (app servers, or workers sharing a local
    folder) take the store's maintenance lease first, so only one generates; the others wait
    for it and then find the data there. A holder that dies gives the lease up (a local OS
    lock goes with its process; a lease on object storage expires and is taken over).
    """
    if _count(store, "users"):
        return False
    try:
        with store.compaction_lock(wait=True, timeout=timeout):
            if _count(store, "users"):  # generated by whoever held the lease before
                return False
            generate(store, scale=scale, seed=seed, progress=progress)
            return True
    except LeaseBusy:
        raise TimeoutError(f"waited {timeout:.0f}s for another process to generate the demo") from None


def _count(store: Store, table: str) -> int:
    return db.scalar(f"SELECT count(*) FROM {store.relation(table)}")


class _Report:
    """Writes tables, counts rows and tells the caller how far it has got."""

    def __init__(self, progress: Progress | None, *, total: int):
        self.progress = progress
        self.total = max(total, 1)
        self.records = 0
        self.rows: dict[str, int] = {}

    def write(self, store: Store, table: str, data: pa.Table) -> None:
        self._tell(f"Writing {table}")
        self.rows[table] = self.rows.get(table, 0) + store.append_rows(table, checked=False, rows=data.sort_by(
            [("record_id", "ascending"), ("version", "ascending")]))
        self.records += data.num_rows

    def write_chunks(self, store: Store, activity: Activity) -> None:
        """Append an activity table in a few commits of about CHUNK_ROWS rows each."""
        table, n = activity.table, activity.n
        self.rows.setdefault(table, 0)
        parts = max(1, -(-activity.rows // CHUNK_ROWS))
        bounds = np.linspace(0, n, parts + 1).astype(np.int64)
        for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
            if stop == start:
                continue
            self._tell(f"Writing {table} ({start:,}-{stop:,} of {n:,})")
            data = activity.chunk(int(start), int(stop))
            # Replaced versions go to files of their own, which current-row reads skip.
            replaced = pc.fill_null(data["superseded"], False)
            for part in (data.filter(pc.invert(replaced)), data.filter(replaced)):
                if part.num_rows:
                    self.rows[table] += store.append_rows(table, part, checked=False)
            self.records += int(stop - start)

    def write_dated(self, store: Store, table: str, data: pa.Table, *, by: str) -> None:
        """Append rows in business-date order, replaced versions in a file of their own (as `write_chunks`)."""
        self._tell(f"Writing {table}")
        data = data.sort_by([(by, "ascending"), ("record_id", "ascending"), ("version", "ascending")])
        self.rows.setdefault(table, 0)
        replaced = pc.fill_null(data["superseded"], False)
        for part in (data.filter(pc.invert(replaced)), data.filter(replaced)):
            if part.num_rows:
                self.rows[table] += store.append_rows(table, part, checked=False)
        self.records += data.num_rows

    def done(self) -> None:
        if self.progress:
            self.progress(1.0, "Demo data ready")

    def _tell(self, message: str) -> None:
        if self.progress:
            self.progress(min(self.records / self.total, 0.99), message)
