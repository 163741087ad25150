"""The benchmark's run: generate or reuse a store, time every page three ways, check the answers agree."""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from analytics import sql
from analytics.bench.floor import write_floor_files
from analytics.bench.registry import Window, as_analyst, registered_pages
from analytics.bench.saves import SAVES, add_pending, edits_for, time_saves
from analytics.bench.timing import interleaved_median_ms, peak_rss_mb
from analytics.filters import Filters, preset_range
from data.environment import load_environment
from data.store import Store

REPO = Path(__file__).resolve().parents[2]


def _rows_in(store: Store) -> int:
    if not store.exists():
        return 0
    return sum(sql.one(f"SELECT count(*) FROM {store.relation(t)}")[0]
               for t in ("events", "ccrs", "patrols", "abstractions", "ysywd"))


def _generate(root: str, rows: int) -> None:
    """Demo data in a child process, so its memory stays out of this one's peak."""
    code = ("import sys; from data.demo import generate; from data.environment import load_environment;"
            " from data.store import Store;"
            " generate(Store(sys.argv[1], storage_options=load_environment().storage_options),"
            " scale=int(sys.argv[2]), seed=7)")
    subprocess.run([sys.executable, "-c", code, root, str(rows)], check=True,
                   cwd=REPO)


def ready_store(root: str, *, rows: int, given: bool, say: Callable[[str], None] = print) -> tuple[Store, int]:
    """The store at `root` and its activity rows, generating `rows` into it first if it is empty.

    A `given` store (named on the command line) is opened with the environment's storage options."""
    store = Store(root, storage_options=load_environment().storage_options if given else None)
    existing = _rows_in(store)
    if existing:
        say(f"using {root}: {existing:,} activity rows already there")
        return store, existing
    say(f"generating {rows:,} rows into {root}")
    began = time.perf_counter()
    _generate(root, rows)
    say(f"  generated in {time.perf_counter() - began:.0f}s")
    return store, _rows_in(store)


def _window(period: str, today: dt.date) -> tuple[Filters, Window]:
    if period == "all":
        return Filters(), None
    start, end = preset_range(period, today)
    filters = Filters(start=start, end=end)
    return filters, (dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))


def _check(name: str, got: dict[str, dict]) -> None:
    """Fail unless the floor's, pandas's (and the compacted copy's) answers are the store's."""
    for other in ("duckdb", "pandas", "compacted"):
        if other in got and got["store"] != got[other]:
            diff = {k: (got["store"][k], got[other].get(k)) for k in got["store"]
                    if got["store"][k] != got[other].get(k)}
            raise AssertionError(f"{name}: store and {other} disagree on {sorted(diff)}: {diff}")


