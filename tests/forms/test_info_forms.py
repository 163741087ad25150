"""Good practice, useful information, feedback, news and quick links: what lands, what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hyp

from analytics.activity import list_my_feedback, list_settings
from analytics.search import list_good_practice, list_info_folders, list_useful_info
from data.schema import TABLES
from data.store import ValidationError, new_submission_id, validate
from forms.feedback import save_feedback
from forms.good_practice import clean_tags, good_practice_defaults, save_good_practice
from forms.links import DEFAULT_QUICK_LINKS, list_quick_links, save_quick_link, valid_url
from forms.news import save_news
from forms.rules import NotAllowed
from forms.useful_info import save_useful_info
from tests.conftest import count_rows
from tests.officer_store import TODAY, user


@pytest.fixture
def store(officer_store):
    return officer_store


def practice(**overrides) -> dict:
    values = {"title": "Bike marking day", "area_code": "A1", "problem": "Bikes stolen from the station",
              "action": "Marked 60 bikes with the cycle shop", "result": "No thefts in two months",
              "tags": ["Theft", " theft ", "", "Bikes"]}
    values.update(overrides)
    return values


# -- good practice ----------------------------------------------------------------


def test_good_practice_is_saved_with_clean_tags_and_listed_first(store):
    saved = save_good_practice(store=store, values=practice(), user=user("P3"), submission_id="gp-new")
    row = store.get("good_practice", saved.record_id)
    assert (row["title"], row["area_code"], row["written_by"]) == ("Bike marking day", "A1", "P3")
    assert list(row["tags"]) == ["Theft", "Bikes"]
    listed = list_good_practice(store, user=user("P1"))
    assert list(listed["record_id"]) == ["gp-new", "g2", "g1"]
    assert listed["created_by_name"].iloc[0] == "Alex Three"


def test_good_practice_list_searches_text_and_area(store):
    assert list(list_good_practice(store, user=user("P1"), text="RADIO")["record_id"]) == ["g2"]
    assert list(list_good_practice(store, user=user("P1"), text="road safety")["record_id"]) == ["g1"]  # a tag
    assert list(list_good_practice(store, user=user("P1"), area="A1")["record_id"]) == ["g1"]
    assert list_good_practice(store, user=user("P1"), text="%").empty


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"title": "  "}, "title", "required"),
    ({"problem": ""}, "problem", "required"),
    ({"result": None}, "result", "required"),
    ({"area_code": "NOWHERE"}, "area_code", "known area"),
    ({"title": "x" * 201}, "title", "200"),
    ({"tags": [f"t{i}" for i in range(11)]}, "tags", "10"),
    ({"tags": ["x" * 41]}, "tags", "40"),
    ({"action": "x" * 4001}, "action", "4000"),
])
def test_invalid_good_practice_names_the_field_and_writes_nothing(store, overrides, field, words):
    before = count_rows(store, "good_practice")
    with pytest.raises(ValidationError) as raised:
        save_good_practice(store=store, values=practice(**overrides), user=user("P1"), submission_id="gp-bad")
    assert words in raised.value.errors[field]
    assert count_rows(store, "good_practice") == before


def test_good_practice_double_submit_stores_one(store):
    before = count_rows(store, "good_practice")
    first = save_good_practice(store=store, values=practice(), user=user("P1"), submission_id="gp-twice")
    second = save_good_practice(store=store, values=practice(), user=user("P1"), submission_id="gp-twice")
    assert count_rows(store, "good_practice") == before + 1
    assert second.duplicate and second.record_id == first.record_id


def test_good_practice_helpers():
    assert clean_tags("Speeding, speeding ,Parking,") == ["Speeding", "Parking"]
    assert clean_tags(None) == []
    assert good_practice_defaults(user("P2"))["area_code"] == "A2"


# -- useful information -------------------------------------------------------------


def info(**overrides) -> dict:
    values = {"title": "School keyholder", "folder": "Keyholders", "body": "Caretaker on 01234 000000",
              "area_code": "A1"}
    values.update(overrides)
    return values


def test_the_areas_supervisor_adds_useful_information(store):
    saved = save_useful_info(store=store, values=info(), user=user("S1"), submission_id="ui-new")
    assert store.get("useful_info", saved.record_id)["folder"] == "Keyholders"
    assert list(list_useful_info(store, user=user("P1"), folder="Keyholders")["title"]) == [
        "Church keyholder", "School keyholder"]


def test_an_officer_of_the_area_does_not_add_but_may_edit(store):
    before = count_rows(store, "useful_info")
    with pytest.raises(NotAllowed):
        save_useful_info(store=store, values=info(), user=user("P1"), submission_id="ui-officer")
    assert count_rows(store, "useful_info") == before

    saved = save_useful_info(store=store, values=info(title="Church keyholder", body="Verger, new number"),
                             user=user("P1"), submission_id="ui-edit", record_id="u1", base_version=1)
    assert (saved.record_id, saved.version) == ("u1", 2)
    assert store.get("useful_info", "u1")["body"] == "Verger, new number"


def test_another_areas_officer_neither_sees_nor_saves(store):
    outsider = user("P2")  # area A2
    before = count_rows(store, "useful_info")
    with pytest.raises(NotAllowed):
        save_useful_info(store=store, values=info(), user=outsider, submission_id="ui-out-add")
    with pytest.raises(NotAllowed):
        save_useful_info(store=store, values=info(area_code="A2"), user=outsider, submission_id="ui-out-edit",
                         record_id="u1")
    with pytest.raises(NotAllowed):  # nor moves its own area's entry into another area
        save_useful_info(store=store, values=info(area_code="A1", title="Mosque keyholder"), user=outsider,
                         submission_id="ui-out-move", record_id="u2")
    assert count_rows(store, "useful_info") == before
    assert list(list_useful_info(store, user=outsider)["record_id"]) == ["u2"]
    assert list_info_folders(store, user=outsider) == ["Keyholders"]
    assert list(list_useful_info(store, user=user("P1"))["record_id"]) == ["u3", "u1"]  # Contacts, Keyholders
    assert list_info_folders(store, user=user("P1")) == ["Contacts", "Keyholders"]
    assert list_useful_info(store, user={**user("P1"), "area_code": None}).empty


def test_useful_information_needs_every_field(store):
    with pytest.raises(ValidationError) as raised:
        save_useful_info(store=store, values=info(title="", folder=None, body=" "), user=user("S1"),
                         submission_id="ui-blank")
    assert set(raised.value.errors) == {"title", "folder", "body"}


# -- feedback -----------------------------------------------------------------------


def test_feedback_is_saved_and_the_user_sees_only_their_own(store):
    save_feedback(store=store, values={"kind": "bug", "text": "Search froze"}, user=user("P1"),
                  submission_id="fb-new")
    mine = list_my_feedback(store, user=user("P1"))
    assert list(mine["record_id"]) == ["fb-new", "f1"]
    assert list(mine["kind"]) == ["bug", "feedback"]
    assert list(list_my_feedback(store, user=user("P2"))["record_id"]) == ["f2"]


@pytest.mark.parametrize(("values", "field"), [
    ({"kind": "rant", "text": "x"}, "kind"),
    ({"kind": "feedback", "text": "  "}, "text"),
    ({"kind": None, "text": "x"}, "kind"),
])
def test_invalid_feedback_writes_nothing(store, values, field):
    before = count_rows(store, "app_feedback")
    with pytest.raises(ValidationError) as raised:
        save_feedback(store=store, values=values, user=user("P1"), submission_id=new_submission_id())
    assert field in raised.value.errors
    assert count_rows(store, "app_feedback") == before


# -- news ---------------------------------------------------------------------------


def test_admin_posts_news(store):
    values = {"title": "New radios", "body": "Collect them from the front desk.", "published_on": TODAY}
    saved = save_news(store=store, values=values, user=user("AD"), submission_id="news-new", today=TODAY)
    assert store.get("news", saved.record_id)["title"] == "New radios"


@pytest.mark.parametrize("who", ["P1", "S1"])
def test_news_posting_is_refused_for_non_admins(store, who):
    before = count_rows(store, "news")
    values = {"title": "Not mine to post", "body": "x", "published_on": TODAY}
    with pytest.raises(NotAllowed):
        save_news(store=store, values=values, user=user(who), submission_id="news-refused", today=TODAY)
    assert count_rows(store, "news") == before


@pytest.mark.parametrize(("values", "field"), [
    ({"title": "", "body": "x", "published_on": TODAY}, "title"),
    ({"title": "x", "body": "", "published_on": TODAY}, "body"),
    ({"title": "x", "body": "x", "published_on": None}, "published_on"),
    ({"title": "x", "body": "x", "published_on": TODAY + dt.timedelta(days=400)}, "published_on"),
    ({"title": "x", "body": "x", "published_on": "tomorrow"}, "published_on"),
])
def test_invalid_news_writes_nothing(store, values, field):
    before = count_rows(store, "news")
    with pytest.raises(ValidationError) as raised:
        save_news(store=store, values=values, user=user("AD"), submission_id=new_submission_id(), today=TODAY)
    assert field in raised.value.errors
    assert count_rows(store, "news") == before


# -- quick links --------------------------------------------------------------------


@pytest.mark.parametrize(("url", "ok"), [
    ("https://orlo.example.police.uk", True), ("http://intranet/hotspots", True),
    ("javascript:alert(1)", False), ("ftp://files.example", False), ("orlo.example.police.uk", False),
    ("https://", False), ("https://a b", False), ("", False), (None, False),
])
def test_valid_url(url, ok):
    assert valid_url(url) is ok


def test_quick_links_default_then_follow_settings(store):
    assert list_quick_links(store) == DEFAULT_QUICK_LINKS
    admin = user("AD")
    save_quick_link(store=store, label="Orlo (social media)", url="https://orlo.tvp.example", user=admin,
                    submission_id="ql-1")
    save_quick_link(store=store, label="Hotspot Policing App", url="", user=admin, submission_id="ql-2")
    save_quick_link(store=store, label="Duties", url="https://duties.example.police.uk", user=admin,
                    submission_id="ql-3")
    assert list_quick_links(store) == {
        "Orlo (social media)": "https://orlo.tvp.example",
        "Community messaging": "https://messaging.example.police.uk",
        "Duties": "https://duties.example.police.uk",
    }
    save_quick_link(store=store, label="Duties", url="https://duties2.example.police.uk", user=admin,
                    submission_id="ql-4")
    assert list_settings(store, prefix="quick_link:Dut") == {"quick_link:Duties": "https://duties2.example.police.uk"}


def test_quick_links_refuse_non_admins_and_bad_urls(store):
    before = count_rows(store, "settings")
    with pytest.raises(NotAllowed):
        save_quick_link(store=store, label="Duties", url="https://duties.example", user=user("P1"),
                        submission_id="ql-officer")
    with pytest.raises(ValidationError) as raised:
        save_quick_link(store=store, label="Evil", url="javascript:alert(1)", user=user("AD"),
                        submission_id="ql-bad")
    assert "url" in raised.value.errors
    with pytest.raises(ValidationError) as raised:
        save_quick_link(store=store, label="x" * 30, url="https://ok.example", user=user("AD"),
                        submission_id="ql-long")
    assert "label" in raised.value.errors
    assert count_rows(store, "settings") == before


# -- generated bad input ---------------------------------------------------------------

junk = hyp.one_of(hyp.none(), hyp.integers(-10**12, 10**12), hyp.floats(allow_nan=True, allow_infinity=True),
                  hyp.text(max_size=30), hyp.integers(4_001, 9_000).map(lambda n: "x" * n),
                  hyp.lists(hyp.one_of(hyp.integers(), hyp.text(max_size=50)), max_size=12),
                  hyp.dictionaries(hyp.text(max_size=3), hyp.integers(), max_size=2), hyp.binary(max_size=8),
                  hyp.dates(), hyp.datetimes(), hyp.booleans())
PROPERTY = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def breaks(valid: dict) -> hyp.SearchStrategy[dict]:
    """Valid values with one to three fields replaced by anything at all."""
    return hyp.dictionaries(hyp.sampled_from(sorted(valid)), junk, min_size=1, max_size=3).map(
        lambda changes: {**valid, **changes})


def stored_or_refused(store, table: str, save) -> None:
    """Either the save is refused with nothing written, or what it wrote passes the table's schema."""
    before = count_rows(store, table)
    try:
        saved = save()
    except ValidationError:
        assert count_rows(store, table) == before
        return
    validate(table, {k: v for k, v in store.get(table, saved.record_id).items() if k in TABLES[table].model_fields})


