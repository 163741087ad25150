"""Command line: the dashboards' figures without a browser.

    python -m analytics summary --store PATH [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--area CODE] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from analytics.filters import Filters
from analytics.metrics import METRICS
from analytics.queries import summary
from data.environment import load_environment
from data.store import Store


def _as_json(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def format_summary(figures: dict) -> str:
    """The summary as a two-column table, labels from the metric registry."""
    rows = []
    for name, value in figures.items():
        if name == "top_issues":
            continue
        rows.append((METRICS[name].label, METRICS[name].format_value(value)))
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value:>12}" for label, value in rows]
    lines.append(f"{METRICS['top_issues'].label}:")
    lines += [f"  {i}. {item['issue']} ({item['count']:,})" for i, item in enumerate(figures["top_issues"], 1)]
    if not figures["top_issues"]:
        lines.append("  none")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics", description="Beatbook figures")
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("summary", help="headline figures for a period and areas")
    cmd.add_argument("--store", default=None, help="store folder or URI (default: the configured store)")
    cmd.add_argument("--start", type=dt.date.fromisoformat, help="first day, YYYY-MM-DD")
    cmd.add_argument("--end", type=dt.date.fromisoformat, help="last day (inclusive), YYYY-MM-DD")
    cmd.add_argument("--area", action="append", default=[], help="area code (repeat for several)")
    cmd.add_argument("--ward", action="append", default=[], help="ward code (repeat for several)")
    cmd.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)

    settings = load_environment()
    store = Store(args.store or settings.store, storage_options=settings.storage_options)
    filters = Filters(start=args.start, end=args.end, areas=tuple(args.area), wards=tuple(args.ward))
    figures = summary(store, filters)
    if args.json:
        print(json.dumps(figures, default=_as_json, indent=2))
    else:
        print(format_summary(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
