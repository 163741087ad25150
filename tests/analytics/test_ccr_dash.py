"""CCR outcomes and CCR activity query sets, against hand-computed figures.

Two stores: the shared fixture store (tests/analytics/conftest.py, March 2025:
c1, c2, c3 count; c4 is deleted, c5 is in February) and a "survey" store built
here with enough consented CCRs for breakdowns that are not all "<5".
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from analytics import ccr_dash, disclosure, sql
from analytics.filters import Filters
from analytics.privacy import HIDDEN, SMALL
from data.arrow_schema import SYSTEM_COLUMNS
from data.schema import DIVERSITY_FIELDS
from data.store import Store
from tests.analytics.conftest import MARCH, make_ccr, save
from tests.conftest import ANALYST

FILTERS = Filters(start=MARCH[0], end=MARCH[1])
TODAY = dt.date(2025, 4, 20)  # March 2025 has closed (7 days after its end) and is within retention

# -- the fixture store ----------------------------------------------------------------


def test_outcomes_headline(fixture_store):
    outcomes = ccr_dash.ccr_outcomes(fixture_store, FILTERS, user=ANALYST)
    assert outcomes.headline == {
        "ccrs": 3,  # c1, c2, c3 (c4 deleted, c5 in February)
        "ccr_info_submitted": 1,  # c1
        "ccrs_with_issues": 3,  # all three list issues
        "issue_mentions": 8,  # c1 2 + c2 3 + c3 3 (after its edit)
        "ccrs_diversity_consent": 2,  # c1, c3
        "consent_rate": pytest.approx(2 / 3),
        "smart_alert_signups": 1,  # c1
    }


def test_outcomes_top_issues(fixture_store):
    top = ccr_dash.ccr_outcomes(fixture_store, FILTERS, user=ANALYST).top_issues
    # Drugs c2+c3, Speeding c1+c3, Theft c1+c2; Burglary c3, Parking c2; ties alphabetical.
    assert top.to_dict("records") == [
        {"issue": "Drugs", "ccrs": 2}, {"issue": "Speeding", "ccrs": 2}, {"issue": "Theft", "ccrs": 2},
        {"issue": "Burglary", "ccrs": 1}, {"issue": "Parking", "ccrs": 1}]


def test_outcomes_places(fixture_store):
    outcomes = ccr_dash.ccr_outcomes(fixture_store, FILTERS, user=ANALYST)
    assert outcomes.by_area.to_dict("records") == [
        {"area_code": "A1", "name": "North", "ccrs": 2, "officers": 2, "ccrs_at_events": 0},  # c1 W1 P1, c3 W2 P2
        {"area_code": "A2", "name": "South", "ccrs": 1, "officers": 1, "ccrs_at_events": 0}]  # c2 W3 P3
    assert outcomes.by_ward[["ward_code", "ccrs"]].to_dict("records") == [
        {"ward_code": "W1", "ccrs": 1}, {"ward_code": "W2", "ccrs": 1}, {"ward_code": "W3", "ccrs": 1}]
    south = ccr_dash.ccr_outcomes(fixture_store, dataclasses.replace(FILTERS, areas=("A2",)), user=ANALYST)
    assert south.by_ward[["ward_code", "ccrs"]].to_dict("records") == [{"ward_code": "W3", "ccrs": 1}]


def _details(store: Store, filters: Filters) -> ccr_dash.CcrDetails:
    """The CCR details table as `ccr_details` reads it, without writing its audit entry."""
    return sql.cached(ccr_dash.ccr_details_over, store, filters, tables=ccr_dash.CCR_TABLES)


def test_details_are_record_level_without_diversity(fixture_store):
    table = _details(fixture_store, FILTERS)
    details = table.rows
    assert list(details.columns) == list(ccr_dash.DETAIL_COLUMNS)
    assert not set(DIVERSITY_FIELDS) & set(details.columns)
    assert not {"diversity_consent", "age", "gender"} & set(details.columns)
    assert details["record_id"].tolist() == ["c3", "c2", "c1"]  # latest first
    assert details.iloc[0][["area", "ward", "officer_id", "contact_method", "issues", "info_submitted"]].tolist() == [
        "North", "Abbey", "P2", "Face to face", "Speeding; Drugs; Burglary", False]
    assert table.total == 3


@pytest.mark.parametrize(("limit", "expected"), [(1, ["c3"]), (2, ["c3", "c2"]), (3, ["c3", "c2", "c1"]),
                                               (10, ["c3", "c2", "c1"])])
def test_details_keep_the_latest_rows_whatever_the_limit(fixture_store, monkeypatch, limit, expected):
    # The details query reads only the days holding the latest `limit` CCRs (c3 18 March,
    # c2 11 March, c1 3 March); the table must still be exactly the latest rows.
    monkeypatch.setattr(ccr_dash, "DETAIL_ROWS", limit)
    table = _details(fixture_store, FILTERS)
    assert table.rows["record_id"].tolist() == expected
    assert table.total == 3


def test_outcomes_breakdowns_withhold_an_area_month_of_two_people(fixture_store):
    outcomes = ccr_dash.ccr_outcomes(fixture_store, FILTERS, user=ANALYST, today=TODAY)
    breakdowns = outcomes.breakdowns
    assert list(breakdowns) == ["age_band", "religion", "sex", "disability", "ethnic_group", "ethnicity"]
    # Consented in March: c1 and c3, both A1: one area-month of 2 people (< 10), withheld from every
    # breakdown; A2's c2 did not consent. Nothing is counted.
    assert all(frame["count"].iloc[-1] == 0 for frame in breakdowns.values())
    assert outcomes.diversity.months == (dt.date(2025, 3, 1),) and outcomes.diversity.withheld == 1
    assert outcomes.diversity.respondents == 0
    assert "1 area-month with fewer than 10 people left out" in outcomes.diversity.describe()


def test_activity(fixture_store):
    activity = ccr_dash.ccr_activity(fixture_store, FILTERS, user=ANALYST)
    assert activity.headline == {"ccrs": 3, "officers": 3, "ccrs_at_events": 0}  # P1, P3, P2; no event ids
    assert activity.by_week.to_dict("records") == [  # Mondays: c1 3 Mar, c2 11 Mar (week of 10th), c3 18 Mar
        {"week": pd.Timestamp("2025-03-03"), "ccrs": 1}, {"week": pd.Timestamp("2025-03-10"), "ccrs": 1},
        {"week": pd.Timestamp("2025-03-17"), "ccrs": 1}]
    assert activity.by_area.to_dict("records") == [
        {"area_code": "A1", "name": "North", "ccrs": 2, "officers": 2, "ccrs_at_events": 0},
        {"area_code": "A2", "name": "South", "ccrs": 1, "officers": 1, "ccrs_at_events": 0}]
    assert activity.by_ward[["ward_code", "name", "ccrs"]].to_dict("records") == [
        {"ward_code": "W1", "name": "Castle", "ccrs": 1}, {"ward_code": "W2", "name": "Abbey", "ccrs": 1},
        {"ward_code": "W3", "name": "Riverside", "ccrs": 1}]
    assert activity.by_officer["officer_id"].tolist() == ["P1", "P2", "P3"]  # one each: by id
    assert activity.by_officer.equals(ccr_dash.ccr_outcomes(fixture_store, FILTERS, user=ANALYST).by_officer)
    assert activity.by_method.to_dict("records") == [
        {"contact_method": "Face to face", "ccrs": 2}, {"contact_method": "Telephone", "ccrs": 1}]


def test_officer_filter_narrows_both_pages(fixture_store):
    only_p1 = dataclasses.replace(FILTERS, officers=("P1",))
    assert ccr_dash.ccr_outcomes(fixture_store, only_p1, user=ANALYST).headline["ccrs"] == 1  # c1
    assert ccr_dash.ccr_activity(fixture_store, only_p1,
                                 user=ANALYST).headline == {"ccrs": 1, "officers": 1, "ccrs_at_events": 0}


def test_empty_range(fixture_store):
    empty = Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31))
    outcomes = ccr_dash.ccr_outcomes(fixture_store, empty, user=ANALYST)
    assert outcomes.headline["ccrs"] == 0 and outcomes.headline["consent_rate"] is None
    assert outcomes.top_issues.empty
    assert _details(fixture_store, empty).rows.empty
    assert outcomes.breakdowns["sex"]["count"].tolist() == [0, 0, 0, 0, 0]
    assert ccr_dash.ccr_activity(fixture_store, empty,
                                 user=ANALYST).headline == {"ccrs": 0, "officers": 0, "ccrs_at_events": 0}


# -- the survey store -------------------------------------------------------------------
#
# 12 consented CCRs in A1/W1, 3 to 14 March (i = 0..11, one a day):
#   officer P1 for i 0-7, P2 for i 8-11; at event e1 for i 0-1
#   age: 25-34 for i 0-6 (7), 65+ for i 7-8 (2), not answered i 9-11 (3)
#   sex: Female i 0-7 (8), Male i 8-11 (4)
#   ethnicity: W1 i 0-8 (9), A3 i 9-11 (3); religion never answered; disability "No" for all 12
# 2 CCRs without consent, P3, A2/W3, 20 March.
# 1 row without consent but WITH diversity answers (65+, Male, B1), written past the form's
#   validation as an old import might have: the queries must not count it. P3, A2/W3, 21 March.


def _survey_row(i: int) -> dict:
    return make_ccr(
        contact_at=dt.datetime(2025, 3, 3 + i, 10), officer_id="P1" if i < 8 else "P2",
        event_id="e1" if i < 2 else None, diversity_consent=True,
        age_band="25-34" if i < 7 else "65+" if i < 9 else None,
        sex="Female" if i < 8 else "Male", ethnicity="W1" if i < 9 else "A3", disability="No")


@pytest.fixture(scope="module")
def survey_store(tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("survey") / "store")
    store.create()
    for i in range(12):
        save(store, "ccrs", _survey_row(i), f"s{i}")
    for i in range(2):
        save(store, "ccrs", make_ccr(contact_at=dt.datetime(2025, 3, 20, 10 + i), officer_id="P3", area_code="A2",
                                     ward_code="W3"), f"n{i}")
    leaked = {**{f: None for f in ("place", "lat", "lon", "event_id", "issues_text", "info_text", "religion")},
              **make_ccr(contact_at=dt.datetime(2025, 3, 21, 10), officer_id="P3", area_code="A2", ward_code="W3"),
              "info_submitted": False, "smart_alert_signup": False, "diversity_consent": False,
              "age_band": "65+", "sex": "Male", "ethnicity": "B1", "disability": "Yes",
              "record_id": "leak", "version": 1, "deleted": False, "written_at": dt.datetime(2025, 3, 21, 10),
              "written_by": "import", "submission_id": "leak", "superseded": False, "reference": None}
    assert set(leaked) >= set(SYSTEM_COLUMNS)
    store.append_rows("ccrs", [leaked])
    return store


def test_survey_headline_counts_every_ccr(survey_store):
    outcomes = ccr_dash.ccr_outcomes(survey_store, FILTERS, user=ANALYST)
    assert outcomes.headline["ccrs"] == 15  # 12 consented + 2 + the leaked row
    assert outcomes.headline["ccrs_diversity_consent"] == 12
    assert outcomes.headline["consent_rate"] == pytest.approx(12 / 15)


def test_published_counts_ignore_answers_without_consent(survey_store):
    cells = {c["area_code"]: c for c in disclosure._count_month(survey_store, dt.date(2025, 3, 1))}
    assert cells["A1"]["respondents"] == 12 and "A2" not in cells  # A2 has no consented CCR: the leaked row is out
    raw = pd.DataFrame(cells["A1"]["counts"])
    raw["answer"] = raw["answer"].where(raw["answer"] != disclosure.NOT_ANSWERED, None)
    age = ccr_dash.count_consented_by(raw, "age_band").set_index("age_band")["count"]
    assert age["25-34"] == 7 and age["65+"] == 2 and age["Not answered"] == 3
    assert age.sum() == 12
    sex = ccr_dash.count_consented_by(raw, "sex").set_index("sex")["count"]
    assert sex.to_dict() == {"Female": 8, "Male": 4, "Prefer not to say": 0, "Not answered": 0}
    ethnicity = ccr_dash.count_consented_by(raw, "ethnicity").set_index("ethnicity")["count"]
    assert ethnicity["W1"] == 9 and ethnicity["A3"] == 3 and ethnicity["B1"] == 0
    disability = ccr_dash.count_consented_by(raw, "disability").set_index("disability")["count"]
    assert disability.to_dict() == {"Yes": 0, "No": 12, "Prefer not to say": 0, "Not answered": 0}
    religion = ccr_dash.count_consented_by(raw, "religion").set_index("religion")["count"]
    assert religion["Not answered"] == 12 and religion.sum() == 12


def test_survey_breakdowns_are_suppressed(survey_store):
    breakdowns = ccr_dash.ccr_outcomes(survey_store, FILTERS, user=ANALYST, today=TODAY).breakdowns
    age = breakdowns["age_band"].set_index("age_band")["count"]
    # 65+ 2 and Not answered 3 are "<5"; together 5 = 2+3, each could be 1..4: no secondary; total 12.
    assert (age["25-34"], age["65+"], age["Not answered"], age["Total"]) == (7, SMALL, SMALL, 12)
    sex = breakdowns["sex"].set_index("sex")["count"]
    # Male 4 alone would be 12 - 8: Female (8) is hidden too.
    assert (sex["Female"], sex["Male"], sex["Total"]) == (HIDDEN, SMALL, 12)
    groups = breakdowns["ethnic_group"].set_index("ethnic_group")["count"]
    # Asian 3 alone would be 12 - 9: White (9) is hidden too; Black stays 0 (the leaked B1 is not counted).
    assert (groups["White"], groups["Asian"], groups["Black"], groups["Total"]) == (HIDDEN, SMALL, 0, 12)
    detailed = breakdowns["ethnicity"]
    white_and_asian = detailed[detailed["ethnic_group"].isin(["White", "Asian"])]["count"]
    assert set(white_and_asian) == {HIDDEN}  # every detail of a hidden group, zeros too
    assert breakdowns["disability"].set_index("disability")["count"].to_dict() == {
        "Yes": 0, "No": 12, "Prefer not to say": 0, "Not answered": 0, "Total": 12}
    assert breakdowns["ethnicity"]["ethnicity"].iloc[0].endswith("(A1)")  # labels, with the code


def test_breakdown_totals_add_up_to_consented_ccrs(survey_store):
    for name, frame in ccr_dash.ccr_outcomes(survey_store, FILTERS, user=ANALYST, today=TODAY).breakdowns.items():
        assert frame["count"].iloc[-1] == 12, name


def test_survey_activity(survey_store):
    activity = ccr_dash.ccr_activity(survey_store, FILTERS, user=ANALYST)
    assert activity.headline == {"ccrs": 15, "officers": 3, "ccrs_at_events": 2}  # P1, P2, P3; i 0-1 at e1
    # Weeks: 3-9 March i 0-6 (7), 10-16 March i 7-11 (5), 17-23 March the three P3 rows.
    assert activity.by_week["ccrs"].tolist() == [7, 5, 3]
    assert activity.by_area.to_dict("records") == [
        {"area_code": "A1", "name": "A1", "ccrs": 12, "officers": 2, "ccrs_at_events": 2},  # no areas table here
        {"area_code": "A2", "name": "A2", "ccrs": 3, "officers": 1, "ccrs_at_events": 0}]
    assert activity.by_ward.empty  # no wards table here: the map has no wards to shade
    assert activity.by_officer[["officer_id", "ccrs", "ccrs_at_events"]].to_dict("records") == [
        {"officer_id": "P1", "ccrs": 8, "ccrs_at_events": 2}, {"officer_id": "P2", "ccrs": 4, "ccrs_at_events": 0},
        {"officer_id": "P3", "ccrs": 3, "ccrs_at_events": 0}]


def test_a_save_shows_on_the_next_call(survey_store, tmp_path):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(survey_store.root, root)
    store = Store(root)
    before = ccr_dash.ccr_activity(store, FILTERS, user=ANALYST).headline["ccrs"]
    save(store, "ccrs", make_ccr(contact_at=dt.datetime(2025, 3, 30, 10)), "late")
    assert ccr_dash.ccr_activity(store, FILTERS, user=ANALYST).headline["ccrs"] == before + 1


@pytest.mark.parametrize("filters", [FILTERS, dataclasses.replace(FILTERS, areas=("A1",)), Filters()])
def test_pages_agree_with_summary(fixture_store, filters):
    from analytics.queries import summary

    figures = summary(fixture_store, filters)
    outcomes = ccr_dash.ccr_outcomes(fixture_store, filters, user=ANALYST)
    for name in ("ccrs", "ccrs_diversity_consent", "smart_alert_signups"):
        assert outcomes.headline[name] == figures[name], name
    assert ccr_dash.ccr_activity(fixture_store, filters, user=ANALYST).headline["ccrs"] == figures["ccrs"]
