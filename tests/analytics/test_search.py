"""Global search: text, each filter, wildcards taken literally, the area rules, diversity answers only for who may."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.search import RESULT_COLUMNS, escape_like, get_record, search
from data import db
from data.access import NotAllowed
from data.schema import DIVERSITY_FIELDS
from tests.officer_store import build_officer_store, user


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_officer_store(tmp_path_factory.mktemp("officer") / "store")


def found(store, who: str = "P1", **kwargs) -> list[str]:
    return list(search(store, user=user(who), **kwargs)["record_id"])


def test_empty_search_lists_everything_visible_newest_first(store):
    # Shared records were saved last (newest): u3, u1 (P1's area only), g2, g1 (force-wide); then by
    # activity date: P1's area A1 (p1, c1, e1) and e2 in A2, which P1 attended; not c2 (P2's, in A2).
    assert found(store) == ["u3", "u1", "g2", "g1", "p1", "e2", "c1", "e1"]
    results = search(store, user=user("P1"))
    assert tuple(results.columns) == RESULT_COLUMNS
    assert set(results["total"]) == {8}
    e1 = results.set_index("record_id").loc["e1"]
    assert (e1["kind"], e1["area"], e1["ward"], e1["officer"]) == ("Event", "North", "Castle", "Pat One")
    assert e1["title"] == "Street meeting on the green"


@pytest.mark.parametrize(("text", "expected"), [
    ("green", ["e1"]),  # event title and place
    ("DRUG dealing", ["c1"]),  # CCR issues text, any case
    ("verges", []),  # P2's CCR in the other area
    ("asb hotspot", ["p1"]),  # patrol tasking
    ("moved on", ["p1"]),  # patrol outcomes
    ("volunteers", ["g1"]),  # good practice action
    ("road safety", ["g1"]),  # good practice tag
    ("verger", ["u1"]),  # useful information body, own area
    ("keyholder", ["u1"]),  # the other area's "Mosque keyholder" is not found
    ("market", ["c1"]),  # CCR place
    ("nothing like this", []),
])
def test_text_finds_records(store, text, expected):
    assert found(store, text=text) == expected


def test_wildcards_are_taken_literally(store):
    assert escape_like("100%_\\") == "%100\\%\\_\\\\%"
    assert found(store, text="%") == ["e1"]  # only "100% of schools" holds a percent sign
    assert found(store, text="100%") == ["e1"]
    assert found(store, text="_") == ["e2"]  # only "Cafe_Nero" holds an underscore
    assert found(store, text="e_n") == ["e2"]


def test_useful_information_is_searched_in_the_users_own_area_only(store):
    assert found(store, "P2", text="keyholder") == ["u2"]
    assert found(store, "P2", tables=("useful_info",)) == ["u2"]
    assert found(store, "P1", tables=("useful_info",), areas=("A2",)) == []
    assert found(store, "P1", tables=("useful_info",)) == ["u3", "u1"]
    assert list(search(store, user={**user("P1"), "area_code": None}, tables=("useful_info",))["record_id"]) == []


def test_team_records_are_searched_in_the_users_own_area_and_their_own_elsewhere(store):
    assert found(store, "P2") == ["u2", "g2", "g1", "c2", "e2"]  # A2's records; good practice force-wide
    assert found(store, "P2", text="verges") == ["c2"]
    assert found(store, "P3") == ["u3", "u1", "g2", "g1", "p1", "c1", "e1"]  # A1 only: P3 attended nothing in A2
    assert found(store, "S1", areas=("A2",)) == ["g2"]
    assert found(store, "P1", areas=("A2",)) == ["g2", "e2"]  # e2: P1 attended it


@pytest.mark.parametrize("who", ["AD", "inactive", "nobody"])
def test_search_needs_team_records(store, who):
    users = {"AD": user("AD"), "inactive": {**user("P1"), "active": False}, "nobody": {}}
    with pytest.raises(NotAllowed):
        search(store, user=users[who])
    with pytest.raises(NotAllowed):
        get_record(store, table="events", record_id="e1", user=users[who])


def test_filter_by_record_type(store):
    assert found(store, tables=("events", "patrols")) == ["p1", "e2", "e1"]
    with pytest.raises(ValueError):
        search(store, user=user("P1"), tables=("users",))


def test_filter_by_date_range(store):
    assert found(store, start=dt.date(2025, 3, 4), end=dt.date(2025, 3, 6)) == ["e2", "c1"]
    assert found(store, end=dt.date(2025, 3, 3)) == ["e1"]


def test_filter_by_area_and_ward(store):
    assert found(store, areas=("A2",)) == ["g2", "e2"]
    assert found(store, wards=("W1",)) == ["p1", "e1"]  # records without a ward drop out
    assert found(store, areas=("A1",), wards=("W2",)) == ["c1"]


def test_filter_by_officer(store):
    # e2: P1 attended it; g1: P1 shared it; u1/u3 were filed by S1.
    assert found(store, officers=("P1",)) == ["g1", "p1", "e2", "c1", "e1"]
    assert found(store, officers=("S1",)) == ["u3", "u1"]


def test_filter_by_issue_category(store):
    assert found(store, issues=("Speeding",)) == ["g1", "e1"]  # a good-practice tag counts
    assert found(store, issues=("Drugs", "Parking")) == ["c1"]


def test_results_never_carry_diversity_answers_nor_do_others_opened_records(store):
    results = search(store, user=user("P1"), text="drug")
    assert not set(DIVERSITY_FIELDS) & set(results.columns)
    assert "W1" not in results.astype(str).to_numpy().ravel().tolist()
    record = get_record(store, table="ccrs", record_id="c1", user=user("P3"))  # same area, not P3's CCR
    assert record["issues_text"] == "Drug dealing by the park"
    assert not set(DIVERSITY_FIELDS) & set(record)
    assert "diversity_consent" in record
    entries = store.snapshot("audit").relation()
    logged = db.rows(f"SELECT action, target_ids, detail FROM {entries} WHERE user_id = 'P3'"
                                 " AND detail LIKE 'Search: opened%'")
    assert logged == [("view_personal", ["c1"], "Search: opened a CCR, without diversity answers")]


def test_the_recording_officer_and_the_areas_supervisor_see_the_answers(store):
    audited = store.snapshot("audit").rows
    mine = get_record(store, table="ccrs", record_id="c1", user=user("P1"))
    assert (mine["age_band"], mine["ethnicity"]) == ("25-34", "W1")
    assert store.snapshot("audit").rows == audited, "one's own answers are not an audited view"
    checked = get_record(store, table="ccrs", record_id="c1", user=user("S1"))
    assert (checked["age_band"], checked["ethnicity"]) == ("25-34", "W1")
    entries = store.snapshot("audit").relation()
    logged = db.rows(f"SELECT user_id, action, table_name, target_ids, detail FROM {entries}"
                                 " WHERE user_id = 'S1' AND detail LIKE 'Search: opened%'")
    assert logged == [("S1", "view_personal", "ccrs", ["c1"], "Search: opened a CCR, with diversity answers")]
    get_record(store, table="ccrs", record_id="c1", user=user("S1"))  # the same view again: logged once
    assert store.snapshot("audit").rows == audited + 1
    other_supervisor = {**user("S1"), "user_id": "S2", "area_code": "A2"}
    assert get_record(store, table="ccrs", record_id="c1", user=other_supervisor) is None


def test_opening_a_record_respects_the_area_rule(store):
    assert get_record(store, table="useful_info", record_id="u1", user=user("P1"))["title"] == "Church keyholder"
    assert get_record(store, table="useful_info", record_id="u1", user=user("P2")) is None
    assert get_record(store, table="events", record_id="nope", user=user("P1")) is None
    assert get_record(store, table="users", record_id="P1", user=user("P1")) is None


def test_limit_keeps_the_total(store):
    results = search(store, user=user("P1"), limit=2)
    assert list(results["record_id"]) == ["u3", "u1"]
    assert set(results["total"]) == {8}


@pytest.fixture(scope="module")
def numbered(tmp_path_factory):
    """The officer store with problems q1 (A1, wards W1 and W2, P1's) and q2 (A2, P2's), then community queries
    cq1 (A1/W1, P1's), cq2 (A1/W2, P3's) and cq3 (A2/W3, P2's), saved in that order: PRB-1, PRB-2, CQ-1 to CQ-3."""
    store = build_officer_store(tmp_path_factory.mktemp("numbered") / "store")
    for rid, area, wards, owner in (("q1", "A1", ["W1", "W2"], "P1"), ("q2", "A2", ["W3"], "P2")):
        store.save("problems", {"title": f"Problem {rid}", "statement": "Cars racing at night", "owner_id": owner,
                                "area_code": area, "ward_codes": wards, "opened_on": dt.date(2025, 3, 1),
                                "review_on": dt.date(2025, 4, 1), "change": "Opened"}, user=owner, submission_id=rid)
    for rid, area, ward, officer in (("cq1", "A1", "W1", "P1"), ("cq2", "A1", "W2", "P3"), ("cq3", "A2", "W3", "P2")):
        store.save("community_queries", {"received_at": dt.datetime(2025, 3, 10, 9), "channel": "Phone",
                                         "area_code": area, "ward_code": ward, "topic": "Speeding",
                                         "officer_id": officer, "summary": f"When is the next meeting? ({rid})"},
                   user=officer, submission_id=rid)
    for rid, area, ward, officer, category in (("y1", "A1", "W1", "P1", "Speeding"),
                                               ("y2", "A2", "W3", "P2", "Parking")):
        store.save("ysywd", {"issue_category": category, "issue_text": f"Raised at the surgery ({rid})",
                             "source": "meeting", "area_code": area, "ward_code": ward,
                             "raised_on": dt.date(2025, 3, 12), "status": "feedback_given",
                             "actions": [{"action_type": "Enforcement", "text": f"Speed checks on Cowley Road ({rid})",
                                          "date": dt.date(2025, 3, 14), "officer_id": officer}],
                             "feedback": [{"date": dt.date(2025, 3, 20), "channel": "Community messaging",
                                           "text": f"Told the residents' association ({rid})"}]},
                   user=officer, submission_id=rid)
    return store


def test_problems_and_community_queries_are_found_by_their_short_reference(numbered):
    store = numbered
    assert [store.get("problems", r)["reference"] for r in ("q1", "q2")] == [1, 2]
    assert [store.get("community_queries", r)["reference"] for r in ("cq1", "cq2", "cq3")] == [1, 2, 3]
    assert found(store, text="PRB-1") == ["q1"] and found(store, text="prb 1") == ["q1"]
    assert found(store, text="CQ-2") == ["cq2"] and found(store, text="cq2") == ["cq2"]
    assert found(store, text="PRB-2") == [] and found(store, text="CQ-3") == [], "another area's: not P1's to see"
    assert found(store, "P2", text="PRB-2") == ["q2"] and found(store, "P2", text="CQ-3") == ["cq3"]
    # The number alone, as told over the radio: each record type's number 2 that P1 may see.
    assert found(store, text="2", tables=["problems", "community_queries"]) == ["cq2"]
    results = search(store, user=user("P1"), text="PRB-1").set_index("record_id")
    assert (results.at["q1", "kind"], results.at["q1", "reference"], results.at["q1", "ward"]) == \
        ("Problem", 1, "Castle")
    assert found(store, tables=["problems"], wards=["W2"]) == ["q1"], "a problem is in each of its wards"
    assert found(store, tables=["community_queries"], issues=["Speeding"]) == ["cq1", "cq2"]
    assert get_record(store, table="community_queries", record_id="cq2", user=user("P1"))["reference"] == 2
    assert get_record(store, table="community_queries", record_id="cq3", user=user("P1")) is None


def test_you_said_we_did_items_are_found_by_what_was_said_done_and_told_and_by_reference(numbered):
    """y1 (A1/W1, raised by P1) and y2 (A2/W3, by P2): YS-1 and YS-2."""
    store = numbered
    assert [store.get("ysywd", r)["reference"] for r in ("y1", "y2")] == [1, 2]
    assert found(store, text="surgery") == ["y1"]  # what was said; y2 is another area's, not P1's
    assert found(store, text="cowley road") == ["y1"]  # what was done
    assert found(store, text="residents' association") == ["y1"]  # what the community was told
    assert found(store, text="YS-1") == ["y1"] and found(store, text="ys 2") == []
    assert found(store, "P2", text="YS-2") == ["y2"]
    assert found(store, text="1", tables=["ysywd"]) == ["y1"]
    assert found(store, tables=["ysywd"], issues=["Speeding"]) == ["y1"]
    assert found(store, tables=["ysywd"], issues=["Parking"]) == []
    assert found(store, tables=["ysywd"], start=dt.date(2025, 3, 13)) == []  # raised on 12 Mar
    row = search(store, user=user("P1"), text="YS-1").iloc[0]
    assert (row["kind"], row["title"], row["ward"], row["officer"], row["summary"]) == \
        ("You said, we did", "Speeding", "Castle", "Pat One", "feedback given: Raised at the surgery (y1)")
