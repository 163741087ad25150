"""The monthly area pack: one PDF and one HTML copy per area from the command line, figures worked out by hand
from the analytics fixture (see tests/analytics/conftest.py), small counts suppressed, text kept as text,
coverage gaps, refusals, an empty store and the demo force."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pandas as pd
import pytest
from pypdf import PdfReader

from analytics.__main__ import main
from analytics.alerts import list_alerts
from analytics.filters import Filters
from analytics.pack import build_area_pack, list_coverage_gaps, make_pack_file, problems_section, render_html
from data import access, db
from data.store import Store, new_submission_id
from forms.admin import save_setting
from tests.analytics.conftest import build_fixture_store, make_event, save
from tests.analytics.guarantee_fixture import build_guarantee_store

ANALYST = {"user_id": "AN", "name": "Ann Alyst", "role": "analyst", "active": True}
SUPERVISOR = {"user_id": "S1", "name": "Sue", "role": "supervisor", "area_code": "A1", "active": True}
OFFICER = {"user_id": "P1", "name": "Ann", "role": "officer", "area_code": "A1", "active": True}
HOSTILE_WARD = "<b>Bold</b> & co"
SECTIONS = ("Headline figures", "Top issues", "Neighbourhood Policing Guarantee", '"You said, we did" progress',
            "Problems by stage", "Engagement vs demand", "Coverage gaps")


@pytest.fixture(scope="module")
def pack_store(tmp_path_factory) -> Store:
    """The analytics fixture, and a ward of A1 with markup in its name and no engagement ever."""
    store = build_fixture_store(tmp_path_factory.mktemp("pack") / "store")
    save(store, "wards", {"ward_code": "W9", "name": HOSTILE_WARD, "area_code": "A1", "centre_lat": 51.7,
                          "centre_lon": -1.2}, "ward-W9")
    return store


def _text(path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def _exports(store: Store) -> list[str]:
    return [row["detail"] for row in db.records(f"SELECT detail FROM {store.relation('audit')}"
                                                " WHERE action = 'export' ORDER BY written_at")]


@pytest.fixture(scope="module")
def march(pack_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("march")
    assert main(["pack", "--store", str(pack_store.root), "--month", "2025-03", "--out", str(out)]) == 0
    return out


def test_one_pdf_and_one_html_per_area(march, pack_store):
    assert sorted(p.name for p in march.iterdir()) == ["pack-a1-2025-03.html", "pack-a1-2025-03.pdf",
                                                       "pack-a2-2025-03.html", "pack-a2-2025-03.pdf"]
    pages = _text(march / "pack-a1-2025-03.pdf")
    assert len(pages) == 4  # headline and issues; Guarantee; "You said, we did" and problems; demand and gaps
    whole = " ".join(pages)
    for title in SECTIONS:
        assert title in whole
    assert pages[0].count("North (A1): monthly area pack, March 2025") == 1
    assert [d for d in _exports(pack_store) if "pack-" in d] == [
        "pack-a1-2025-03.pdf and pack-a1-2025-03.html: monthly area pack of A1 for 2025-03; command line",
        "pack-a2-2025-03.pdf and pack-a2-2025-03.html: monthly area pack of A2 for 2025-03; command line"]


def test_the_figures_are_the_hand_counted_ones(march):
    a1 = " ".join(_text(march / "pack-a1-2025-03.pdf"))
    # A1 in March: e1 (12 attendees, 2 officers) and e2 (25, 1) completed; contacts c1 and c3.
    for label, value in (("Events booked", "2"), ("Events completed", "2"), ("People engaged", "37"),
                         ("Officer attendances", "3"), ("Intelligence submissions", "2")):
        assert f"{label} {value} " in a1
    # "You said, we did" raised in March in A1: y1 (open) and y3 (closed after an action 5 days on).
    assert "Raised in the month 2 Actioned 1 Told back 0 Closed 1 Median days to action 5.0" in a1
    # Engagement vs demand: Castle e1 + c1, Abbey e2 + c3: half each, but the contacts' total is 2, so any
    # engagement share would pin both "<5" (tests/analytics/test_pack_disclosure.py); no crime data.
    assert "Castle 0 0 0 1 <5 0 0.0% [c]" in a1 and "Abbey 0 0 0 1 <5 0 0.0% [c]" in a1
    a2 = " ".join(_text(march / "pack-a2-2025-03.pdf"))
    # A2 in March: e3 booked, e7 completed with 4 attendees (e4 cancelled: not booked).
    assert "Events booked 2 " in a2 and "Events completed 1 " in a2


def test_the_guarantee_measures_are_the_hand_counted_ones(tmp_path):
    """tests/analytics/guarantee_fixture.py works these out for the 91 days to 30 June 2025."""
    store = build_guarantee_store(tmp_path / "store")
    assert main(["pack", "--store", str(store.root), "--month", "2025-06", "--area", "A1",
                 "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["pack-a1-2025-06.html", "pack-a1-2025-06.pdf"]
    guarantee_page = _text(tmp_path / "out" / "pack-a1-2025-06.pdf")[1]
    # Castle: Ann Able named, 2 open priorities, current, 2 beat meetings, 6 queries, 2 of 5 due in time,
    # 3 open late (people: suppressed). Abbey: no one named, 1 open priority, not current.
    assert "Castle Ann Able 2 yes 2 6 40.0% <5" in guarantee_page
    assert "Abbey none 1 no 0 0 - 0" in guarantee_page
    # Abstraction 18.5 h of 1,300; June 4 h of 100 x 30/7; hotspot patrols 3.5 h of 6.5.
    assert "Abstraction share: 1.4% over the period, 0.9% in the month. Hotspot patrol share: 53.8%." \
        in guarantee_page


def test_small_counts_of_people_are_suppressed(march):
    a1 = " ".join(_text(march / "pack-a1-2025-03.pdf"))
    assert "Community contacts <5 " in a1  # c1 and c3
    assert "Speeding <5" in a1  # e1, e2, c1, c3: 4 mentions
    a2 = " ".join(_text(march / "pack-a2-2025-03.pdf"))
    assert "People engaged <5 " in a2  # e7's 4 attendees
    assert not re.search(r"People engaged [1-4] ", a2)


def test_coverage_gaps_and_text_kept_as_text(march, pack_store):
    gaps = list_coverage_gaps(pack_store, Filters(end=dt.date(2025, 5, 31), areas=("A1",)), user=ANALYST)
    # W9 never; Abbey last c3 on 18 Mar (74 days to 31 May); Castle last e6 on 2 Apr (59 days).
    assert list(gaps["ward_code"]) == ["W9", "W2", "W1"]
    assert [None if pd.isna(d) else int(d) for d in gaps["days_since"]] == [None, 74, 59]
    march_gaps = list_coverage_gaps(pack_store, Filters(end=dt.date(2025, 3, 31), areas=("A1",)), user=ANALYST)
    # To 31 Mar, 28 days (the default): Castle's last is e1 and c1 on 3 Mar (e5 on 20 Mar was deleted), 28 days:
    # a gap, as the alerts would say that day; Abbey's c3 on 18 Mar is 13 days.
    assert list(march_gaps["ward_code"]) == ["W9", "W1"] and list(march_gaps["days_since"])[1] == 28
    assert list(list_coverage_gaps(pack_store, Filters(end=dt.date(2025, 3, 30), areas=("A1",)),
                                   user=ANALYST)["ward_code"]) == ["W9"]  # 27 days the day before
    a1 = " ".join(_text(march / "pack-a1-2025-03.pdf"))
    assert f"{HOSTILE_WARD} - never" in a1  # the ward's name printed as it is, not as markup
    page = (march / "pack-a1-2025-03.html").read_text()
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page and "<b>Bold" not in page
    # No chart: no issue reaches 5 mentions, and every engagement share is hidden (the contacts total 2).
    assert page.count("<img src='data:image/png;base64,") == 0


def test_coverage_gaps_are_the_alerts_gaps_and_follow_the_force_setting(tmp_path):
    """One definition of a gap: the pack lists the wards the alerts flag at the end of that day, and a booking
    that never happened or a patrol is not engagement in either."""
    store = build_fixture_store(tmp_path / "store")
    # Abbey (W2): last contact c3 on 18 Mar. A booking left "booked" on 20 May and a patrol on 25 May do not
    # end its gap; nor does a cancelled event on 28 May.
    save(store, "events", make_event(ward_code="W2", start=dt.datetime(2025, 5, 20, 10)), "w2-booked")
    save(store, "events", make_event(ward_code="W2", start=dt.datetime(2025, 5, 28, 10), status="cancelled",
                                     cancel_reason="Rain"), "w2-cancelled")
    save(store, "patrols", {"officer_id": "P2", "patrol_type": "Foot patrol", "start": dt.datetime(2025, 5, 25, 9),
                            "end": dt.datetime(2025, 5, 25, 11), "area_code": "A1", "ward_code": "W2"}, "w2-patrol")
    end = dt.date(2025, 5, 31)
    gaps = list_coverage_gaps(store, Filters(end=end, areas=("A1",)), user=ANALYST)
    # Default 28 days. Abbey: 74 days since 18 Mar; Castle: 59 since e6 on 2 Apr.
    assert list(gaps["ward_code"]) == ["W2", "W1"]
    assert [int(d) for d in gaps["days_since"]] == [74, 59]
    assert list(gaps["last_engagement"].map(lambda d: pd.Timestamp(d).date())) == [dt.date(2025, 3, 18),
                                                                                   dt.date(2025, 4, 2)]
    alerts = list_alerts(store, Filters(areas=("A1",)), user=ANALYST, now=dt.datetime(2025, 5, 31, 23, 59))
    assert sorted(alerts.loc[alerts["condition"] == "coverage_gap", "ward_code"]) == sorted(gaps["ward_code"])
    # The force sets 60 days: Castle's 59 is no longer a gap, in the pack's list or its printed table.
    save_setting(store=store, key="coverage_gap_days", value="60",
                 user={"user_id": "ADM", "role": "admin", "area_code": None, "active": True},
                 submission_id=new_submission_id(), base_version=0)
    assert list(list_coverage_gaps(store, Filters(end=end, areas=("A1",)), user=ANALYST)["ward_code"]) == ["W2"]
    pack = build_area_pack(store, user=ANALYST, area_code="A1", month=dt.date(2025, 5, 1))
    gap_table = next(s for s in pack.sections if s.title == "Coverage gaps")
    assert [row[0] for row in gap_table.rows] == ["Abbey"] and "in the 60 days" in gap_table.notes[0]


def test_problems_by_stage_renders_a_frame():
    section = problems_section(pd.DataFrame({
        "stage_label": ["Scanning", "Response"], "problems": [3, 12], "under_31_days": [2, 0],
        "days_31_to_90": [1, 7], "over_90_days": [0, 5], "mean_age_days": [4.0, 30.5], "reviews_overdue": [0, 2]}))
    assert section.rows == [["Scanning", "3", "2", "1", "0", "4.0", "0"],
                            ["Response", "12", "0", "7", "5", "30.5", "2"]]
    empty = problems_section(pd.DataFrame({"stage_label": ["Scanning"], "problems": [0], "under_31_days": [0],
                                           "days_31_to_90": [0], "over_90_days": [0], "mean_age_days": [None],
                                           "reviews_overdue": [0]}))
    assert empty.notes == ["No problem-solving records for this area."] and empty.rows[0][5] == "-"


def test_who_may_have_a_pack(pack_store):
    with pytest.raises(access.NotAllowed):
        build_area_pack(pack_store, user=OFFICER, area_code="A1", month=dt.date(2025, 3, 1))
    with pytest.raises(access.NotAllowed):
        build_area_pack(pack_store, user=SUPERVISOR, area_code="A2", month=dt.date(2025, 3, 1))
    before = len(_exports(pack_store))
    data = make_pack_file(pack_store, user=SUPERVISOR, area_code="A1", month=dt.date(2025, 3, 1), context="page x")
    assert data.startswith(b"%PDF") and len(_exports(pack_store)) == before + 1
    assert _exports(pack_store)[-1] == "pack-a1-2025-03.pdf: monthly area pack of A1 for 2025-03; page x"
    page = make_pack_file(pack_store, user=SUPERVISOR, area_code="A1", month=dt.date(2025, 3, 1), fmt="html")
    assert page.startswith(b"<!doctype html>") and len(_exports(pack_store)) == before + 2


def test_an_empty_store(tmp_path, capsys):
    store = Store(tmp_path / "store")
    store.create()
    assert main(["pack", "--store", str(store.root), "--month", "2025-03", "--out", str(tmp_path / "none")]) == 0
    assert list((tmp_path / "none").iterdir()) == [] and "no areas" in capsys.readouterr().err
    assert main(["pack", "--store", str(store.root), "--month", "2025-03", "--area", "X1",
                 "--out", str(tmp_path / "x")]) == 1
    save(store, "areas", {"area_code": "A1", "name": "North", "centre_lat": 51.7, "centre_lon": -1.2}, "a")
    assert main(["pack", "--store", str(store.root), "--month", "2025-03", "--out", str(tmp_path / "out")]) == 0
    text = " ".join(_text(tmp_path / "out" / "pack-a1-2025-03.pdf"))
    assert "People engaged 0 " in text and "No issues raised" in text and "The area has no wards." in text


def test_the_demo_force(demo_store_root, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(demo_store_root, root)
    store = Store(root)
    month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    pack = build_area_pack(store, user=ANALYST, area_code=_first_area(store), month=month)
    html = render_html(pack)
    assert all(title.replace('"', "&quot;") in html for title in SECTIONS)
    pdf = make_pack_file(store, user=ANALYST, area_code=pack.area_code, month=month)
    out = tmp_path / "demo.pdf"
    out.write_bytes(pdf)
    pages = _text(out)
    assert len(pages) >= 4 and "Headline figures" in pages[0]
    assert "People engaged" in pages[0]


def _first_area(store: Store) -> str:
    from data.reference import list_areas

    return str(list_areas(store)["area_code"].iloc[0])


def test_the_pack_shows_the_areas_problems_by_stage(tmp_path):
    from tests.analytics.problem_fixture import build_problem_store, user

    store = build_problem_store(tmp_path / "problems")
    pack = build_area_pack(store, user=user("AN"), area_code="A1", month=dt.date(2025, 6, 1))
    (section,) = [s for s in pack.sections if s.title == "Problems by stage"]
    # At 30 June 2025 in A1 (problem_fixture): pr2 scanning, opened 1 Apr (90 days, review 29 Apr overdue);
    # pr3 analysis, opened 20 Jun (10 days); pr1 assessment, opened 1 Mar (121 days). pr4 is A2's.
    assert section.rows == [["Scanning", "1", "0", "1", "0", "90.0", "1"],
                            ["Analysis", "1", "1", "0", "0", "10.0", "0"],
                            ["Response", "0", "0", "0", "0", "-", "0"],
                            ["Assessment", "1", "0", "0", "1", "121.0", "0"],
                            ["Closed", "0", "0", "0", "0", "-", "0"]]


def test_a_pack_is_only_for_a_month_that_has_ended(pack_store):
    with pytest.raises(ValueError, match="March 2025 has not ended yet.*from 01 April 2025"):
        build_area_pack(pack_store, user=SUPERVISOR, area_code="A1", month=dt.date(2025, 3, 1),
                        today=dt.date(2025, 3, 31))  # its last day is not over
    with pytest.raises(ValueError, match="has not ended yet"):
        build_area_pack(pack_store, user=SUPERVISOR, area_code="A1", month=dt.date(2025, 5, 1),
                        today=dt.date(2025, 3, 31))  # a month to come
    pack = build_area_pack(pack_store, user=SUPERVISOR, area_code="A1", month=dt.date(2025, 3, 1),
                           today=dt.date(2025, 4, 1))
    assert pack.month == dt.date(2025, 3, 1)
