"""Beatbook data commands.

    python -m data demo    --store PATH [--scale demo|force|national|ROWS] [--seed N] [--today YYYY-MM-DD]
    python -m data check   --store PATH
    python -m data compact --store PATH [--table NAME] [--vacuum [--retention-hours H]]
    python -m data vacuum  --store PATH [--retention-hours H]
    python -m data import-priorities FILE --store PATH --area CODE [--ward CODE] [--category NAME] --user ID

`--store` defaults to the configured store (BEATBOOK_STORE, else data/store).
Each command is a function taking the parsed arguments; add one with `_command`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable, Sequence

from data import demo
from data.schema import TABLES
from data.settings import load_settings
from data.store import Store

DEFAULT_RETENTION_HOURS = 168


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status."""
    args = build_parser().parse_args(argv)
    return args.run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data", description="Beatbook store commands.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    command = _command(commands, "demo", run_demo, "Fill an empty store with the demo force (Thames Valley).")
    command.add_argument("--scale", default="demo", type=_scale,
                         help="demo (~26k rows), force (~10x demo), national (10M rows) or a number of activity rows")
    command.add_argument("--seed", type=int, default=load_settings().demo_seed, help="same seed, same data")
    command.add_argument("--today", type=dt.date.fromisoformat, default=None,
                         help="last day of the 18 months of activity, YYYY-MM-DD (default: today)")
    command.add_argument("--quiet", action="store_true", help="no progress lines on stderr")

    _command(commands, "check", run_check, "Per table: Delta version, current rows, stored versions, files (JSON).")

    command = _command(commands, "compact", run_compact,
                       "Mark superseded rows and pack small files into large ones (JSON report).")
    command.add_argument("--table", choices=sorted(TABLES), help="only this table (default: all)")
    command.add_argument("--vacuum", action="store_true", help="then delete files no recent snapshot uses")
    command.add_argument("--retention-hours", type=int, default=DEFAULT_RETENTION_HOURS,
                         help=f"with --vacuum: keep files younger than this (default {DEFAULT_RETENTION_HOURS})")

    command = _command(commands, "vacuum", run_vacuum, "Delete files no snapshot within the retention uses (JSON).")
    command.add_argument("--retention-hours", type=int, default=DEFAULT_RETENTION_HOURS,
                         help=f"keep files younger than this (default {DEFAULT_RETENTION_HOURS})")

    command = _command(commands, "import-priorities", run_import_priorities,
                       "Load data.police.uk neighbourhood priorities (JSON) as You said, we did items (JSON).")
    command.add_argument("file", help="a priorities JSON file: a list of {issue, issue-date, action, action-date}")
    command.add_argument("--area", required=True, help="area code the priorities belong to")
    command.add_argument("--ward", default=None, help="ward code, if they are one ward's")
    command.add_argument("--category", default=None, help="issue category when the text names none")
    command.add_argument("--user", required=True, help="user id of the analyst or admin loading them (audited)")
    return parser


def _command(commands, name: str, run: Callable[[argparse.Namespace], int], summary: str) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=summary, description=summary)
    command.add_argument("--store", default=load_settings().store, help="store folder or URI (default: %(default)s)")
    command.set_defaults(run=run)
    return command


def _scale(value: str) -> str | int:
    try:
        demo.activity_counts(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return int(value) if value.isdigit() else value


def _open(path: str, *, must_exist: bool) -> Store | None:
    store = Store(path, storage_options=load_settings().storage_options)
    if must_exist and not store.exists():
        print(f"no Beatbook store at {path}", file=sys.stderr)
        return None
    return store


def _print_json(report: dict) -> None:
    print(json.dumps(report, indent=2, default=str))


def run_demo(args: argparse.Namespace) -> int:
    store = _open(args.store, must_exist=False)
    started = time.perf_counter()

    def progress(fraction: float, message: str) -> None:
        print(f"{fraction:4.0%}  {message}", file=sys.stderr, flush=True)

    try:
        rows = demo.generate(store, scale=args.scale, seed=args.seed, today=args.today,
                             progress=None if args.quiet else progress)
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
    store = _open(args.store, must_exist=True)
    if store is None:
        return 1
    _print_json(store.check())
    return 0


def run_compact(args: argparse.Namespace) -> int:
    store = _open(args.store, must_exist=True)
    if store is None:
        return 1
    started = time.perf_counter()
    tables = {}
    for table in [args.table] if args.table else list(TABLES):
        began = time.perf_counter()
        tables[table] = store.compact(table)[table] | {"seconds": round(time.perf_counter() - began, 3)}
    report: dict = {"tables": tables, "seconds": round(time.perf_counter() - started, 3)}
    if args.vacuum:
        report["vacuum"] = _vacuum(store, args.retention_hours)
    _print_json(report)
    return 0


def run_vacuum(args: argparse.Namespace) -> int:
    store = _open(args.store, must_exist=True)
    if store is None:
        return 1
    _print_json(_vacuum(store, args.retention_hours))
    return 0


def _vacuum(store: Store, retention_hours: int) -> dict:
    started = time.perf_counter()
    removed = store.vacuum(retention_hours=retention_hours)
    return {"retention_hours": retention_hours, "files_removed": removed,
            "seconds": round(time.perf_counter() - started, 3)}


def run_import_priorities(args: argparse.Namespace) -> int:
    from data import reference
    from data.police_uk import import_priorities
    from data.store import ValidationError

    store = _open(args.store, must_exist=True)
    if store is None:
        return 1
    user = reference.get_user(store, args.user)
    try:
        with open(args.file, "rb") as handle:
            payload = handle.read()
        report = import_priorities(store=store, payload=payload, area_code=args.area, ward_code=args.ward,
                                   default_category=args.category, user=user or {})
    except (OSError, ValidationError) as exc:
        print(exc, file=sys.stderr)
        return 1
    _print_json(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
