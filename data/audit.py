"""The audit log: who exported what, who looked at record-level personal data, who signed in, who changed configuration.

Saves, edits and withdrawals need no entry here: every one is already an
append-only version of its record (who, when, which record), and the audit
search reads those versions beside this log.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from data.store import Store, new_submission_id

ACTIONS = ("sign_in", "sign_out", "export", "view_personal", "view_diversity", "import", "admin_change", "retention",
           "publish", "alert")
"""The kinds of entry this log holds."""


def log(store: Store, user: Mapping[str, Any] | str, action: str, *, table: str | None = None,
        target_ids: Iterable[str] = (), detail: str | None = None, once: str | None = None) -> None:
    """Append one audit entry for `user` (a user row or id); never skipped, never edited.

    `once` names the event: logging the same `once` again (another tab, a
    rerun) stores nothing more. Without it every call stores an entry.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    user_id = user if isinstance(user, str) else str(user.get("user_id") or "anonymous")
    entry = {"user_id": user_id, "action": action, "table_name": table,
             "target_ids": [str(t) for t in target_ids], "detail": detail}
    store.save("audit", entry, user=user_id, submission_id=once or new_submission_id())


def log_many(store: Store, user: Mapping[str, Any] | str, action: str, entries: Iterable[tuple[str | None,
             Iterable[str], str | None]], *, once: str) -> None:
    """`log` one entry per (table, target ids, detail), all in one commit; `once` names the batch (a repeat
    of it stores nothing more)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    user_id = user if isinstance(user, str) else str(user.get("user_id") or "anonymous")
    rows = [({"user_id": user_id, "action": action, "table_name": table, "target_ids": [str(t) for t in targets],
              "detail": detail}, None, None) for table, targets, detail in entries]
    store.save_many("audit", rows, user=user_id, submission_id=once)


_logged: dict[tuple, None] = {}
_logged_lock = threading.Lock()
ONCE_KEYS = 5000
"""How many recent `log_once` keys the process remembers."""


def log_once(store: Store, user: Mapping[str, Any] | str, action: str, *, key: Hashable, table: str | None = None,
             target_ids: Iterable[str] = (), detail: str | None = None) -> bool:
    """`log`, unless this process already logged the same (store, user, action, key) recently; whether it logged.

    For views a page repeats on every rerun (a record left open, a table under
    unchanged filters): put the data's version in `key`, so new data is logged again.
    """
    user_id = user if isinstance(user, str) else str(user.get("user_id") or "anonymous")
    seen = (store.root, user_id, action, key)
    with _logged_lock:
        if seen in _logged:
            return False
        _logged[seen] = None
        while len(_logged) > ONCE_KEYS:
            _logged.pop(next(iter(_logged)))
    log(store, user, action, table=table, target_ids=target_ids, detail=detail)
    return True
