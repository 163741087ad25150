"""E-mail each alert (`analytics.alerts`) once, recorded in `alerts_sent` and audited (`python -m data alerts`).

For each alert, in this order:

1. skip it if `alerts_sent` holds its key as `sent`, or as `sending` claimed less than 15 minutes ago (another
   run is sending it);
2. claim it: a version with status `sending` (a new record whose submission id is made from the key, or a new
   version of a `failed` or abandoned `sending` one, made from the version read). Two runs at once cannot both
   claim it: the second save is a duplicate submission or an edit conflict, and that run leaves the alert alone;
3. send it (one message to all its recipients, with a Message-ID made from the key);
4. record the outcome: `sent` with the time, and an `alert` audit entry naming the records behind it; or
   `failed` with the reason, tried again on the next run.

Alerts are claimed one by one, and sent and recorded 50 at a time (one commit for the outcomes, one for the
audit entries). So an alert is never lost and never repeated silently. A run killed between 3 and 4 leaves
its alerts `sending`: a run 15 minutes or more later sends them again (at least once), reports each as possibly
repeated, and the repeat carries the same Message-ID, so mail clients and servers that drop duplicates drop
it. A run killed before 3 leaves the same state; its alerts were not sent, and are sent then.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import smtplib
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from analytics.alerts import CONDITIONS, list_alerts, list_asb_complaints, list_sent_alerts
from data import audit, reference, refs
from data.environment import Environment
from data.mail import build_message, smtp_connection
from data.store import EditConflict, Saved, Store

TABLE = "alerts_sent"


@dataclasses.dataclass
class AlertRun:
    """What one run did, by alert key."""

    sent: list[str] = dataclasses.field(default_factory=list)
    repeated: list[str] = dataclasses.field(default_factory=list)
    """Sent again after a run was interrupted while sending: the recipients may have had it twice."""
    failed: dict[str, str] = dataclasses.field(default_factory=dict)
    already_sent: int = 0
    no_recipients: list[str] = dataclasses.field(default_factory=list)
    taken: list[str] = dataclasses.field(default_factory=list)
    """Claimed by another run at the same moment."""

    def report(self) -> dict[str, Any]:
        return {"sent": len(self.sent), "already_sent": self.already_sent, "failed": self.failed,
                "repeated_after_interruption": self.repeated, "no_recipients": self.no_recipients,
                "claimed_by_another_run": self.taken, "sent_keys": self.sent}


def send_alerts(*, store: Store, environment: Environment, user: Mapping[str, Any], now: dt.datetime | None = None,
                connect: Callable[[Environment], Any] = smtp_connection) -> AlertRun:
    """E-mail every alert at `now` not yet sent (see the module's notes); what was done."""
    now = now or dt.datetime.now()
    alerts = list_alerts(store, user=user, now=now)
    done = {row.alert_key: row for row in list_sent_alerts(store, user=user).itertuples(index=False)}
    emails = _emails(store)
    run = AlertRun()
    todo = []
    for alert in alerts.itertuples(index=False):
        previous = done.get(alert.key)
        if previous is not None and previous.status == "sent":
            run.already_sent += 1
            continue
        if previous is not None and previous.status == "sending" and not _abandoned(previous):
            run.taken.append(alert.key)  # another run is sending it right now
            continue
        to = list(dict.fromkeys(emails[u] for u in alert.recipients if u in emails))
        if not to:
            run.no_recipients.append(alert.key)
            continue
        todo.append(_Pending(alert, to, previous, _values(alert, to, environment)))
    if not todo:
        return run
    complaints = list_asb_complaints(store, user=user, now=now)
    with connect(environment) as server:
        for start in range(0, len(todo), CHUNK):
            _send_chunk(store, server, environment, user, todo[start:start + CHUNK], complaints, run)
    return run


CHUNK = 50
"""Alerts claimed one by one, then sent, then recorded (and audited) together, this many at a time."""
ABANDONED_MINUTES = 15
"""A claim left `sending` longer than this was interrupted (a run sends a chunk in well under a minute)."""


def _abandoned(previous: Any) -> bool:
    claimed = pd.Timestamp(previous.written_at).to_pydatetime()
    return dt.datetime.now(dt.UTC).replace(tzinfo=None) - claimed > dt.timedelta(minutes=ABANDONED_MINUTES)


@dataclasses.dataclass
class _Pending:
    alert: Any
    to: list[str]
    previous: Any
    values: dict[str, Any]
    claim: Saved | None = None
    error: str | None = None

    @property
    def attempts(self) -> int:
        return 1 if self.previous is None else int(self.previous.attempts) + 1


def _emails(store: Store) -> dict[str, str]:
    users = reference.list_users(store)
    active = users[users["active"].fillna(False).astype(bool)]
    return {u: e for u, e in zip(active["user_id"], active["email"], strict=True) if isinstance(e, str) and e}


def message_id(key: str, sender: str) -> str:
    """The alert's Message-ID: the same on every attempt."""
    domain = sender.rpartition("@")[2] or "beatbook.local"
    return f"<alert-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _values(alert: Any, to: list[str], environment: Environment) -> dict[str, Any]:
    return {"alert_key": alert.key, "condition": alert.condition, "area_code": alert.area_code,
            "ward_code": alert.ward_code if isinstance(alert.ward_code, str) else None,
            "subject": f"Beatbook alert: {alert.title}"[:200], "recipients": to, "record_ids": list(alert.record_ids),
            "status": "sending", "message_id": message_id(alert.key, environment.smtp_from)}


def _claim(store: Store, actor: str, item: _Pending) -> bool:
    """Record that `item` is being sent; False if another run claimed it first."""
    previous = item.previous
    try:
        item.claim = store.save(TABLE, item.values | {"attempts": item.attempts}, user=actor,
                                submission_id=f"alert:{item.alert.key}:{item.attempts}",
                                record_id=None if previous is None else previous.record_id,
                                base_version=None if previous is None else int(previous.version))
    except EditConflict:
        return False
    return not item.claim.duplicate


def _send_chunk(store: Store, server: Any, environment: Environment, user: Mapping[str, Any], chunk: list[_Pending],
                complaints: pd.DataFrame, run: AlertRun) -> None:
    actor = str(user["user_id"])
    claimed = []
    for item in chunk:
        if _claim(store, actor, item):
            claimed.append(item)
        else:
            run.taken.append(item.alert.key)
    for item in claimed:
        alert = item.alert
        behind = complaints[complaints["key"] == alert.key] if alert.condition == "asb_trigger" else None
        message = build_message(sender=environment.smtp_from, to=item.to, subject=item.values["subject"],
                                 body=_body(alert, behind), message_id=item.values["message_id"])
        try:
            server.send_message(message, to_addrs=item.to)
        except (smtplib.SMTPException, OSError) as exc:
            item.error = str(exc) or type(exc).__name__
    if not claimed:
        return
    sent_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    outcomes = [(item.values | {"attempts": item.attempts} | (
        {"status": "failed", "error": item.error[:4000]} if item.error else {"status": "sent", "sent_at": sent_at}),
        item.claim.record_id, item.claim.version) for item in claimed]
    batch = hashlib.sha256("|".join(f"{i.alert.key}:{i.attempts}" for i in claimed).encode()).hexdigest()[:32]
    store.save_many(TABLE, outcomes, user=actor, submission_id=f"alerts:{batch}:outcome")
    entries = [(TABLE, [item.claim.record_id, *item.alert.record_ids],
                f"e-mailed {item.alert.condition} alert {item.alert.key} to {len(item.to)} recipient(s)"
                + (f", attempt {item.attempts}" if item.attempts > 1 else ""))
               for item in claimed if not item.error]
    if entries:
        audit.log_many(store, user, "alert", entries, once=f"alerts:{batch}:audit")
    for item in claimed:
        if item.error:
            run.failed[item.alert.key] = item.error
        elif item.previous is not None and item.previous.status == "sending":
            run.repeated.append(item.alert.key)
        else:
            run.sent.append(item.alert.key)


def _body(alert: Any, complaints: pd.DataFrame | None) -> str:
    lines = [f"{CONDITIONS[alert.condition]}", "", alert.title, ""]
    if isinstance(alert.ward, str):
        lines.append(f"Ward: {alert.ward} ({alert.ward_code}), area {alert.area_code}")
    if complaints is not None and not complaints.empty:
        lines += ["", "The complaints behind it:"]
        for c in complaints.itertuples(index=False):
            kind = "CCR" if c.table_name == "ccrs" else "Query"
            shown = refs.label(c.table_name, c.reference) or c.record_id
            lines.append(f"- {kind} {shown}, {pd.Timestamp(c.made_at):%d %b %Y %H:%M}, {c.officer}")
    elif alert.record_ids:
        lines += ["", "Records: " + ", ".join(alert.record_ids)]
    lines += ["", "Open Beatbook (My activity, or Dip checks for supervisors) to act on it.",
              "You receive this because you are named for the ward, own the query or supervise the area."]
    return "\n".join(lines)


def run_alerts_command(args: Any) -> int:
    """`python -m data alerts`: send what is due as the command-line analyst; a JSON report; 1 on any failure."""
    import sys

    from data.cli import CLI_USER, open_store, print_json
    from data.environment import load_environment
    from data.mail import MailNotConfigured

    store = open_store(args.store, must_exist=True)
    if store is None:
        return 1
    try:
        run = send_alerts(store=store, environment=load_environment(), user=dict(CLI_USER), now=args.now)
    except (MailNotConfigured, smtplib.SMTPException, OSError) as exc:
        print(f"alerts: nothing sent: {exc}", file=sys.stderr)
        return 1
    print_json(run.report())
    for key in run.repeated:
        print(f"alerts: {key} was sent again after an interrupted run; its recipients may have it twice "
              "(same Message-ID)", file=sys.stderr)
    return 1 if run.failed else 0
