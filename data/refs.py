"""Short references: what a record is called over the radio or on paper ("CCR-1042"), and finding it again.

A record of a table in `PREFIXES` is given the next number of its table when it is first stored, and keeps
it in every version (the system column `reference`). The store numbers records inside its checked commit
(`data.store`: `Store._commit`, `Store.append_rows`): the number is the table's highest so far plus one, and
the commit is made only on the exact Delta version that highest was read from, so two savers at once, on one server or
many, can never take the same number (the one that commits second is checked again and numbered after).
Numbers are unique per table; the prefix says which table.
"""

from __future__ import annotations

import re
from typing import Any

from data import db

PREFIXES: dict[str, str] = {
    "events": "EV",
    "ccrs": "CCR",
    "patrols": "PAT",
    "abstractions": "ABS",
    "ysywd": "YS",
    "good_practice": "GP",
    "useful_info": "INFO",
    "app_feedback": "FB",
    "problems": "PRB",
    "community_queries": "CQ",
}
"""The tables whose records have a reference, and the prefix each is shown with."""
_TABLES = {prefix: table for table, prefix in PREFIXES.items()}
_PATTERN = re.compile(r"\s*(" + "|".join(sorted(_TABLES, key=len, reverse=True)) + r")[\s\-]*(\d{1,15})\s*",
                      re.IGNORECASE)


def label(table: str, number: Any) -> str | None:
    """'CCR-1042': a record's reference as shown, or None (a table without references, or no number)."""
    if table not in PREFIXES or number is None or isinstance(number, bool):
        return None
    try:
        return f"{PREFIXES[table]}-{int(number)}"
    except (TypeError, ValueError):  # NaN from a DataFrame: no number
        return None


def number(value: Any) -> int | None:
    """A stored reference number as an int (None for none: NULL, or NaN through pandas)."""
    return None if value is None or value != value else int(value)


def parse(text: Any) -> tuple[str, int] | None:
    """(table, number) of a reference as typed ('CCR-1042', 'ccr 1042', 'CCR1042'), or None."""
    if not isinstance(text, str):
        return None
    found = _PATTERN.fullmatch(text)
    if found is None:
        return None
    return _TABLES[found.group(1).upper()], int(found.group(2))


def find(store, text: Any) -> tuple[str, str] | None:
    """(table, record_id) of the current record a reference names, or None. No access check: for callers
    that check the user may see the record (or tests)."""
    parsed = parse(text)
    if parsed is None:
        return None
    table, wanted = parsed
    found = db.scalar(f"SELECT record_id FROM {store.relation(table)} WHERE reference = ?", [wanted])
    return (table, found) if found is not None else None
