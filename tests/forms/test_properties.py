"""Generated bad input thrown at every officer form: a ValidationError and nothing stored, never a crash.

Each case starts from valid values and breaks one to three fields in a way
that is certainly wrong (wrong types, huge strings, negative counts, absurd
dates, wards outside the area, diversity answers without consent, unknown
fields). A last property throws arbitrary values at the contact form: whatever
it accepts must be a record the rules allow.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data import reference
from data.access import NotAllowed
from data.schema import DIVERSITY_FIELDS
from data.store import Store, ValidationError, new_submission_id
from forms.abstractions import save_abstraction
from forms.ccrs import DIVERSITY_CHOICES, save_ccr
from forms.events import complete_event, save_event
from forms.patrols import save_patrol
from tests.conftest import count_rows, make_booking
from tests.forms.factories import book_event, make_abstraction, make_ccr, make_completion, make_patrol

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


def _days_from_today(low: int, high: int) -> st.SearchStrategy:
    """Dates worked out when each example is drawn, so a run that passes midnight still means what it says."""
    return st.integers(low, high).map(lambda days: dt.date.today() + dt.timedelta(days=days))


# -- values that are certainly wrong wherever they go --------------------------------

junk = st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                 st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                 st.binary(max_size=8))
huge_text = st.integers(4_001, 20_000).map(lambda n: "x" * n)
long_name = st.integers(201, 5_000).map(lambda n: "y" * n)
not_a_date = st.one_of(junk, st.text(max_size=20), st.datetimes(), st.times())
not_a_time = st.one_of(junk, st.text(max_size=20), st.dates())
absurd_date = st.one_of(_days_from_today(-700_000, -800), _days_from_today(800, 2_000_000))
old_or_future_date = st.one_of(_days_from_today(-700_000, -367), _days_from_today(2, 2_000_000))
negative = st.one_of(st.integers(max_value=-1), st.floats(max_value=-0.001, allow_infinity=True))
not_a_bool = st.one_of(st.integers(), st.text(max_size=5), st.none())
unknown_code = st.text(min_size=1, max_size=60).map(lambda s: "zz-" + s)
not_whole = junk.filter(lambda v: not isinstance(v, int) and not (isinstance(v, float) and v.is_integer()))
not_a_list = st.one_of(st.integers(), st.floats(), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
extra_field = st.sampled_from(["citizen_name", "status", "officer_id", "record_id", "__class__"])


@pytest.fixture(scope="module")
def small_store(demo_store_root, tmp_path_factory):
    """One copy of the demo store for the whole module: nothing here should ever be written to it."""
    root = tmp_path_factory.mktemp("properties") / "store"
    shutil.copytree(demo_store_root, root)
    return Store(root)


@pytest.fixture(scope="module")
def people(small_store):
    users = reference.list_users(small_store, role="officer")
    users = users[users["area_code"].notna() & users["active"]]
    me = users.iloc[0].to_dict()
    wards = reference.list_wards(small_store)
    elsewhere = sorted(wards.loc[wards["area_code"] != me["area_code"], "ward_code"])
    return {"me": me, "other_wards": elsewhere}


@pytest.fixture(scope="module")
def started_event(small_store, people):
    return book_event(small_store, people["me"], days_ago=1)


class Many(dict):
    """A breaker's change to several fields at once."""


