"""Beatbook writes from the command line, checked as the forms check them.

    python -m forms import   crime|boundaries|census|events|ccrs|priorities FILE... --store PATH [options]
    python -m forms add-user --store PATH --user-id ID --name NAME --email EMAIL --role ROLE --rank RANK [--area CODE]

`--store` defaults to the configured store (BEATBOOK_STORE, else data/store).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from data import picklists
from data.access import NotAllowed
from data.cli import (
    CLI_USER,
    acting_user,
    add_command,
    command_parser,
    open_store,
    print_json,
    print_progress,
    run_command,
)
from data.store import Store, ValidationError, new_submission_id

IMPORT_KINDS = ("crime", "boundaries", "census", "events", "ccrs", "priorities")
CLI_ADMIN = {**CLI_USER, "role": "admin"}
"""Who `add-user` acts as (adding users is an admin's change)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status."""
    return run_command(build_parser(), argv)


def build_parser() -> argparse.ArgumentParser:
    parser, commands = command_parser(prog="python -m forms", description="Beatbook imports and users.")

    command = add_command(commands, "import", run_import,
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

    command = add_command(commands, "add-user", run_add_user,
                          "Add a user, e.g. the first admin of a store behind sign-in (JSON). Audited.")
    command.add_argument("--user-id", required=True, help="stable id, e.g. a collar or staff number")
    command.add_argument("--name", required=True, help="display name")
    command.add_argument("--email", required=True, help="sign-in email, as the identity provider sends it")
    command.add_argument("--role", required=True, choices=picklists.ROLES)
    command.add_argument("--rank", required=True, help="rank or grade (PC, PCSO, Sgt, Insp, Staff, ...)")
    command.add_argument("--area", help="their team's area code (required for officers and supervisors)")
    return parser


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
    from data.imports.reading import read_sheet

    store = open_store(args.store, must_exist=False)
    store.create()
    user = acting_user(store, args.user)
    if user is None:
        return 1

    started = time.perf_counter()
    reports = []
    try:
        if args.kind == "crime":
            reports.append(crime.import_crime(store, args.files, user=user, progress=print_progress))
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
                                                              progress=print_progress))
    except (ValidationError, NotAllowed, OSError, ValueError) as exc:
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


def run_add_user(args: argparse.Namespace) -> int:
    from forms.admin import add_user

    store = open_store(args.store, must_exist=False)
    store.create()
    values = {"user_id": args.user_id, "name": args.name, "email": args.email, "role": args.role,
              "rank": args.rank, "area_code": args.area}
    try:
        saved = add_user(store=store, values=values, user=CLI_ADMIN, submission_id=new_submission_id())
    except (ValidationError, NotAllowed) as exc:
        for field, message in exc.errors.items():
            print(f"add-user: {field} {message}", file=sys.stderr)
        return 1
    print_json({"user_id": args.user_id, "record_id": saved.record_id, "role": args.role})
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
