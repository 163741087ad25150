"""save_ccr: a valid contact lands as given; diversity answers only with consent; bad input writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from data.store import ValidationError, new_submission_id
from forms.ccrs import FIELDS, ccr_defaults, ethnicity_label, form_values, save_ccr
from tests.conftest import assert_refused, assert_stored_once, count_rows
from tests.forms.factories import book_event, make_ccr, now_minute, other_area_ward

DIVERSITY = {"age_band": "25-34", "ethnicity": "B2", "religion": "Prefer not to say", "sex": "Female",
             "disability": "No"}


def _save(store, officer, values, submission_id=None, **kwargs):
    return save_ccr(store=store, values=values, user=officer, submission_id=submission_id or new_submission_id(),
                    **kwargs)


def test_valid_contact_is_stored_with_exact_values(store, officer):
    at = now_minute() - dt.timedelta(minutes=30)
    values = make_ccr(store, officer, at=at)
    before = count_rows(store, "ccrs")

    saved = _save(store, officer, values)

    assert count_rows(store, "ccrs") == before + 1
    row = store.get("ccrs", saved.record_id)
    stored = {k: row[k] for k in ("contact_at", "area_code", "ward_code", "place", "officer_id", "event_id",
                                  "contact_method", "issues_text", "info_submitted", "info_text",
                                  "smart_alert_signup", "diversity_consent", "age_band", "ethnicity", "religion",
                                  "sex", "disability", "written_by")}
    assert stored == {
        "contact_at": at, "area_code": officer["area_code"], "ward_code": values["ward_code"],
        "place": "Outside the Co-op, High Street", "officer_id": officer["user_id"], "event_id": None,
        "contact_method": "Face to face", "issues_text": "Cars racing along the High Street at night",
        "info_submitted": False, "info_text": None, "smart_alert_signup": True, "diversity_consent": False,
        "age_band": None, "ethnicity": None, "religion": None, "sex": None, "disability": None,
        "written_by": officer["user_id"],
    }
    assert list(row["issues"]) == values["issues"]


def test_diversity_answers_are_stored_with_consent(store, officer):
    saved = _save(store, officer, make_ccr(store, officer, diversity_consent=True, **DIVERSITY))
    row = store.get("ccrs", saved.record_id)
    assert row["diversity_consent"] is True
    assert {k: row[k] for k in DIVERSITY} == DIVERSITY


def test_consent_without_answers_stores_no_answers(store, officer):
    saved = _save(store, officer, make_ccr(store, officer, diversity_consent=True))
    row = store.get("ccrs", saved.record_id)
    assert row["diversity_consent"] is True and all(row[k] is None for k in DIVERSITY)


@pytest.mark.parametrize("field", list(DIVERSITY))
def test_a_diversity_answer_without_consent_is_refused(store, officer, field):
    before = count_rows(store, "ccrs")
    with pytest.raises(ValidationError) as raised:
        _save(store, officer, make_ccr(store, officer, **{field: DIVERSITY[field]}))
    assert "must be Yes" in raised.value.errors["diversity_consent"]
    assert count_rows(store, "ccrs") == before


def test_withdrawn_consent_drops_the_answers_before_saving(store, officer):
    values = form_values(make_ccr(store, officer, diversity_consent=False, **DIVERSITY))
    assert all(values[k] is None for k in DIVERSITY)
    row = store.get("ccrs", _save(store, officer, values).record_id)
    assert all(row[k] is None for k in DIVERSITY)


def test_information_text_is_kept_only_when_information_was_submitted(store, officer):
    row = store.get("ccrs", _save(store, officer, make_ccr(store, officer, info_submitted=True,
                                                           info_text="Dealing from a red car")).record_id)
    assert (row["info_submitted"], row["info_text"]) == (True, "Dealing from a red car")
    assert form_values(make_ccr(store, officer, info_submitted=False, info_text="stale"))["info_text"] is None


def test_contact_at_an_event_of_the_last_week_links_it(store, officer):
    event_id = book_event(store, officer, days_ago=3)
    row = store.get("ccrs", _save(store, officer, make_ccr(store, officer, event_id=event_id)).record_id)
    assert row["event_id"] == event_id


def _event(days_ago, **overrides):
    return lambda s, o: {"event_id": book_event(s, o, days_ago=days_ago, **overrides)}


INVALID = {
    "no ward": (lambda s, o: {"ward_code": None}, "ward_code", "required"),
    "ward outside the area": (lambda s, o: {"ward_code": other_area_ward(s, o["area_code"])}, "ward_code", "area"),
    "unknown area": (lambda s, o: {"area_code": "NOWHERE"}, "area_code", "known area"),
    "no method": (lambda s, o: {"contact_method": None}, "contact_method", "required"),
    "unknown method": (lambda s, o: {"contact_method": "Carrier pigeon"}, "contact_method", "list"),
    "unknown issue": (lambda s, o: {"issues": ["Martians"]}, "issues", "Martians"),
    "issues not a list": (lambda s, o: {"issues": "Speeding"}, "issues", "list"),
    "in the future": (lambda s, o: {"contact_date": dt.date.today() + dt.timedelta(days=1)}, "contact_date",
                      "future"),
    "over a year ago": (lambda s, o: {"contact_date": dt.date.today() - dt.timedelta(days=400)}, "contact_date",
                        "year"),
    "absurd date": (lambda s, o: {"contact_date": dt.date(1900, 1, 1)}, "contact_date", "year"),
    "date not a date": (lambda s, o: {"contact_date": "yesterday"}, "contact_date", "date"),
    "time not a time": (lambda s, o: {"contact_time": 1530}, "contact_time", "time"),
    "place too long": (lambda s, o: {"place": "x" * 201}, "place", "200"),
    "issues text too long": (lambda s, o: {"issues_text": "x" * 4001}, "issues_text", "4,000"),
    "info without text": (lambda s, o: {"info_submitted": True, "info_text": " "}, "info_text", "required"),
    "consent not yes or no": (lambda s, o: {"diversity_consent": "yes"}, "diversity_consent", "yes or no"),
    "unknown ethnicity code": (lambda s, o: {"diversity_consent": True, "ethnicity": "Z9"}, "ethnicity", "choices"),
    "unknown event": (lambda s, o: {"event_id": "no-such-event"}, "event_id", "known event"),
    "event too old": (_event(10), "event_id", "7 days"),
    "event still to come": (_event(-2), "event_id", "7 days"),
    "event cancelled": (lambda s, o: {"event_id": _cancelled_event(s, o)}, "event_id", "cancelled"),
    "unknown field": (lambda s, o: {"citizen_name": "Jo Bloggs"}, "record", "citizen_name"),
}


def _cancelled_event(store, officer):
    from forms.events import cancel_event

    event_id = book_event(store, officer, days_ago=1)
    cancel_event(store=store, record_id=event_id, values={"cancel_reason": "Rain"}, user=officer,
                 submission_id=new_submission_id(), base_version=1)
    return event_id


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_contact_names_the_field_and_writes_nothing(store, officer, case):
    overrides, field, words = INVALID[case]
    values = make_ccr(store, officer, **overrides(store, officer))
    assert_refused(store, lambda: _save(store, officer, values), field=field, words=words, table="ccrs")


def test_event_in_another_area_is_refused(store, officer):
    from data import reference

    users = reference.list_users(store, role="officer")
    other = users[(users["area_code"] != officer["area_code"]) & users["area_code"].notna()].iloc[0].to_dict()
    event_id = book_event(store, other, days_ago=1)
    with pytest.raises(ValidationError) as raised:
        _save(store, officer, make_ccr(store, officer, event_id=event_id))
    assert "area" in raised.value.errors["event_id"]


def test_a_few_minutes_ahead_is_clock_drift_not_the_future(store, officer):
    at = now_minute() + dt.timedelta(minutes=3)
    saved = _save(store, officer, make_ccr(store, officer, at=at))
    assert store.get("ccrs", saved.record_id)["contact_at"] == at


def test_same_submission_id_twice_stores_one_contact(store, officer):
    assert_stored_once(store, lambda sid: _save(store, officer, make_ccr(store, officer), sid), table="ccrs")


def test_defaults_are_now_in_my_area_without_consent(officer):
    defaults = ccr_defaults(officer, now=dt.datetime(2026, 3, 4, 9, 20, 33), contact_method="Face to face")
    assert set(defaults) == set(FIELDS)
    assert (defaults["contact_date"], defaults["contact_time"]) == (dt.date(2026, 3, 4), dt.time(9, 20))
    assert defaults["area_code"] == officer["area_code"] and defaults["contact_method"] == "Face to face"
    assert defaults["diversity_consent"] is False and all(defaults[k] is None for k in DIVERSITY)


def test_ethnicity_shows_the_ons_code_and_label():
    assert ethnicity_label("A1") == "A1 · Asian, Asian British or Asian Welsh: Bangladeshi"
    assert ethnicity_label("NS") == "Prefer not to say"


def test_a_save_validates_once_and_checks_access_once(store, officer, monkeypatch):
    from data import access
    from data.schema import TABLES

    values = make_ccr(store, officer)
    calls = {"validate": 0, "require": 0}
    model, require = TABLES["ccrs"], access.require

    def counted_validate(cls, data, **kwargs):
        calls["validate"] += 1
        return super(model, cls).model_validate.__func__(cls, data, **kwargs)

    def counted_require(*args, **kwargs):
        calls["require"] += 1
        return require(*args, **kwargs)

    monkeypatch.setattr(model, "model_validate", classmethod(counted_validate))
    monkeypatch.setattr(access, "require", counted_require)
    saved = _save(store, officer, values)
    assert store.get("ccrs", saved.record_id)["place"] == values["place"]
    assert calls == {"validate": 1, "require": 1}
