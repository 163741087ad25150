"""Representativeness: people met in CCRs (with consent) against the census, suppressed like every breakdown.

Census (2011 wording): North (A1) 1,000 people: White 800, Asian 150, Black 50.
                       South (A2) 1,000 people: White 900, Asian 60, Black 40.
CCRs with consent, March 2025:
  A1: 20 White British, 5 Indian, 2 "prefer not to say"; plus 4 without consent (not counted)
  A2: 25 White British, 3 Other Black
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import sql
from analytics.filters import Filters
from analytics.representation import build_representation_chart, representativeness, under_reached_list
from data.imports.census import import_census
from tests.analytics.conftest import make_ccr
from tests.imports_fixture import ANALYST, make_store

CENSUS = "\n".join([
    '"date","geography","geography code","Ethnic Group: All categories: Ethnic group; measures: Value",'
    '"Ethnic Group: White: English/Welsh/Scottish/Northern Irish/British; measures: Value",'
    '"Ethnic Group: Asian/Asian British: Pakistani; measures: Value",'
    '"Ethnic Group: Black/African/Caribbean/Black British: Other Black; measures: Value"',
    '"2011","North","E07000901",1000,800,150,50',
    '"2011","South","E07000902",1000,900,60,40',
]).encode()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    sql.clear_cache()
    store = make_store(tmp_path_factory.mktemp("representation") / "store")
    import_census(store, CENSUS, user=ANALYST, area_lookup={"E07000902": "A2"})  # North matches A1 by name
    plan = [("A1", "W1", "W1", 20), ("A1", "W1", "A3", 5), ("A1", "W2", "NS", 2), ("A1", "W1", None, 4),
            ("A2", "W3", "W1", 25), ("A2", "W3", "B3", 3)]
    n = 0
    for area, ward, ethnicity, count in plan:
        for _ in range(count):
            n += 1
            values = make_ccr(area_code=area, ward_code=ward, contact_at=dt.datetime(2025, 3, 1 + n % 28, 10))
            if ethnicity:
                values |= {"diversity_consent": True, "ethnicity": ethnicity}
            store.save("ccrs", values, user="P1", submission_id=f"c{n}")
    return store


TODAY = dt.date(2025, 4, 20)  # March 2025 has closed and is within retention


def group(result, area: str, name: str) -> dict:
    rows = result.groups[(result.groups["area_code"] == area) & (result.groups["ethnic_group"] == name)]
    return rows.iloc[0].to_dict()


def test_shares_of_people_met_beside_shares_of_population(store):
    result = representativeness(store, Filters(), user=ANALYST, today=TODAY)
    white, asian, black = (group(result, "A1", g) for g in ("White", "Asian", "Black"))
    assert (white["contacts"], white["contact_share"], white["population_share"]) == (20, 0.8, 0.8)
    assert (asian["contacts"], asian["contact_share"], asian["population"]) == (5, 0.2, 150)
    assert asian["ratio"] == pytest.approx(0.2 / 0.15)
    assert (black["contacts"], black["contact_share"], black["under_reached"]) == (0, 0.0, True)
    mixed = group(result, "A1", "Mixed")
    assert (mixed["population"], mixed["under_reached"]) == (0, False) and pd.isna(mixed["ratio"])
    areas = result.areas.set_index("area_code")
    assert (areas.loc["A1", "contacts_stated"], areas.loc["A1", "not_stated"]) == (25, "<5")
    assert areas.loc["A1", "population"] == 1000 and areas.loc["A1", "census_year"] == 2011


def test_small_counts_are_suppressed_and_never_flagged(store):
    result = representativeness(store, Filters(), user=ANALYST, today=TODAY)
    black, white, asian = (group(result, "A2", g) for g in ("Black", "White", "Asian"))
    assert (black["contacts"], black["under_reached"]) == ("<5", False) and pd.isna(black["contact_share"])
    # 3 alone would be the total minus White: White is hidden too
    assert white["contacts"] == "[c]" and pd.isna(white["contact_share"])
    assert (asian["contacts"], asian["contact_share"], asian["under_reached"]) == (0, 0.0, True)
    assert set(under_reached_list(result.groups)[["area_code", "ethnic_group"]].itertuples(index=False,
                                                                                          name=None)) \
        == {("A1", "Black"), ("A2", "Asian")}


def test_a_part_of_a_month_counts_the_whole_published_month(store):
    # People met are counted by whole closed month (analytics.disclosure): 1-10 March shows all March.
    part = representativeness(store, Filters(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 10)), user=ANALYST,
                              today=TODAY)
    whole = representativeness(store, Filters(), user=ANALYST, today=TODAY)
    assert part.groups.equals(whole.groups) and part.coverage.months == (dt.date(2025, 3, 1),)
    assert "Whole months March 2025" in part.coverage.describe()


def test_an_open_month_is_not_counted(store):
    result = representativeness(store, Filters(), user=ANALYST, today=dt.date(2025, 4, 5))  # March closes 8 April
    assert result.groups["contact_share"].isna().all() and not result.groups["under_reached"].any()
    assert dt.date(2025, 3, 1) not in result.coverage.months and result.coverage.respondents == 0


def test_an_area_filter_and_the_chart(store):
    result = representativeness(store, Filters(areas=("A2",)), user=ANALYST, today=TODAY)
    assert set(result.groups["area_code"]) == {"A2"}
    spec = build_representation_chart(result.groups).to_dict()
    assert spec["facet"]["field"] == "area"
