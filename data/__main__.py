"""Beatbook data commands.

    python -m data demo    --store PATH [--scale demo|force|national|ROWS] [--seed N] [--today YYYY-MM-DD]
    python -m data check   --store PATH
    python -m data compact --store PATH [--table NAME] [--vacuum [--retention-hours H]]
    python -m data vacuum  --store PATH [--retention-hours H]
    python -m data maintain --store PATH [--every SECONDS] [--vacuum-hours H]
    python -m data soak    --store PATH --writers N --saves M --edit-share F --acks FILE [--json] [--maintain-every S]
    python -m data import  crime|boundaries|census|events|ccrs|priorities FILE... --store PATH [options]
    python -m data export  --store PATH --out DIR [--start DATE] [--end DATE] [--area CODE]...
    python -m data retention --store PATH [--dry-run] [--today YYYY-MM-DD]
    python -m data add-user --store PATH --user-id ID --name NAME --email EMAIL --role ROLE --rank RANK [--area CODE]

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
from pathlib import Path

import pandas as pd

from data import demo, picklists, reference
from data.objects import LeaseBusy
from data.schema import TABLES
from data.settings import load_settings
from data.store import Store, ValidationError, new_submission_id

DEFAULT_RETENTION_HOURS = 168
IMPORT_KINDS = ("crime", "boundaries", "census", "events", "ccrs", "priorities")
CLI_USER = {"user_id": "cli", "name": "Command line", "role": "analyst", "active": True}
"""Who the commands act as by default: whoever can run them can already write the store's files."""
CLI_ADMIN = {**CLI_USER, "role": "admin"}
"""Who `add-user` acts as (adding users is an admin's change)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status."""
    args = build_parser().parse_args(argv)
    return args.run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data", description="Beatbook store commands.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    command = _command(commands, "demo", run_demo, "Fill an empty store with the demo force (Staffordshire).")
    command.add_argument("--scale", default="demo", type=_scale,
                         help="demo (~26k rows), force (~10x demo), national (10M rows) or a number of activity rows")
    command.add_argument("--seed", type=int, default=load_settings().demo_seed, help="same seed, same data")
    command.add_argument("--today", type=dt.date.fromisoformat, default=None,
                         help="last day of the 18 months of activity, YYYY-MM-DD (default: today)")
    command.add_argument("--quiet", action="store_true", help="no progress lines on stderr")

    _command(commands, "check", run_check,
             "Per table: Delta version, current rows, stored versions, files (JSON); exit status 1 if any record "
             "version is stored twice or any record has more than one current row.")

    command = _command(commands, "compact", run_compact,
                       "Mark superseded rows and pack small files into large ones (JSON report).")
    command.add_argument("--table", choices=sorted(TABLES), help="only this table (default: all)")
    command.add_argument("--vacuum", action="store_true", help="then delete files no recent snapshot uses")
    command.add_argument("--retention-hours", type=int, default=DEFAULT_RETENTION_HOURS,
                         help=f"with --vacuum: keep files younger than this (default {DEFAULT_RETENTION_HOURS})")

    command = _command(commands, "vacuum", run_vacuum, "Delete files no snapshot within the retention uses (JSON).")
    command.add_argument("--retention-hours", type=int, default=DEFAULT_RETENTION_HOURS,
                         help=f"keep files younger than this (default {DEFAULT_RETENTION_HOURS})")

    command = _command(commands, "maintain", run_maintain,
                       "Compact the tables that need it (and optionally vacuum), once or every N seconds; "
                       "what a scheduler or a maintenance service runs (JSON lines).")
    command.add_argument("--every", type=float, default=0,
                         help="run again every this many seconds until stopped (default: once)")
    command.add_argument("--vacuum-hours", type=int, default=None,
                         help="also delete files no snapshot younger than this many hours uses")

    command = _command(commands, "soak", run_soak,
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

    command = _command(commands, "import", run_import,
                       "Import data.police.uk crime files or neighbourhood priorities, ward boundaries, census "
                       "tables or past spreadsheets.")
    command.add_argument("kind", choices=IMPORT_KINDS, help="what the files hold")
    command.add_argument("files", nargs="+", metavar="FILE", help="CSV (plain or .gz), Excel, GeoJSON or JSON files")
    command.add_argument("--user", help="act as this user id (default: a command-line analyst, 'cli')")
    command.add_argument("--area-lookup", metavar="CSV",
                         help="boundaries: ward or local-authority code -> area (e.g. the ONS lookup); "
                              "census: local-authority code -> area_code")
    command.add_argument("--force", help="boundaries: keep only the features of this police force area")
    command.add_argument("--year", type=int, help="census: the census year when the file does not say")
    command.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                         help="events/ccrs: take FIELD from COLUMN (repeatable; others found by heading)")
    command.add_argument("--default", action="append", default=[], metavar="FIELD=VALUE",
                         help="events/ccrs: VALUE for FIELD where the row has none (repeatable)")
    command.add_argument("--rejected", metavar="CSV", help="write the rejected rows, with reasons, to this file")
    command.add_argument("--area", help="priorities: the area code they belong to (required)")
    command.add_argument("--ward", help="priorities: the ward code, if they are one ward's")
    command.add_argument("--category", help="priorities: the issue category when the text names none")

    command = _command(commands, "export", run_export,
                       "Export a period's current records to Parquet files and one Excel workbook.")
    command.add_argument("--out", required=True, help="folder to write <table>.parquet and the workbook into")
    command.add_argument("--start", type=dt.date.fromisoformat, help="first day, YYYY-MM-DD")
    command.add_argument("--end", type=dt.date.fromisoformat, help="last day, YYYY-MM-DD")
    command.add_argument("--area", action="append", default=[], help="only this area (repeatable)")
    command.add_argument("--tables", help="comma-separated tables (default: all activity tables and crimes)")
    command.add_argument("--user", help="act as this user id (default: a command-line analyst, 'cli')")
    _add_retention(commands)
    _add_user_command(commands)
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
    return int(value) if value.isascii() and value.isdigit() else value


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
    from data.compaction import problems

    store = _open(args.store, must_exist=True)
    if store is None:
        return 1
    report = store.check()
    _print_json(report)
    found = problems(report)
    for line in found:
        print(f"check failed: {line}", file=sys.stderr)
    return 1 if found else 0


