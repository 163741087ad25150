"""Engagement vs demand per ward, on a tiny force whose figures are worked out by hand.

March 2025, wards W1, W2 (area A1) and W3 (A2):
  crimes  W1: 3 burglaries + 1 ASB (and 1 burglary in April);  W2: 2 ASB;  W3: none;  1 crime with no location
  events  W1: 1 completed;  W3: 2 booked (+ 1 cancelled, not counted)
  CCRs    W2: 2;  W3: 1
  patrols W1: 1 of 2 hours;  W3: 1 of 1.5 hours
Demand (crimes + ASB in wards) 6: W1 4, W2 2, W3 0.  Engagement (events + CCRs + patrols) 8: W1 2, W2 2, W3 4.
"""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import sql
from analytics.demand import crime_months_held, engagement_vs_demand, list_crime_points
from analytics.filters import Filters
from data.imports.crime import import_crime
from tests.analytics.conftest import make_ccr, make_completed_event, make_event
from tests.imports_fixture import ANALYST, crime_csv, crime_row, make_store

MARCH = Filters(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31))
W1, W2, W3 = ("-1.25", "51.75"), ("-1.15", "51.75"), ("-1.05", "51.75")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    sql.clear_cache()
    store = make_store(tmp_path_factory.mktemp("demand") / "store")
    rows = [crime_row(crime_id=f"b{i}", lon=W1[0], lat=W1[1]) for i in range(3)]
    rows += [crime_row(lon=W1[0], lat=W1[1], crime_type="Anti-social behaviour")]
    rows += [crime_row(crime_id="apr", month="2025-04", lon=W1[0], lat=W1[1])]
    rows += [crime_row(lon=W2[0], lat=W2[1], crime_type="Anti-social behaviour", lsoa=f"Northtown 00{i}A")
             for i in range(2)]
    rows += [crime_row(crime_id="lost")]
    import_crime(store, [crime_csv(*rows)], user=ANALYST, names=["crimes.csv"])
    save = lambda table, values, sid: store.save(table, values, user="P1", submission_id=sid)  # noqa: E731
    save("events", make_completed_event(attendees=10, officers=["P1"]), "e1")
    save("events", make_event(area_code="A2", ward_code="W3", start=dt.datetime(2025, 3, 10, 18)), "e2")
    save("events", make_event(area_code="A2", ward_code="W3", start=dt.datetime(2025, 3, 11, 18)), "e3")
    save("events", make_event(area_code="A2", ward_code="W3", status="cancelled", cancel_reason="Rain"), "e4")
    save("ccrs", make_ccr(ward_code="W2"), "c1")
    save("ccrs", make_ccr(ward_code="W2", contact_at=dt.datetime(2025, 3, 4, 9)), "c2")
    save("ccrs", make_ccr(area_code="A2", ward_code="W3"), "c3")
    patrol = {"officer_id": "P1", "patrol_type": "Foot patrol", "area_code": "A1", "ward_code": "W1",
              "start": dt.datetime(2025, 3, 5, 10), "end": dt.datetime(2025, 3, 5, 12)}
    save("patrols", patrol, "p1")
    save("patrols", patrol | {"area_code": "A2", "ward_code": "W3", "end": dt.datetime(2025, 3, 5, 11, 30)}, "p2")
    return store


def test_each_ward_has_its_demand_and_engagement(store):
    result = engagement_vs_demand(store, MARCH, user=ANALYST)
    wards = result.wards.set_index("ward_code")
    assert wards[["crimes", "asb", "events", "ccrs", "patrols"]].to_dict("index") == {
        "W1": {"crimes": 3, "asb": 1, "events": 1, "ccrs": 0, "patrols": 1},
        "W2": {"crimes": 0, "asb": 2, "events": 0, "ccrs": 2, "patrols": 0},
        "W3": {"crimes": 0, "asb": 0, "events": 2, "ccrs": 1, "patrols": 1},
    }
    assert list(wards["patrol_hours"]) == [2.0, 0.0, 1.5]
    assert list(wards["demand_share"]) == pytest.approx([4 / 6, 2 / 6, 0.0], abs=1e-4)
    assert list(wards["engagement_share"]) == pytest.approx([2 / 8, 2 / 8, 4 / 8], abs=1e-4)
    assert list(wards["gap"]) == [-41.7, -8.3, 50.0]
    assert wards.loc["W1", "area"] == "North" and wards.loc["W1", "ward"] == "North One"


def test_rates_are_per_month(store):
    result = engagement_vs_demand(store, MARCH, user=ANALYST)
    assert result.crime_months == 1
    assert result.months == pytest.approx(31 / (365.25 / 12), abs=0.01)
    wards = result.wards.set_index("ward_code")
    assert wards.loc["W1", "crimes_per_month"] == 3.0
    assert wards.loc["W3", "events_per_month"] == round(2 / (31 / (365.25 / 12)), 1)
    spring = engagement_vs_demand(store, Filters(start=dt.date(2025, 3, 1), end=dt.date(2025, 4, 30)), user=ANALYST)
    assert spring.crime_months == 2
    assert spring.wards.set_index("ward_code").loc["W1", "crimes_per_month"] == 2.0  # 4 crimes over 2 months


def test_monthly_totals_types_and_unplaced(store):
    result = engagement_vs_demand(store, MARCH, user=ANALYST)
    (march,) = result.by_month.to_dict("records")
    # the crime with no location is in the month's total, though in no ward
    assert {k: v for k, v in march.items() if k != "month"} == {"crimes": 4, "asb": 3, "events": 3, "ccrs": 3,
                                                                "patrol_hours": 3.5}
    assert result.unplaced == 1
    assert dict(zip(result.by_type["crime_type"], result.by_type["crimes"], strict=True)) == {
        "Burglary": 4, "Anti-social behaviour": 3}


def test_an_area_filter_keeps_its_wards_only(store):
    result = engagement_vs_demand(store, Filters(start=MARCH.start, end=MARCH.end, areas=("A1",)), user=ANALYST)
    wards = result.wards.set_index("ward_code")
    assert list(wards.index) == ["W1", "W2"]
    assert list(wards["engagement_share"]) == [0.5, 0.5]
    assert result.unplaced == 0


def test_crime_points_and_months_held(store):
    points = list_crime_points(store, MARCH, user=ANALYST)
    assert len(points) == 6  # located March rows
    first, last, rows = crime_months_held(store, user=ANALYST)
    assert (first, last, rows) == (dt.date(2025, 3, 1), dt.date(2025, 4, 1), 8)
