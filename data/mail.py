"""Sending e-mail through the configured mail server (`Environment.smtp_*`): one connection for many messages."""

from __future__ import annotations

import contextlib
import email.utils
import smtplib
import ssl
from collections.abc import Iterator, Sequence
from email.message import EmailMessage

from data.environment import Environment

TIMEOUT_SECONDS = 30


class MailNotConfigured(RuntimeError):
    """No mail server is configured (BEATBOOK_SMTP_HOST)."""


def build_message(*, sender: str, to: Sequence[str], subject: str, body: str, message_id: str) -> EmailMessage:
    """A plain-text message with the given Message-ID (the same on a repeat, so a repeat can be recognised)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=True)
    message["Message-ID"] = message_id
    message.set_content(body)
    return message


@contextlib.contextmanager
def smtp_connection(environment: Environment) -> Iterator[smtplib.SMTP]:
    """A connection to the mail server, signed in if a user is set; closed on leaving."""
    if not environment.smtp_host:
        raise MailNotConfigured("no mail server configured: set BEATBOOK_SMTP_HOST (see README, Configuration)")
    if environment.smtp_security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(environment.smtp_host, environment.smtp_port,
                                                timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(environment.smtp_host, environment.smtp_port, timeout=TIMEOUT_SECONDS)
    try:
        if environment.smtp_security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if environment.smtp_user:
            server.login(environment.smtp_user, environment.smtp_password or "")
        yield server
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            server.quit()
