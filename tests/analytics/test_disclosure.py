"""Diversity breakdowns cannot be differenced into anyone's answers: the attack itself, over known answers.

The fixture: area A1, 2025. Officer P1 met 25 people, one a day on days spread
over February to December, each consenting with answers known here. Other
officers met 12 more consenting people in A1 every month (the background that
makes an area-month publishable), and 3 a month in A2 (too few: withheld).
"Today" is 10 January 2026: December has closed, and diversity retention (12
months) still holds every answer from February 2025.

The attack is the one an insider ran against the old page: the breakdowns for
one officer over 365 days ending on a contact's day, minus the same ending the
day before. Where the difference is one person, the attacker reads their
answers; elsewhere they fall back on the best blind guess (each question's
most common answer among everyone met, which is more than a real attacker
knows). Recovery must be no better than that blind guess.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from analytics import ccr_dash, disclosure
from analytics.filters import Filters
from data import picklists
from data.store import Store, new_submission_id
from tests.analytics.conftest import make_ccr
from tests.conftest import ANALYST

TODAY = dt.date(2026, 1, 10)
QUESTIONS = {"age_band": picklists.AGE_BANDS, "sex": picklists.SEXES, "religion": picklists.RELIGIONS,
             "disability": picklists.DISABILITY}
TARGETS = 25


def target(i: int) -> tuple[dt.datetime, dict[str, str]]:
    """Person i met by P1: the day (5 Feb 2025 + 13 i days, never the 1st) and their known answers."""
    day = dt.datetime(2025, 2, 5, 10) + dt.timedelta(days=13 * i)
    if day.day == 1:
        day += dt.timedelta(days=1)
    return day, {"age_band": picklists.AGE_BANDS[i % 7], "sex": picklists.SEXES[i % 2],
                 "religion": picklists.RELIGIONS[(3 * i) % 8], "disability": picklists.DISABILITY[i % 2]}


def background(month: int, j: int, area: str) -> dict:
    answers = {"age_band": picklists.AGE_BANDS[(j + month) % 3 + 2], "sex": picklists.SEXES[(j * month) % 2],
               "religion": picklists.RELIGIONS[j % 2], "disability": "No"}
    return make_ccr(contact_at=dt.datetime(2025, month, 2 + j, 15), area_code=area,
                    ward_code="W1" if area == "A1" else "W3", officer_id=f"Q{j % 4}", diversity_consent=True,
                    **answers)


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> tuple[Store, list[tuple[dt.datetime, dict]]]:
    store = Store(tmp_path_factory.mktemp("disclosure") / "store")
    store.create()
    people = [target(i) for i in range(TARGETS)]
    rows = [(make_ccr(contact_at=day, officer_id="P1", diversity_consent=True, **answers), None, None)
            for day, answers in people]
    rows += [(background(month, j, "A1"), None, None) for month in range(2, 13) for j in range(12)]
    rows += [(background(month, j, "A2"), None, None) for month in range(2, 13) for j in range(3)]
    store.save_many("ccrs", rows, user="tester", submission_id="survey")
    return store, people


def _numbers(outcomes: ccr_dash.CcrOutcomes, field: str) -> dict[str, int | None]:
    frame = outcomes.breakdowns[field].set_index(field)["count"].drop("Total")
    return {answer: count if isinstance(count, int) else None for answer, count in frame.items()}


def run_attack(store: Store, people: list[tuple[dt.datetime, dict]]) -> tuple[int, int, int]:
    """(answers recovered right, answers a blind guess gets right, people isolated by a difference)."""
    everyone = [answers for _, answers in people] + [
        {q: background(m, j, "A1")[q] for q in QUESTIONS} for m in range(2, 13) for j in range(12)]
    blind = {q: max(QUESTIONS[q], key=lambda a, q=q: sum(p[q] == a for p in everyone)) for q in QUESTIONS}
    attack = blind_right = isolated = 0
    for day, answers in people:
        end = day.date()
        window = Filters(start=end - dt.timedelta(days=364), end=end, officers=("P1",))
        before = dataclasses.replace(window, start=window.start - dt.timedelta(days=1), end=end - dt.timedelta(days=1))
        with_them = ccr_dash.ccr_outcomes(store, window, user=ANALYST, today=TODAY)
        without = ccr_dash.ccr_outcomes(store, before, user=ANALYST, today=TODAY)
        alone = False
        for question in QUESTIONS:
            a, b = _numbers(with_them, question), _numbers(without, question)
            changes = {k: a[k] - b[k] for k in a if a[k] is not None and b[k] is not None and a[k] != b[k]}
            if len(changes) == 1 and list(changes.values()) == [1]:
                guess, alone = next(iter(changes)), True
            else:
                guess = blind[question]
            attack += guess == answers[question]
            blind_right += blind[question] == answers[question]
        isolated += alone
    return attack, blind_right, isolated


def test_the_differencing_attack_recovers_no_more_than_a_blind_guess(survey):
    store, people = survey
    attack, blind, isolated = run_attack(store, people)
    assert isolated == 0, "no pair of views isolates one person"
    assert attack <= blind, f"the attack got {attack} of {4 * TARGETS} answers right, a blind guess {blind}"
    # The fixture's answers are spread: a blind guess is far from recovering them.
    assert blind < 2 * TARGETS


def test_any_view_inside_another_differs_from_it_by_whole_cells_of_at_least_ten_people(survey):
    store, _ = survey
    months = [dt.date(2025, m, 1) for m in range(2, 13)]
    views = []
    for (first, last), areas in itertools.product(
            itertools.combinations_with_replacement(months, 2), [(), ("A1",), ("A2",)]):
        filters = Filters(start=first, end=last + dt.timedelta(days=27), areas=areas)
        coverage = disclosure.diversity_counts(store, filters, user=ANALYST, today=TODAY)[1]
        views.append((set(coverage.months), set(areas or ("A1", "A2")), coverage.respondents))
    nested = [(a, b) for a, b in itertools.permutations(views, 2) if a[0] <= b[0] and a[1] <= b[1]]
    assert len(nested) > 500
    differences = {b[2] - a[2] for a, b in nested}
    assert min(differences - {0}) >= disclosure.MIN_RESPONDENTS
    # A2's area-months (3 people each) are in no view at all, the force's included.
    a2 = disclosure.diversity_counts(store, Filters(areas=("A2",)), user=ANALYST, today=TODAY)[1]
    assert a2.respondents == 0 and a2.withheld == 11


def test_a_view_covers_whole_closed_months_and_ignores_officer_and_ward(survey):
    store, _ = survey
    narrow = Filters(start=dt.date(2025, 6, 10), end=dt.date(2025, 6, 12), officers=("P1",), wards=("W1",))
    outcomes = ccr_dash.ccr_outcomes(store, narrow, user=ANALYST, today=TODAY)
    june = [p for p in (target(i) for i in range(TARGETS)) if p[0].month == 6]
    assert outcomes.diversity.months == (dt.date(2025, 6, 1),)
    assert outcomes.diversity.respondents == 12 + len(june)  # all of A1's June, not P1's three days
    assert outcomes.diversity.ignored == ("ward", "officer")
    assert "Not narrowed by ward or officer" in outcomes.diversity.describe()
    still_open = ccr_dash.ccr_outcomes(store, Filters(start=dt.date(2026, 1, 1)), user=ANALYST, today=TODAY)
    assert still_open.diversity.months == () and still_open.breakdowns["sex"]["count"].iloc[-1] == 0


def test_a_published_month_never_changes_so_late_entries_edits_and_withdrawals_cannot_be_differenced(survey,
                                                                                                   tmp_path):
    import shutil

    source, _ = survey
    shutil.copytree(source.root, tmp_path / "copy")
    store = Store(tmp_path / "copy")
    july = Filters(start=dt.date(2025, 7, 1), end=dt.date(2025, 7, 31), areas=("A1",))
    first = ccr_dash.ccr_outcomes(store, july, user=ANALYST, today=TODAY)
    late = store.save("ccrs", make_ccr(contact_at=dt.datetime(2025, 7, 20, 9), diversity_consent=True,
                                       age_band="65+", sex="Male"), user="P1", submission_id=new_submission_id())
    someone = store.save("ccrs", background(7, 0, "A1") | {"contact_at": dt.datetime(2025, 7, 21, 9)},
                         user="P1", submission_id=new_submission_id())
    store.delete("ccrs", someone.record_id, user="P1", submission_id=new_submission_id(), base_version=1)
    again = ccr_dash.ccr_outcomes(store, july, user=ANALYST, today=dt.date(2026, 1, 11))
    assert late.version == 1
    for field in QUESTIONS:
        assert again.breakdowns[field].equals(first.breakdowns[field]), field
    assert again.diversity.respondents == first.diversity.respondents


def test_every_view_of_a_breakdown_is_audited_with_what_it_covered(survey, tmp_path):
    import shutil

    source, _ = survey
    shutil.copytree(source.root, tmp_path / "copy")
    store = Store(tmp_path / "copy")
    analyst = {**ANALYST, "user_id": "auditee"}
    before = store.snapshot("audit").rows
    ccr_dash.ccr_outcomes(store, Filters(start=dt.date(2025, 3, 1), end=dt.date(2025, 4, 30)), user=analyst,
                          today=TODAY)
    from data import db
    entries = db.rows(
        f"SELECT action, user_id, detail FROM {store.relation('audit')} WHERE user_id = 'auditee'")
    assert store.snapshot("audit").rows == before + 1
    ((action, who, detail),) = entries
    assert action == "view_diversity" and who == "auditee"
    assert "Whole months March 2025 to April 2025" in detail and "the whole force" in detail


def test_a_supervisor_sees_their_own_areas_cells_only(survey):
    store, _ = survey
    supervisor = {"user_id": "S1", "role": "supervisor", "area_code": "A2", "active": True}
    mine = disclosure.diversity_counts(store, Filters(), user=supervisor, today=TODAY)[1]
    assert mine.areas == ("A2",) and mine.respondents == 0  # A2's months are all withheld
    officer = {"user_id": "P1", "role": "officer", "area_code": "A1", "active": True}
    from data.access import NotAllowed
    with pytest.raises(NotAllowed):
        disclosure.diversity_counts(store, Filters(), user=officer, today=TODAY)


def test_with_retention_off_an_open_period_reaches_back_to_the_first_month(survey, tmp_path):
    import shutil

    source, _ = survey
    shutil.copytree(source.root, tmp_path / "copy")
    store = Store(tmp_path / "copy")
    store.save("settings", {"key": "retention.ccr_diversity_months", "value": "0"}, user="admin",
               submission_id=new_submission_id())
    coverage = disclosure.diversity_counts(store, Filters(), user=ANALYST, today=dt.date(2027, 6, 1))[1]
    assert coverage.months[0] == dt.date(2025, 2, 1) and coverage.months[-1] == dt.date(2027, 4, 1)
    assert coverage.respondents == 11 * 12 + TARGETS