def run_compact(args: argparse.Namespace) -> int:
    store = _open(args.store, must_exist=True)
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
    _print_json(report)
    return 0


def run_vacuum(args: argparse.Namespace) -> int:
    store = _open(args.store, must_exist=True)
    if store is None:
        return 1
    try:
        _print_json(_vacuum(store, args.retention_hours))
    except LeaseBusy as busy:
        print(f"not vacuumed: {busy}", file=sys.stderr)
        return 1
    return 0


def run_maintain(args: argparse.Namespace) -> int:
    store = _open(args.store, must_exist=True)
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
    from data import soak

    options = soak.Options(
        root=args.store, acks=Path(args.acks), writers=args.writers, saves=args.saves, edit_share=args.edit_share,
        stale_share=args.stale_share, repeat_share=args.repeat_share,
        tables=tuple(t.strip() for t in args.tables.split(",") if t.strip()), shared=args.shared,
        maintain_every=args.maintain_every, seed=args.seed, storage_options=load_settings().storage_options)

    def progress(message: str) -> None:
        print(f"soak: {message}", file=sys.stderr, flush=True)

    try:
        report = soak.run(options, progress=None if args.quiet else progress)
    except soak.SoakError as exc:
        print(f"soak: {exc}", file=sys.stderr)
        return 1
    if args.json:
        _print_json(report)
    else:
        print("\n".join(soak.summary(report)))
    return 0 if report["ok"] else 1


def _vacuum(store: Store, retention_hours: int) -> dict:
    started = time.perf_counter()
    removed = store.vacuum(retention_hours=retention_hours)
    return {"retention_hours": retention_hours, "files_removed": removed,
            "seconds": round(time.perf_counter() - started, 3)}


def _acting_user(store: Store, user_id: str | None) -> dict | None:
    if not user_id:
        return dict(CLI_USER)
    user = reference.get_user(store, user_id)
    if user is None:
        print(f"no user {user_id} in the store", file=sys.stderr)
    return user


