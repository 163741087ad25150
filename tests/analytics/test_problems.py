"""Problems by stage, one problem's analysis and its assessment, against figures worked out by hand from
tests/analytics/problem_fixture.py."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest

from analytics import problems
from analytics.__main__ import main
from analytics.filters import Filters
from data.access import NotAllowed
from data.store import Store
from forms.problems import get_problem
from tests.analytics.problem_fixture import AS_OF, build_problem_store, record_ids, user


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return build_problem_store(tmp_path_factory.mktemp("problems") / "store")


def _rows(frame) -> dict:
    return {(r["area_code"], r["stage"]): r for r in frame.to_dict("records")}


def test_problems_by_stage_per_area_with_ages(store):
    frame = problems.problems_by_stage(store, Filters(end=AS_OF), user=user("AN"))
    assert tuple(frame.columns) == problems.BY_STAGE_COLUMNS
    assert len(frame) == 10 and list(frame["stage"][:5]) == list(problems.STAGES)
    rows = _rows(frame)
    # pr2 opened 1 Apr, 90 days to 30 Jun, review 29 Apr overdue; pr3 opened 20 Jun: 10 days;
    # pr1 opened 1 Mar: 121 days; pr4 opened 15 Jan, closed 30 May: 135 days.
    scanning = rows[("A1", "scanning")]
    assert (scanning["problems"], scanning["days_31_to_90"], scanning["reviews_overdue"]) == (1, 1, 1)
    assert (rows[("A1", "analysis")]["under_31_days"], rows[("A1", "analysis")]["mean_age_days"]) == (1, 10.0)
    assert (rows[("A1", "assessment")]["over_90_days"], rows[("A1", "assessment")]["oldest_age_days"]) == (1, 121)
    closed = rows[("A2", "closed")]
    assert (closed["problems"], closed["oldest_age_days"], closed["reviews_overdue"]) == (1, 135, 0)
    assert rows[("A1", "response")]["problems"] == 0 and math.isnan(rows[("A1", "response")]["mean_age_days"])
    assert int(frame["problems"].sum()) == 4


def test_by_stage_is_narrowed_to_the_area_wards_and_date(store):
    mine = problems.problems_by_stage(store, Filters(end=AS_OF), user=user("P1"))
    assert set(mine["area_code"]) == {"A1"} and int(mine["problems"].sum()) == 3
    w2 = problems.problems_by_stage(store, Filters(end=AS_OF, wards=("W2",)), user=user("C1"))
    assert int(w2["problems"].sum()) == 2  # pr2 and pr3
    early = problems.problems_by_stage(store, Filters(end=dt.date(2025, 3, 31)), user=user("C1"))
    assert int(early["problems"].sum()) == 2  # pr1 and pr4 were open by then
    with pytest.raises(NotAllowed):
        problems.problems_by_stage(store, Filters(areas=("A2",)), user=user("P1"))
    with pytest.raises(NotAllowed):
        problems.problems_by_stage(store, None, user=user("AD"))


def test_list_and_the_problems_answering_an_item(store):
    listed = problems.list_problems(store, Filters(end=AS_OF), user=user("C1"))
    assert list(listed["title"]) == ["Shed break-ins", "Verge parking", "Park fires", "Racing"]
    assert listed.set_index("title").loc["Park fires", "wards"] == "Castle, Abbey"
    assert tuple(listed.set_index("title").loc["Verge parking", ["actions", "actions_done", "items"]]) == (1, 1, 1)
    ids = record_ids(store)
    answering = problems.problems_for_item(store, ids["y1"], user=user("C1"))
    assert list(answering["title"]) == ["Verge parking"]
    assert problems.problems_for_item(store, ids["y1"], user=user("P2")).empty  # another area's problem


def test_analysis_pulls_the_wards_crime_and_what_residents_raised(store):
    pr1 = get_problem(store, record_ids(store)["pr1"], user=user("P1"))
    analysis = problems.problem_analysis(store, pr1, user=user("P1"))
    assert (analysis.start, analysis.end) == (dt.date(2024, 3, 15), dt.date(2025, 3, 14))
    assert analysis.by_month.to_dict("records") == [
        {"month": pd.Timestamp(2025, 1, 1), "crimes": 2, "asb": 1},
        {"month": pd.Timestamp(2025, 2, 1), "crimes": 0, "asb": 1}]
    assert analysis.issues.to_dict("records") == [{"issue": "Parking", "count": 2}, {"issue": "ASB", "count": 1}]
    assert list(analysis.items["issue_category"]) == ["Parking"]


def test_analysis_counts_a_month_held_with_nothing_in_the_wards_as_zero(store):
    pr2 = get_problem(store, record_ids(store)["pr2"], user=user("P3"))  # W2, no response yet
    analysis = problems.problem_analysis(store, pr2, user=user("P3"), today=AS_OF)
    assert (analysis.start, analysis.end) == (dt.date(2024, 7, 1), AS_OF)
    assert [(m.month, c, a) for m, c, a in analysis.by_month.itertuples(index=False)] == [
        (1, 0, 0), (2, 5, 0), (4, 0, 0), (5, 0, 0)]
    assert analysis.issues.empty and analysis.items.empty


def test_assessment_before_and_after_the_response(store):
    pr1 = get_problem(store, record_ids(store)["pr1"], user=user("P1"))
    # 56 days: before 18 Jan - 14 Mar (Feb's crime month: 1 ASB; the CCR of 10 Feb with 2 issues and the
    # event of 20 Feb with 1), after 1 Apr - 26 May (Apr: 1 burglary, May: 2 ASB; the CCR of 5 May with 1
    # issue, the patrol of 10 May).
    assert problems.assessment_window(pr1, days=56) == (dt.date(2025, 1, 18), dt.date(2025, 3, 14),
                                                        dt.date(2025, 4, 1), dt.date(2025, 5, 26))
    frame = problems.assessment(store, pr1, user=user("P1"), days=56).set_index("measure")
    assert frame[["before", "after", "change"]].to_dict("index") == {
        "crimes": {"before": 0, "after": 1, "change": 1}, "asb": {"before": 1, "after": 2, "change": 1},
        "issues_raised": {"before": 3, "after": 1, "change": -2},
        "engagement": {"before": 2, "after": 2, "change": 0}}
    assert frame["pct_change"].isna()["crimes"]
    assert frame.loc["asb", "pct_change"] == 1.0 and frame.loc["issues_raised", "pct_change"] == pytest.approx(-2 / 3)
    # 91 days reach back to 14 Dec: January's crime month (2 burglaries, 1 ASB) counts too.
    wider = problems.assessment(store, pr1, user=user("P1"), days=91).set_index("measure")
    assert (wider.loc["crimes", "before"], wider.loc["asb", "before"]) == (2, 2)


def test_no_assessment_without_the_response_dates(store):
    pr2 = get_problem(store, record_ids(store)["pr2"], user=user("P3"))
    assert problems.assessment(store, pr2, user=user("P3")).empty


def test_an_empty_store_has_no_problems(tmp_path):
    empty = Store(tmp_path / "empty")
    empty.create()
    assert problems.problems_by_stage(empty, None, user=user("AN")).empty
    assert problems.list_problems(empty, None, user=user("AN")).empty


def test_the_command_prints_the_same_figures(store, capsys):
    assert main(["problems", "--store", str(store.root), "--end", AS_OF.isoformat(), "--json"]) == 0
    rows = {(r["area_code"], r["stage"]): r for r in json.loads(capsys.readouterr().out)}
    assert len(rows) == 10
    assert (rows[("A2", "closed")]["problems"], rows[("A2", "closed")]["oldest_age_days"]) == (1, 135)
    assert rows[("A1", "response")]["mean_age_days"] is None
    assert main(["problems", "--store", str(store.root), "--end", AS_OF.isoformat(), "--area", "A1"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[2].split() == ["North", "Scanning", "1", "0", "1", "0", "90.0", "90", "1"]
    assert table[-1] == "3 problems, 3 open, 1 reviews overdue."


def test_the_command_on_an_empty_store(tmp_path, capsys):
    Store(tmp_path / "empty").create()
    assert main(["problems", "--store", str(tmp_path / "empty")]) == 0
    assert capsys.readouterr().out == "No problems.\n"


def test_the_command_prints_one_problems_assessment(store, capsys):
    pr1 = record_ids(store)["pr1"]
    assert main(["problems", "--store", str(store.root), "--id", pr1, "--days", "56"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["Verge parking (Assessment)",
                         "Before: 18 Jan 2025 - 14 Mar 2025. After: 01 Apr 2025 - 26 May 2025."]
    assert lines[4].split() == ["Anti-social", "behaviour", "1", "2", "+1", "+100%"]
    assert main(["problems", "--store", str(store.root), "--id", pr1, "--days", "56", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(m["measure"], m["before"], m["after"]) for m in report["measures"]] == [
        ("crimes", 0, 1), ("asb", 1, 2), ("issues_raised", 3, 1), ("engagement", 2, 2)]
    assert main(["problems", "--store", str(store.root), "--id", "nope"]) == 1
