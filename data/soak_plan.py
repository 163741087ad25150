"""What a soak runs (`data.soak`): its options, each writer's plan of saves, and the refusal of one that cannot run."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

KINDS = ("new", "edit", "stale_edit", "repeat")
SOAK_TABLES = ("events", "ccrs")
"""The tables a soak may write: the records officers save most, each with values built by `soak_writers.Values`."""
READY_TIMEOUT_SECONDS = 600.0
# A cross-writer repeat waits this long for another writer's first save before repeating its own.
REPEAT_WAIT_SECONDS = 10.0


class SoakError(ValueError):
    """The soak cannot run as asked (bad options, no store, a store without users); nothing was written."""


@dataclasses.dataclass(frozen=True)
class Options:
    """What to run: where, how many writers and saves, and the mix of saves."""

    root: str
    acks: Path
    writers: int = 8
    saves: int = 500
    edit_share: float = 0.2
    stale_share: float = 0.05
    repeat_share: float = 0.1
    tables: tuple[str, ...] = SOAK_TABLES
    shared: int = 3
    maintain_every: float = 5.0
    seed: int = 1
    storage_options: dict[str, str] | None = None

    def problems(self) -> list[str]:
        """What is wrong with these options, as messages naming the option."""
        found = []
        if self.writers < 1:
            found.append(f"--writers must be at least 1 (got {self.writers})")
        if self.saves < 1:
            found.append(f"--saves must be at least 1 (got {self.saves})")
        for name, share in (("--edit-share", self.edit_share), ("--stale-share", self.stale_share),
                            ("--repeat-share", self.repeat_share)):
            if not 0 <= share <= 1:
                found.append(f"{name} must be between 0 and 1 (got {share})")
        unknown = [t for t in self.tables if t not in SOAK_TABLES]
        if unknown or not self.tables:
            found.append(f"--tables must name some of {', '.join(SOAK_TABLES)}"
                         f" (got {', '.join(self.tables) or 'none'})")
        if self.shared < 1:
            found.append(f"--shared must be at least 1 (got {self.shared})")
        if self.maintain_every < 0:
            found.append(f"--maintain-every must be 0 (off) or more seconds (got {self.maintain_every})")
        if not found and self.saves >= 1:
            counts = plan_counts(self)
            if counts["new"] < 1:
                found.append(f"the shares leave no new records among {self.saves} saves: lower --edit-share, "
                             f"--stale-share or --repeat-share")
        return found


def plan_counts(options: Options) -> dict[str, int]:
    """How many saves of each kind each writer makes (stale edits and repeats at least one when asked for)."""
    m = options.saves

    def share(value: float) -> int:
        return 0 if value == 0 else max(1, round(value * m))

    counts = {"edit": round(options.edit_share * m), "stale_edit": share(options.stale_share),
              "repeat": share(options.repeat_share)}
    return {"new": m - sum(counts.values()), **counts}


def plan(options: Options, writer: int) -> list[str]:
    """The kinds of one writer's saves in order: a new record first, the rest shuffled (seeded)."""
    counts = plan_counts(options)
    kinds = [kind for kind in KINDS for _ in range(counts[kind])]
    kinds.remove("new")
    random.Random(options.seed * 7919 + writer).shuffle(kinds)
    return ["new", *kinds]
