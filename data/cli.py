"""What Beatbook's command lines share: `--store`, opening the store, who a command acts as, and output.

`python -m data` runs the store's commands, `python -m forms` the validated writes (imports,
users) and `python -m analytics` the figures and exports; each builds its commands from these.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from data import reference
from data.environment import load_environment
from data.store import Store

CLI_USER = {"user_id": "cli", "name": "Command line", "role": "analyst", "active": True}
"""Who the commands act as by default: whoever can run them can already write the store's files."""


def command_parser(*, prog: str, description: str) -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    """A parser for `prog COMMAND ...`, and the group its commands are added to (`add_command`)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    return parser, parser.add_subparsers(dest="command", required=True, metavar="COMMAND")


def run_command(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse `argv` and run the command it names; the exit status."""
    args = parser.parse_args(argv)
    return args.run(args)


def add_command(commands: argparse._SubParsersAction, name: str, run: Callable[[argparse.Namespace], int],
                summary: str) -> argparse.ArgumentParser:
    """A sub-command taking `--store` (default: the configured store) that runs `run(args)`."""
    command = commands.add_parser(name, help=summary, description=summary)
    command.add_argument("--store", default=load_environment().store, help="store folder or URI (default: %(default)s)")
    command.set_defaults(run=run)
    return command


def open_store(path: str, *, must_exist: bool) -> Store | None:
    """The store at `path` with the configured storage options; None (and a message) if it must exist and does not."""
    store = Store(path, storage_options=load_environment().storage_options)
    if must_exist and not store.exists():
        print(f"no Beatbook store at {path}", file=sys.stderr)
        return None
    return store


def acting_user(store: Store, user_id: str | None) -> dict | None:
    """The user a command acts as: `user_id` from the store, else the command-line analyst; None if unknown."""
    if not user_id:
        return dict(CLI_USER)
    user = reference.get_user(store, user_id)
    if user is None:
        print(f"no user {user_id} in the store", file=sys.stderr)
    return user


def print_json(report: dict) -> None:
    print(json.dumps(report, indent=2, default=str))


def print_progress(fraction: float, message: str) -> None:
    """A progress line on stderr, e.g. ` 40%  Writing ccrs`."""
    print(f"{fraction:4.0%}  {message}", file=sys.stderr, flush=True)