@PROPERTY
@given(values=breaks(practice()))
def test_good_practice_never_crashes_on_bad_input(store, values):
    stored_or_refused(store, "good_practice", lambda: save_good_practice(
        store=store, values=values, user=user("P1"), submission_id=new_submission_id()))


@PROPERTY
@given(values=breaks(info()), editing=hyp.booleans())
def test_useful_info_never_crashes_on_bad_input(store, values, editing):
    stored_or_refused(store, "useful_info", lambda: save_useful_info(
        store=store, values=values, user=user("S1"), submission_id=new_submission_id(),
        record_id="u1" if editing else None,
        base_version=store.get("useful_info", "u1")["version"] if editing else None))


@PROPERTY
@given(values=breaks({"kind": "bug", "text": "Crashed"}))
def test_feedback_never_crashes_on_bad_input(store, values):
    stored_or_refused(store, "app_feedback", lambda: save_feedback(
        store=store, values=values, user=user("P1"), submission_id=new_submission_id()))


@PROPERTY
@given(values=breaks({"title": "Radios", "body": "New ones", "published_on": TODAY}))
def test_news_never_crashes_on_bad_input(store, values):
    stored_or_refused(store, "news", lambda: save_news(
        store=store, values=values, user=user("AD"), submission_id=new_submission_id(), today=TODAY))


@PROPERTY
@given(label=junk, url=junk)
def test_quick_links_never_crash_on_bad_input(store, label, url):
    stored_or_refused(store, "settings", lambda: save_quick_link(
        store=store, label=label, url=url, user=user("AD"), submission_id=new_submission_id()))
    assert all(valid_url(u) for u in list_quick_links(store).values())


@PROPERTY
@given(changes=hyp.dictionaries(
    hyp.one_of(hyp.sampled_from(["places", "tasking", "outcomes", "officer_id"]), hyp.text(max_size=8)),
    junk, min_size=1, max_size=3))
def test_edits_never_crash_on_bad_input(store, changes):
    from forms.activity import edit_record

    stored_or_refused(store, "patrols", lambda: edit_record(
        store=store, table="patrols", record_id="p1", changes=changes, user=user("P1"),
        submission_id=new_submission_id(), base_version=store.get("patrols", "p1")["version"]))
