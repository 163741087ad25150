"""`python -m data alerts` e-mails each alert once, through a real SMTP server (aiosmtpd) on 127.0.0.1.

The store is `tests.analytics.alerts_fixture` (eight alerts at its NOW, recipients worked out there).
"""

from __future__ import annotations

import email
import email.policy
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from data import db
from data.__main__ import main
from data.store import Store
from forms import alerts as sending
from tests.analytics.alerts_fixture import NOW, build_alerts_store


class Inbox:
    """An aiosmtpd handler keeping every message; refuses recipients listed in `refuse`."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox(monkeypatch):
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    for name, value in (("HOST", "127.0.0.1"), ("PORT", str(port)), ("SECURITY", "none"),
                        ("FROM", "alerts@beatbook.test")):
        monkeypatch.setenv(f"BEATBOOK_SMTP_{name}", value)
    yield handler
    controller.stop()


@pytest.fixture
def store(tmp_path) -> tuple[Store, dict]:
    root = tmp_path / "store"
    return Store(root), build_alerts_store(root)


def _run(root: Path, capsys) -> tuple[int, str]:
    status = main(["alerts", "--store", str(root), "--now", NOW.isoformat()])
    out = capsys.readouterr()
    return status, out.out + out.err


def _table(store: Store, sql: str) -> list[tuple]:
    return db.rows(sql.format(sent=store.relation("alerts_sent"), audit=store.relation("audit")))


def test_each_alert_is_sent_once_recorded_and_audited(inbox, store, capsys):
    store, ids = store
    status, out = _run(Path(store.root), capsys)
    assert status == 0, out
    assert '"sent": 8' in out
    got = {m["Subject"]: (sorted(to), m["To"], m["From"], m["Message-ID"]) for to, m in inbox.messages}
    assert len(inbox.messages) == 8
    trigger = next(m for _, m in inbox.messages if "ASB Case Review" in m["Subject"])
    assert sorted(next(to for to, m in inbox.messages if m is trigger)) == ["p1@example.police.uk",
                                                                             "s1@example.police.uk"]
    body = trigger.get_content()
    assert "The complaints behind it:" in body and body.count("\n- ") == 3 and "Query" in body
    assert "What was asked" not in body  # it stays on the record
    gap = next(v for k, v in got.items() if "Abbey" in k and "No engagement" in k)
    assert gap[0] == ["s1@example.police.uk"]  # no named officer; S9 is inactive
    due = [v for k, v in got.items() if "due by" in k]
    assert sorted(v[0] for v in due) == [["p1@example.police.uk", "s1@example.police.uk"],
                                         ["p2@example.police.uk", "s1@example.police.uk"]]
    assert {v[2] for v in got.values()} == {"alerts@beatbook.test"}
    assert len({v[3] for v in got.values()}) == 8

    rows = _table(store, "SELECT condition, status, attempts, sent_at IS NOT NULL FROM {sent} ORDER BY condition")
    assert sorted(rows) == sorted([("asb_trigger", "sent", 1, True)] + [("coverage_gap", "sent", 1, True)] * 2
                                  + [("query_due", "sent", 1, True)] * 2 + [("stale_priority", "sent", 1, True)] * 3)
    audited = _table(store, "SELECT user_id, table_name, target_ids, detail FROM {audit} WHERE action = 'alert'")
    assert len(audited) == 8 and {a[0] for a in audited} == {"cli"}
    trigger_entry = next(a for a in audited if "asb_trigger" in a[3])
    assert trigger_entry[2][1:] == [ids["c1"], ids["c2"], ids["q1"]]
    assert trigger_entry[3].endswith("to 2 recipient(s)")

    # A second run sends nothing new, writes nothing new.
    status, out = _run(Path(store.root), capsys)
    assert status == 0 and '"sent": 0' in out and '"already_sent": 8' in out
    assert len(inbox.messages) == 8
    assert len(_table(store, "SELECT * FROM {audit} WHERE action = 'alert'")) == 8


def test_a_refused_alert_is_recorded_failed_and_sent_on_the_next_run(inbox, store, capsys):
    store, _ = store
    inbox.refuse = {"p3@example.police.uk", "s3@example.police.uk"}  # every recipient of A2's two alerts
    status, out = _run(Path(store.root), capsys)
    assert status == 1 and '"sent": 6' in out
    failed = _table(store, "SELECT alert_key, attempts, error FROM {sent} WHERE status = 'failed'")
    assert len(failed) == 2 and all(f[1] == 1 and "550" in f[2] for f in failed)
    assert len(_table(store, "SELECT * FROM {audit} WHERE action = 'alert'")) == 6
    inbox.refuse = set()
    status, out = _run(Path(store.root), capsys)
    assert status == 0 and '"sent": 2' in out and '"already_sent": 6' in out
    assert {f[0] for f in failed} == {k for (k,) in _table(store, "SELECT alert_key FROM {sent} WHERE attempts = 2")}
    assert len(inbox.messages) == 8


def test_an_interrupted_send_is_sent_again_and_reported(inbox, store, capsys, monkeypatch):
    store, ids = store
    key = f"query_due:{ids['qb']}"
    # A run that claimed qb's alert and died before recording the outcome left it `sending`.
    store.save("alerts_sent", {"alert_key": key, "condition": "query_due", "area_code": "A1", "ward_code": "W1",
                               "subject": "Beatbook alert", "recipients": ["p2@example.police.uk"],
                               "record_ids": [ids["qb"]], "status": "sending", "attempts": 1,
                               "message_id": sending.message_id(key, "alerts@beatbook.test")},
               user="cli", submission_id=f"alert:{key}:1")
    status, out = _run(Path(store.root), capsys)
    assert status == 0 and '"sent": 7' in out and key in out  # fresh claim: another run may be sending it
    assert len(inbox.messages) == 7
    monkeypatch.setattr(sending, "ABANDONED_MINUTES", 0)  # now it is old enough to count as abandoned
    status, out = _run(Path(store.root), capsys)
    assert status == 0 and '"sent": 0' in out and f'"repeated_after_interruption": [\n    "{key}"' in out
    assert "may have it twice" in out
    assert inbox.messages[-1][1]["Message-ID"] == sending.message_id(key, "alerts@beatbook.test")
    assert _table(store, "SELECT status, attempts FROM {sent} WHERE alert_key = '" + key + "'") == [("sent", 2)]


def test_an_empty_store_sends_nothing_and_needs_no_mail_server(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("BEATBOOK_SMTP_HOST", raising=False)
    store = Store(tmp_path / "empty")
    store.create()
    status, out = _run(tmp_path / "empty", capsys)
    assert status == 0 and '"sent": 0' in out


def test_without_a_mail_server_nothing_is_claimed(store, capsys, monkeypatch):
    store, _ = store
    monkeypatch.delenv("BEATBOOK_SMTP_HOST", raising=False)
    status, out = _run(Path(store.root), capsys)
    assert status == 1 and "BEATBOOK_SMTP_HOST" in out
    assert _table(store, "SELECT count(*) FROM {sent}") == [(0,)]