def _broken(base: dict, breakers: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """`base` with one to three of `breakers`' fields replaced by certainly-wrong values."""
    @st.composite
    def draw_values(draw):
        values = dict(base)
        for field in draw(st.lists(st.sampled_from(sorted(breakers)), min_size=1, max_size=3, unique=True)):
            change = draw(breakers[field])
            values.update(change if isinstance(change, Many) else {field: change})
        return values
    return draw_values()


def _refused(store: Store, table: str, save, values: dict) -> None:
    before = count_rows(store, table)
    with pytest.raises(ValidationError) as raised:
        save(values)
    assert raised.value.errors and all(isinstance(m, str) and m for m in raised.value.errors.values())
    assert count_rows(store, table) == before


# -- the forms ---------------------------------------------------------------------

def test_bad_bookings_are_refused(small_store, people):
    me = people["me"]
    base = make_booking(small_store, me)
    breakers = {
        "title": st.one_of(long_name, st.just("   "), junk),
        "place": st.one_of(long_name, st.just(""), junk),
        "ward_code": st.one_of(st.sampled_from(people["other_wards"]), unknown_code, junk),
        "area_code": st.one_of(unknown_code, junk),
        "event_type": st.one_of(unknown_code, junk),
        "date": st.one_of(not_a_date, absurd_date),
        "start_time": not_a_time,
        "end_time": st.one_of(not_a_time, st.just(dt.time(17))),  # before the 18:00 start
        "lat": st.one_of(st.floats(min_value=61, allow_infinity=True), st.floats(max_value=49, allow_infinity=True)),
        "officers_attending": st.one_of(st.lists(unknown_code, min_size=1, max_size=3), not_a_list),
        "communities_targeted": st.one_of(st.lists(unknown_code, min_size=1, max_size=3), not_a_list),
        "extra": extra_field.map(lambda name: Many({name: "x"})),
    }

    @SETTINGS
    @given(_broken(base, breakers))
    def check(values):
        _refused(small_store, "events", lambda v: save_event(
            store=small_store, values=v, user=me, submission_id=new_submission_id()), values)

    check()


def test_bad_contacts_are_refused(small_store, people):
    me = people["me"]
    base = make_ccr(small_store, me)
    diversity_without_consent = st.sampled_from(DIVERSITY_FIELDS).flatmap(
        lambda f: st.sampled_from(DIVERSITY_CHOICES[f]).map(lambda v: Many({f: v, "diversity_consent": False})))
    breakers = {
        "contact_date": st.one_of(not_a_date, old_or_future_date),
        "contact_time": not_a_time,
        "area_code": st.one_of(unknown_code, junk),
        "ward_code": st.one_of(st.sampled_from(people["other_wards"]), unknown_code, junk, st.none()),
        "place": st.one_of(long_name, junk),
        "event_id": st.one_of(unknown_code, junk.filter(bool)),
        "contact_method": st.one_of(unknown_code, junk, st.none()),
        "issues": st.one_of(st.lists(unknown_code, min_size=1, max_size=3), not_a_list),
        "issues_text": st.one_of(huge_text, junk),
        "info_submitted": not_a_bool,
        "info_text": st.just(Many({"info_submitted": True, "info_text": ""})),
        "smart_alert_signup": not_a_bool,
        "diversity_consent": not_a_bool,
        "diversity": diversity_without_consent,
        "ethnicity": unknown_code.map(lambda code: Many({"diversity_consent": True, "ethnicity": code})),
        "extra": extra_field.map(lambda name: Many({name: "Jo Bloggs"})),
    }

    @SETTINGS
    @given(_broken(base, breakers))
    def check(values):
        _refused(small_store, "ccrs", lambda v: save_ccr(
            store=small_store, values=v, user=me, submission_id=new_submission_id()), values)

    check()


def test_bad_patrols_are_refused(small_store, people):
    me = people["me"]
    base = make_patrol(small_store, me)
    start = dt.datetime.combine(base["start_date"], base["start_time"])
    breakers = {
        "patrol_type": st.one_of(unknown_code, junk, st.none()),
        "area_code": st.one_of(unknown_code, junk),
        "ward_code": st.one_of(st.sampled_from(people["other_wards"]), unknown_code, junk),
        "start_date": st.one_of(not_a_date, old_or_future_date),
        "end_date": st.one_of(not_a_date, st.just(base["start_date"] - dt.timedelta(days=1))),
        "start_time": not_a_time,
        "end_time": not_a_time,
        "long": st.integers(17 * 60, 60 * 24 * 3).map(lambda m: start - dt.timedelta(minutes=m)).map(
            lambda moment: Many({"start_date": moment.date(), "start_time": moment.time()})),
        "places": st.one_of(huge_text, junk),
        "tasking": st.one_of(huge_text, junk),
        "outcomes": st.one_of(huge_text, junk),
        "extra": extra_field.map(lambda name: Many({name: "x"})),
    }

    @SETTINGS
    @given(_broken(base, breakers))
    def check(values):
        _refused(small_store, "patrols", lambda v: save_patrol(
            store=small_store, values=v, user=me, submission_id=new_submission_id()), values)

    check()


def test_bad_abstractions_are_refused(small_store, people):
    me = people["me"]
    base = make_abstraction(small_store)
    breakers = {
        "date": st.one_of(not_a_date, old_or_future_date),
        "hours": st.one_of(negative, st.just(0), st.floats(min_value=24.001, allow_infinity=True),
                           st.just(math.nan), st.text(max_size=5), st.none()),
        "reason": st.one_of(unknown_code, junk, st.none()),
        "duty_taken_to": st.one_of(long_name, st.just("  "), junk),
        "extra": extra_field.map(lambda name: Many({name: "x"})),
    }

    @SETTINGS
    @given(_broken(base, breakers))
    def check(values):
        _refused(small_store, "abstractions", lambda v: save_abstraction(
            store=small_store, values=v, user=me, submission_id=new_submission_id()), values)

    check()


def test_bad_completions_are_refused(small_store, people, started_event):
    me = people["me"]
    base = make_completion(small_store, me)
    breakers = {
        "attendees": st.one_of(negative, st.integers(min_value=100_001), st.floats(0.01, 0.99), not_whole, st.none()),
        "intel_submissions": st.one_of(negative, st.text(min_size=1, max_size=4)),
        "quality_rating": st.one_of(st.integers().filter(lambda r: r not in range(1, 6)), not_whole, st.none()),
        "officers_involved": st.one_of(st.lists(unknown_code, min_size=1, max_size=3), st.just([]), not_a_list),
        "communities_supported": st.one_of(st.lists(unknown_code, min_size=1, max_size=3), not_a_list),
        "issues": st.one_of(st.lists(unknown_code, min_size=1, max_size=3), not_a_list),
        "public_feedback": st.one_of(huge_text, junk),
        "suitable_for_publishing": st.one_of(st.integers(), st.text(max_size=5)),
        "extra": extra_field.map(lambda name: Many({name: "x"})),
    }

    @SETTINGS
    @given(_broken(base, breakers))
    def check(values):
        _refused(small_store, "events", lambda v: complete_event(
            store=small_store, record_id=started_event, values=v, user=me, submission_id=new_submission_id(),
            base_version=small_store.get("events", started_event)["version"]), values)

    check()
    assert small_store.get("events", started_event)["status"] == "booked"


def test_whatever_the_contact_form_accepts_obeys_the_rules(small_store, people):
    """Arbitrary values anywhere: either refused, or stored as a record every rule allows."""
    me = people["me"]
    base = make_ccr(small_store, me)
    anything = st.one_of(junk, st.none(), st.booleans(), st.text(max_size=50), st.dates(), st.times(),
                         st.sampled_from(DIVERSITY_CHOICES["age_band"]), st.sampled_from(people["other_wards"]))

    @SETTINGS
    @given(st.dictionaries(st.sampled_from(sorted(base)), anything, min_size=1, max_size=4))
    def check(changes):
        before = count_rows(small_store, "ccrs")
        try:
            saved = save_ccr(store=small_store, values={**base, **changes}, user=me,
                             submission_id=new_submission_id())
        except (ValidationError, NotAllowed):
            assert count_rows(small_store, "ccrs") == before
            return
        row = small_store.get("ccrs", saved.record_id)
        assert reference.ward_in_area(small_store, ward_code=row["ward_code"], area_code=row["area_code"])
        assert row["diversity_consent"] or all(row[f] is None for f in DIVERSITY_FIELDS)
        assert dt.datetime.now() - dt.timedelta(days=366) < row["contact_at"] < dt.datetime.now() + dt.timedelta(
            minutes=11)
        assert row["officer_id"] == me["user_id"]

    check()
