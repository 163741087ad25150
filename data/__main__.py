"""Beatbook data commands.

    python -m data demo    --store PATH [--scale demo|force|national|ROWS] [--seed N] [--today YYYY-MM-DD]
    python -m data check   --store PATH
    python -m data compact --store PATH [--table NAME] [--vacuum [--retention-hours H]]
    python -m data vacuum  --store PATH [--retention-hours H]
    python -m data maintain --store PATH [--every SECONDS] [--vacuum-hours H]
    python -m data soak    --store PATH --writers N --saves M --edit-share F --acks FILE [--json] [--maintain-every S]
    python -m data retention --store PATH [--dry-run] [--today YYYY-MM-DD]
    python -m data alerts  --store PATH [--now YYYY-MM-DDTHH:MM]

`--store` defaults to the configured store (BEATBOOK_STORE, else data/store). Imports and
new users go through the forms' checks (`python -m forms`), exports through analytics
(`python -m analytics`). Each command is a function taking the parsed arguments; add one
with `cli.add_command`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from data import demo
from data.cli import add_command, command_parser, open_store, print_json, print_progress, run_command
from data.environment import load_environment
from data.objects import LeaseBusy
from data.schema import TABLES
from data.store import Store

DEFAULT_RETENTION_HOURS = 168


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status."""
    return run_command(build_parser(), argv)


def build_parser() -> argparse.ArgumentParser:
    parser, commands = command_parser(prog="python -m data", description="Beatbook store commands.")

    command = add_command(commands, "demo", run_demo, "Fill an empty store with the demo force (Staffordshire).")
    command.add_argument("--scale", default="demo", type=_scale,
                         help="demo (~26k rows), force (~10x demo), national (10M rows) or a number of activity rows")
    command.add_argument("--seed", type=int, default=load_environment().demo_seed, help="same seed, same data")
    command.add_argument("--today", type=dt.date.fromisoformat, default=None,
                         help="last day of the 18 months of activity, YYYY-MM-DD (default: today)")
    command.add_argument("--quiet", action="store_true", help="no progress lines on stderr")

    add_command(commands, "check", run_check,
                "Per table: Delta version, current rows, stored versions, files (JSON); exit status 1 if any record "
                "version is stored twice or any record has more than one current row.")

    command = add_command(commands, "compact", run_compact,
                          "Mark superseded rows and pack small files into large ones (JSON report).")
    command.add_argument("--table", choices=sorted(TABLES), help="only this table (default: all)")
    command.add_argument("--vacuum", action="store_true", help="then delete files no recent snapshot uses")
    command.add_argument("--retention-hours", type=int, default=DEFAULT_RETENTION_HOURS,
                         help=f"with --vacuum: keep files younger than this (default {DEFAULT_RETENTION_HOURS})")

    command = add_command(commands, "vacuum", run_vacuum, "Delete files no snapshot within the retention uses (JSON).")
    command.add_argument("--retention-hours", type=int, default=DEFAULT_RETENTION_HOURS,
                         help=f"keep files younger than this (default {DEFAULT_RETENTION_HOURS})")

    command = add_command(commands, "maintain", run_maintain,
                          "Compact the tables that need it (and optionally vacuum), once or every N seconds; "
                          "what a scheduler or a maintenance service runs (JSON lines).")
    command.add_argument("--every", type=float, default=0,
                         help="run again every this many seconds until stopped (default: once)")
    command.add_argument("--vacuum-hours", type=int, default=None,
                         help="also delete files no snapshot younger than this many hours uses")

    command = add_command(commands, "soak", run_soak,
                          "Before go-live: N officers (processes) saving, editing shared records and resubmitting at "
                          "once, then the store checked against every acknowledgement. It writes real records "
                          "('Soak test ...'): run it on a copy or a store not yet in use. Exit status 1 on any loss.")
    command.add_argument("--writers", type=int, default=8, help="writer processes, each a different officer")
    command.add_argument("--saves", type=int, default=500, help="saves per writer")
    command.add_argument("--edit-share", type=float, default=0.2,
                         help="share of saves that edit the shared records from the version just read")
    command.add_argument("--stale-share", type=float, default=0.05,
                         help="share of saves that edit from an older version (each must be refused)")
    command.add_argument("--repeat-share", type=float, default=0.1,
                         help="share of saves that resubmit a submission id already saved (each must be one record)")
    command.add_argument("--tables", default="events,ccrs", help="comma-separated: events, ccrs (default: both)")
    command.add_argument("--shared", type=int, default=3, help="shared records per table (default 3)")
    command.add_argument("--maintain-every", type=float, default=5.0,
                         help="run maintenance (compaction) every this many seconds meanwhile; 0 for none")
    command.add_argument("--seed", type=int, default=1, help="same seed, same plan of saves")
    command.add_argument("--acks", required=True, help="file to write one JSON line per save outcome to (replaced)")
    command.add_argument("--json", action="store_true", help="print the report as JSON")
    command.add_argument("--quiet", action="store_true", help="no progress lines on stderr")

    _add_retention(commands)
    command = add_command(commands, "alerts", run_alerts,
                          "E-mail each alert (coverage gaps, stale priorities, queries nearly due, ASB Case Review "
                          "triggers) once to the ward's named officers or the query's owner and the area's "
                          "supervisors; recorded in alerts_sent and audited (JSON report; exit status 1 if any "
                          "failed, to be tried again on the next run).")
    command.add_argument("--now", type=dt.datetime.fromisoformat, default=None,
                         help="judge the alerts at this local time, YYYY-MM-DDTHH:MM (default: now)")
    return parser


