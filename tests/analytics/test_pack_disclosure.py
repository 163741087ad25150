"""No count the monthly area pack prints as "<5" can be worked out from the rest of what it prints.

A reader of the pack knows every figure in it and how each is made: the headline's contacts are the area's
contacts in the month; each ward's demand share is its (crimes + ASB + queries) over the area's, and its
engagement share its (events + contacts + patrols) over the area's, rounded to 4 places and printed to 0.1%;
the Guarantee's "In 72 h" is the share of a ward's queries due by the end that were answered in time (due and
answered in time are at most the queries received). The checks below try every value each hidden count could
have ("<5": 1 to 4; "[c]": 5 or more) against everything printed, and require every "<5" to keep at least two
possible values. They also check that the true value is among them, so the reader's model is the pack's.

The fixture, area A1 in March 2025 (and so the Guarantee's 91 days to 31 March):

    ward    ASB  queries (in 72 h)  events  contacts
    Castle   4   5 (5)              1       6
    Abbey    0   4 (3; one at 96 h) 1       3
    Marsh    3   0                  2       0

Before the shares and totals were suppressed too, the pack printed Abbey's contacts as "<5" beside a headline
total of 9 and Castle's 6 (9 - 6 = 3), and its engagement share 30.8% = (1 + 3) / 13; Abbey's queries as "<5"
beside a demand share of 25.0% = 4 / 16; and the Guarantee's "<5" queries beside 75.0% in 72 hours (3 of 4).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import itertools
from collections.abc import Sequence

import pytest
from pypdf import PdfReader

from analytics.pack import build_area_pack, render_html, render_pdf
from data.store import Store
from tests.analytics.conftest import make_ccr, make_completed_event, save

ANALYST = {"user_id": "AN", "name": "Ann Alyst", "role": "analyst", "active": True}
SMALL, HIDDEN = "<5", "[c]"
BOUND = 40
"""The largest value tried for a "[c]" cell (the fixture's totals are far below it)."""
WARDS = {"W1": "Castle", "W2": "Abbey", "W3": "Marsh"}
TRUE = {  # ward: (asb, queries, queries answered in 72 h, events, contacts)
    "Castle": (4, 5, 5, 1, 6), "Abbey": (0, 4, 3, 1, 3), "Marsh": (3, 0, 0, 2, 0)}


def _build(root) -> Store:
    store = Store(root)
    store.create()
    save(store, "areas", {"area_code": "A1", "name": "North", "centre_lat": 51.75, "centre_lon": -1.25}, "area-A1")
    for code, name in WARDS.items():
        save(store, "wards", {"ward_code": code, "name": name, "area_code": "A1", "centre_lat": 51.75,
                              "centre_lon": -1.25}, f"ward-{code}")
    for code, name in WARDS.items():
        asb, queries, in_time, events, contacts = TRUE[name]
        for i in range(asb):
            save(store, "crimes", {"month": dt.date(2025, 3, 1), "reported_by": "Test", "falls_within": "Test",
                                   "crime_type": "Anti-social behaviour", "ward_code": code, "area_code": "A1",
                                   "source_file": "test.csv"}, f"crime-{code}-{i}")
        for i in range(queries):
            received = dt.datetime(2025, 3, 2 + i, 9)
            answered = received + dt.timedelta(hours=24 if i < in_time else 96)
            save(store, "community_queries", {
                "received_at": received, "channel": "E-mail", "area_code": "A1", "ward_code": code,
                "topic": "Speeding", "officer_id": "P1", "summary": f"Query {code}-{i}", "answered_at": answered,
                "answer_channel": "Phone"}, f"query-{code}-{i}")
        for i in range(events):
            save(store, "events", make_completed_event(attendees=10, officers=["P1"], title=f"Meeting {code}-{i}",
                                                       ward_code=code, start=dt.datetime(2025, 3, 4 + i, 18)),
                 f"event-{code}-{i}")
        for i in range(contacts):
            save(store, "ccrs", make_ccr(ward_code=code, contact_at=dt.datetime(2025, 3, 3 + i, 11)),
                 f"ccr-{code}-{i}")
    return store


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    store = _build(tmp_path_factory.mktemp("pack-disclosure") / "store")
    return build_area_pack(store, user=ANALYST, area_code="A1", month=dt.date(2025, 3, 1),
                           today=dt.date(2025, 5, 1))


def _section(pack, title: str):
    (section,) = [s for s in pack.sections if s.title == title]
    return section


def _candidates(text: str) -> Sequence[int]:
    """The values a printed count can stand for."""
    if text == SMALL:
        return range(1, 5)
    if text == HIDDEN:
        return range(5, BOUND + 1)
    return [int(text.replace(",", ""))]


def _printed_share(part: int, whole: int) -> str:
    """A ward's share as the pack prints it: rounded to 4 places, then as a percentage to one decimal."""
    return f"{(round(part / whole, 4) if whole else 0.0):.1%}"


def share_column_options(counts: Sequence[str], known: Sequence[int], shares: Sequence[str],
                         total: str | None = None) -> list[set[int]]:
    """For a column of printed counts whose ward shares are (known part + count) over the area's, and whose
    sum is printed as `total` (if any): every value each count can have, given all that is printed."""
    options: list[set[int]] = [set() for _ in counts]
    for combo in itertools.product(*(_candidates(c) for c in counts)):
        if total is not None and sum(combo) not in _candidates(total):
            continue
        whole = sum(known) + sum(combo)
        if all(s == HIDDEN or s == _printed_share(k + c, whole) for k, c, s in zip(known, combo, shares,
                                                                                   strict=True)):
            for i, value in enumerate(combo):
                options[i].add(value)
    return options


def test_the_fixture_is_the_one_described(pack):
    rows = {row[0]: row for row in _section(pack, "Engagement vs demand").rows}
    for ward, (asb, _, _, events, _) in TRUE.items():
        assert rows[ward][2] == str(asb) and rows[ward][4] == str(events) and rows[ward][6] == "0"
    headline = dict(_section(pack, "Headline figures").rows)
    assert headline["Community contacts"] == "9"


def test_no_small_count_of_contacts_can_be_worked_out(pack):
    section = _section(pack, "Engagement vs demand")
    rows = [row for row in section.rows]
    names = [row[0] for row in rows]
    counts = [row[5] for row in rows]
    known = [int(row[4]) + int(row[6]) for row in rows]  # events + patrols
    options = share_column_options(counts, known, [row[8] for row in rows],
                                   total=dict(_section(pack, "Headline figures").rows)["Community contacts"])
    for name, count, values in zip(names, counts, options, strict=True):
        assert TRUE[name][4] in values
        if count == SMALL:
            assert len(values) >= 2, f"{name}'s contacts can be worked out: {sorted(values)}"
    # Abbey's 3 is "<5"; Castle's 6 is hidden with it, or 9 - 6 would give it away; their shares go too.
    assert counts == [HIDDEN, SMALL, "0"]
    assert [row[8] for row in rows] == [HIDDEN, HIDDEN, "15.4%"]  # Marsh: 2 of 13
    assert options[1] == {1, 2, 3, 4}
    assert "Castle" not in section.charted and "Abbey" not in section.charted


def test_no_small_count_of_queries_can_be_worked_out(pack):
    rows = _section(pack, "Engagement vs demand").rows
    counts = [row[3] for row in rows]
    known = [int(row[1]) + int(row[2]) for row in rows]  # crimes + ASB
    options = share_column_options(counts, known, [row[7] for row in rows])
    for row, values in zip(rows, options, strict=True):
        assert TRUE[row[0]][1] in values
        if row[3] == SMALL:
            assert len(values) >= 2, f"{row[0]}'s queries can be worked out: {sorted(values)}"
    assert counts == [HIDDEN, SMALL, "0"]  # 5 and 4: the 5 hidden with the 4
    assert [row[7] for row in rows] == [HIDDEN, HIDDEN, "18.8%"]  # Marsh: 3 of 16
    assert options[1] == {1, 2, 3, 4}


def guarantee_options(received: str, in_72h: str) -> set[int]:
    """Every number of queries received consistent with the printed count and share in 72 hours."""
    values = set()
    for queries in _candidates(received):
        for due in range(queries + 1):
            for in_time in range(due + 1):
                printed = "-" if not due else f"{in_time / due:.1%}"
                if in_72h in (HIDDEN, printed):
                    values.add(queries)
    return values


def test_no_small_count_of_guarantee_queries_can_be_worked_out(pack):
    rows = {row[0]: row for row in _section(pack, "Neighbourhood Policing Guarantee").rows}
    for ward, row in rows.items():
        values = guarantee_options(row[5], row[6])
        assert TRUE[ward][1] in values
        if row[5] == SMALL:
            assert len(values) >= 2, f"{ward}'s queries can be worked out: {sorted(values)}"
    assert [rows[w][5] for w in ("Castle", "Abbey", "Marsh")] == ["5", SMALL, "0"]
    assert rows["Castle"][6] == "100.0%" and rows["Abbey"][6] == HIDDEN  # not 75.0%: 3 of 4


def test_what_is_checked_is_what_is_printed(pack):
    """The rows checked above are the rows of both copies, PDF and HTML."""
    page = render_html(pack)
    pdf = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(render_pdf(pack))).pages)
    for title in ("Engagement vs demand", "Neighbourhood Policing Guarantee", "Headline figures"):
        for row in _section(pack, title).rows:
            assert "".join(f"<td>{html.escape(cell)}</td>" for cell in row) in page
            assert " ".join(row) in pdf
