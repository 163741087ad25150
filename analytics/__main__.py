"""Command line: the dashboards' figures without a browser, and a period's records as files.

    python -m analytics summary --store PATH [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--area CODE] [--json]
    python -m analytics export  --store PATH --out DIR [--start DATE] [--end DATE] [--area CODE]... [--tables a,b]
    python -m analytics guarantee --store PATH [--end DATE] [--area CODE] [--json]
    python -m analytics calendar --store PATH (--officer ID | --area CODE) [--format ics|police-uk] --out FILE
    python -m analytics pack --store PATH --month YYYY-MM [--area CODE] --out DIR
    python -m analytics problems --store PATH [--end DATE] [--area CODE] [--json]
    python -m analytics problems --store PATH --id RECORD_ID [--days N] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from analytics.filters import Filters
from analytics.metrics import METRICS
from analytics.queries import summary
from data.access import NotAllowed
from data.cli import acting_user, add_command, command_parser, open_store, run_command
from data.environment import load_environment
from data.store import Store, ValidationError


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
    parser, commands = command_parser(prog="python -m analytics", description="Beatbook figures and exports.")
    cmd = commands.add_parser("summary", help="headline figures for a period and areas")
    cmd.add_argument("--store", default=None, help="store folder or URI (default: the configured store)")
    cmd.add_argument("--start", type=dt.date.fromisoformat, help="first day, YYYY-MM-DD")
    cmd.add_argument("--end", type=dt.date.fromisoformat, help="last day (inclusive), YYYY-MM-DD")
    cmd.add_argument("--area", action="append", default=[], help="area code (repeat for several)")
    cmd.add_argument("--ward", action="append", default=[], help="ward code (repeat for several)")
    cmd.add_argument("--json", action="store_true", help="print JSON instead of a table")
    cmd.set_defaults(run=run_summary)
    _add_export(commands)
    _add_guarantee(commands)
    _add_calendar(commands)
    _add_pack(commands)
    _add_problems(commands)
    return run_command(parser, argv)


def run_summary(args: argparse.Namespace) -> int:
    settings = load_environment()
    store = Store(args.store or settings.store, storage_options=settings.storage_options)
    filters = Filters(start=args.start, end=args.end, areas=tuple(args.area), wards=tuple(args.ward))
    figures = summary(store, filters)
    if args.json:
        print(json.dumps(figures, default=_as_json, indent=2))
    else:
        print(format_summary(figures))
    return 0


def _add_export(commands) -> None:
    command = add_command(commands, "export", run_export,
                          "Export a period's current records to Parquet files and one Excel workbook.")
    command.add_argument("--out", required=True, help="folder to write <table>.parquet and the workbook into")
    command.add_argument("--start", type=dt.date.fromisoformat, help="first day, YYYY-MM-DD")
    command.add_argument("--end", type=dt.date.fromisoformat, help="last day, YYYY-MM-DD")
    command.add_argument("--area", action="append", default=[], help="only this area (repeatable)")
    command.add_argument("--tables", help="comma-separated tables (default: all activity tables and crimes)")
    command.add_argument("--user", help="act as this user id (default: a command-line analyst, 'cli')")


def _store_and_user(path: str, user_id: str | None) -> tuple[Store, dict] | None:
    """The existing store at `path` and the user a command acts as; None (and a message) if either is missing."""
    store = open_store(path, must_exist=True)
    user = None if store is None else acting_user(store, user_id)
    return None if user is None else (store, user)


def run_export(args: argparse.Namespace) -> int:
    from analytics.period_export import WORKBOOK, export_period

    opened = _store_and_user(args.store, args.user)
    if opened is None:
        return 1
    store, user = opened
    try:
        counts = export_period(store, args.out, user=user, start=args.start, end=args.end, areas=args.area,
                               tables=args.tables.split(",") if args.tables else None)
    except (ValidationError, NotAllowed, ValueError) as exc:
        print(f"nothing exported: {exc}", file=sys.stderr)
        return 1
    width = max(len(t) for t in counts)
    for table, rows in counts.items():
        print(f"{table:<{width}}  {rows:>12,}  {Path(args.out) / (table + '.parquet')}")
    print(f"workbook: {Path(args.out) / WORKBOOK}")
    return 0


def _add_as_of_command(commands, name: str, run, description: str, *, end: str) -> None:
    """A command of figures as of an end date (`end` says what it is), for some areas, as a table or JSON."""
    command = add_command(commands, name, run, description)
    command.add_argument("--end", type=dt.date.fromisoformat, help=f"{end}, YYYY-MM-DD (default: today)")
    command.add_argument("--area", action="append", default=[], help="only this area (repeatable)")
    command.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _add_guarantee(commands) -> None:
    _add_as_of_command(commands, "guarantee", run_guarantee,
                       "The Neighbourhood Policing Guarantee's measures per ward and area.", end="period end")


def run_guarantee(args: argparse.Namespace) -> int:
    from analytics.guarantee import format_guarantee, guarantee, guarantee_report

    store = open_store(args.store, must_exist=True)
    if store is None:
        return 1
    try:
        figures = guarantee(store, Filters(end=args.end, areas=tuple(args.area)), user=acting_user(store, None))
    except (ValidationError, ValueError) as exc:
        print(f"no figures: {exc}", file=sys.stderr)
        return 1
    report = guarantee_report(figures)
    print(json.dumps(report, default=_as_json, indent=2) if args.json else format_guarantee(report, end=figures.end))
    return 0


def _add_calendar(commands) -> None:
    command = add_command(commands, "calendar", run_calendar,
                          "An officer's or an area's events as an .ics calendar, or an area's public events as "
                          "data.police.uk's neighbourhood events JSON.")
    whose = command.add_mutually_exclusive_group(required=True)
    whose.add_argument("--officer", help="this officer's own events (the command acts as them)")
    whose.add_argument("--area", help="this area's events")
    command.add_argument("--format", choices=("ics", "police-uk"), default="ics", help="default: %(default)s")
    command.add_argument("--since", type=dt.date.fromisoformat, help="first day, YYYY-MM-DD (default: 30 days ago)")
    command.add_argument("--user", help="with --area, act as this user id (default: the command-line analyst)")
    command.add_argument("--out", required=True, help="file to write")


def run_calendar(args: argparse.Namespace) -> int:
    from analytics.calendar_feed import make_calendar

    opened = _store_and_user(args.store, args.officer or args.user)
    if opened is None:
        return 1
    store, user = opened
    try:
        made = make_calendar(store, user=user, area_code=args.area, fmt=args.format, since=args.since,
                             context="command line")
    except (NotAllowed, ValueError) as exc:
        print(f"no calendar: {exc}", file=sys.stderr)
        return 1
    Path(args.out).write_bytes(made.data)
    print(f"wrote {args.out}")
    return 0


def _add_pack(commands) -> None:
    command = add_command(commands, "pack", run_pack,
                          "The monthly area pack: one printable PDF (and an HTML copy) per area.")
    command.add_argument("--month", required=True, type=_month, help="calendar month, YYYY-MM")
    command.add_argument("--area", action="append", default=[], help="only this area (repeatable)")
    command.add_argument("--user", help="act as this user id (default: the command-line analyst)")
    command.add_argument("--out", required=True, help="folder to write the packs into")


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"month must be YYYY-MM, not {text!r}") from None


def run_pack(args: argparse.Namespace) -> int:
    from analytics.pack import write_packs

    opened = _store_and_user(args.store, args.user)
    if opened is None:
        return 1
    store, user = opened
    try:
        written = write_packs(store, args.out, user=user, month=args.month, areas=tuple(args.area),
                              force_name=load_environment().force_name)
    except (NotAllowed, ValueError) as exc:
        print(f"no pack: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    if not written:
        print("no areas: nothing written", file=sys.stderr)
    return 0


def _add_problems(commands) -> None:
    _add_as_of_command(commands, "problems", run_problems,
                       "Problem-solving (SARA) records per area and stage, with their ages; or one problem's"
                       " assessment (--id).", end="as-of date")
    command = commands.choices["problems"]
    command.add_argument("--id", help="one problem's record id: its before/after assessment instead")
    command.add_argument("--days", type=int, default=91, choices=(28, 56, 91, 182),
                         help="days either side of the response, for --id (default: 91)")


def run_problems(args: argparse.Namespace) -> int:
    from analytics.problems import format_by_stage, problems_by_stage

    store = open_store(args.store, must_exist=True)
    if store is None:
        return 1
    if args.id:
        return _print_assessment(store, args)
    try:
        frame = problems_by_stage(store, Filters(end=args.end, areas=tuple(args.area)),
                                  user=acting_user(store, None))
    except (ValidationError, ValueError) as exc:
        print(f"no figures: {exc}", file=sys.stderr)
        return 1
    if args.json:
        rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
        print(json.dumps(rows, default=_as_json, indent=2))
    else:
        print(format_by_stage(frame))
    return 0


def _print_assessment(store: Store, args: argparse.Namespace) -> int:
    from analytics.problems import assessment, format_assessment

    problem = store.get("problems", args.id) if len(args.id) <= 64 else None
    if problem is None:
        print(f"no problem {args.id} in the store", file=sys.stderr)
        return 1
    frame = assessment(store, problem, user=acting_user(store, None), days=args.days)
    if args.json:
        print(json.dumps({"record_id": args.id, "title": problem["title"], "stage": problem["stage"],
                          "days": args.days, "measures": frame.astype(object).where(frame.notna(), None)
                          .to_dict("records")}, default=_as_json, indent=2))
    else:
        print(format_assessment(problem, frame, days=args.days))
    return 0


if __name__ == "__main__":
    sys.exit(main())
