"""Values of the wrong type thrown at the form and admin functions and at every table's schema.

Whatever comes in (None, numbers of any size, NaN, bytes, lists, dicts, naive and
time-zoned date-times, text with NUL or control characters), a function either
saves or refuses with a `ValidationError` (or `NotAllowed`, one of those) naming
fields the form has; never another exception. What the schema accepts, Arrow
can store.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.access import NotAllowed
from data.arrow_schema import SYSTEM_COLUMNS, arrow_schema
from data.checked import INT64_MAX
from data.schema import TABLES
from data.store import ValidationError, new_submission_id, validate
from forms import admin, ccrs, dip_checks, ysywd
from tests.officer_store import TODAY, build_officer_store, user
from tests.schema_samples import SYSTEM, VALID

FUZZ = settings(max_examples=150, deadline=None, derandomize=True)
NOW = dt.datetime.combine(TODAY, dt.time(12))

wrong = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1_000_000, 1_000_000),
    st.integers(INT64_MAX + 1, 2**80),
    st.integers(-(2**80), -INT64_MAX - 2),
    st.just(10**5000),  # too long even to turn into text
    st.floats(allow_nan=True, allow_infinity=True),
    st.just(float("nan")),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.lists(st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 1, 1)),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 1, 1), timezones=st.just(dt.UTC)),
    st.dates(),
    st.times(timezones=st.just(dt.UTC)),
    st.text(max_size=6).map(lambda s: s + "\x00"),
    st.sampled_from(["\x00", "\x1f\x1f", "\x07", " \x0b ", "\x85", "\u200b", "", "   ", "\ud800"]),
)


def refused_or_saved(call, fields):
    """Run `call`; if it raises, it must be a ValidationError (or a NotAllowed) naming some of `fields`."""
    try:
        return call()
    except (ValidationError, NotAllowed) as exc:  # an EditConflict is a ValidationError
        assert exc.errors, "a refusal names at least one field"
        assert set(exc.errors) <= set(fields), f"unknown field names in {exc.errors}"
        assert all(isinstance(message, str) and message for message in exc.errors.values())
        return None


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_officer_store(tmp_path_factory.mktemp("wrong-types") / "store")


@pytest.fixture(scope="module")
def item(store):
    """An open "You said, we did" item in A1."""
    values = {"issue_category": "Speeding", "issue_text": "Cars racing at night", "source": "meeting",
              "area_code": "A1", "ward_code": "W1", "raised_on": TODAY, "publishable": False}
    return ysywd.raise_item(store=store, values=values, user=user("P1"), submission_id=new_submission_id(),
                            today=TODAY).record_id


def ccr_values() -> dict:
    return {"contact_date": TODAY, "contact_time": dt.time(11), "area_code": "A1", "ward_code": "W1",
            "place": "Market", "event_id": None, "contact_method": "Face to face", "issues": ["Drugs"],
            "issues_text": "Drug dealing", "info_submitted": False, "info_text": "", "smart_alert_signup": False,
            "diversity_consent": False, "age_band": None, "ethnicity": None, "religion": None, "sex": None,
            "disability": None}


# -- the form functions ------------------------------------------------------------------


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(ccrs.FIELDS), wrong, min_size=1, max_size=3))
def test_save_ccr_refuses_wrong_types_by_field(store, changes):
    values = ccr_values() | changes
    refused_or_saved(lambda: ccrs.save_ccr(store=store, values=values, user=user("P1"),
                                           submission_id=new_submission_id(), now=NOW), {*ccrs.FIELDS, "record"})


def test_save_ccr_refuses_the_cases_that_crashed(store):
    aware = dt.time(11, tzinfo=dt.UTC)
    for changes, field in (({"contact_time": aware}, "contact_time"), ({"contact_method": 10**5000}, "contact_method"),
                           ({"place": "\x1f\x1f"}, "place"), ({"issues_text": "a\x00b"}, "issues_text"),
                           ({"issues": ["Drugs\x07"]}, "issues"), ({"ward_code": "\ud800"}, "ward_code")):
        with pytest.raises(ValidationError) as refused:
            ccrs.save_ccr(store=store, values=ccr_values() | changes, user=user("P1"),
                          submission_id=new_submission_id(), now=NOW)
        assert field in refused.value.errors, (changes, refused.value.errors)
    values = ccr_values()
    del values["area_code"]
    with pytest.raises(ValidationError) as refused:
        ccrs.save_ccr(store=store, values=values, user=user("P1"), submission_id=new_submission_id(), now=NOW)
    assert refused.value.errors["area_code"] == "is required"


@FUZZ
@given(record_id=st.one_of(st.just("item"), wrong), status=st.one_of(st.sampled_from(list(ysywd.STATUS_LABELS)), wrong),
       base_version=st.one_of(st.just(1), wrong))
def test_move_status_refuses_wrong_types_by_field(store, item, record_id, status, base_version):
    record_id = item if record_id == "item" else record_id
    refused_or_saved(lambda: ysywd.move_status(store=store, record_id=record_id, status=status, user=user("P1"),
                                               submission_id=new_submission_id(), base_version=base_version),
                     {"status", "record"})


def test_move_status_names_a_status_that_is_not_one(store, item):
    for status in (["open"], {"a": 1}, 10**5000, b"closed", "\x00"):
        with pytest.raises(ValidationError) as refused:
            ysywd.move_status(store=store, record_id=item, status=status, user=user("P1"),
                              submission_id=new_submission_id(), base_version=1)
        assert set(refused.value.errors) == {"status"}, status


@FUZZ
@given(table=st.one_of(st.just("patrols"), wrong), record_id=st.one_of(st.just("p1"), wrong),
       version=st.one_of(st.just(1), wrong), outcome=st.one_of(st.sampled_from(list(dip_checks.OUTCOMES)), wrong),
       comment=st.one_of(st.just("Add the tasking"), wrong), faults=st.one_of(st.just([]), wrong))
def test_save_review_refuses_wrong_types_by_field(store, table, record_id, version, outcome, comment, faults):
    refused_or_saved(lambda: dip_checks.save_review(store=store, user=user("S1"), table=table, record_id=record_id,
                                                    version=version, outcome=outcome, comment=comment,
                                                    faults=faults, submission_id=new_submission_id()),
                     dip_checks.REVIEW_LABELS)


def test_save_review_refuses_a_version_or_comment_of_the_wrong_type(store):
    for extra, field in (({"version": "1"}, "record"), ({"version": 2**70}, "record"), ({"version": None}, "record"),
                         ({"comment": 10**5000, "outcome": "advice"}, "comment"), ({"faults": 7}, "faults"),
                         ({"faults": [["x"]]}, "faults"), ({"outcome": ["pass"]}, "outcome"),
                         ({"comment": "\x1f", "outcome": "pass"}, "comment")):
        arguments = {"table": "patrols", "record_id": "p1", "version": 1, "outcome": "pass", "comment": None} | extra
        with pytest.raises(ValidationError) as refused:
            dip_checks.save_review(store=store, user=user("S1"), submission_id=new_submission_id(), **arguments)
        assert field in refused.value.errors, (extra, refused.value.errors)


USER_FIELDS = ("user_id", "name", "email", "role", "rank", "area_code")
AREA_FIELDS = ("area_code", "name", "centre_lat", "centre_lon")
WARD_FIELDS = ("ward_code", "name", "area_code", "centre_lat", "centre_lon")


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(USER_FIELDS), wrong, min_size=1, max_size=3))
def test_add_user_refuses_wrong_types_by_field(store, changes):
    values = {"user_id": "N9", "name": "New Person", "email": "n9@example.police.uk", "role": "officer",
              "rank": "PC", "area_code": "A1"} | changes
    refused_or_saved(lambda: admin.add_user(store=store, values=values, user=user("AD"),
                                            submission_id=new_submission_id()), {*USER_FIELDS, "record"})


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(AREA_FIELDS), wrong, min_size=1, max_size=3))
def test_add_area_refuses_wrong_types_by_field(store, changes):
    values = {"area_code": "A9", "name": "East", "centre_lat": 51.5, "centre_lon": -1.0} | changes
    refused_or_saved(lambda: admin.add_area(store=store, values=values, user=user("AD"),
                                            submission_id=new_submission_id()), {*AREA_FIELDS, "record"})


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(WARD_FIELDS), wrong, min_size=1, max_size=3))
def test_add_ward_refuses_wrong_types_by_field(store, changes):
    values = {"ward_code": "W9", "name": "Meadow", "area_code": "A1", "centre_lat": 51.5, "centre_lon": -1.0} | changes
    refused_or_saved(lambda: admin.add_ward(store=store, values=values, user=user("AD"),
                                            submission_id=new_submission_id()), {*WARD_FIELDS, "record"})


def test_admin_refuses_the_cases_that_crashed(store):
    for values, field in (({"email": 5}, "email"), ({"role": ["admin"]}, "role"),
                          ({"area_code": {"A1": 1}}, "area_code"), ({"area_code": 10**5000}, "area_code"),
                          ({"user_id": b"N8"}, "user_id"),
                          ({"email": ""}, "email"), ({"name": "\x00"}, "name"), ({"rank": "\x1f"}, "rank")):
        base = {"user_id": "N8", "name": "New Person", "email": "n8@example.police.uk", "role": "officer",
                "rank": "PC", "area_code": "A1"}
        with pytest.raises(ValidationError) as refused:
            admin.add_user(store=store, values=base | values, user=user("AD"), submission_id=new_submission_id())
        assert field in refused.value.errors, (values, refused.value.errors)
    with pytest.raises(ValidationError) as refused:
        admin.add_ward(store=store, values={"ward_code": "W8", "name": "Meadow", "area_code": 10**5000,
                                            "centre_lat": 51.5, "centre_lon": -1.0},
                       user=user("AD"), submission_id=new_submission_id())
    assert "area_code" in refused.value.errors


@pytest.mark.parametrize("nobody", [None, {}])
def test_every_fuzzed_function_refuses_nobody(store, item, nobody):
    calls = [
        lambda: ccrs.save_ccr(store=store, values=ccr_values(), user=nobody, submission_id="x", now=NOW),
        lambda: ysywd.move_status(store=store, record_id=item, status="in_progress", user=nobody, submission_id="x",
                                  base_version=1),
        lambda: dip_checks.save_review(store=store, user=nobody, table="patrols", record_id="p1", version=1,
                                       outcome="pass", submission_id="x"),
        lambda: admin.add_user(store=store, values={}, user=nobody, submission_id="x"),
        lambda: admin.add_area(store=store, values={}, user=nobody, submission_id="x"),
        lambda: admin.add_ward(store=store, values={}, user=nobody, submission_id="x"),
    ]
    for call in calls:
        with pytest.raises(NotAllowed):
            call()


# -- the schema: what it accepts, Arrow stores -----------------------------------------------

@pytest.mark.parametrize("table", sorted(VALID))
@settings(max_examples=150, deadline=None, derandomize=True)
@given(data=st.data())
def test_what_the_schema_accepts_arrow_stores(table, data):
    fields = sorted(TABLES[table].model_fields)
    values = VALID[table] | data.draw(st.dictionaries(st.sampled_from(fields), wrong, min_size=1, max_size=3))
    try:
        model = validate(table, values)
    except ValidationError as exc:
        heads = {field.split(".")[0] for field in exc.errors}
        assert heads <= {*TABLES[table].model_fields, "record"}, exc.errors
        return
    pa.Table.from_pylist([SYSTEM | model.model_dump()], schema=arrow_schema(table))


def test_the_valid_samples_are_valid():
    for table, values in VALID.items():
        validate(table, values)
    assert set(SYSTEM) == set(SYSTEM_COLUMNS)


def test_integer_fields_fit_their_arrow_columns():
    checked = []
    for table, values in VALID.items():
        schema = arrow_schema(table)
        for name in TABLES[table].model_fields:
            if schema.field(name).type != pa.int64():
                continue
            checked.append(f"{table}.{name}")
            with pytest.raises(ValidationError) as refused:
                validate(table, values | {name: INT64_MAX + 1})
            assert name in refused.value.errors
    assert {"picklists.position", "census_population.people", "quality_reviews.target_version"} <= set(checked)
    for table, name in (("picklists", "position"), ("census_population", "people")):
        model = validate(table, VALID[table] | {name: INT64_MAX})
        stored = pa.Table.from_pylist([SYSTEM | model.model_dump()], schema=arrow_schema(table))
        assert stored.column(name).to_pylist() == [INT64_MAX]
