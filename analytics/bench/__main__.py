"""`python -m analytics.bench`: the benchmark's command line (see `analytics.bench`)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
from pathlib import Path

from analytics import bench
from analytics.bench import browser
from analytics.bench.runner import format_table, ready_store, run


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark with the command line's flags; write the JSON report and print the table."""
    parser = argparse.ArgumentParser(prog="python -m analytics.bench",
                                     description=bench.__doc__.splitlines()[0])
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
    parser.add_argument("--browser", action="store_true",
                        help="time the pages in headless Chromium instead (see analytics.bench.browser)")
    args = parser.parse_args(argv)
    if args.browser:
        return _browser(args)
    report = run(rows=args.rows, store_path=args.store, repeat=args.repeat, pending=args.pending,
                 periods=[p.strip() for p in args.periods.split(",") if p.strip()], today=args.today,
                 pages=[p.strip() for p in args.pages.split(",") if p.strip()] if args.pages else None)
    Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    print(format_table(report))
    return 0


def _browser(args: argparse.Namespace) -> int:
    """The browser bench on the store named (or a new one of `--rows` rows, kept for the run only)."""
    with tempfile.TemporaryDirectory(prefix="beatbook-browser-bench-") as tmp:
        root = args.store or str(Path(tmp) / "store")
        ready_store(root, rows=args.rows, given=args.store is not None)
        names = [p.strip() for p in args.pages.split(",") if p.strip()] if args.pages else None
        return browser.main(store_root=root, json_path=args.json, pages=names)


if __name__ == "__main__":
    raise SystemExit(main())
