"""The audit log: who exported what, who looked at record-level personal data, who signed in, who changed configuration.

Saves, edits and withdrawals need no entry here: every one is already an
append-only version of its record (who, when, which record), and the audit
search reads those versions beside this log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from data.store import Store, new_submission_id

ACTIONS = ("sign_in", "sign_out", "export", "view_personal", "import", "admin_change", "retention", "publish")
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