def run(*, rows: int, store_path: str | None, repeat: int, periods: list[str], today: dt.date,
        pages: Sequence[str] | None = None, saves: int = SAVES, pending: int = 0,
        say: Callable[[str], None] = print) -> dict:
    """Generate (or reuse) a store, time every registered page (or those named in `pages`), check the answers agree."""
    chosen = [p for p in registered_pages() if pages is None or p.name in pages]
    with tempfile.TemporaryDirectory(prefix="beatbook-bench-") as tmp:
        root = store_path or str(Path(tmp) / "store")
        store, existing = ready_store(root, rows=rows, given=store_path is not None, say=say)
        compacted = None
        if pending:
            say(f"saving {pending} new records and {edits_for(pending)} edits each to events and CCRs (not compacted)")
            add_pending(store, pending)
            compacted = compacted_copy(store, Path(tmp) / "compacted", say=say)
        sql.set_cache_enabled(False)
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
        runs: dict[str, tuple] = {}
        for (page_name, period), name in names.items():
            page = by_name[page_name]
            filters, window = windows[period]
            fresh = Store(root, storage_options=store.storage_options, cache_dir=Path(tmp) / f"cold-{name}")
            sql.clear_parts()  # cold: no file's part kept yet (`sql.additive`)
            began = time.perf_counter()
            as_analyst(page.run_store)(fresh, filters)
            results[name]["cold_ms"] = (time.perf_counter() - began) * 1000
            ours = functools.partial(as_analyst(page.run_store), store, filters)
            theirs = functools.partial(page.run_floor, paths, window)
            answers[name]["store"] = page.comparable(ours())
            answers[name]["duckdb"] = page.comparable(theirs())
            same = None
            if compacted is not None:  # the same store compacted: the same answers, timed beside it
                same = functools.partial(as_analyst(page.run_store), compacted, filters)
                answers[name]["compacted"] = page.comparable(same())
            runs[name] = (page, window, ours, theirs, same)
        queries_rss = peak_rss_mb()  # the queries' peak, before pandas's frames are loaded

        frames = {t: pd.read_parquet(paths[t], columns=c) for t, c in columns.items()}
        for name, (page, window, ours, theirs, same) in runs.items():
            in_memory = functools.partial(page.run_pandas, frames, window)
            answers[name]["pandas"] = page.comparable(in_memory())
            _check(name, answers[name])
            # The three (four) in turn within one loop, so a change in machine load hits them all alike.
            timed = interleaved_median_ms(ours, theirs, in_memory, *([same] if same else []), repeat=repeat)
            results[name]["median_ms"], results[name]["duckdb_ms"], results[name]["pandas_ms"] = timed[:3]
            if same:
                results[name]["compacted_ms"] = timed[3]
            # The machine may be shared: the 1-minute load average as this page's figures were taken.
            results[name]["load_1m"] = os.getloadavg()[0]
        del frames

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


def compacted_copy(store: Store, folder: Path, *, say: Callable[[str], None] = print) -> Store | None:
    """A copy of a store on local disk, compacted: the store a `--pending` run compares itself with
    (None for a store on object storage, which is not copied)."""
    if store.remote is not None:
        say("the store is on object storage: the compacted comparison is left out")
        return None
    say("copying the store and compacting the copy, to compare with")
    shutil.copytree(store.root, folder, ignore=shutil.ignore_patterns("*.lock", "_maintenance.lease"))
    copy = Store(str(folder))
    copy.compact()
    return copy


def format_table(report: dict) -> str:
    lines = [f"rows: {report['rows']:,}   cores: {report['cores']}   load average: {report['load_average']}",
             f"{'page':28} {'cold ms':>9} {'store ms':>9} {'duckdb ms':>10} {'pandas ms':>10} {'vs duckdb':>10}"
             f" {'pandas/store':>13} {'load':>5}"]
    for name, r in report["pages"].items():
        lines.append(f"{name:28} {r.get('cold_ms', float('nan')):9.1f} {r['median_ms']:9.1f} {r['duckdb_ms']:10.1f}"
                     f" {r['pandas_ms']:10.1f}"
                     f" {r['median_ms'] / r['duckdb_ms']:9.2f}x {r['pandas_ms'] / r['median_ms']:12.1f}x"
                     f" {r.get('load_1m', float('nan')):5.1f}")
    pending = {name: r for name, r in report["pages"].items() if "compacted_ms" in r}
    if pending:
        lines.append(f"{'page, between compactions':28} {'pending ms':>10} {'compacted ms':>13} {'ratio':>7}")
        for name, r in pending.items():
            lines.append(f"{name:28} {r['median_ms']:10.1f} {r['compacted_ms']:13.1f}"
                         f" {r['median_ms'] / r['compacted_ms']:6.2f}x")
    lines.append(f"save (median of {report.get('saves', SAVES)}): {report['commit_ms']:.1f} ms")
    lines.append(f"peak RSS: {report['peak_rss_mb']:.0f} MB (queries only: {report['queries_peak_rss_mb']:.0f} MB)")
    return "\n".join(lines)

