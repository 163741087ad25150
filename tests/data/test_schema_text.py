"""The schema's rules for every text field and date-time: no NUL, no control characters, nothing blank
where required, nothing invisible-only where optional, no time zones; each refusal names its field."""

from __future__ import annotations

import datetime as dt
import typing

import pyarrow as pa
import pytest

from data.arrow_schema import arrow_schema
from data.checked import invisible, text_problem
from data.schema import TABLES
from data.store import ValidationError, validate
from tests.schema_samples import VALID


def _is_literal(annotation) -> bool:
    return typing.get_origin(annotation) is typing.Literal or any(
        typing.get_origin(a) is typing.Literal for a in typing.get_args(annotation))


def text_fields(kind: pa.DataType) -> list[tuple[str, str]]:
    """(table, field) of every field stored as `kind`, choice lists (Literal) left out."""
    return [(table, name) for table, model in TABLES.items() for name, field in model.model_fields.items()
            if arrow_schema(table).field(name).type == kind and not _is_literal(field.annotation)]


TEXT = [(t, f) for t, f in text_fields(pa.string()) if t in VALID]
TEXT_LISTS = [(t, f) for t, f in text_fields(pa.list_(pa.string())) if t in VALID]


def refused(table: str, values: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate(table, values)
    return caught.value.errors


def test_every_table_and_its_text_fields_are_covered():
    assert set(TABLES) - set(VALID) == set(), "add a valid sample of the new table to tests/schema_samples.py"
    assert ("users", "email") in TEXT and ("wards", "geojson") in TEXT and ("audit", "detail") in TEXT
    assert ("ccrs", "issues") in TEXT_LISTS and ("audit", "target_ids") in TEXT_LISTS


@pytest.mark.parametrize(("table", "field"), TEXT)
def test_text_with_nul_or_control_characters_is_refused_by_name(table, field):
    assert refused(table, VALID[table] | {field: "a\x00b"}) == {field: "must not contain NUL characters"}
    for text in ("a\x07b", "\x1b[31mred", "x\x7f", "next\x85line"):
        assert refused(table, VALID[table] | {field: text}) == {
            field: "must not contain control characters (only tab and new lines)"}, text


@pytest.mark.parametrize(("table", "field"), TEXT)
def test_text_of_control_or_invisible_characters_only_is_refused_not_blanked(table, field):
    required = TABLES[table].model_fields[field].is_required()
    for text in ("\x00", "\x1f\x1f", " \x0b ", "\u200b", "\u200b \ufeff"):
        errors = refused(table, VALID[table] | {field: text})
        assert list(errors) == [field], text
    if required:  # (a field of at least one character says so in its own words; the forms show "is required")
        for text in ("  \t\n ", "\u200b"):
            assert refused(table, VALID[table] | {field: text}) in (
                {field: "is required"}, {field: "String should have at least 1 character"}), text
    else:
        assert refused(table, VALID[table] | {field: "\u200b"}) == {field: "must not be only invisible characters"}


@pytest.mark.parametrize(("table", "field"), TEXT_LISTS)
def test_text_lists_refuse_nul_and_control_characters(table, field):
    for text in ("a\x00", "a\x07"):
        assert field in refused(table, VALID[table] | {field: ["fine", text]})


def test_tabs_and_new_lines_are_kept_in_long_text():
    model = validate("news", VALID["news"] | {"body": "First line\n\tindented\r\nlast"})
    assert model.body == "First line\n\tindented\r\nlast"


def test_nested_action_text_is_checked_too():
    item = VALID["ysywd"] | {"status": "action_taken"}
    action = {"action_type": "Patrol", "text": "Extra patrols", "date": dt.date(2025, 3, 2), "officer_id": "P1"}
    validate("ysywd", item | {"actions": [action]})
    assert "actions" in refused("ysywd", item | {"actions": [action | {"text": "bad\x00"}]})
    assert refused("ysywd", item | {"actions": [action | {"text": "  "}]}) == {"actions.0.text": "is required"}


def test_a_user_needs_an_email():
    assert refused("users", VALID["users"] | {"email": ""}) == {"email": "is required"}
    assert refused("users", VALID["users"] | {"email": "   "}) == {"email": "is required"}


def test_a_setting_may_be_empty_but_not_invisible():
    assert validate("settings", {"key": "quick_link:Intranet", "value": ""}).value == ""
    assert "value" in refused("settings", {"key": "quick_link:Intranet", "value": "\x1f"})


def test_bytes_are_not_text():
    assert refused("news", VALID["news"] | {"title": b"New radios"}) == {"title": "must be text, not bytes"}


@pytest.mark.parametrize(("table", "start", "end"), [("patrols", "start", "end"), ("events", "start", "end")])
def test_date_times_with_a_time_zone_are_refused_and_mixed_ones_never_crash(table, start, end):
    aware = VALID[table][start].replace(tzinfo=dt.UTC)
    assert refused(table, VALID[table] | {start: aware}) == {start: "must be a local time without a time zone"}
    later = VALID[table][end].replace(tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert refused(table, VALID[table] | {end: later}) == {end: "must be a local time without a time zone"}
    assert refused(table, VALID[table] | {start: aware, end: later}).keys() == {start, end}
    assert refused("ccrs", VALID["ccrs"] | {"contact_at": "2025-03-04T11:00+01:00"}) == {
        "contact_at": "must be a local time without a time zone"}


def test_text_helpers():
    assert text_problem("Tab\tnew line\ncarriage return\r, accents é, 中文") is None
    assert text_problem("\ud800") is not None
    assert invisible("") and invisible(" \t\u200b\ufeff") and not invisible(" a ")
