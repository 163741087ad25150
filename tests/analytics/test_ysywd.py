""""You said, we did" figures on a hand-made store; the priorities format in and out, with the real examples."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from analytics.filters import Filters
from analytics.ysywd import (
    build_summary_html,
    count_board,
    list_board,
    list_publishable,
    redact,
    summary_priorities,
    ysywd_overview,
)
from data import police_uk
from data.access import NotAllowed
from data.store import Store, ValidationError

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdata" / "police_uk_api_examples"
TODAY = dt.date(2026, 3, 31)
ANALYST = {"user_id": "an1", "role": "analyst", "area_code": None, "active": True}
OFFICER_A = {"user_id": "of1", "role": "officer", "area_code": "A", "active": True}
D = dt.date


def _item(n, area, ward, raised, status, actions=(), feedback=(), publishable=False, text="Speeding on Elm Road",
          officer="of1"):
    return {
        "record_id": f"y{n}", "version": 1, "deleted": False, "written_at": dt.datetime(2026, 3, 31),
        "written_by": "of1", "submission_id": f"s{n}", "superseded": False,
        "issue_category": "Speeding", "issue_text": text, "source": "meeting", "area_code": area,
        "ward_code": ward, "raised_on": raised, "linked_events": [], "linked_ccrs": [],
        "actions": [{"action_type": t, "text": f"{t} done", "date": d, "officer_id": officer} for t, d in actions],
        "feedback": [{"date": d, "channel": "Website", "text": "told"} for d in feedback],
        "status": status, "publishable": publishable,
    }


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Store:
    """Six items in two areas; days to action 3, 1, 7, 5; days to feedback 20, 9, 14."""
    store = Store(tmp_path_factory.mktemp("ysywd") / "store")
    store.create()
    store.append_rows("areas", [
        {"record_id": c, "version": 1, "deleted": False, "written_at": dt.datetime(2026, 1, 1), "written_by": "x",
         "submission_id": c, "superseded": False, "area_code": c, "name": f"Area {c}", "centre_lat": 51.5,
         "centre_lon": -1.0} for c in ("A", "B")])
    store.append_rows("wards", [
        {"record_id": w, "version": 1, "deleted": False, "written_at": dt.datetime(2026, 1, 1), "written_by": "x",
         "submission_id": w, "superseded": False, "ward_code": w, "name": f"Ward {w}", "area_code": a,
         "centre_lat": 51.5, "centre_lon": -1.0, "geojson": None} for w, a in (("A1", "A"), ("A2", "A"), ("B1", "B"))])
    store.append_rows("ysywd", [
        _item(1, "A", "A1", D(2026, 1, 5), "feedback_given",
              [("Patrol plan", D(2026, 1, 8)), ("Media appeal", D(2026, 1, 20))], [D(2026, 1, 25)], True,
              "Speeding on Elm Road, call 07700 900123 or jo@example.org"),
        _item(2, "A", "A1", D(2026, 1, 10), "action_taken", [("Patrol plan", D(2026, 1, 11))], publishable=True),
        _item(3, "A", "A2", D(2026, 1, 20), "open", publishable=True),
        _item(4, "A", "A2", D(2026, 2, 1), "closed", [("Enforcement", D(2026, 2, 8))], [D(2026, 2, 10)]),
        _item(5, "B", "B1", D(2026, 2, 15), "feedback_given", [("Patrol plan", D(2026, 2, 20))], [D(2026, 3, 1)],
              officer="of2"),
        _item(6, "B", None, D(2026, 3, 25), "in_progress"),
    ])
    return store


def test_headline_timings_are_medians_of_whole_days(tiny):
    data = ysywd_overview(tiny, Filters(), user=ANALYST, today=TODAY, overdue_days=10)
    assert data.headline == {"raised": 6, "actioned": 4, "fed_back": 3, "closed": 1, "overdue": 1,
                             "median_days_to_action": 4.0, "median_days_to_feedback": 14.0}
    assert list(data.overdue["record_id"]) == ["y3"] and list(data.overdue["days_open"]) == [70]


def test_by_area_and_month_raised(tiny):
    data = ysywd_overview(tiny, Filters(), user=ANALYST, today=TODAY, overdue_days=10)
    rows = data.by_area_month.astype(object).where(data.by_area_month.notna(), None)
    got = [(r.area_code, r.month.date(), r.raised, r.actioned, r.fed_back, r.median_days_to_action,
            r.median_days_to_feedback) for r in rows.itertuples()]
    assert got == [("A", D(2026, 1, 1), 3, 2, 1, 2.0, 20.0), ("A", D(2026, 2, 1), 1, 1, 1, 7.0, 9.0),
                   ("B", D(2026, 2, 1), 1, 1, 1, 5.0, 14.0), ("B", D(2026, 3, 1), 1, 0, 0, None, None)]
    assert list(rows["area"]) == ["Area A", "Area A", "Area B", "Area B"]


def test_actions_by_type_and_wards(tiny):
    data = ysywd_overview(tiny, Filters(), user=ANALYST, today=TODAY, overdue_days=5)
    assert list(zip(data.actions_by_type["action_type"], data.actions_by_type["actions"], strict=True)) == [
        ("Patrol plan", 3), ("Enforcement", 1), ("Media appeal", 1)]
    assert data.headline["overdue"] == 2  # y3 (70 days) and y6 (6 days) have no action after 5 days
    assert [tuple(r) for r in data.by_ward[["ward_code", "items", "overdue"]].itertuples(index=False)] == [
        ("A1", 2, 0), ("A2", 2, 1), ("B1", 1, 0)]


def test_period_and_scope_filter_the_cohort(tiny):
    data = ysywd_overview(tiny, Filters(start=D(2026, 2, 1), end=D(2026, 3, 31)), user=ANALYST, today=TODAY)
    assert (data.headline["raised"], data.headline["median_days_to_action"],
            data.headline["median_days_to_feedback"]) == (3, 6.0, 11.5)
    by_of2 = ysywd_overview(tiny, Filters(officers=("of2",)), user=ANALYST, today=TODAY)
    assert (by_of2.headline["raised"], by_of2.headline["median_days_to_action"]) == (1, 5.0)
    mine = ysywd_overview(tiny, Filters(), user=OFFICER_A, today=TODAY)
    assert mine.headline["raised"] == 4
    with pytest.raises(NotAllowed):
        ysywd_overview(tiny, Filters(areas=("B",)), user=OFFICER_A, today=TODAY)


def test_board_by_status_oldest_first_with_days_open(tiny):
    board = list_board(tiny, user=OFFICER_A, area_code="A", today=TODAY)
    assert list(board["record_id"]) == ["y3", "y2", "y1", "y4"]
    days = [None if pd.isna(v) else int(v) for v in board["days_open"]]
    assert days == [70, 80, 85, None]
    assert count_board(tiny, user=OFFICER_A, area_code="A") == {
        "open": 1, "in_progress": 0, "action_taken": 1, "feedback_given": 1, "closed": 1}
    assert count_board(tiny, user=OFFICER_A, area_code="A", ward_code="A2")["closed"] == 1
    assert list(list_board(tiny, user=OFFICER_A, area_code="A", ward_code="A2", statuses=("open",),
                           today=TODAY)["record_id"]) == ["y3"]
    with pytest.raises(NotAllowed):
        list_board(tiny, user=OFFICER_A, area_code="B", today=TODAY)


def test_public_summary_keeps_publishable_items_and_no_personal_data(tiny):
    items = list_publishable(tiny, user=ANALYST, area_code="A", start=D(2026, 1, 1), end=D(2026, 1, 31))
    assert [i["record_id"] for i in items] == ["y1", "y2", "y3"]
    assert items[0]["issue"] == "Speeding on Elm Road, call [removed] or [removed]"
    assert set(items[0]["actions"][0]) == {"date", "action_type", "text"}  # no officer
    assert json.loads(police_uk.dumps(summary_priorities(items)))[0] == {
        "issue": "Speeding on Elm Road, call [removed] or [removed]", "issue-date": "2026-01-05T00:00:00",
        "action": "Patrol plan done\n\nMedia appeal done", "action-date": "2026-01-20T00:00:00"}
    # an item raised before the period shows when it was acted on in it; actions after the period do not
    later = list_publishable(tiny, user=ANALYST, area_code="A", start=D(2026, 1, 8), end=D(2026, 1, 12))
    assert [(i["record_id"], len(i["actions"])) for i in later] == [("y1", 1), ("y2", 1)]


def test_summary_page_escapes_everything():
    item = {"record_id": "x", "issue_category": "Drugs", "ward": "<b>Ward</b>", "raised_on": D(2026, 1, 2),
            "issue": "<script>alert(1)</script>\n\nSecond", "status": "open",
            "actions": [{"date": D(2026, 1, 3), "action_type": "Patrol plan", "text": "<img src=x onerror=alert(1)>"}],
            "feedback": [{"date": D(2026, 1, 5), "channel": "<Leaflet>"}]}
    page = build_summary_html([item], title="You said, we did", period="January 2026", force_name="Force")
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert "<p>Second</p>" in page and "Content-Security-Policy" in page
    assert "We let you know by &lt;leaflet&gt; on 05 January 2026." in page


def test_redact_leaves_ordinary_text():
    assert redact("Met residents on 12 Jan 2026 at 7pm, 40 people") == "Met residents on 12 Jan 2026 at 7pm, 40 people"
    assert redact("ring 01865 123456") == "ring [removed]"


# -- data.police.uk priorities -----------------------------------------------------------


def _real(name: str) -> dict:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real data.police.uk examples not present at {REAL}")
    return json.loads(path.read_text())


def test_html_becomes_plain_text_with_paragraphs():
    assert police_uk.html_to_text("<p>One &amp; two</p>\n\n<p>Three<br>four<script>x()</script></p>") == \
        "One & two\n\nThree\nfour"


def test_the_three_real_examples_parse():
    html_one = police_uk.parse_priorities(_real("neighbourhood-priority-html.json"))
    (no_action,) = police_uk.parse_priorities(_real("neighbourhood-priority-no-action.json"))
    (plain,) = police_uk.parse_priorities(_real("neighbourhood-priority.json"))
    (beggars,) = html_one
    assert beggars.issue.startswith("Beggars and homeless persons") and "<p>" not in beggars.issue
    assert beggars.issue.count("\n\n") == 1  # two paragraphs
    assert beggars.action.endswith("Sgt Dyer") and "<" not in beggars.action
    assert (beggars.issue_date, beggars.action_date) == (D(2018, 9, 20), D(2019, 1, 14))
    assert (no_action.action, no_action.action_date, no_action.issue_date) == (None, None, D(2016, 4, 14))
    assert plain.issue == "To reduce street drinking and drug use in and around Museum Square, Leicester."


@pytest.mark.parametrize("bad, message", [
    ({"issue": "x"}, "issue and issue-date are required"),
    ({"issue": "x", "issue-date": "yesterday"}, "is not a date"),
    ({"issue": 3, "issue-date": "2020-01-01T00:00:00"}, "must be text"),
    ({"issue": "x", "issue-date": "2020-01-02T00:00:00", "action-date": "2020-01-01T00:00:00"}, "before"),
    ("not a list", "expected a JSON list"),
])
def test_bad_priorities_name_what_is_wrong(bad, message):
    with pytest.raises(ValueError, match=message):
        police_uk.parse_priorities([bad] if isinstance(bad, dict) else json.dumps(bad))


def test_importing_the_real_examples_and_round_trip(store):
    analyst = {"user_id": "u0005", "role": "analyst", "area_code": None, "active": True}
    payload = [_real("neighbourhood-priority-html.json"), _real("neighbourhood-priority-no-action.json"),
               _real("neighbourhood-priority.json")]
    before_audit = store.snapshot("audit").rows
    result = police_uk.import_priorities(store=store, payload=json.dumps(payload), area_code="ST-STA",
                               default_category="Street drinking", user=analyst)
    assert result == {"read": 3, "added": 3, "already_loaded": 0}
    assert store.snapshot("audit").rows == before_audit + 1
    again = police_uk.import_priorities(store=store, payload=payload, area_code="ST-STA", user=analyst)
    assert again == {"read": 3, "added": 0, "already_loaded": 3}

    items = list_publishable(store, user=analyst, area_code="ST-STA", start=D(2015, 1, 1), end=D(2019, 12, 31))
    imported = {i["raised_on"]: i for i in items if i["raised_on"].year < 2020}
    assert {d: (i["issue_category"], i["status"]) for d, i in imported.items()} == {
        D(2015, 10, 8): ("Street drinking", "feedback_given"), D(2016, 4, 14): ("Anti-social behaviour", "open"),
        D(2018, 9, 20): ("Street drinking", "feedback_given")}
    exported = police_uk.priorities_json(summary_priorities([imported[d] for d in sorted(imported)]))
    expected = police_uk.priorities_json(sorted(police_uk.parse_priorities(payload), key=lambda p: p.issue_date))
    assert exported == expected  # nothing lost: same text (as plain text), same dates, same null action

    # and the export imports back as the same priorities
    round_trip = police_uk.parse_priorities(json.dumps(exported))
    assert police_uk.priorities_json(round_trip) == exported


def test_only_importers_import_and_bad_files_write_nothing(store):
    officer = {"user_id": "u0001", "role": "officer", "area_code": "ST-STA", "active": True}
    analyst = {"user_id": "u0005", "role": "analyst", "area_code": None, "active": True}
    before = store.snapshot("ysywd").rows
    with pytest.raises(NotAllowed):
        police_uk.import_priorities(store=store, payload="[]", area_code="ST-STA", user=officer)
    with pytest.raises(ValidationError) as exc:
        police_uk.import_priorities(store=store, area_code="ST-STA", user=analyst,
                                    payload='[{"issue": "ok", "issue-date": "2020-01-01T00:00:00"}, {"issue": "x"}]')
    assert "priority 2" in exc.value.errors["file"]
    with pytest.raises(ValidationError) as exc:
        police_uk.import_priorities(store=store, payload="[]", area_code="NOWHERE", user=analyst)
    assert "area_code" in exc.value.errors
    assert store.snapshot("ysywd").rows == before
