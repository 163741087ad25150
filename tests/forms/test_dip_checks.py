"""Saving dip checks, the return-and-fix flow, audited views of diversity answers and the audited team export."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from analytics.activity import list_my_activity
from analytics.quality import get_check_record, list_queue, list_reviews, quality_by_area_month
from data import db
from data.access import NotAllowed
from data.store import Store, ValidationError
from forms.activity import edit_record
from forms.dip_checks import PERSONAL_DETAIL, export_team_submissions, save_review, view_personal_answers
from tests.conftest import count_rows
from tests.quality_store import FORMULA_TEXT, user

FEB, END = dt.date(2025, 2, 1), dt.date(2025, 3, 31)


@pytest.fixture
def store(quality_store) -> Store:
    return quality_store


def audit_entries(store: Store, action: str) -> list[dict]:
    return db.records(f"SELECT user_id, table_name, target_ids, detail FROM {store.relation('audit')}"
                      " WHERE action = ? ORDER BY table_name", [action])


def check(store: Store, record_id: str, outcome: str, *, table: str = "patrols", version: int = 1, by: str = "S1",
          sid: str | None = None, **extra):
    return save_review(store=store, user=user(by), table=table, record_id=record_id, version=version,
                       outcome=outcome, submission_id=sid or f"{record_id}-{version}-{outcome}", **extra)


# -- saving a check ---------------------------------------------------------------------------------


def test_a_pass_is_saved_once_against_the_version_read(store):
    before = count_rows(store, "quality_reviews")
    saved = check(store, "pf2", "pass")
    check(store, "pf2", "pass")  # a second tap
    assert count_rows(store, "quality_reviews") == before + 1
    row = store.get("quality_reviews", saved.record_id)
    assert (row["table_name"], row["target_id"], row["target_version"], row["reviewer_id"], row["outcome"]) == (
        "patrols", "pf2", 1, "S1", "pass")
    assert "pf2" not in set(list_queue(store, user=user("S1"), since=FEB)["record_id"])


@pytest.mark.parametrize(("outcome", "extra", "field"), [
    ("advice", {}, "comment"),
    ("returned", {"comment": "   "}, "comment"),
    ("pass", {"faults": ["Vague outcome"]}, "faults"),
    ("returned", {"comment": "Fix it", "faults": ["Made up fault"]}, "faults"),
    ("fine", {}, "outcome"),
    ("pass", {"version": 2}, "record"),
])
def test_bad_checks_name_the_field_and_write_nothing(store, outcome, extra, field):
    before = count_rows(store, "quality_reviews")
    with pytest.raises(ValidationError) as caught:
        check(store, "pf2", outcome, **extra)
    assert field in caught.value.errors
    assert count_rows(store, "quality_reviews") == before


@pytest.mark.parametrize(("who", "record", "message"), [
    ("S2", "pf2", "outside your area"),  # another area's supervisor
    ("P1", "pf2", "may not dip check"),  # an officer
    ("CM", "pf2", "may not dip check"),  # a commander
])
def test_checks_are_refused_outside_a_supervisors_own_area(store, who, record, message):
    before = count_rows(store, "quality_reviews")
    with pytest.raises(NotAllowed, match=message):
        check(store, record, "pass", by=who)
    with pytest.raises(NotAllowed):
        get_check_record(store, user=user(who), table="patrols", record_id=record)
    assert count_rows(store, "quality_reviews") == before


def test_nobody_checks_their_own_record(store):
    save_record = {"officer_id": "S1", "patrol_type": "Foot patrol", "start": dt.datetime(2025, 3, 9, 9),
                   "end": dt.datetime(2025, 3, 9, 10), "area_code": "A1", "ward_code": "W1"}
    store.save("patrols", save_record, user="S1", submission_id="own")
    assert "own" not in set(list_queue(store, user=user("S1"), since=FEB)["record_id"])
    with pytest.raises(NotAllowed, match="your own record"):
        check(store, "own", "pass")


# -- returned, fixed, checked again ------------------------------------------------------------------


def test_return_and_fix_flow_end_to_end(store):
    officer, supervisor = user("P3"), user("S1")
    check(store, "pf2", "returned", comment="Say what the tasking was", faults=["Too little detail"])

    mine = list_my_activity(store, user=user("P3"))
    top = mine.iloc[0]
    assert (top.record_id, top.returned, top.status, top.review_comment, top.reviewer) == (
        "pf2", True, "returned", "Say what the tasking was", "Sgt Sue")
    queue = list_queue(store, user=supervisor, since=FEB).set_index("record_id")
    assert queue.loc["pf2", "state"] == "awaiting_fix"

    edit_record(store=store, table="patrols", record_id="pf2", changes={"tasking": "Shop theft hotspot, 3 visits"},
                user=officer, submission_id="fix-pf2", base_version=store.get("patrols", "pf2")["version"])
    assert not list_my_activity(store, user=user("P3"))["returned"].any(), "the fix clears the return"
    queue = list_queue(store, user=supervisor, since=dt.date(2025, 3, 1)).set_index("record_id")
    assert queue.loc["pf2", ["state", "version", "last_version"]].tolist() == ["recheck", 2, 1], \
        "the fixed record comes back, even from before the queue's dates"
    assert queue.index[0] == "pf2", "re-checks come first"

    with pytest.raises(ValidationError, match="changed this record"):
        check(store, "pf2", "pass", version=1, sid="stale")
    check(store, "pf2", "pass", version=2)
    assert "pf2" not in set(list_queue(store, user=supervisor, since=FEB)["record_id"])
    assert list(list_reviews(store, user=supervisor, table="patrols", record_id="pf2")["outcome"]) == [
        "returned", "pass"]

    figures = quality_by_area_month(store, user=supervisor, start=FEB, end=dt.date(2025, 2, 28)).iloc[0]
    assert (figures.checked, figures.passed, figures.returned) == (4, 1, 2), "a first check counts, not the re-check"
    assert "Too little detail (1)" in figures.common_faults


# -- personal data and the export ---------------------------------------------------------------------


def answer_views(store: Store) -> list[dict]:
    return [e for e in audit_entries(store, "view_personal") if e["detail"] == PERSONAL_DETAIL]


def test_diversity_answers_only_on_request_and_audited(store):
    shown = get_check_record(store, user=user("S1"), table="ccrs", record_id="cf1")
    assert shown["diversity_consent"] is True
    assert not {"age_band", "ethnicity", "religion", "sex", "disability"} & set(shown)
    assert answer_views(store) == []

    answers = view_personal_answers(store=store, user=user("S1"), record_id="cf1")
    assert (answers["age_band"], answers["ethnicity"], answers["sex"]) == ("25-34", "W1", None)
    (entry,) = answer_views(store)
    assert (entry["user_id"], entry["table_name"], list(entry["target_ids"])) == ("S1", "ccrs", ["cf1"])

    for who in ("S2", "P1", "AN"):
        with pytest.raises(NotAllowed):
            view_personal_answers(store=store, user=user(who), record_id="cf1")
    assert len(answer_views(store)) == 1, "a refused view is not a view"


def test_team_export_is_audited_and_neutralised(store):
    data = export_team_submissions(store=store, user=user("S1"), start=FEB, end=END)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Events", "CCRs", "Patrols", "Abstractions"]
    patrols = book["Patrols"]
    header = [c.value for c in patrols[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in patrols.iter_rows(min_row=2)]
    assert [r["record_id"] for r in rows] == ["pf1", "pf2", "pm1", "pm2", "pm3"], "team A1 only, oldest first"
    pm2 = next(r for r in rows if r["record_id"] == "pm2")
    for field, text in FORMULA_TEXT.items():
        assert pm2[field] == "'" + text
    assert all(c.data_type != "f" for row in patrols.iter_rows() for c in row), "no cell is a formula"
    pm1 = next(r for r in rows if r["record_id"] == "pm1")
    assert (pm1["officer_name"], pm1["last_check"], pm1["last_check_comment"]) == ("Pat One", "returned",
                                                                                 "Which issues?")
    ccr_header = [c.value for c in book["CCRs"][1]]
    assert "diversity_consent" in ccr_header and not {"age_band", "ethnicity"} & set(ccr_header)

    entries = {e["table_name"]: e for e in audit_entries(store, "export")}
    assert set(entries) == {"events", "ccrs", "patrols", "abstractions"}
    assert sorted(entries["patrols"]["target_ids"]) == ["pf1", "pf2", "pm1", "pm2", "pm3"]
    assert sorted(entries["ccrs"]["target_ids"]) == ["cf1", "cm1"]
    assert all(e["user_id"] == "S1" and "A1" in e["detail"] for e in entries.values())


@pytest.mark.parametrize("who", ["P1", "CM", "AN"])
def test_only_supervisors_export_their_team(store, who):
    with pytest.raises(NotAllowed):
        export_team_submissions(store=store, user=user(who), start=FEB, end=END)
    assert audit_entries(store, "export") == []
    other = export_team_submissions(store=store, user=user("S2"), start=FEB, end=END)
    ids = [c.value for c in openpyxl.load_workbook(io.BytesIO(other))["Patrols"]["A"][1:]]
    assert ids == ["q1"], "another area's supervisor exports their own team only"
