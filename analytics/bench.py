"""Benchmark the dashboards' query sets: Beatbook's store vs a DuckDB floor vs pandas.

    python -m analytics.bench --rows 1000000 --json bench.json [--store PATH|URI] [--repeat 15]

For each registered dashboard page (`events_overview` and `summary`
here; more from the modules of `analytics.bench_pages`) and each
period (`--periods`, default the pages' first view `last_28`, then all time):

- median_ms: the page's analytics function as the page calls it, query cache
  off, after one warm-up run. It includes reading the tables' snapshots.
- cold_ms: the same, once, through a freshly opened store (as a new app server's
  first page): the Delta logs read anew and, on object storage, every file the
  page reads downloaded into an empty file cache.
- duckdb_ms: the same figures by hand-written DuckDB SQL over one compacted
  Parquet file of current rows per table (written with COPY from the current
  view, same row order): what the SQL costs without the store around it.
- pandas_ms: the same figures with pandas over DataFrames loaded before timing.
- load_1m: the machine's 1-minute load average when the page's store and
  floor timings were taken (on a shared machine, read the figures with it).

The three results are compared (headline figures, breakdowns, latest rows)
and the run fails if they differ. Also timed: `store.save` of a valid event
(a fresh submission id each time, on a copy of the events table in a local
scratch folder), and the process's peak RSS. The demo data is generated in a
child process so its memory does not count.

`--store` takes a folder or an object-store URI (`az://`, `abfss://`, `s3://`), with the
storage options from BEATBOOK_STORAGE_OPTIONS as the app takes them: the page figures are
then those of the store's files read through its local file cache (the first run of a
page downloads them; later ones read the local copies).

A page is one `BenchPage`: how the store-backed function runs, the hand-written
floor, the pandas version, how to reduce a result to comparable figures, and
the tables (with the columns pandas loads) it reads. Dashboard modules do not
import this one; a module in `analytics/bench_pages/` imports both and calls
`register(BenchPage(...))`, and `registered_pages()` imports every such module.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import importlib
import inspect
import json
import os
import pkgutil
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from analytics import queries
from analytics.filters import Filters, preset_range
from data import db
from data.environment import load_environment
from data.schema import TABLES
from data.store import Store

BENCH_USER = {"user_id": "bench", "role": "analyst", "area_code": None, "active": True}
"""The bench reads as a force-wide analyst (what every dashboard query asks for)."""


def as_analyst(run: Callable[..., Any]) -> Callable[..., Any]:
    """`run`, called as the bench's analyst when it takes the acting user."""
    if "user" in inspect.signature(run).parameters:
        return functools.partial(run, user=BENCH_USER)
    return run

SAVES = 30
PLUGINS = "analytics.bench_pages"

Window = tuple[dt.datetime, dt.datetime] | None


# -- the registry ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BenchPage:
    """One dashboard page's query set, three ways, and how to compare the answers.

    run_store(store, filters): the page's analytics function as the page calls it.
    run_floor(paths, window): the same figures by hand-written DuckDB over one
      Parquet file per table (`paths`: table -> file; `window`: [start, end) or None).
    run_pandas(frames, window): the same with pandas over DataFrames in memory.
    comparable(result): any of the three results reduced to plain, equal-if-right values.
    tables: table -> the columns the pandas version needs.
    """

    name: str
    run_store: Callable[[Store, Filters], Any]
    run_floor: Callable[[dict[str, str], Window], Any]
    run_pandas: Callable[[dict[str, pd.DataFrame], Window], Any]
    comparable: Callable[[Any], dict]
    tables: Mapping[str, Sequence[str]]


_registry: dict[str, BenchPage] = {}


def register(page: BenchPage) -> BenchPage:
    """Add a page to the benchmark (a second page of the same name replaces the first)."""
    _registry[page.name] = page
    return page


def registered_pages() -> list[BenchPage]:
    """Every registered page, after importing each module of `analytics.bench_pages`."""
    package = importlib.import_module(PLUGINS)
    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__)):
        importlib.import_module(f"{PLUGINS}.{module}")
    return list(_registry.values())


