"""The demo force: sizes, rules, rhythm, versions, crime, census and reference data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest

from analytics.demand import engagement_vs_demand
from analytics.filters import Filters
from analytics.representation import representativeness, under_reached_list
from data import db, demo, geo, picklists
from data.arrow_schema import SYSTEM_COLUMNS, arrow_schema
from data.demo import geography
from data.demo.census import LOCAL_AUTHORITIES
from data.demo.crimes import CRIME_TYPES, POINTS_PER_WARD
from data.demo.force import AREAS, FORCE_NAME
from data.imports.census import import_census
from data.imports.common import content_id
from data.schema import TABLES
from data.store import Store, validate
from tests.conftest import ANALYST

TODAY = dt.date(2026, 11, 26)
REPO = Path(__file__).resolve().parents[2]
ACTIVITY = ("events", "ccrs", "patrols", "abstractions", "ysywd")
UUID4 = "[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    """The demo-scale force, generated once for this module. Read only."""
    store = Store(tmp_path_factory.mktemp("demo") / "store")
    demo.generate(store, today=TODAY)
    return store


def current(store: Store, table: str) -> str:
    return store.relation(table)


def stored(store: Store, table: str) -> str:
    """Every stored row of a table, current or not."""
    files = store.snapshot(table).files
    return f"read_parquet([{', '.join(db.sql_string(f) for f in files)}])"


def one(sql: str, params: list | None = None):
    return db.row(sql, params or [])


def beat_meetings(store: Store) -> int:
    """The Guarantee's beat meetings, written after the demo's other events."""
    return one(f"SELECT count(*) FROM {current(store, 'events')} WHERE event_type = 'Beat meeting'")[0]


def rows(sql: str, params: list | None = None) -> list[dict]:
    return db.records(sql, params or [])


def fingerprint(store: Store, skip: tuple[str, ...] = ()) -> str:
    digest = hashlib.sha256()
    for table in sorted(set(TABLES) - set(skip)):
        if store.snapshot(table).files:
            ordered = f"SELECT * FROM {stored(store, table)} ORDER BY record_id, version"
            for row in db.rows(ordered):
                digest.update(repr(row).encode())
    return digest.hexdigest()


# -- sizes ----------------------------------------------------------------------------------------------------------


def test_demo_scale_sizes(store):
    counts = {table: report["current_rows"] for table, report in store.check().items()}
    assert 8 <= counts["areas"] <= 13
    assert 150 <= counts["wards"] <= 250
    assert counts["users"] == 120
    counts["events"] -= beat_meetings(store)  # the Guarantee's beat meetings come on top
    for table, expected in demo.DEMO_COUNTS.items():
        assert abs(counts[table] - expected) <= 0.1 * expected, table
    for table in ("good_practice", "useful_info", "news", "app_feedback"):
        assert 3 <= counts[table] <= 20, table
    assert counts["picklists"] == sum(len(v) for v in picklists.DEFAULTS.values())
    assert counts["settings"] >= 1


def test_generate_reports_rows_written(tmp_path):
    rows = demo.generate(Store(tmp_path / "s"), scale=600, today=TODAY)
    counts = demo.activity_counts(600)
    assert sum(counts.values()) == 600
    assert rows["ccrs"] == counts["ccrs"]
    assert rows["events"] > counts["events"]  # finished events are stored twice
    assert rows["users"] == 120


@pytest.mark.parametrize("scale, total", [("demo", 25_800), ("force", 258_000), ("national", 10_000_000),
                                          (2000, 2000), ("12345", 12345)])
def test_activity_counts_keep_the_demo_proportions(scale, total):
    counts = demo.activity_counts(scale)
    assert sum(counts.values()) == total
    assert counts["ccrs"] == pytest.approx(3 * counts["events"], rel=0.01)


@pytest.mark.parametrize("scale", ["huge", 0, "-5"])
def test_unknown_scale_is_refused(scale):
    with pytest.raises(ValueError):
        demo.activity_counts(scale)


def test_generate_refuses_a_store_with_data(store):
    with pytest.raises(RuntimeError, match="already holds"):
        demo.generate(store, scale=100, today=TODAY)


# -- every row keeps its model's rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("table", sorted(TABLES))
def test_sampled_rows_pass_their_model(store, table):
    if not store.snapshot(table).files:
        pytest.skip(f"the demo writes no {table}")
    sample = rows(f"SELECT * FROM {stored(store, table)} ORDER BY hash(record_id, version) LIMIT 400")
    assert sample
    for row in sample:
        validate(table, {k: v for k, v in row.items() if k not in SYSTEM_COLUMNS})


def test_no_diversity_answers_without_consent(store):
    given = " OR ".join(f"{name} IS NOT NULL" for name in ("age_band", "ethnicity", "religion", "sex", "disability"))
    assert one(f"SELECT count(*) FROM {stored(store, 'ccrs')} WHERE NOT diversity_consent AND ({given})")[0] == 0
    consent, answered = one(f"SELECT avg(diversity_consent::INT), count(ethnicity) FROM {current(store, 'ccrs')}")
    assert 0.5 <= consent <= 0.6
    assert answered > 0


def test_system_columns(store):
    for table in TABLES:
        if not store.snapshot(table).files:
            continue
        # Census rows carry the census importer's ids (see test_census_ids_are_the_importers).
        ids = "[0-9a-f]{32}" if table == "census_population" else UUID4
        bad = one(f"""SELECT count(*) FILTER (WHERE NOT regexp_full_match(record_id, '{ids}')),
                             count(*) FILTER (WHERE deleted OR written_by IS NULL OR superseded IS NULL),
                             count(*) FILTER (WHERE written_at >= ?::TIMESTAMP),
                             count(*) - count(DISTINCT (record_id, version))
                      FROM {stored(store, table)}""", [TODAY])
        assert bad == (0, 0, 0, 0), table
    users = {r["user_id"] for r in rows(f"SELECT user_id FROM {current(store, 'users')}")}
    writers = {r["written_by"] for t in ACTIVITY for r in rows(f"SELECT DISTINCT written_by FROM {stored(store, t)}")}
    assert writers <= users


DATE_COLUMNS = {"events": "start", "ccrs": "contact_at", "patrols": "start", "abstractions": "date",
                "ysywd": "raised_on"}


def test_files_are_sorted_by_business_date_and_history_is_kept_apart(store):
    for table in ACTIVITY:
        snap = store.snapshot(table)
        for path in snap.files:
            dates = [r[DATE_COLUMNS[table]] for r in rows(
                f"SELECT {DATE_COLUMNS[table]} FROM read_parquet(?)", [path])]
            assert dates == sorted(dates), table
            replaced = one("SELECT count(*) FILTER (superseded), count(*) FROM read_parquet(?)", [path])
            if path in snap.live_files:
                assert replaced[0] == 0, table
            else:
                assert replaced[0] == replaced[1] > 0, table
    events = store.snapshot("events")  # the demo's events, then its beat meetings (data.demo.guarantee)
    assert len(events.files) == 4 and len(events.live_files) == 2


def test_business_times_come_before_saving(store):
    assert one(f"SELECT count(*) FROM {current(store, 'ccrs')} WHERE written_at < contact_at")[0] == 0
    assert one(f"SELECT count(*) FROM {current(store, 'patrols')} WHERE written_at < \"end\"")[0] == 0
    finished = f"SELECT count(*) FROM {current(store, 'events')} WHERE status <> 'booked' AND written_at < \"end\""
    assert one(finished)[0] == 0


# -- events and their versions ------------------------------------------------------------------------------------


def test_finished_events_are_stored_as_two_versions(store):
    versions = rows(f"""
        SELECT record_id, count(*) AS n, list(version ORDER BY version) AS versions,
               list(status ORDER BY version) AS statuses, list(superseded ORDER BY version) AS superseded,
               list(submission_id = record_id ORDER BY version) AS own_submission
        FROM {stored(store, 'events')} GROUP BY record_id""")
    events = 4000 + beat_meetings(store)
    assert len(versions) == events
    for record in versions:
        if record["statuses"][-1] == "booked":
            assert record["versions"] == [1] and record["superseded"] == [False]
        else:
            assert record["versions"] == [1, 2]
            assert record["statuses"][0] == "booked"
            assert record["superseded"] == [True, False]
            assert record["own_submission"] == [True, False]
    shown = one(f"""SELECT count(*), count(*) FILTER (WHERE status IN ('completed', 'cancelled') AND version <> 2),
                           count(DISTINCT record_id) FROM {current(store, 'events')}""")
    assert shown == (events, 0, events)


def test_event_statuses(store):
    past = dict(db.rows(
        f"SELECT status, count(*) FROM {current(store, 'events')} WHERE start < ? GROUP BY status", [TODAY]))
    total = sum(past.values())
    assert 0.70 <= past["completed"] / total <= 0.80
    assert 0.04 <= past["cancelled"] / total <= 0.10
    future = one(f"""SELECT count(*), count(*) FILTER (WHERE status <> 'booked'), max(start)
                     FROM {current(store, 'events')} WHERE start >= ?""", [TODAY])
    assert future[0] > 0 and future[1] == 0
    assert future[2] < dt.datetime.combine(TODAY + dt.timedelta(days=43), dt.time())
    completed = one(f"""SELECT count(*) FILTER (WHERE officers_involved <> len(officers_attending)),
                               count(*) FILTER (WHERE len(issues) NOT BETWEEN 1 AND 3),
                               count(*) FILTER (WHERE quality_rating NOT BETWEEN 1 AND 5)
                        FROM {current(store, 'events')} WHERE status = 'completed'""")
    assert completed == (0, 0, 0)


def test_ccrs_at_events_happen_during_them(store):
    linked, bad = one(f"""
        SELECT count(*), count(*) FILTER (WHERE e.status <> 'completed' OR c.ward_code <> e.ward_code
               OR c.contact_at NOT BETWEEN e.start AND e."end" OR NOT list_contains(e.officers_attending, c.officer_id))
        FROM {current(store, 'ccrs')} c JOIN {current(store, 'events')} e ON c.event_id = e.record_id""")
    assert bad == 0
    assert 0.25 <= linked / 12_000 <= 0.35


def test_ysywd_links_and_dates(store):
    bad = one(f"""
        SELECT count(*) FROM {current(store, 'ysywd')} y
        WHERE EXISTS (SELECT 1 FROM unnest(y.actions) a(x) WHERE x.date < y.raised_on)
           OR EXISTS (SELECT 1 FROM unnest(y.linked_events) l(id)
                      WHERE id NOT IN (SELECT record_id FROM {current(store, 'events')}))
           OR EXISTS (SELECT 1 FROM unnest(y.linked_ccrs) l(id)
                      WHERE id NOT IN (SELECT record_id FROM {current(store, 'ccrs')}))""")
    assert bad == (0,)
    statuses = {r["status"] for r in rows(f"SELECT DISTINCT status FROM {current(store, 'ysywd')}")}
    assert statuses == set(picklists.YSYWD_STATUSES)


# -- realistic rhythm and mix -------------------------------------------------------------------------------------


def test_weekdays_busier_than_weekends_and_summer_than_winter(store):
    per_day = dict(db.rows(
        f"SELECT isodow(start) >= 6, count(*) / count(DISTINCT start::DATE) FROM {current(store, 'events')}"
        " GROUP BY 1"))
    assert per_day[False] > 1.5 * per_day[True]
    season = dict(db.rows(
        f"""SELECT CASE WHEN month(contact_at) IN (6, 7, 8) THEN 'summer' ELSE 'winter' END,
                   count(*) / count(DISTINCT contact_at::DATE)
            FROM {current(store, 'ccrs')} WHERE month(contact_at) IN (6, 7, 8, 12, 1) GROUP BY 1"""))
    assert season["summer"] > 1.3 * season["winter"]
    hours = one(f"SELECT min(hour(start)), max(hour(start)) FROM {current(store, 'events')}")
    assert hours[0] >= 8 and hours[1] <= 20


def test_a_few_officers_do_much_more(store):
    counts = [r["n"] for r in rows(
        f"SELECT count(*) AS n FROM {current(store, 'ccrs')} GROUP BY officer_id ORDER BY n DESC")]
    assert counts[0] > 4 * counts[len(counts) // 2]


def test_areas_have_their_own_issue_mix(store):
    top = rows(f"""SELECT area_code, mode(issue) AS top FROM {current(store, 'events')}, unnest(issues) i(issue)
                   GROUP BY area_code""")
    assert len({r["top"] for r in top}) >= 3


def test_ethnicity_mostly_white_groups(store):
    white = one(f"SELECT avg((ethnicity LIKE 'W%')::INT) FROM {current(store, 'ccrs')} WHERE ethnicity <> 'NS'")[0]
    assert 0.72 <= white <= 0.85


# -- crime and census ---------------------------------------------------------------------------------------------


def test_crime_and_asb_for_each_whole_month_before_today(store):
    months = rows(f"SELECT month, count(*) AS n FROM {current(store, 'crimes')} GROUP BY month ORDER BY month")
    assert len(months) == 17  # 548 days back from 26 Nov 2026: Jun 2025 (the first whole month) to Oct 2026
    assert months[0]["month"] == dt.date(2025, 6, 1) and months[-1]["month"] == dt.date(2026, 10, 1)
    assert all(m["n"] > 500 for m in months)
    assert sum(m["n"] for m in months) == demo.crime_count(demo.activity_counts("demo")) == 25_800
    # summer busier than winter
    by_month = {m["month"].month: m["n"] for m in months if m["month"].year == 2026}
    assert by_month[7] > 1.15 * by_month[1]


def test_crime_rows_look_like_the_published_files(store):
    mix = dict(db.rows(
        f"SELECT crime_type, count(*) / sum(count(*)) OVER () FROM {current(store, 'crimes')} GROUP BY 1"))
    assert set(mix) == set(CRIME_TYPES)
    assert 0.15 <= mix["Anti-social behaviour"] <= 0.30
    assert max(mix, key=mix.get) == "Violence and sexual offences"
    bad = one(f"""SELECT count(*) FILTER (WHERE (crime_type = 'Anti-social behaviour') <> (crime_id IS NULL)),
                         count(*) FILTER (WHERE (crime_type = 'Anti-social behaviour') <> (last_outcome IS NULL)),
                         count(*) FILTER (WHERE NOT regexp_full_match(crime_id, '[0-9a-f]{{64}}')),
                         count(*) FILTER (WHERE source_file <> strftime(month, '%Y-%m') || '-staffordshire-street.csv'),
                         count(*) FILTER (WHERE reported_by <> 'Staffordshire Police' OR written_by <> 'u0005'),
                         count(*) FILTER (WHERE written_at < month + INTERVAL 1 MONTH)
                  FROM {current(store, 'crimes')}""")
    assert bad == (0, 0, 0, 0, 0, 0)
    # The latest month's crimes are mostly still under investigation, the oldest hardly ever.
    share = dict(db.rows(
        f"SELECT month, avg((last_outcome = 'Under investigation')::INT) FROM {current(store, 'crimes')}"
        " WHERE crime_id IS NOT NULL GROUP BY month"))
    assert share[dt.date(2026, 10, 1)] > 0.5 and share[dt.date(2025, 6, 1)] < 0.05


def test_located_crimes_fall_inside_their_ward(store):
    wards = rows(f"SELECT ward_code, area_code, geojson FROM {current(store, 'wards')} ORDER BY ward_code")
    crimes = rows(f"SELECT lat, lon, location, lsoa_code, ward_code, area_code FROM {current(store, 'crimes')}")
    polygons = geo.build_polygons([w["ward_code"] for w in wards], [w["geojson"] for w in wards])
    located = [c for c in crimes if c["lat"] is not None]
    found = geo.locate([c["lon"] for c in located], [c["lat"] for c in located], polygons)
    assert all(i >= 0 for i in found)
    assert [wards[i]["ward_code"] for i in found] == [c["ward_code"] for c in located]
    area_of = {w["ward_code"]: w["area_code"] for w in wards}
    assert all(area_of[c["ward_code"]] == c["area_code"] for c in located)
    assert all(c["location"].startswith("On or near ") and c["lsoa_code"] for c in located)
    # A small share has no location, so no ward or area, as the published files have.
    unlocated = [c for c in crimes if c["lat"] is None]
    assert 0.01 <= len(unlocated) / len(crimes) <= 0.03
    assert all(c["lon"] is None and c["ward_code"] is None and c["area_code"] is None
               and c["location"] == "No location" for c in unlocated)
    # Crimes sit on a few anonymised points per ward, as data.police.uk snaps them.
    points = one(f"SELECT count(DISTINCT (lat, lon)) FROM {current(store, 'crimes')} WHERE lat IS NOT NULL")[0]
    assert points <= POINTS_PER_WARD * len(wards)


def test_demand_does_not_follow_engagement(store):
    per_ward = rows(f"""
        WITH crime AS (SELECT ward_code, count(*) AS n FROM {current(store, 'crimes')} GROUP BY 1),
             work AS (SELECT ward_code, count(*) AS n FROM (
                 SELECT ward_code FROM {current(store, 'ccrs')}
                 UNION ALL SELECT ward_code FROM {current(store, 'patrols')}
                 UNION ALL SELECT ward_code FROM {current(store, 'events')} WHERE status <> 'cancelled') GROUP BY 1)
        SELECT w.ward_code, coalesce(crime.n, 0) / sum(coalesce(crime.n, 0)) OVER () AS demand,
               coalesce(work.n, 0) / sum(coalesce(work.n, 0)) OVER () AS engagement
        FROM {current(store, 'wards')} w LEFT JOIN crime USING (ward_code) LEFT JOIN work USING (ward_code)""")
    demand = [r["demand"] for r in per_ward]
    engagement = [r["engagement"] for r in per_ward]
    assert min(demand) > 0  # every ward has some crime
    correlation = one("SELECT corr(d, e) FROM (SELECT unnest(?) AS d, unnest(?) AS e)", [demand, engagement])[0]
    assert correlation < 0.5
    gaps = [e - d for d, e in zip(demand, engagement, strict=True)]
    assert min(gaps) < -0.01 and max(gaps) > 0.002  # wards with far less engagement than demand, and the reverse


def test_the_demand_and_representativeness_views_have_something_to_show(store):
    demand = engagement_vs_demand(store, Filters(), user=ANALYST)
    assert demand.crime_months == 17 and demand.unplaced > 0
    assert demand.wards["gap"].min() < -1.0  # a ward with over a point more of the demand than of the engagement
    result = representativeness(store, Filters(), user=ANALYST)
    assert result.missing_census == [] and len(result.areas) == 9
    flagged = under_reached_list(result.groups)
    assert len(flagged) >= 3 and (flagged["ratio"] < 0.8).all()
    assert "White" not in set(flagged["ethnic_group"])


def test_crime_volume_is_proportional_but_bounded():
    assert demo.crime_count(demo.activity_counts(2000)) == 2000
    assert demo.crime_count(demo.activity_counts("force")) == 258_000
    assert demo.crime_count(demo.activity_counts("national")) == demo.CRIME_CAP < 10_000_000


def test_census_population_for_every_area(store):
    cells = rows(f"SELECT * FROM {current(store, 'census_population')}")
    areas = {r["area_code"] for r in rows(f"SELECT area_code FROM {current(store, 'areas')}")}
    assert {c["area_code"] for c in cells} == areas
    by_authority: dict[str, set] = {}
    for c in cells:
        by_authority.setdefault(c["geography_code"], set()).add(c["ethnicity_code"])
        assert c["census_year"] == 2011 and c["ethnic_group"] == picklists.ETHNICITY[c["ethnicity_code"]][1]
        assert re.fullmatch(r"E0[67]\d{6}", c["geography_code"])
    codes = set(picklists.ETHNICITY) - {"NS", "W4"}  # the 18 categories of 2011
    assert len(by_authority) == len(LOCAL_AUTHORITIES)
    assert all(found == codes for found in by_authority.values())
    totals = dict(db.rows(f"SELECT geography_code, sum(people) FROM {current(store, 'census_population')}"
                                      " GROUP BY 1"))
    assert totals == {code: people for _, code, _, people in LOCAL_AUTHORITIES}
    urban = one(f"SELECT sum(people) FILTER (WHERE ethnic_group = 'White') / sum(people)"
                f" FROM {current(store, 'census_population')} WHERE area_code = 'ST-STK'")[0]
    rural = one(f"SELECT sum(people) FILTER (WHERE ethnic_group = 'White') / sum(people)"
                f" FROM {current(store, 'census_population')} WHERE area_code = 'ST-MOR'")[0]
    assert urban < 0.8 < 0.85 < rural


def test_census_ids_are_the_importers(store, tmp_path):
    cells = rows(f"SELECT record_id, census_year, geography_code, ethnicity_code"
                 f" FROM {current(store, 'census_population')}")
    assert all(c["record_id"] == content_id("census", c["census_year"], c["geography_code"], c["ethnicity_code"])
               for c in cells)
    # So importing the real table for an authority gives new versions of its cells, not a second count.
    fresh = Store(tmp_path / "s")
    demo.generate(fresh, scale=300, today=TODAY)
    analyst = rows(f"SELECT * FROM {current(fresh, 'users')} WHERE user_id = 'u0005'")[0]
    table = ('"date","geography","geography code","Ethnic Group: All categories: Ethnic group; measures: Value",'
             '"Ethnic Group: White: English/Welsh/Scottish/Northern Irish/British; measures: Value",'
             '"Ethnic Group: Asian/Asian British: Pakistani; measures: Value"\n'
             '"2011","Stafford","E07000197",1000,900,100')
    report = import_census(fresh, table.encode(), user=analyst, area_lookup={"E07000197": "ST-STA"}, name="c.csv")
    assert report.imported == 0 and report.updated == 1
    stafford = dict(db.rows(
        f"SELECT ethnicity_code, people FROM {current(fresh, 'census_population')}"
        " WHERE geography_code = 'E07000197'"))
    assert len(stafford) == 18 and stafford["W1"] == 900 and stafford["A4"] == 100


def test_crime_and_census_leave_the_other_tables_as_they_were(tmp_path, monkeypatch):
    with_crime = Store(tmp_path / "with")
    demo.generate(with_crime, scale=2000, seed=3, today=TODAY)
    monkeypatch.setattr(demo, "crime_count", lambda counts: 0)
    monkeypatch.setattr(demo, "census_table", lambda force, rng: arrow_schema("census_population").empty_table())
    without = Store(tmp_path / "without")
    demo.generate(without, scale=2000, seed=3, today=TODAY)
    assert one(f"SELECT count(*) FROM {current(without, 'crimes')}")[0] == 0
    assert fingerprint(with_crime, skip=("crimes", "census_population")) == fingerprint(without)


# -- reference data -----------------------------------------------------------------------------------------------


def test_users_and_roles(store):
    users = rows(f"SELECT * FROM {current(store, 'users')} ORDER BY user_id")
    assert [u["user_id"] for u in users[:3]] == ["u0001", "u0002", "u0003"]
    assert all(u["email"] == f"{u['user_id']}@example.police.uk" and u["area_code"] for u in users)
    roles = {role: sum(u["role"] == role for u in users) for role in picklists.ROLES}
    assert roles["officer"] > 80 and roles["supervisor"] >= 10
    assert all(roles[r] >= 1 for r in ("commander", "analyst", "admin"))
    assert {u["rank"] for u in users if u["role"] == "officer"} == {"PC", "PCSO"}


def test_wards_carry_a_boundary(store):
    wards = rows(f"SELECT * FROM {current(store, 'wards')}")
    areas = {r["area_code"] for r in rows(f"SELECT area_code FROM {current(store, 'areas')}")}
    assert len({w["ward_code"] for w in wards}) == len(wards)
    assert len({(w["centre_lat"], w["centre_lon"]) for w in wards}) == len(wards)
    for ward in wards:
        assert re.fullmatch(r"E05\d{6}", ward["ward_code"]) and ward["area_code"] in areas
        feature = json.loads(ward["geojson"])
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"
        assert feature["properties"] == {"ward_code": ward["ward_code"], "name": ward["name"],
                                         "area_code": ward["area_code"]}
        assert all(geo.valid_ring(ring) for ring in feature["geometry"]["coordinates"])
        inside = geo.locate([ward["centre_lon"]], [ward["centre_lat"]], geo.build_polygons(["w"], [feature]))
        assert inside.tolist() == [0], f"the centre of {ward['name']} is outside it"


def test_the_demo_force_is_staffordshire_on_its_real_wards(store):
    """Areas are Staffordshire's local authorities; wards are the shipped real ones, every one in its authority,
    and located activity falls inside them."""
    shipped = {w["ward_code"]: w for w in geography.load_wards()}
    wards = rows(f"SELECT ward_code, name, area_code, geojson FROM {current(store, 'wards')}")
    areas = {r["area_code"]: r["name"] for r in rows(f"SELECT area_code, name FROM {current(store, 'areas')}")}
    assert {w["ward_code"] for w in wards} == set(shipped) and len(wards) == 211
    lad_of = {a.code: a.lad for a in AREAS}
    assert set(areas) == set(lad_of) and len(set(lad_of.values())) == 9
    for ward in wards:
        real = shipped[ward["ward_code"]]
        assert ward["name"] == real["name"] and lad_of[ward["area_code"]] == real["lad_code"]
        assert areas[ward["area_code"]] == real["lad_name"]
        assert json.loads(ward["geojson"])["geometry"] == real["geometry"]
    assert one(f"SELECT value FROM {current(store, 'settings')} WHERE key = 'force_name'")[0] \
        == "Staffordshire Police (demo)"
    # What is recorded with a location lies inside the real ward it names.
    wards = sorted(wards, key=lambda w: w["ward_code"])
    polygons = geo.build_polygons([w["ward_code"] for w in wards], [w["geojson"] for w in wards])
    for table in ("ccrs", "patrols"):
        located = rows(f"SELECT lat, lon, ward_code FROM {current(store, table)} WHERE lat IS NOT NULL")
        assert len(located) > 1000, table
        found = geo.locate([r["lon"] for r in located], [r["lat"] for r in located], polygons)
        assert [wards[i]["ward_code"] if i >= 0 else None for i in found] == [r["ward_code"] for r in located], table


def test_picklists_and_settings(store):
    lists = rows(f"SELECT list_name, list(value ORDER BY position) AS v FROM {current(store, 'picklists')}"
                 " GROUP BY list_name")
    assert {r["list_name"]: tuple(r["v"]) for r in lists} == picklists.DEFAULTS
    assert one(f"SELECT value FROM {current(store, 'settings')} WHERE key = 'force_name'")[0] == FORCE_NAME