def _pairs(items: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise ValidationError({option: f"{item!r} is not FIELD=VALUE"})
        pairs[field.strip()] = value.strip()
    return pairs


def run_import(args: argparse.Namespace) -> int:
    from data.imports import boundaries, census, crime, spreadsheet
    from data.imports.common import read_sheet

    store = _open(args.store, must_exist=False)
    store.create()
    user = _acting_user(store, args.user)
    if user is None:
        return 1

    def progress(fraction: float, message: str) -> None:
        print(f"{fraction:4.0%}  {message}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    reports = []
    try:
        if args.kind == "crime":
            reports.append(crime.import_crime(store, args.files, user=user, progress=progress))
        elif args.kind == "boundaries":
            reports += [boundaries.load_boundaries(store, path, user=user, area_lookup=args.area_lookup,
                                                   force=args.force) for path in args.files]
        elif args.kind == "priorities":
            _import_priorities(store, args, user)
        elif args.kind == "census":
            reports += [census.import_census(store, path, user=user, census_year=args.year,
                                             area_lookup=args.area_lookup) for path in args.files]
        else:
            given = _pairs(args.map, "--map")
            defaults = _pairs(args.default, "--default")
            for path in args.files:
                frame = read_sheet(path)
                mapping = spreadsheet.suggest_mapping(args.kind, frame.columns) | given
                print(f"{Path(path).name}: " + ", ".join(f"{k} <- {v!r}" for k, v in mapping.items()))
                reports.append(spreadsheet.import_spreadsheet(store, args.kind, frame, mapping=mapping, user=user,
                                                              defaults=defaults, name=Path(path).name,
                                                              progress=progress))
    except (ValidationError, OSError, ValueError) as exc:
        print(f"nothing imported: {exc}", file=sys.stderr)
        return 1
    for report in reports:
        print("\n".join(report.lines()))
    rejected = [r.rejected_rows.assign(file=", ".join(r.files)) for r in reports if r.rejected]
    if rejected and args.rejected:
        from analytics.export import to_csv_bytes

        Path(args.rejected).write_bytes(to_csv_bytes(pd.concat(rejected, ignore_index=True)))
        print(f"rejected rows with their reasons: {args.rejected}")
    elif rejected:
        print("give --rejected FILE to save the rejected rows with their reasons")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from analytics.period_export import WORKBOOK, export_period

    store = _open(args.store, must_exist=True)
    if store is None:
        return 1
    user = _acting_user(store, args.user)
    if user is None:
        return 1
    try:
        counts = export_period(store, args.out, user=user, start=args.start, end=args.end, areas=args.area,
                               tables=args.tables.split(",") if args.tables else None)
    except (ValidationError, ValueError) as exc:
        print(f"nothing exported: {exc}", file=sys.stderr)
        return 1
    width = max(len(t) for t in counts)
    for table, rows in counts.items():
        print(f"{table:<{width}}  {rows:>12,}  {Path(args.out) / (table + '.parquet')}")
    print(f"workbook: {Path(args.out) / WORKBOOK}")
    return 0


# -- retention ------------------------------------------------------------------


def _add_retention(commands) -> None:
    command = _command(commands, "retention", run_retention,
                       "Remove personal data older than the retention settings allow, from every version and "
                       "from disk (JSON report).")
    command.add_argument("--dry-run", action="store_true", help="only count what would change")
    command.add_argument("--today", type=dt.date.fromisoformat, default=None,
                         help="count periods back from this date, YYYY-MM-DD (default: today)")


def run_retention(args: argparse.Namespace) -> int:
    from data import retention

    store = _open(args.store, must_exist=True)
    if store is None:
        return 1
    try:
        report = retention.run(store, today=args.today, dry_run=args.dry_run)
    except (RuntimeError, ValueError) as exc:
        print(f"retention: {exc}", file=sys.stderr)
        return 1
    _print_json(report)
    return 0


# -- users ----------------------------------------------------------------------------


def _add_user_command(commands) -> None:
    command = _command(commands, "add-user", run_add_user,
                       "Add a user, e.g. the first admin of a store behind sign-in (JSON). Audited.")
    command.add_argument("--user-id", required=True, help="stable id, e.g. a collar or staff number")
    command.add_argument("--name", required=True, help="display name")
    command.add_argument("--email", required=True, help="sign-in email, as the identity provider sends it")
    command.add_argument("--role", required=True, choices=picklists.ROLES)
    command.add_argument("--rank", required=True, help="rank or grade (PC, PCSO, Sgt, Insp, Staff, ...)")
    command.add_argument("--area", help="their team's area code (required for officers and supervisors)")


def run_add_user(args: argparse.Namespace) -> int:
    from forms.admin import add_user

    store = _open(args.store, must_exist=False)
    store.create()
    values = {"user_id": args.user_id, "name": args.name, "email": args.email, "role": args.role,
              "rank": args.rank, "area_code": args.area}
    try:
        saved = add_user(store=store, values=values, user=CLI_ADMIN, submission_id=new_submission_id())
    except ValidationError as exc:
        for field, message in exc.errors.items():
            print(f"add-user: {field} {message}", file=sys.stderr)
        return 1
    _print_json({"user_id": args.user_id, "record_id": saved.record_id, "role": args.role})
    return 0


def _import_priorities(store: Store, args: argparse.Namespace, user: dict) -> None:
    """data.police.uk priorities JSON files as You said, we did items of one area (and ward)."""
    from data.police_uk import import_priorities

    if not args.area:
        raise ValidationError({"--area": "is required for priorities (the area they belong to)"})
    for path in args.files:
        counts = import_priorities(store=store, payload=Path(path).read_bytes(), area_code=args.area,
                                   ward_code=args.ward, default_category=args.category, user=user)
        print(f"{Path(path).name}: {counts['read']:,} priorities read, {counts['added']:,} added, "
              f"{counts['already_loaded']:,} already loaded")


if __name__ == "__main__":
    sys.exit(main())
