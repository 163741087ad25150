"""Record-level lists and records are audited where they are read (search results, the dip-check queue and the
record a dip check opens), whatever page shows them; and nobody (no user row) is refused, never crashed on."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from analytics.quality import get_check_record, list_queue, list_team_submissions
from analytics.search import search
from data import db
from data.access import NotAllowed
from data.store import Store, ValidationError
from forms.dip_checks import export_team_submissions
from tests import officer_store, quality_store

FEB, END = dt.date(2025, 2, 1), dt.date(2025, 3, 31)


def views(store: Store, user_id: str) -> list[dict]:
    return db.records(f"SELECT table_name, target_ids, detail FROM {store.relation('audit')}"
                      " WHERE action = 'view_personal' AND user_id = ? ORDER BY written_at, table_name", [user_id])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("views")
    officer_store.build_officer_store(root / "officer")
    quality_store.build_quality_store(root / "quality")
    return root


@pytest.fixture
def officers(built, tmp_path) -> Store:
    shutil.copytree(built / "officer", tmp_path / "officer")
    return Store(tmp_path / "officer")


@pytest.fixture
def quality(built, tmp_path) -> Store:
    shutil.copytree(built / "quality", tmp_path / "quality")
    return Store(tmp_path / "quality")


# -- search -----------------------------------------------------------------------------------------


def test_search_results_are_audited_per_record_type_with_the_filters(officers):
    results = search(officers, user=officer_store.user("P1"), text="dealing", tables=("ccrs", "events"),
                     start=dt.date(2025, 3, 1))
    assert list(results["record_id"]) == ["c1"]
    (entry,) = views(officers, "P1")
    assert (entry["table_name"], list(entry["target_ids"])) == ("ccrs", ["c1"])
    assert entry["detail"] == ("Search: 1 of 1 results shown; text 'dealing'; tables ccrs, events;"
                               " start 2025-03-01")


def test_every_record_listed_is_named_once_per_search_and_data_version(officers):
    results = search(officers, user=officer_store.user("P1"), limit=5)
    entries = views(officers, "P1")
    logged = {(e["table_name"], i) for e in entries for i in e["target_ids"]}
    assert logged == set(zip(results["table_name"], results["record_id"], strict=True))
    assert {e["table_name"] for e in entries} == set(results["table_name"])
    assert all(e["detail"].startswith("Search: 5 of 8 results shown") for e in entries)
    search(officers, user=officer_store.user("P1"), limit=5)
    assert len(views(officers, "P1")) == len(entries), "the same results again (a rerun): logged once"
    officers.save("news", {"title": "Unrelated", "body": "x", "published_on": dt.date(2025, 3, 2)},
                  user="AD", submission_id="n-new")
    search(officers, user=officer_store.user("P1"), limit=5)
    assert len(views(officers, "P1")) == len(entries), "news is not searched: its new version changes nothing"


def test_a_search_finding_nothing_is_audited_too_and_control_characters_are_escaped(officers):
    assert search(officers, user=officer_store.user("P3"), text="nothing\x07here").empty
    (entry,) = views(officers, "P3")
    assert (entry["table_name"], list(entry["target_ids"])) == (None, [])
    assert entry["detail"] == "Search: 0 of 0 results shown; text 'nothing\\x07here'"


def test_a_refused_search_is_not_audited(officers):
    with pytest.raises(NotAllowed):
        search(officers, user={**officer_store.user("P1"), "role": "analyst"})
    assert views(officers, "P1") == []


# -- dip checks ---------------------------------------------------------------------------------------


def test_the_dip_check_queue_is_audited_per_record_type(quality):
    queue = list_queue(quality, user=quality_store.user("S1"), since=FEB)
    entries = views(quality, "S1")
    assert {e["table_name"]: sorted(e["target_ids"]) for e in entries} == {
        "ccrs": ["cm1"], "patrols": ["pf2", "pm1", "pm2"]}
    assert set(queue["record_id"]) == {"cm1", "pf2", "pm1", "pm2"}
    assert all(e["detail"] == "Dip-check queue of A1 from 2025-02-01: 4 records" for e in entries)
    list_queue(quality, user=quality_store.user("S1"), since=FEB)
    assert len(views(quality, "S1")) == 2, "a rerun showing the same queue logs nothing more"
    list_queue(quality, user=quality_store.user("S1"), since=dt.date(2025, 3, 1))
    assert len(views(quality, "S1")) == 4, "another period is another view"


def test_opening_a_record_to_check_is_audited_once_per_version(quality):
    record = get_check_record(quality, user=quality_store.user("S1"), table="ccrs", record_id="cf1")
    assert record["version"] == 2 and "age_band" not in record
    (entry,) = views(quality, "S1")
    assert (entry["table_name"], list(entry["target_ids"])) == ("ccrs", ["cf1"])
    assert entry["detail"] == "Dip check: opened version 2 of the record, without diversity answers"
    get_check_record(quality, user=quality_store.user("S1"), table="ccrs", record_id="cf1")
    assert len(views(quality, "S1")) == 1
    with pytest.raises(NotAllowed):
        get_check_record(quality, user=quality_store.user("S2"), table="ccrs", record_id="cf1")
    assert views(quality, "S2") == [], "a refused view is not a view"
    assert get_check_record(quality, user=quality_store.user("S1"), table="ccrs", record_id="\ud800") is None


# -- nobody -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("nobody", [None, {}, {"user_id": "S1"}, {"user_id": "S1", "role": "supervisor",
                                                                  "area_code": "A1", "active": False}])
def test_nobody_is_refused_not_crashed_on(quality, nobody):
    calls = [
        lambda: list_queue(quality, user=nobody, since=FEB),
        lambda: export_team_submissions(store=quality, user=nobody, start=FEB, end=END),
        lambda: list_team_submissions(quality, user=nobody, start=FEB, end=END),
        lambda: get_check_record(quality, user=nobody, table="patrols", record_id="pf1"),
    ]
    for call in calls:
        with pytest.raises(NotAllowed) as refused:
            call()
        assert refused.value.errors == {"record": "you are not signed in as an active Beatbook user"}
    assert quality.snapshot("audit").rows == 0


def test_a_team_export_needs_a_period(quality):
    for start, end in (("2025-02-01", END), (END, FEB), (dt.datetime(2025, 2, 1), END)):
        with pytest.raises(ValidationError) as refused:
            export_team_submissions(store=quality, user=quality_store.user("S1"), start=start, end=end)
        assert set(refused.value.errors) == {"period"}
