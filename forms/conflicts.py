"""Edits made from an old version of a record: refused, naming who changed it and when.

Every change to an existing record names the version it was made from
(`base_version`): the version of the record the form's values stand on, as
the page showed it, never one read again at save time. If the record has a
later version by then, the store refuses the save (`EditConflict`) and writes
nothing. The store's refusal names a user id; `naming_who` gives it the
person's name instead, so the form can tell the officer who changed the
record, and when.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

from data import reference
from data.store import EditConflict, Store


def conflict_message(store: Store, conflict: EditConflict) -> str:
    """'Priya Shah changed this record at 14:05 UTC on 03 Mar 2025 (version 3), after you opened it, ...'."""
    person = reference.get_user(store, conflict.changed_by)
    who = str(person["name"]) if person and person.get("name") else conflict.changed_by
    what = "withdrew" if conflict.withdrawn else "changed"
    return (f"{who} {what} this record at {conflict.changed_at:%H:%M} UTC on {conflict.changed_at:%d %b %Y}"
            f" (version {conflict.version}), after you opened it, so nothing was saved.")


@contextlib.contextmanager
def naming_who(store: Store) -> Iterator[None]:
    """Around a save: an `EditConflict` raised in it names the person who changed the record, and when."""
    try:
        yield
    except EditConflict as conflict:
        message = conflict_message(store, conflict)
        conflict.errors["record"] = message
        conflict.args = (f"record: {message}",)
        raise


def withdrawn_since(store: Store, table: str, record_id: Any, base_version: int | None) -> dict | None:
    """For a record that is not there to change: its withdrawal, if it was withdrawn after `base_version`.

    The withdrawal row keeps the record's last fields, so the caller can check the user may see
    it before saying who withdrew it (`refuse_withdrawn`).
    """
    if base_version is None or not isinstance(record_id, str) or not record_id:
        return None
    history = store.history(table, record_id)
    if history and history[0]["deleted"] and int(history[0]["version"]) != int(base_version):
        return history[0]
    return None


def refuse_withdrawn(store: Store, table: str, record_id: str, withdrawal: Mapping[str, Any]) -> NoReturn:
    """Refuse a change to a record withdrawn since the page showed it: an `EditConflict` naming who withdrew it."""
    with naming_who(store):
        raise EditConflict(table, record_id, withdrawal)