def _scale(value: str) -> str | int:
    try:
        demo.activity_counts(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return int(value) if value.isascii() and value.isdigit() else value


def run_demo(args: argparse.Namespace) -> int:
    store = open_store(args.store, must_exist=False)
    started = time.perf_counter()
    try:
        rows = demo.generate(store, scale=args.scale, seed=args.seed, today=args.today,
                             progress=None if args.quiet else print_progress)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    width = max(len(t) for t in rows)
    for table, count in rows.items():
        print(f"{table:<{width}}  {count:>12,}")
    print(f"{'total':<{width}}  {sum(rows.values()):>12,} rows in {seconds:.1f} s")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from data.compaction import problems

    store = open_store(args.store, must_exist=True)
    if store is None:
        return 1
    report = store.check()
    print_json(report)
    found = problems(report)
    for line in found:
        print(f"check failed: {line}", file=sys.stderr)
    return 1 if found else 0


def run_compact(args: argparse.Namespace) -> int:
    store = open_store(args.store, must_exist=True)
    if store is None:
        return 1
    started = time.perf_counter()
    tables = {}
    try:
        for table in [args.table] if args.table else list(TABLES):
            began = time.perf_counter()
            tables[table] = store.compact(table)[table] | {"seconds": round(time.perf_counter() - began, 3)}
        report: dict = {"tables": tables, "seconds": round(time.perf_counter() - started, 3)}
        if args.vacuum:
            report["vacuum"] = _vacuum(store, args.retention_hours)
    except LeaseBusy as busy:
        print(f"not compacted: {busy}", file=sys.stderr)
        return 1
    print_json(report)
    return 0


def run_vacuum(args: argparse.Namespace) -> int:
    store = open_store(args.store, must_exist=True)
    if store is None:
        return 1
    try:
        print_json(_vacuum(store, args.retention_hours))
    except LeaseBusy as busy:
        print(f"not vacuumed: {busy}", file=sys.stderr)
        return 1
    return 0


def run_maintain(args: argparse.Namespace) -> int:
    store = open_store(args.store, must_exist=True)
    if store is None:
        return 1
    while True:
        began = time.perf_counter()
        report = store.maintain(wait=False, vacuum_hours=args.vacuum_hours)
        print(json.dumps({"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **report,
                          "seconds": round(time.perf_counter() - began, 3)}, default=str), flush=True)
        if not args.every:
            return 0
        time.sleep(args.every)


def run_soak(args: argparse.Namespace) -> int:
    from data import soak, soak_check, soak_plan

    options = soak_plan.Options(
        root=args.store, acks=Path(args.acks), writers=args.writers, saves=args.saves, edit_share=args.edit_share,
        stale_share=args.stale_share, repeat_share=args.repeat_share,
        tables=tuple(t.strip() for t in args.tables.split(",") if t.strip()), shared=args.shared,
        maintain_every=args.maintain_every, seed=args.seed, storage_options=load_environment().storage_options)

    def progress(message: str) -> None:
        print(f"soak: {message}", file=sys.stderr, flush=True)

    try:
        report = soak.run(options, progress=None if args.quiet else progress)
    except soak_plan.SoakError as exc:
        print(f"soak: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print_json(report)
    else:
        print("\n".join(soak_check.summary(report)))
    return 0 if report["ok"] else 1


def _vacuum(store: Store, retention_hours: int) -> dict:
    started = time.perf_counter()
    removed = store.vacuum(retention_hours=retention_hours)
    return {"retention_hours": retention_hours, "files_removed": removed,
            "seconds": round(time.perf_counter() - started, 3)}


# -- retention ------------------------------------------------------------------


def _add_retention(commands) -> None:
    command = add_command(commands, "retention", run_retention,
                          "Remove personal data older than the retention settings allow, from every version and "
                          "from disk (JSON report).")
    command.add_argument("--dry-run", action="store_true", help="only count what would change")
    command.add_argument("--today", type=dt.date.fromisoformat, default=None,
                         help="count periods back from this date, YYYY-MM-DD (default: today)")


def run_retention(args: argparse.Namespace) -> int:
    from data import retention

    store = open_store(args.store, must_exist=True)
    if store is None:
        return 1
    try:
        report = retention.run(store, today=args.today, dry_run=args.dry_run)
    except (RuntimeError, ValueError) as exc:
        print(f"retention: {exc}", file=sys.stderr)
        return 1
    print_json(report)
    return 0


def run_alerts(args: argparse.Namespace) -> int:
    # The one import of an upper layer in data/ (tests/data/test_layering.py): the alerts' conditions are
    # analytics and their sending a recorded, audited write (forms), but the command is `python -m data alerts`.
    # This module is the entry point, imported by nothing, so the arrows of the library stay one way.
    from forms.alerts import run_alerts_command

    return run_alerts_command(args)


if __name__ == "__main__":
    sys.exit(main())
