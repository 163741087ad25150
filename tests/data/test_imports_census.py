"""Census ethnicity by local authority: every category stored with its ONS code, totals kept."""

from __future__ import annotations

import csv

import pytest

from data import db
from data.imports.census import category_code, import_census
from tests.imports_fixture import ANALYST, REALDATA, make_store

CENSUS = REALDATA / "demographics" / "census2011_ethnic_group_by_la.csv"
HEADER = ('"date","geography","geography code","Ethnic Group: All categories: Ethnic group; measures: Value",'
          '"Ethnic Group: White; measures: Value",'
          '"Ethnic Group: White: English/Welsh/Scottish/Northern Irish/British; measures: Value",'
          '"Ethnic Group: Asian/Asian British: Pakistani; measures: Value",'
          '"Ethnic Group: Black/African/Caribbean/Black British: Other Black; measures: Value"')


def people(store, where="TRUE", params=()):
    return db.row(f"SELECT coalesce(sum(people), 0) FROM {store.relation('census_population')}"
                               f" WHERE {where}", list(params))[0]


def test_categories_get_their_2021_codes():
    assert category_code("Ethnic Group: White: Irish; measures: Value") == "W2"
    assert category_code("Ethnic Group: White: Gypsy or Irish Traveller; measures: Value") == "W3"
    assert category_code("Ethnic Group: Black/African/Caribbean/Black British: Other Black; measures: Value") == "B3"
    assert category_code("Ethnic Group: Black/African/Caribbean/Black British: African; measures: Value") == "B1"
    assert category_code("Ethnic Group: Mixed/multiple ethnic group: White and Black African; measures: Value") \
        == "M2"
    assert category_code("Ethnic group: Asian, Asian British or Asian Welsh: Bangladeshi") == "A1"
    assert category_code("Ethnic Group: White; measures: Value") is None  # a subtotal
    assert category_code("Ethnic Group: All categories: Ethnic group; measures: Value") is None


def test_a_small_table_is_matched_to_areas_and_checked_against_its_totals(any_empty_store):
    store = make_store(any_empty_store)
    table = "\n".join([HEADER,
                       '"2011","North","E07000901",100,90,90,6,4',     # matched to A1 by name
                       '"2011","Elsewhere","E07000902",50,45,45,3,2',  # matched by the lookup
                       '"2011","Wrong","E07000903",70,60,60,3,2']).encode()  # 60+3+2 is not 70
    report = import_census(store, table, user=ANALYST, name="qs201.csv", area_lookup={"E07000902": "A2"})
    assert (report.read, report.imported, report.rejected) == (3, 2, 1)
    assert report.reasons == {"the categories do not add up to the 'All categories' total": 1}
    assert people(store) == 150
    assert people(store, "area_code = 'A1'") == 100
    assert people(store, "area_code = 'A2' AND ethnic_group = 'Black'") == 2
    assert people(store, "ethnicity_code = 'A4'") == 9
    again = import_census(store, table, user=ANALYST, name="renamed.csv", area_lookup={"E07000902": "A2"})
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 2)


def test_real_census_totals_match_the_file(tmp_path):
    if not CENSUS.exists():
        pytest.skip(f"real census table not available ({CENSUS} is missing)")
    with open(CENSUS, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    total_column = "Ethnic Group: All categories: Ethnic group; measures: Value"
    store = make_store(tmp_path / "store")
    report = import_census(store, CENSUS, user=ANALYST)
    assert (report.read, report.imported, report.rejected) == (348, 348, 0)
    assert people(store) == sum(int(r[total_column]) for r in rows)
    for row in rows[:20]:
        assert people(store, "geography_code = ?", [row["geography code"]]) == int(row[total_column])
        assert people(store, "geography_code = ? AND ethnic_group = 'Asian'", [row["geography code"]]) \
            == int(row["Ethnic Group: Asian; measures: Value"])
    stoke = people(store, "geography_code = 'E06000021' AND ethnicity_code = 'A4'")
    assert stoke == int(next(r for r in rows if r["geography code"] == "E06000021")[
        "Ethnic Group: Asian/Asian British: Pakistani; measures: Value"])
    assert people(store, "census_year <> 2011") == 0
