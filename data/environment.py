"""The deployment's environment: store location, force name, demo seed, basemap, maintenance interval, mail server.

One typed object fed by BEATBOOK_* environment variables or the `[beatbook]` section of Streamlit secrets.
The force's own settings, changed in the app, are rows of the `settings` table (`forms.admin.FORCE_SETTINGS`)."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

DEFAULT_STORE = str(Path(__file__).resolve().parent / "store")


@dataclasses.dataclass(frozen=True)
class Environment:
    store: str = DEFAULT_STORE
    force_name: str = "Staffordshire Police (demo)"
    demo_seed: int = 7
    basemap_style: str | None = None
    storage_options: dict[str, str] | None = None
    # How often an app server's background worker compacts the store (seconds); 0 turns it off,
    # for a force that runs `python -m data maintain` on a schedule instead.
    maintenance_seconds: float = 60.0
    # The mail server alerts are sent through (`python -m data alerts`); no host: alerts are not e-mailed.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_security: str = "starttls"  # starttls, ssl (SMTPS) or none (a relay on the host or a closed network)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "beatbook@localhost"


def load_environment(secrets: dict | None = None) -> Environment:
    """The environment from BEATBOOK_* environment variables, then a `[beatbook]` secrets section."""
    section = dict((secrets or {}).get("beatbook", {}))

    def pick(name: str, default):
        return os.environ.get(f"BEATBOOK_{name.upper()}", section.get(name, default))

    options = pick("storage_options", None)
    return Environment(
        store=str(pick("store", DEFAULT_STORE)),
        force_name=str(pick("force_name", Environment.force_name)),
        demo_seed=int(pick("demo_seed", Environment.demo_seed)),
        basemap_style=pick("basemap_style", None) or None,
        storage_options=json.loads(options) if isinstance(options, str) else options,
        maintenance_seconds=float(pick("maintenance_seconds", Environment.maintenance_seconds)),
        smtp_host=pick("smtp_host", None) or None,
        smtp_port=int(pick("smtp_port", Environment.smtp_port)),
        smtp_security=_security(str(pick("smtp_security", Environment.smtp_security))),
        smtp_user=pick("smtp_user", None) or None,
        smtp_password=pick("smtp_password", None) or None,
        smtp_from=str(pick("smtp_from", Environment.smtp_from)),
    )


SMTP_SECURITY = ("starttls", "ssl", "none")


def _security(value: str) -> str:
    if value.strip().lower() not in SMTP_SECURITY:
        raise ValueError(f"BEATBOOK_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, not {value!r}")
    return value.strip().lower()
