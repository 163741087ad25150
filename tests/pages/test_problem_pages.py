"""The Problem solving pages: the commander view shows `problems_by_stage`'s figures; an officer opens a problem
and works it; "You said, we did" and problems link both ways."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.filters import Filters
from analytics.problems import problems_by_stage
from data.store import Store
from forms.identity import USER_KEY
from forms.problems import get_problem
from tests.analytics.problem_fixture import AS_OF, build_problem_store, record_ids, user
from tests.officer_store import copy_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("problem_pages") / "store"
    build_problem_store(root)
    return root


@pytest.fixture
def store(built, tmp_path, monkeypatch) -> Store:
    copy = copy_store(built, tmp_path / "store")
    monkeypatch.setenv("BEATBOOK_STORE", str(copy.root))
    monkeypatch.delenv("BEATBOOK_DEMO_USER", raising=False)
    return copy


def _open(page: str, user_id: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[USER_KEY] = user_id
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open_a_problem(title: str, statement: str) -> AppTest:
    """P1 opens a problem in W1 from the form."""
    at = _open("pages/problems.py", "P1")
    at.text_input(key="problem_open.title").set_value(title)
    at.text_area(key="problem_open.statement").set_value(statement)
    at.multiselect(key="problem_open.ward_codes").set_value(["W1"])
    return at.button(key="problem_open.submit").click().run()


def test_the_commander_view_shows_the_functions_figures(store):
    at = _open("pages/problems_by_stage.py", "C1")
    at.date_input(key="problems_by_stage.end").set_value(AS_OF).run()
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "reviews_overdue" in d.value.columns)
    expected = problems_by_stage(store, Filters(end=AS_OF), user=user("C1"))
    expected = expected[expected["problems"] > 0]
    assert shown[["area_code", "stage", "problems", "oldest_age_days"]].to_dict("records") == expected[
        ["area_code", "stage", "problems", "oldest_age_days"]].to_dict("records")
    assert [m.value for m in at.metric] == ["3", "1", "1"]  # open: pr1-pr3; over 90 days: pr1 (pr2 is 90); overdue: pr2


def test_an_officer_opens_a_problem_and_moves_it_on(store):
    at = _open_a_problem("Dog fouling", "On the school path")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    listed = next(d.value for d in at.dataframe if "stage_label" in d.value.columns)
    assert "Dog fouling" in list(listed["title"])
    rid = listed.set_index("title").loc["Dog fouling", "record_id"]
    at = _open("pages/problems.py", "P1", **{"problems.id": rid})
    at.button(key="problems.stage.analysis").click().run()
    assert not at.exception
    assert get_problem(store, rid, user=user("P1"))["stage"] == "analysis"
    at.button(key="problems.stage.response").click().run()  # no triangle yet: refused, said why
    assert any("the analysis triangle needs victim, offender, location" in e.value for e in at.error)
    assert get_problem(store, rid, user=user("P1"))["stage"] == "analysis"


def test_the_problem_shows_its_items_and_the_item_its_problems(store):
    ids = record_ids(store)
    at = _open("pages/problems.py", "P1", **{"problems.id": ids["pr1"]})
    links = [link.label for link in at.get("page_link")]
    assert any("Vans on the verges (raised 10 Jan 2025)" in label for label in links), links
    assessment = next(d.value for d in at.dataframe if "pct_change" in d.value.columns)
    assert list(assessment["measure"]) == ["crimes", "asb", "issues_raised", "engagement"]
    at = _open("pages/ysywd_item.py", "P1", **{"ysywd_item.id": ids["y1"]})
    assert any("Verge parking" in link.label for link in at.get("page_link"))


def test_another_areas_officer_cannot_open_the_problem(store):
    at = _open("pages/problems.py", "P2", **{"problems.id": record_ids(store)["pr1"]})
    assert not any("Verge parking" in h.value for h in at.header)
    listed = next(d.value for d in at.dataframe if "stage_label" in d.value.columns)
    assert list(listed["title"]) == ["Racing"]


def test_the_open_form_lists_items_by_reference_ward_and_text_narrowed_to_the_chosen_wards(store):
    """Beside y1 (YS-1, A1/W1) and y2 (YS-2, A2): y3 in A1/W2 and y4 area-wide in A1 (YS-3, YS-4), y4's text
    holding Markdown, which a pick-list shows as typed."""
    y1 = record_ids(store)["y1"]
    for sid, ward, text in (("y3", "W2", "Bins overflowing"), ("y4", None, "Noise **[late](http://e.x)** :red[x]")):
        store.save("ysywd", {"issue_category": "Noise" if ward is None else "Litter", "issue_text": text,
                             "source": "meeting", "area_code": "A1", "ward_code": ward,
                             "raised_on": dt.date(2025, 2, 1)}, user="P1", submission_id=sid)
    vans = "YS-1 · Castle · Parking: Vans on the verges"
    bins = "YS-3 · Abbey · Litter: Bins overflowing"
    noise = "YS-4 · Area-wide · Noise: Noise **[late](http://e.x)** :red[x]"
    at = _open("pages/problems.py", "P1")
    items = at.multiselect(key="problem_open.ysywd_ids")
    assert sorted(items.options) == sorted([vans, bins, noise]), "no ward chosen yet: every item of the area"
    at.multiselect(key="problem_open.ward_codes").set_value(["W1"]).run()
    assert sorted(at.multiselect(key="problem_open.ysywd_ids").options) == sorted([vans, noise])
    at.multiselect(key="problem_open.ysywd_ids").set_value([y1]).run()
    at.multiselect(key="problem_open.ward_codes").set_value(["W2"]).run()
    assert sorted(at.multiselect(key="problem_open.ysywd_ids").options) == sorted([vans, bins, noise]), \
        "an item already picked stays, whatever the wards"
    at.multiselect(key="problem_open.ward_codes").set_value(["W1", "W2"]).run()
    assert sorted(at.multiselect(key="problem_open.ysywd_ids").options) == sorted([vans, bins, noise])


def test_a_problem_has_a_short_reference_shown_and_found_by_search(store):
    at = _open_a_problem("Dog fouling", "On the school path")
    assert "Reference: **PRB-5**" in at.success[0].value, "pr1 to pr4 are PRB-1 to PRB-4"
    listed = next(d.value for d in at.dataframe if "stage_label" in d.value.columns).set_index("title")
    assert listed.at["Dog fouling", "ref"] == "PRB-5"
    assert sorted(listed["ref"]) == ["PRB-1", "PRB-2", "PRB-3", "PRB-5"], "A1's problems (pr4, PRB-4, is A2's)"
    rid = listed.at["Dog fouling", "record_id"]
    at = _open("pages/problems.py", "P1", **{"problems.id": rid})
    assert at.caption[0].value.startswith("**PRB-5** · **Scanning**"), at.caption[0].value
    at = _open("pages/search.py", "P1")
    at.text_input(key="search.text").input("prb-5").run()
    assert [c.value for c in at.caption][0] == "1 found"
    assert any("**Dog fouling**" in m.value and "**PRB-5** · Problem" in m.value for m in at.markdown)


def test_over_long_text_on_the_problem_forms_is_kept_hinted_and_refused_by_name(store):
    """No box cuts a paste at its limit (a browser's maxlength would, silently): the text stays, a hint says how
    far over it is, and the save names each field and writes nothing."""
    before = store.snapshot("problems").rows
    title, statement = "T" * 300, "S" * 4100
    at = _open("pages/problems.py", "P1")
    assert at.text_input(key="problem_open.title").proto.max_chars == 0, "the title box takes any length"
    at.text_input(key="problem_open.title").input(title)
    at.text_area(key="problem_open.statement").input(statement)
    at.multiselect(key="problem_open.ward_codes").set_value(["W1"]).run()
    hints = [c.value for c in at.caption if "too many" in c.value]
    assert len(hints) == 2 and "300 characters: 100 too many (at most 200)" in hints[0], hints
    assert "4,100 characters: 100 too many (at most 4,000)" in hints[1], hints
    at.button(key="problem_open.submit").click().run()
    (refusal,) = at.error
    assert "**Title**" in refusal.value and "**Problem statement**" in refusal.value, refusal.value
    assert at.text_input(key="problem_open.title").value == title, "kept as typed"
    assert at.text_area(key="problem_open.statement").value == statement
    assert store.snapshot("problems").rows == before
