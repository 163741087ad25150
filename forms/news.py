"""The news reel: admins post, everyone reads (reads in `analytics.activity.list_news`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from data.store import Saved, Store
from forms.rules import check_record, user_id_of

TABLE = "news"
LABELS = {"title": "Headline", "body": "The news", "published_on": "Publish on"}
FIELDS = tuple(LABELS)
PUBLISH_WINDOW = dt.timedelta(days=365)


def news_defaults(*, today: dt.date | None = None) -> dict[str, Any]:
    return {"title": "", "body": "", "published_on": today or dt.date.today()}


def save_news(*, store: Store, values: Mapping[str, Any], user: Mapping[str, Any], submission_id: str,
              today: dt.date | None = None) -> Saved:
    """Post a news item (admins only); raise NotAllowed or ValidationError and write nothing otherwise."""
    user_id = user_id_of(user, "administer")
    record = {field: values.get(field) for field in FIELDS}
    errors = {}
    if set(values) - set(FIELDS):
        errors["record"] = f"unknown fields: {', '.join(sorted(map(str, set(values) - set(FIELDS))))}"
    day, today = record["published_on"], today or dt.date.today()
    if day is not None and (not isinstance(day, dt.date) or isinstance(day, dt.datetime)):
        errors["published_on"] = "must be a date"
    elif day is not None and abs(day - today) > PUBLISH_WINDOW:
        errors["published_on"] = "must be within a year of today"
    model = check_record(TABLE, record, required=FIELDS, errors=errors)
    return store.save(TABLE, model, user=user_id, submission_id=submission_id)
