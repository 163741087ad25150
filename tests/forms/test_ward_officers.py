"""save_ward_officer and end_ward_officer: an admin names officers for wards, audited; nobody else can."""

from __future__ import annotations

import datetime as dt

import pytest

from data import db
from data.access import NotAllowed
from data.store import ValidationError, new_submission_id
from forms.ward_officers import end_ward_officer, save_ward_officer
from tests.analytics.guarantee_fixture import build_guarantee_store

ADMIN = {"user_id": "ADM", "role": "admin", "area_code": None, "active": True}
SUPERVISOR = {"user_id": "S1", "role": "supervisor", "area_code": "A1", "active": True}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_guarantee_store(tmp_path_factory.mktemp("ward_officers") / "store")


def _count(store, table="ward_officers") -> int:
    return db.row(f"SELECT count(*) FROM {store.relation(table)}")[0]


def _name(store, user=ADMIN, **values):
    values = {"ward_code": "W2", "officer_id": "P2", "start_date": dt.date(2025, 7, 1)} | values
    return save_ward_officer(store=store, values=values, user=user, submission_id=new_submission_id())


def _audits(store) -> list[tuple]:
    return db.rows(f"SELECT action, table_name, target_ids, detail FROM {store.relation('audit')}"
                               " WHERE table_name = 'ward_officers' ORDER BY written_at")


def test_an_admin_names_an_officer_and_it_is_audited(store):
    saved = _name(store)
    row = store.get("ward_officers", saved.record_id)
    assert {k: row[k] for k in ("ward_code", "area_code", "officer_id", "start_date", "end_date")} == {
        "ward_code": "W2", "area_code": "A1", "officer_id": "P2", "start_date": dt.date(2025, 7, 1), "end_date": None}
    assert ("admin_change", "ward_officers", [saved.record_id],
            "named P2 for ward W2 from 2025-07-01 (version 1)") in _audits(store)


def test_ending_an_assignment_is_a_new_version_and_audited(store):
    saved = _name(store, officer_id="S1", ward_code="W2", start_date=dt.date(2025, 8, 1))
    ended = end_ward_officer(store=store, record_id=saved.record_id, end_date=dt.date(2025, 9, 30), user=ADMIN,
                             submission_id=new_submission_id(), base_version=1)
    assert ended.version == 2 and store.get("ward_officers", saved.record_id)["end_date"] == dt.date(2025, 9, 30)
    assert _audits(store)[-1][3] == "ended S1 for ward W2 on 2025-09-30 (version 2)"
    with pytest.raises(ValidationError) as refused:
        end_ward_officer(store=store, record_id=saved.record_id, end_date=dt.date(2025, 7, 1), user=ADMIN,
                         submission_id=new_submission_id(), base_version=2)
    assert refused.value.errors == {"end_date": "cannot be before the officer was named (01/08/2025)"}


def test_a_non_admin_cannot_name_or_end(store):
    before, audits = _count(store), len(_audits(store))
    with pytest.raises(NotAllowed, match="a supervisor may not change Beatbook's configuration"):
        _name(store, user=SUPERVISOR)
    (record_id,) = db.row(
        f"SELECT record_id FROM {store.relation('ward_officers')} LIMIT 1")
    with pytest.raises(NotAllowed):
        end_ward_officer(store=store, record_id=record_id, end_date=dt.date(2025, 9, 1), user=SUPERVISOR,
                         submission_id=new_submission_id(), base_version=1)
    assert _count(store) == before and len(_audits(store)) == audits


INVALID = {
    "unknown ward": ({"ward_code": "W99"}, "ward_code", "not a known ward"),
    "inactive officer": ({"officer_id": "P9"}, "officer_id", "not an active user"),
    "an analyst": ({"officer_id": "AN"}, "officer_id", "officer or supervisor"),
    "already named": ({"ward_code": "W1", "officer_id": "P1", "start_date": dt.date(2025, 6, 1)}, "officer_id",
                      "already named"),
    "ends before it starts": ({"end_date": dt.date(2025, 6, 1)}, "end_date", "before start_date"),
    "no start": ({"start_date": None}, "start_date", "required"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_bad_values_name_the_field_and_write_nothing(store, case):
    values, field, words = INVALID[case]
    before = _count(store)
    with pytest.raises(ValidationError) as refused:
        _name(store, **values)
    assert words in refused.value.errors.get(field, ""), refused.value.errors
    assert _count(store) == before


def test_an_officer_named_again_after_an_earlier_assignment_ended(store):
    saved = _name(store, ward_code="W1", officer_id="P2", start_date=dt.date(2025, 6, 30))
    assert store.get("ward_officers", saved.record_id)["officer_id"] == "P2"
