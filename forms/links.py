"""Quick links to the force's other tools, set in the `settings` table.

A setting `quick_link:<label>` holds the link's URL; it replaces the default
of the same label, and an empty value hides that link. Only http and https
addresses are shown or saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from analytics.activity import QUICK_LINK_PREFIX, list_settings
from data.store import Saved, Store
from forms.rules import check_record, user_id_of

DEFAULT_QUICK_LINKS = {
    "Orlo (social media)": "https://orlo.example.police.uk",
    "Hotspot Policing App": "https://hotspots.example.police.uk",
    "Community messaging": "https://messaging.example.police.uk",
}
MAX_LABEL = 40 - len(QUICK_LINK_PREFIX)


def valid_url(url: str | None) -> bool:
    """Whether `url` is an absolute http or https address."""
    if not isinstance(url, str) or not url or any(c.isspace() for c in url.strip()):
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def list_quick_links(store: Store) -> dict[str, str]:
    """label -> URL: the defaults, replaced or hidden by settings, then links added in settings; valid URLs only."""
    links = dict(DEFAULT_QUICK_LINKS)
    for key, value in list_settings(store, prefix=QUICK_LINK_PREFIX).items():
        links[key.removeprefix(QUICK_LINK_PREFIX)] = (value or "").strip()
    return {label: url for label, url in links.items() if label and valid_url(url)}


def save_quick_link(*, store: Store, label: str, url: str, user: Mapping[str, Any], submission_id: str) -> Saved:
    """Set one quick link (admins only); an empty URL hides it. Raise NotAllowed / ValidationError otherwise."""
    user_id = user_id_of(user, "administer")
    errors = {}
    if not isinstance(label, str | None):
        errors["label"], label = "must be text", ""
    if not isinstance(url, str | None):
        errors["url"], url = "must be an http:// or https:// address", ""
    label, url = (label or "").strip(), (url or "").strip()
    if not label:
        errors["label"] = "is required"
    elif len(label) > MAX_LABEL:
        errors["label"] = f"must be at most {MAX_LABEL} characters"
    if url and not valid_url(url) and "url" not in errors:
        errors["url"] = "must be an http:// or https:// address"
    record = {"key": QUICK_LINK_PREFIX + label, "value": url}
    check_record("settings", record, errors=errors)
    return store.save("settings", record, user=user_id, submission_id=submission_id)
