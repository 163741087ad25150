"""Import data, engagement vs demand and representativeness pages: who sees them, and what they show."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from data import reference
from data.imports.census import import_census
from data.store import Store, new_submission_id
from tests.pages.test_ccr_dashboards import user_with_role
from tests.pages.test_pages import open_app, open_page

IMPORT = "pages/import_data.py"
DEMAND = "pages/engagement_vs_demand.py"
REPRESENTATION = "pages/representativeness.py"
# Census 2011 counts for three of the demo force's areas (their names match local authorities).
CENSUS = "\n".join([
    '"date","geography","geography code","Ethnic Group: All categories: Ethnic group; measures: Value",'
    '"Ethnic Group: White: English/Welsh/Scottish/Northern Irish/British; measures: Value",'
    '"Ethnic Group: Asian/Asian British: Pakistani; measures: Value"',
    '"2011","Stafford","E07000197",1000,900,100',
    '"2011","Stoke-on-Trent","E06000021",1000,800,200',
    '"2011","Tamworth","E07000199",1000,500,500',
]).encode()


def test_import_page_offers_each_kind_of_file_to_an_analyst(app_store):
    at = open_page(IMPORT, user_with_role(app_store, "analyst"))
    assert at.title[0].value == "Import data"
    assert [t.label for t in at.tabs] == ["Crime and ASB", "Ward boundaries", "Census population",
                                         "Past events or CCRs"]
    assert at.button(key="import.crime_go").disabled  # nothing uploaded yet


def empty(store: Store, table: str) -> None:
    """Drop a table's rows (the demo holds crime and census data; these tests start without)."""
    shutil.rmtree(Path(store.root) / table)
    Store(store.root).create()


def test_demand_page_without_crime_data_says_how_to_get_it(app_store):
    empty(app_store, "crimes")
    at = open_page(DEMAND, user_with_role(app_store, "commander"))
    assert at.title[0].value == "Engagement vs demand"
    assert any("No crime data yet" in i.value for i in at.info)
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["Crimes", "Anti-social behaviour", "Months of crime data"]


def _people_met_with_consent(store: Store, area: str, people: int = 12) -> None:
    """`people` contacts with consent in `area` in a month closed long enough to be published (two months ago):
    enough for the area's cell of that month to be shown, whatever the demo's random spread."""
    first = (dt.date.today().replace(day=1) - dt.timedelta(days=40)).replace(day=1)
    ward = reference.list_wards(store, area_code=area)["ward_code"].iloc[0]
    officer = reference.list_users(store, role="officer", area_code=area)["user_id"].iloc[0]
    for day in range(people):
        store.save("ccrs", {"contact_at": dt.datetime.combine(first + dt.timedelta(days=day), dt.time(10)),
                            "area_code": area, "ward_code": ward, "officer_id": officer,
                            "contact_method": "Face to face", "diversity_consent": True, "ethnicity": "W1"},
                   user=officer, submission_id=new_submission_id())


def test_representativeness_page_compares_areas_with_their_census(app_store):
    empty(app_store, "census_population")
    _people_met_with_consent(app_store, "ST-SST")  # an area with people met but no census imported below
    analyst = reference.get_user(app_store, user_with_role(app_store, "analyst"))
    import_census(app_store, CENSUS, user=analyst, name="census.csv")
    at = open_app(user_with_role(app_store, "commander"))
    at.switch_page(REPRESENTATION)
    # People met count by closed month: a year's view holds plenty of them.
    today = dt.date.today()
    at.query_params.update({"period": "custom", "start": (today - dt.timedelta(days=365)).isoformat(),
                            "end": today.isoformat()})
    at.run()
    assert at.title[0].value == "Representativeness"
    assert any("No census population for" in w.value for w in at.warning)  # the other demo areas
    areas = next(d.value for d in at.dataframe if "contacts_stated" in d.value.columns)
    assert sorted(areas["area"]) == ["Stafford", "Stoke-on-Trent", "Tamworth"]
    assert list(areas.sort_values("area")["population"]) == [1000, 1000, 1000]


def test_demand_page_on_the_demo_force_shows_crime_beside_engagement(app_store):
    at = open_page(DEMAND, user_with_role(app_store, "commander"))
    assert not any("No crime data yet" in i.value for i in at.info)
    assert any("data.police.uk" in c.value and "records" in c.value for c in at.caption)
    figures = {m.label: m.value for m in at.metric}
    assert int(figures["Crimes"].replace(",", "")) > 0 and int(figures["Months of crime data"]) >= 1
    assert at.get("vega_lite_chart")  # demand against engagement, per ward
    table = next(d.value for d in at.dataframe if "gap" in d.value.columns)
    assert len(table) > 100 and table["crimes"].sum() > 0
    assert (table["gap"] < 0).any() and (table["gap"] > 0).any()


def test_representativeness_page_on_the_demo_force_compares_every_area(app_store):
    at = open_page(REPRESENTATION, user_with_role(app_store, "commander"))
    at.segmented_control(key="representation.period").set_value("all").run()
    assert not at.exception, at.exception
    assert not at.warning and not any("No census population" in i.value for i in at.info)
    assert at.get("vega_lite_chart")
    areas = next(d.value for d in at.dataframe if "contacts_stated" in d.value.columns)
    assert len(areas) == 9 and (areas["population"] > 60_000).all()
    groups = next(d.value for d in at.dataframe if "ethnic_group" in d.value.columns
                  and len(d.value) == 9 * 5)  # every group in every area
    assert set(groups["ethnic_group"]) == {"Asian", "Black", "Mixed", "White", "Other"}
