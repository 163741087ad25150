"""Small-count suppression for breakdowns of people (CCRs by age band, ethnicity, ...).

The rule, for a breakdown whose cells add up to a total shown beside it:

1. Primary: a count from 1 to 4 is shown as "<5". Zero is not a person and
   is shown as 0 (hiding zeros would hide nothing about anyone).
2. Not recoverable: a reader knows the shown total and the shown cells, so
   knows what the hidden cells add up to; each "<5" cell is between 1 and 4
   and each other hidden cell is 5 or more. Every "<5" cell must still have
   at least two possible values. While one does not, the smallest cell still
   shown (5 or more) is hidden too, as "[c]" (secondary suppression). So a
   breakdown never has exactly one hidden cell, and two "<5" cells that could
   only be 1 and 1 (or 4 and 4) take a third cell with them.
3. If no cell is left to hide, the total is hidden as well ("<5" if under 5,
   else "[c]").
4. The total shown beside a breakdown is always the sum of its cells, so a
   breakdown covers everyone in scope: unanswered questions are a row of
   their own, never left out for the difference to reveal.

Nested breakdowns (ethnicity's 5 groups and its detailed categories): the
group table follows the rule with the overall total; each shown group's
detailed cells follow it with the group's count as their total; a group whose
detailed cells need their total hidden is hidden in the group table too (and
the group table is checked again); every detailed cell of a hidden group is
"[c]", zeros included, so the group cannot be rebuilt from its parts.

Functions are pure: DataFrames and lists in, new DataFrames out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

THRESHOLD = 5
SMALL = f"<{THRESHOLD}"
HIDDEN = "[c]"
TOTAL_LABEL = "Total"
NOTE = (f"{SMALL}: fewer than {THRESHOLD} people. {HIDDEN}: hidden so that a {SMALL} cannot be worked out "
        "from the total.")


def hidden_cells(counts: Sequence[int], *, threshold: int = THRESHOLD,
                 forced: frozenset[int] = frozenset()) -> tuple[frozenset[int], bool]:
    """Which cells of a breakdown to hide (by position), and whether its total must be hidden too.

    `forced` cells are hidden whatever their count (a nested breakdown needs it).
    """
    values = [int(c) for c in counts]
    primary = {i for i, c in enumerate(values) if 0 < c < threshold}
    secondary = {i for i in forced if i not in primary and values[i] > 0}
    while primary and _pinned(values, primary, secondary, threshold):
        shown = [i for i, c in enumerate(values) if c >= threshold and i not in secondary]
        if not shown:
            return frozenset(primary | secondary), True
        secondary.add(min(shown, key=lambda i: (values[i], i)))
    return frozenset(primary | secondary), False


def _pinned(values: list[int], primary: set[int], secondary: set[int], threshold: int) -> bool:
    """Whether some "<5" cell has only one value consistent with the total and the shown cells."""
    hidden_sum = sum(values[i] for i in primary | secondary)
    bounds = {i: (1, threshold - 1) for i in primary} | {i: (threshold, math.inf) for i in secondary}
    low_all = sum(lo for lo, _ in bounds.values())
    high_all = sum(hi for _, hi in bounds.values())
    for i in primary:
        lo, hi = bounds[i]
        least = max(lo, hidden_sum - (high_all - hi))
        most = min(hi, hidden_sum - (low_all - lo))
        if most - least < 1:
            return True
    return False


def _label(count: int, threshold: int) -> str:
    return f"<{threshold}" if 0 < count < threshold else HIDDEN


def suppress_breakdown(df: pd.DataFrame, *, label: str, count: str = "count",
                       threshold: int = THRESHOLD, total: bool = True) -> pd.DataFrame:
    """A breakdown ready to show: small counts as "<5", secondary cells as "[c]", a Total row last.

    `df` has one row per category (`label`) and its `count`, covering everyone
    in scope. The count column of the result holds ints and labels (object).
    """
    counts = [int(c) for c in df[count]]
    hidden, total_hidden = hidden_cells(counts, threshold=threshold)
    out = df[[label, count]].reset_index(drop=True).copy()
    out[count] = pd.Series([_label(c, threshold) if i in hidden else c for i, c in enumerate(counts)],
                           dtype=object)
    if total:
        whole = sum(counts)
        out.loc[len(out)] = [TOTAL_LABEL, _label(whole, threshold) if total_hidden else whole]
    return out


def suppress_nested(groups: pd.DataFrame, details: pd.DataFrame, *, group: str, label: str,
                    count: str = "count", threshold: int = THRESHOLD) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Suppress a group breakdown and its detailed breakdown together (see the module's rule).

    groups: `group`, `count` (one row per group). details: `group`, `label`,
    `count`; each group's count is the sum of its details. Returns both
    tables as `suppress_breakdown` does, each with a Total row.
    """
    group_names = list(groups[group])
    group_counts = [int(c) for c in groups[count]]
    detail_groups = list(details[group])
    detail_counts = [int(c) for c in details[count]]
    unknown = set(detail_groups) - set(group_names)
    if unknown:
        raise ValueError(f"details name groups not in the group table: {sorted(map(str, unknown))}")
    forced: set[int] = set()
    while True:
        hidden_groups, total_hidden = hidden_cells(group_counts, threshold=threshold, forced=frozenset(forced))
        shown_details: dict[int, str | int] = {}
        newly_forced: set[int] = set()
        for g, name in enumerate(group_names):
            members = [i for i, owner in enumerate(detail_groups) if owner == name]
            if g in hidden_groups:
                shown_details.update({i: HIDDEN for i in members})
                continue
            inner, inner_total_hidden = hidden_cells([detail_counts[i] for i in members], threshold=threshold)
            if inner_total_hidden:
                newly_forced.add(g)
            for position, i in enumerate(members):
                c = detail_counts[i]
                shown_details[i] = _label(c, threshold) if position in inner else c
        if newly_forced <= forced:
            break
        forced |= newly_forced
    whole = sum(group_counts)
    total_cell = _label(whole, threshold) if total_hidden else whole
    group_out = groups[[group, count]].reset_index(drop=True).copy()
    group_out[count] = pd.Series([_label(c, threshold) if g in hidden_groups else c
                                  for g, c in enumerate(group_counts)], dtype=object)
    group_out.loc[len(group_out)] = [TOTAL_LABEL, total_cell]
    detail_out = details[[group, label, count]].reset_index(drop=True).copy()
    detail_out[count] = pd.Series([shown_details.get(i, c) for i, c in enumerate(detail_counts)], dtype=object)
    detail_out.loc[len(detail_out)] = ["", TOTAL_LABEL, total_cell]
    return group_out, detail_out


def as_text(df: pd.DataFrame, *, count: str = "count") -> pd.DataFrame:
    """The suppressed table with its count column as text ("12", "<5", "[c]"), for display."""
    out = df.copy()
    out[count] = out[count].map(lambda v: f"{v:,}" if isinstance(v, int) else str(v)).astype(str)
    return out