# -- timing ---------------------------------------------------------------------


def median_ms(run: Callable[[], Any], *, repeat: int) -> float:
    """Median wall time of `run` over `repeat` calls, after one warm-up call."""
    run()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def paired_median_ms(first: Callable[[], Any], second: Callable[[], Any], *, repeat: int) -> tuple[float, float]:
    """Median ms of each of two functions, timed in alternation after one warm-up call each."""
    first()
    second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for run, out in ((first, times[0]), (second, times[1])):
            began = time.perf_counter()
            run()
            out.append((time.perf_counter() - began) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- comparable results ---------------------------------------------------------


def sorted_rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """The frame's `columns` as sorted tuples of plain Python values."""
    out = []
    for row in frame[columns].itertuples(index=False):
        out.append(tuple(_plain(v) for v in row))
    return sorted(out)


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def comparable(page: str, result: Any) -> dict:
    """The figures a page shows, in a form the three implementations can be checked on."""
    if page == "summary":
        return dict(result)
    if page == "events_overview":
        if isinstance(result, queries.EventsOverview):
            result = {k: getattr(result, k) for k in result.__dataclass_fields__}
        wards = result["by_ward"]
        wards = wards[wards["events"].gt(0) | wards["completed"].gt(0) | wards["attendees"].gt(0)]
        return {
            "headline": {k: int(v) for k, v in result["headline"].items()},
            "by_week": sorted_rows(result["by_week"], ["week", "status", "events"]),
            "by_type": sorted_rows(result["by_type"], ["event_type", "events", "completed", "attendees"]),
            "by_area": sorted_rows(result["by_area"], ["area_code", "events", "completed", "attendees"]),
            "by_ward": sorted_rows(wards, ["ward_code", "events", "completed", "attendees"]),
            "latest": list(result["latest"]["record_id"]),
        }
    raise ValueError(f"no comparison for page {page!r}")


# -- the floor: hand-written DuckDB over one Parquet file per table -------------


def write_floor_files(store: Store, folder: Path, tables: Sequence[str]) -> dict[str, str]:
    """One Parquet file of current rows per table, via COPY of the current view."""
    paths = {}
    for table in tables:
        path = str(folder / f"{table}.parquet")
        db.cursor().execute(f"COPY (SELECT * FROM {store.relation(table)}) TO {db.sql_string(path)} (FORMAT parquet)")
        paths[table] = path
    return paths


_floor_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bench-floor")


def floor_sources(paths: dict[str, str]) -> dict[str, str]:
    """table -> `read_parquet('file')`, for hand-written SQL."""
    return {t: f"read_parquet({db.sql_string(p)})" for t, p in paths.items()}


def floor_frames(*queries: tuple[str, list]) -> list[pd.DataFrame]:
    """Run (sql, params) queries side by side, each on its own cursor."""
    futures = [_floor_pool.submit(lambda q: db.cursor().execute(q[0], q[1]).df(), q) for q in queries]
    return [f.result() for f in futures]


def when(column: str, window: Window) -> tuple[str, list]:
    """`column` in [start, end) as SQL and parameters (TRUE for all time)."""
    if window is None:
        return "TRUE", []
    return f"{column} >= ? AND {column} < ?", list(window)


class DuckFloor:
    """The pages' figures as a careful engineer would write them straight over Parquet files."""

    def __init__(self, paths: dict[str, str]):
        self.src = floor_sources(paths)
        self._run = floor_frames
        self._when = when

    def events_overview(self, window: Window) -> dict:
        w, p = self._when("start", window)
        grouped, officers, latest, wards, areas = self._run(
            ("SELECT CAST(date_trunc('week', start) AS DATE) AS week, status, event_type, area_code, ward_code,"
             " count(*) AS n,"
             " count(*) FILTER (WHERE status <> 'cancelled') AS events,"
             " count(*) FILTER (WHERE status = 'completed') AS completed,"
             " count(*) FILTER (WHERE status = 'cancelled') AS cancelled,"
             " sum(attendees) FILTER (WHERE status = 'completed') AS attendees,"
             " sum(officers_involved) FILTER (WHERE status = 'completed') AS officer_attendances,"
             " sum(intel_submissions) FILTER (WHERE status = 'completed') AS intel"
             f" FROM {self.src['events']} WHERE {w}"
             " GROUP BY GROUPING SETS ((week, status), (status, event_type, area_code, ward_code))", p),
            ("SELECT count(DISTINCT o) AS n FROM (SELECT unnest(officers_attending) AS o"
             f" FROM {self.src['events']} WHERE {w} AND status = 'completed')", p),
            ("SELECT record_id, title, event_type, area_code, ward_code, start, status, attendees"
             f" FROM {self.src['events']} WHERE {w} ORDER BY start DESC, record_id DESC LIMIT 200", p),
            (f"SELECT ward_code, name, centre_lat, centre_lon FROM {self.src['wards']}", []),
            (f"SELECT area_code, name FROM {self.src['areas']}", []),
        )
        fine = grouped[grouped["week"].isna()].fillna({"attendees": 0, "officer_attendances": 0, "intel": 0})
        sums = fine[["events", "completed", "cancelled", "attendees", "officer_attendances", "intel"]].sum()
        cols = ["events", "completed", "attendees"]
        return {
            "headline": {
                "events_booked": sums["events"], "events_completed": sums["completed"],
                "events_cancelled": sums["cancelled"], "attendees": sums["attendees"],
                "officer_attendances": sums["officer_attendances"], "event_intel_submissions": sums["intel"],
                "distinct_officers": officers["n"].iloc[0],
            },
            "by_week": grouped.loc[grouped["week"].notna(), ["week", "status", "n"]].rename(columns={"n": "events"}),
            "by_type": fine.groupby("event_type", as_index=False)[cols].sum(),
            "by_area": fine.groupby("area_code", as_index=False)[cols].sum().merge(areas, on="area_code"),
            "by_ward": fine.groupby("ward_code", as_index=False)[cols].sum().merge(wards, on="ward_code"),
            "latest": latest,
        }

    def summary(self, window: Window) -> dict:
        we, pe = self._when("start", window)
        wc, pc = self._when("contact_at", window)
        wy, py = self._when("raised_on", window and (window[0].date(), window[1].date()))
        ev, officers, cc, issues, ys = self._run(
            ("SELECT count(*) FILTER (WHERE status <> 'cancelled') AS booked,"
             " count(*) FILTER (WHERE status = 'completed') AS completed,"
             " coalesce(sum(attendees) FILTER (WHERE status = 'completed'), 0) AS attendees,"
             " coalesce(sum(officers_involved) FILTER (WHERE status = 'completed'), 0) AS oa,"
             " coalesce(sum(intel_submissions) FILTER (WHERE status = 'completed'), 0) AS intel"
             f" FROM {self.src['events']} WHERE {we}", pe),
            ("SELECT count(DISTINCT o) AS n FROM (SELECT unnest(officers_attending) AS o"
             f" FROM {self.src['events']} WHERE {we} AND status = 'completed')", pe),
            ("SELECT count(*) AS ccrs, count(*) FILTER (WHERE diversity_consent) AS consent,"
             " count(*) FILTER (WHERE smart_alert_signup) AS alerts, count(*) FILTER (WHERE info_submitted) AS info"
             f" FROM {self.src['ccrs']} WHERE {wc}", pc),
            ("SELECT issue, count(*) AS count FROM ("
             f"SELECT unnest(issues) AS issue FROM {self.src['events']} WHERE {we} AND status = 'completed'"
             f" UNION ALL SELECT unnest(issues) FROM {self.src['ccrs']} WHERE {wc})"
             " GROUP BY issue ORDER BY count DESC, issue LIMIT 5", pe + pc),
            ("SELECT count(*) FILTER (WHERE status <> 'closed') AS open,"
             f" count(*) FILTER (WHERE status = 'closed') AS closed FROM {self.src['ysywd']} WHERE {wy}", py),
        )
        e, c, y = ev.iloc[0], cc.iloc[0], ys.iloc[0]
        return {
            "events_booked": int(e["booked"]), "events_completed": int(e["completed"]),
            "attendees": int(e["attendees"]), "officer_attendances": int(e["oa"]),
            "distinct_officers": int(officers["n"].iloc[0]), "ccrs": int(c["ccrs"]),
            "ccrs_diversity_consent": int(c["consent"]), "smart_alert_signups": int(c["alerts"]),
            "intel_submissions": int(e["intel"]) + int(c["info"]),
            "top_issues": [{"issue": r.issue, "count": int(r.count)} for r in issues.itertuples()],
            "ysywd_open": int(y["open"]), "ysywd_closed": int(y["closed"]),
        }


# -- pandas over DataFrames in memory -------------------------------------------

PANDAS_COLUMNS = {
    "events": ["record_id", "title", "event_type", "area_code", "ward_code", "start", "status", "attendees",
               "officers_involved", "intel_submissions", "officers_attending", "issues"],
    "ccrs": ["contact_at", "area_code", "contact_method", "diversity_consent", "smart_alert_signup",
             "info_submitted", "issues"],
    "ysywd": ["raised_on", "status"],
    "wards": ["ward_code", "name", "centre_lat", "centre_lon"],
    "areas": ["area_code", "name"],
}


def in_window(frame: pd.DataFrame, column: str, window: Window) -> pd.DataFrame:
    """The rows of `frame` whose `column` (timestamps, or dates as objects) is in the window."""
    if window is None:
        return frame
    values = frame[column]
    low, high = window
    if values.dtype == object:  # dates
        low, high = low.date(), high.date()
    else:
        low, high = pd.Timestamp(low), pd.Timestamp(high)
    return frame[(values >= low) & (values < high)]


def monday(moments: pd.Series) -> pd.Series:
    """The Monday starting each moment's week, as a midnight timestamp."""
    days = moments.dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


class PandasPages:
    """The pages' figures computed with pandas over DataFrames already in memory."""

    def __init__(self, frames: dict[str, pd.DataFrame]):
        self.frames = frames
        self._window = in_window
        self._monday = monday

    def events_overview(self, window: Window) -> dict:
        ev = self._window(self.frames["events"], "start", window)
        completed = ev["status"].eq("completed")
        parts = pd.DataFrame({
            "event_type": ev["event_type"], "area_code": ev["area_code"], "ward_code": ev["ward_code"],
            "events": ev["status"].ne("cancelled").astype("int64"), "completed": completed.astype("int64"),
            "cancelled": ev["status"].eq("cancelled").astype("int64"),
            "attendees": ev["attendees"].where(completed, 0).fillna(0),
            "officer_attendances": ev["officers_involved"].where(completed, 0).fillna(0),
            "intel": ev["intel_submissions"].where(completed, 0).fillna(0),
        })
        sums = parts[["events", "completed", "cancelled", "attendees", "officer_attendances", "intel"]].sum()
        by_week = (ev.groupby([self._monday(ev["start"]).rename("week"), ev["status"]]).size()
                   .rename("events").reset_index())
        cols = ["events", "completed", "attendees"]
        top = ev.nlargest(200, "start", keep="all").sort_values(["start", "record_id"], ascending=False).head(200)
        officers = ev.loc[completed, "officers_attending"].explode().dropna().nunique()
        return {
            "headline": {
                "events_booked": sums["events"], "events_completed": sums["completed"],
                "events_cancelled": sums["cancelled"], "attendees": sums["attendees"],
                "officer_attendances": sums["officer_attendances"], "event_intel_submissions": sums["intel"],
                "distinct_officers": officers,
            },
            "by_week": by_week,
            "by_type": parts.groupby("event_type", as_index=False)[cols].sum(),
            "by_area": parts.groupby("area_code", as_index=False)[cols].sum().merge(self.frames["areas"]),
            "by_ward": parts.groupby("ward_code", as_index=False)[cols].sum().merge(self.frames["wards"]),
            "latest": top,
        }

    @staticmethod
    def _top(issues: pd.Series, limit: int) -> list[dict]:
        counts = issues.explode().dropna().value_counts()
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [{"issue": k, "count": int(v)} for k, v in ranked]

    def summary(self, window: Window) -> dict:
        ev = self._window(self.frames["events"], "start", window)
        cc = self._window(self.frames["ccrs"], "contact_at", window)
        ys = self._window(self.frames["ysywd"], "raised_on", window)
        done = ev[ev["status"].eq("completed")]
        return {
            "events_booked": int(ev["status"].ne("cancelled").sum()), "events_completed": len(done),
            "attendees": int(done["attendees"].sum()), "officer_attendances": int(done["officers_involved"].sum()),
            "distinct_officers": int(done["officers_attending"].explode().dropna().nunique()),
            "ccrs": len(cc), "ccrs_diversity_consent": int(cc["diversity_consent"].sum()),
            "smart_alert_signups": int(cc["smart_alert_signup"].sum()),
            "intel_submissions": int(done["intel_submissions"].sum()) + int(cc["info_submitted"].sum()),
            "top_issues": self._top(pd.concat([done["issues"], cc["issues"]], ignore_index=True), 5),
            "ysywd_open": int(ys["status"].ne("closed").sum()), "ysywd_closed": int(ys["status"].eq("closed").sum()),
        }


def _core_page(name: str, store_function: Callable[[Store, Filters], Any]) -> BenchPage:
    return BenchPage(
        name=name,
        run_store=store_function,
        run_floor=lambda paths, window: getattr(DuckFloor(paths), name)(window),
        run_pandas=lambda frames, window: getattr(PandasPages(frames), name)(window),
        comparable=functools.partial(comparable, name),
        tables={t: PANDAS_COLUMNS[t] for t in CORE_TABLES[name]},
    )


CORE_TABLES = {
    "events_overview": ("events", "wards", "areas"),
    "summary": ("events", "ccrs", "ysywd"),
}
register(_core_page("events_overview", queries.events_overview))
register(_core_page("summary", queries.summary))


# -- saves ----------------------------------------------------------------------


def copy_table(store: Store, table: str, folder: Path) -> None:
    """A table of the store (its data files and log), copied into `folder` on local disk: a table to write to."""
    if store.remote is None:
        shutil.copytree(Path(store.root) / table, folder / table)
        return
    for key in store.remote.list(f"{table}/"):
        store.remote.download(key, folder / key)


def time_saves(store: Store, scratch: Path, *, count: int = SAVES) -> float:
    """Median ms of `store.save` of a valid event, on a copy of the events table in a local folder."""
    copy_table(store, "events", scratch)
    target = Store(scratch)
    ward = db.cursor().execute(f"SELECT ward_code, area_code FROM {store.relation('wards')} LIMIT 1").fetchone()
    ward_code, area_code = ward if ward else ("W1", "A1")
    start = dt.datetime.now().replace(microsecond=0, second=0) + dt.timedelta(days=3)
    event = {
        "title": "Bench street meeting", "event_type": "Street meeting", "area_code": area_code,
        "ward_code": ward_code, "place": "High Street", "start": start, "end": start + dt.timedelta(hours=1),
        "organiser": "bench", "officers_attending": ["bench"],
    }
    target.save("events", event, user="bench", submission_id=uuid.uuid4().hex)  # warm-up
    times = []
    for _ in range(count):
        began = time.perf_counter()
        target.save("events", event, user="bench", submission_id=uuid.uuid4().hex)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


# -- a store as it is between compactions ------------------------------------------


def _edits(pending: int) -> int:
    return max(1, pending // 6)


def add_pending(store: Store, pending: int) -> None:
    """Save `pending` new events and CCRs (copies of recent ones) and edit a few existing ones, one
    save each, as officers do between compactions: small files and edits the reads must resolve."""
    for table, column in (("events", "start"), ("ccrs", "contact_at")):
        ids = [r[0] for r in db.cursor().execute(
            f"SELECT record_id FROM {store.relation(table)} ORDER BY {column} DESC, record_id"
            f" LIMIT {pending + _edits(pending)}").fetchall()]
        for n, record_id in enumerate(ids):
            values = {k: v for k, v in store.get(table, record_id).items() if k in TABLES[table].model_fields}
            edit = n >= pending
            store.save(table, values, user="bench", submission_id=uuid.uuid4().hex,
                       record_id=record_id if edit else None)


# -- the run --------------------------------------------------------------------


def _rows_in(store: Store) -> int:
    if not store.exists():
        return 0
    return sum(db.cursor().execute(f"SELECT count(*) FROM {store.relation(t)}").fetchone()[0]
               for t in ("events", "ccrs", "patrols", "abstractions", "ysywd"))


def _generate(root: str, rows: int) -> None:
    """Demo data in a child process, so its memory stays out of this one's peak."""
    code = ("import sys; from data.demo import generate; from data.environment import load_environment;"
            " from data.store import Store;"
            " generate(Store(sys.argv[1], storage_options=load_environment().storage_options),"
            " scale=int(sys.argv[2]), seed=7)")
    subprocess.run([sys.executable, "-c", code, root, str(rows)], check=True,
                   cwd=Path(__file__).resolve().parent.parent)


def _window(period: str, today: dt.date) -> tuple[Filters, Window]:
    if period == "all":
        return Filters(), None
    start, end = preset_range(period, today)
    filters = Filters(start=start, end=end)
    return filters, (dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))


def run(*, rows: int, store_path: str | None, repeat: int, periods: list[str], today: dt.date,
        pages: Sequence[str] | None = None, saves: int = SAVES, pending: int = 0,
        say: Callable[[str], None] = print) -> dict:
    """Generate (or reuse) a store, time every registered page (or those named in `pages`), check the answers agree."""
    chosen = [p for p in registered_pages() if pages is None or p.name in pages]
    with tempfile.TemporaryDirectory(prefix="beatbook-bench-") as tmp:
        root = store_path or str(Path(tmp) / "store")
        store = Store(root, storage_options=load_environment().storage_options if store_path else None)
        existing = _rows_in(store)
        if existing:
            say(f"using {root}: {existing:,} activity rows already there")
        else:
            say(f"generating {rows:,} rows into {root}")
            began = time.perf_counter()
            _generate(root, rows)
            say(f"  generated in {time.perf_counter() - began:.0f}s")
            existing = _rows_in(store)
        if pending:
            say(f"saving {pending} new records and {_edits(pending)} edits each to events and CCRs (not compacted)")
            add_pending(store, pending)
        queries.set_cache_enabled(False)
        windows = {p: _window(p, today) for p in periods}
        names = {(page.name, p): page.name if i == 0 else f"{page.name}@{p}"
                 for page in chosen for i, p in enumerate(periods)}
        by_name = {page.name: page for page in chosen}
        results: dict[str, dict] = {names[k]: {} for k in names}
        answers: dict[str, dict] = {names[k]: {} for k in names}

        columns: dict[str, list[str]] = {}
        for page in chosen:
            for table, wanted in page.tables.items():
                have = columns.setdefault(table, [])
                have += [c for c in wanted if c not in have]
        paths = write_floor_files(store, Path(tmp), list(columns))
        for (page_name, period), name in names.items():
            page = by_name[page_name]
            filters, window = windows[period]
            fresh = Store(root, storage_options=store.storage_options, cache_dir=Path(tmp) / f"cold-{name}")
            began = time.perf_counter()
            as_analyst(page.run_store)(fresh, filters)
            results[name]["cold_ms"] = (time.perf_counter() - began) * 1000
            ours = functools.partial(as_analyst(page.run_store), store, filters)
            theirs = functools.partial(page.run_floor, paths, window)
            # Alternate the two so a change in machine load hits both alike.
            results[name]["median_ms"], results[name]["duckdb_ms"] = paired_median_ms(ours, theirs, repeat=repeat)
            # The machine may be shared: the 1-minute load average as this page's figures were taken.
            results[name]["load_1m"] = os.getloadavg()[0]
            answers[name]["store"] = page.comparable(ours())
            answers[name]["duckdb"] = page.comparable(theirs())
        queries_rss = peak_rss_mb()

        frames = {t: pd.read_parquet(paths[t], columns=c) for t, c in columns.items()}
        pandas_repeat = max(3, repeat // 3)
        for (page_name, period), name in names.items():
            page, window = by_name[page_name], windows[period][1]
            results[name]["pandas_ms"] = median_ms(lambda p=page, w=window, f=frames: p.run_pandas(f, w),
                                                   repeat=pandas_repeat)
            answers[name]["pandas"] = page.comparable(page.run_pandas(frames, window))
        del frames

        for name, got in answers.items():
            for other in ("duckdb", "pandas"):
                if got["store"] != got[other]:
                    diff = {k: (got["store"][k], got[other].get(k)) for k in got["store"]
                            if got["store"][k] != got[other].get(k)}
                    raise AssertionError(f"{name}: store and {other} disagree on {sorted(diff)}: {diff}")

        scratch = Path(tmp) / "saves"
        commit_ms = time_saves(store, scratch, count=saves)
        return {
            "rows": existing,
            "periods": {p: (None if w[1] is None else [w[0].start.isoformat(), w[0].end.isoformat()])
                        for p, w in windows.items()},
            "pages": {name: {k: round(v, 1) for k, v in r.items()} for name, r in results.items()},
            "commit_ms": round(commit_ms, 1),
            "saves": saves,
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "queries_peak_rss_mb": round(queries_rss, 1),
            "cores": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }


def format_table(report: dict) -> str:
    lines = [f"rows: {report['rows']:,}   cores: {report['cores']}   load average: {report['load_average']}",
             f"{'page':28} {'cold ms':>9} {'store ms':>9} {'duckdb ms':>10} {'pandas ms':>10} {'vs duckdb':>10}"
             f" {'pandas/store':>13} {'load':>5}"]
    for name, r in report["pages"].items():
        lines.append(f"{name:28} {r.get('cold_ms', float('nan')):9.1f} {r['median_ms']:9.1f} {r['duckdb_ms']:10.1f}"
                     f" {r['pandas_ms']:10.1f}"
                     f" {r['median_ms'] / r['duckdb_ms']:9.2f}x {r['pandas_ms'] / r['median_ms']:12.1f}x"
                     f" {r.get('load_1m', float('nan')):5.1f}")
    lines.append(f"save (median of {report.get('saves', SAVES)}): {report['commit_ms']:.1f} ms")
    lines.append(f"peak RSS: {report['peak_rss_mb']:.0f} MB (queries only: {report['queries_peak_rss_mb']:.0f} MB)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="activity rows to generate (if the store is empty)")
    parser.add_argument("--json", required=True, help="write the report here")
    parser.add_argument("--store", help="reuse this store (a folder or URI; storage options from"
                                        " BEATBOOK_STORAGE_OPTIONS) if it already has data (else generate into it)")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per figure (median reported)")
    parser.add_argument("--periods", default="last_28,all",
                        help="comma-separated: last_7, last_28, last_90, this_year, all (first one is the page's view)")
    parser.add_argument("--pages", help="comma-separated page names to measure (default: every registered page)")
    parser.add_argument("--pending", type=int, default=0,
                        help="first save this many new events and CCRs, and edit a sixth as many, uncompacted, as"
                             " a store between compactions is (they stay in the store: use a copy)")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today(),
                        help="the date presets end on (default: today)")
    args = parser.parse_args(argv)
    report = run(rows=args.rows, store_path=args.store, repeat=args.repeat, pending=args.pending,
                 periods=[p.strip() for p in args.periods.split(",") if p.strip()], today=args.today,
                 pages=[p.strip() for p in args.pages.split(",") if p.strip()] if args.pages else None)
    Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    print(format_table(report))
    return 0


if __name__ == "__main__":
    # Run as the importable module, so pages that `analytics.bench_pages` modules
    # register land in the same registry as the core ones.
    from analytics.bench import main as bench_main

    raise SystemExit(bench_main())
