"""Admin functions: only admins, every change a new version of its record, every change audited."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from analytics.admin import find_record, record_history
from data import reference
from data.access import NotAllowed
from data.imports import boundaries
from data.store import Store, ValidationError, new_submission_id
from forms import admin

ROOT = Path(__file__).resolve().parents[2]
REAL_WARDS = ROOT.parent / "shared" / "realdata" / "boundaries" / "staffordshire_wards_2013.geojson"
REAL_CENTROIDS = ROOT.parent / "shared" / "realdata" / "boundaries" / "ward_centroids_staffs_tvp.csv"


@pytest.fixture(scope="module")
def refusing_store(demo_store_root, tmp_path_factory) -> Store:
    """One copy of the demo store for the refusal tests (which must write nothing)."""
    root = tmp_path_factory.mktemp("refusals") / "store"
    shutil.copytree(demo_store_root, root)
    return Store(root)


@pytest.fixture
def admin_user(store) -> dict:
    users = reference.list_users(store, role="admin")
    return users[users["active"]].iloc[0].to_dict()


def _user(store, role: str) -> dict:
    users = reference.list_users(store, role=role)
    return users[users["active"]].iloc[0].to_dict()


def _audit(store: Store) -> list[tuple]:
    return duckdb.connect().execute(
        f"SELECT user_id, table_name, target_ids, detail FROM {store.relation('audit')}"
        " WHERE action = 'admin_change' ORDER BY written_at").fetchall()


def _sid() -> str:
    return new_submission_id()


def _shown(store: Store, table: str, column: str, value: str) -> int:
    """The record's version as an Admin page would show it now (0 if not stored): what a change names."""
    record = find_record(store, table=table, column=column, value=value, user=_user(store, "admin"))
    return int(record["version"]) if record else 0


def _shown_list(store: Store, list_name: str) -> dict[str, int]:
    """A pick-list's values with their versions as the Admin page shows them."""
    return {v["value"]: int(v["version"])
            for v in admin.list_picklist(store, list_name=list_name, user=_user(store, "admin"))}


NEW_USER = {"user_id": "x9001", "name": "Priya Shah", "email": "x9001@example.police.uk", "role": "officer",
            "rank": "PCSO", "area_code": "ST-STA"}
SQUARE = {"type": "Polygon", "coordinates": [[[-2.0, 52.0], [-1.0, 52.0], [-1.0, 53.0], [-2.0, 53.0], [-2.0, 52.0]]]}
# An L: the unit squares (0,0)-(2,1) and (0,1)-(1,2) shifted to (-2, 52); centroid by hand:
# areas 2 and 1, centres (1, 0.5) and (0.5, 1.5) -> ((2*1 + 0.5)/3, (2*0.5 + 1.5)/3) = (5/6, 5/6).
ELL = {"type": "Polygon", "coordinates": [[[-2, 52], [0, 52], [0, 53], [-1, 53], [-1, 54], [-2, 54], [-2, 52]]]}


def _collection(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geometry} for props, geometry in features]})


# -- refusals ---------------------------------------------------------------------------

CALLS = {
    "add_user": lambda s, u: admin.add_user(store=s, values=NEW_USER, user=u, submission_id=_sid()),
    "update_user": lambda s, u: admin.update_user(store=s, user_id="u0001", values={"rank": "Sgt"}, user=u,
                                                  submission_id=_sid(), base_version=_shown(s, "users", "user_id",
                                                                                            "u0001")),
    "deactivate_user": lambda s, u: admin.deactivate_user(store=s, user_id="u0001", user=u, submission_id=_sid(),
                                                          base_version=_shown(s, "users", "user_id", "u0001")),
    "add_area": lambda s, u: admin.add_area(store=s, values={"area_code": "ST-NEW", "name": "New", "centre_lat": 51.5,
                                                             "centre_lon": -1.0}, user=u, submission_id=_sid()),
    "update_area": lambda s, u: admin.update_area(store=s, area_code="ST-STA", values={"name": "Stafford Borough"},
                                                  user=u, submission_id=_sid(),
                                                  base_version=_shown(s, "areas", "area_code", "ST-STA")),
    "add_ward": lambda s, u: admin.add_ward(store=s, values={"ward_code": "E05999999", "name": "New ward",
                                                             "area_code": "ST-STA", "centre_lat": 51.7,
                                                             "centre_lon": -1.2}, user=u, submission_id=_sid()),
    "update_ward": lambda s, u: admin.update_ward(store=s, ward_code="E05008714", values={"name": "Abbey"}, user=u,
                                                  submission_id=_sid(),
                                                  base_version=_shown(s, "wards", "ward_code", "E05008714")),
    "load_boundaries": lambda s, u: admin.load_boundaries(
        store=s, text=_collection(({"CD": "E05999998", "NM": "Square"}, SQUARE)), code_property="CD",
        name_property="NM", area_code="ST-STA", user=u),
    "add_picklist_value": lambda s, u: admin.add_picklist_value(store=s, list_name="event_types", value="Fun run",
                                                                user=u, submission_id=_sid()),
    "move_picklist_value": lambda s, u: admin.move_picklist_value(store=s, list_name="event_types",
                                                                  value="School visit", offset=-1, user=u,
                                                                  submission_id=_sid(),
                                                                  base_versions=_shown_list(s, "event_types")),
    "set_picklist_value_active": lambda s, u: admin.set_picklist_value_active(
        store=s, list_name="event_types", value="School visit", active=False, user=u, submission_id=_sid(),
        base_version=_shown_list(s, "event_types")["School visit"]),
    "save_quick_link": lambda s, u: admin.save_quick_link(store=s, label="Intranet", url="https://intranet.example",
                                                          user=u, submission_id=_sid()),
    "save_setting": lambda s, u: admin.save_setting(store=s, key="retention.app_feedback_months", value="18",
                                                    user=u, submission_id=_sid(),
                                                    base_version=_shown(s, "settings", "key",
                                                                        "retention.app_feedback_months")),
    "post_news": lambda s, u: admin.post_news(store=s, values={"title": "New vans", "body": "Two new vans.",
                                                               "published_on": dt.date.today()}, user=u,
                                              submission_id=_sid()),
    "preview_retention": lambda s, u: admin.preview_retention(store=s, user=u),
    "list_picklist": lambda s, u: admin.list_picklist(store=s, list_name="event_types", user=u),
    "record_history": lambda s, u: record_history(s, table="users", record_id="u0001", user=u),
}
TABLE_OF = {"add_user": "users", "update_user": "users", "deactivate_user": "users", "add_area": "areas",
            "update_area": "areas", "add_ward": "wards", "update_ward": "wards", "load_boundaries": "wards",
            "add_picklist_value": "picklists", "move_picklist_value": "picklists",
            "set_picklist_value_active": "picklists", "save_quick_link": "settings", "save_setting": "settings",
            "post_news": "news"}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("role", ["officer", "supervisor", "commander", "analyst"])
def test_non_admins_are_refused_and_nothing_is_written(refusing_store, call, role):
    store = refusing_store
    before = {t: store.version(t) for t in ("users", "areas", "wards", "picklists", "settings", "news", "audit")}
    with pytest.raises(NotAllowed):
        CALLS[call](store, _user(store, role))
    assert {t: store.version(t) for t in before} == before


def test_an_inactive_admin_is_refused(store, admin_user):
    with pytest.raises(NotAllowed):
        CALLS["add_user"](store, admin_user | {"active": False})


@pytest.mark.parametrize("call", sorted(TABLE_OF))
def test_each_change_is_written_and_audited_once(store, admin_user, call):
    table = TABLE_OF[call]
    rows, entries = store.snapshot(table).rows, len(_audit(store))
    CALLS[call](store, admin_user)
    assert store.snapshot(table).rows > rows
    new = _audit(store)[entries:]
    assert len(new) == 1
    assert new[0][0] == admin_user["user_id"] and new[0][1] == table and new[0][2]


# -- users ----------------------------------------------------------------------------


def test_add_then_change_then_deactivate_a_user_keeps_every_version(store, admin_user):
    saved = admin.add_user(store=store, values=NEW_USER, user=admin_user, submission_id="add")
    again = admin.add_user(store=store, values=NEW_USER, user=admin_user, submission_id="add")
    assert again.duplicate and again.record_id == saved.record_id
    assert reference.get_user(store, "x9001")["role"] == "officer"  # seen on the next read
    admin.update_user(store=store, user_id="x9001", values={"role": "supervisor", "rank": "Sgt"},
                      user=admin_user, submission_id="promote", base_version=1)
    assert reference.get_user(store, "x9001")["role"] == "supervisor"
    admin.deactivate_user(store=store, user_id="x9001", user=admin_user, submission_id="leave", base_version=2)
    assert not reference.get_user(store, "x9001")["active"]
    history = record_history(store, table="users", record_id=saved.record_id, user=admin_user)
    assert list(history["version"]) == [3, 2, 1]
    assert list(history["role"]) == ["supervisor", "supervisor", "officer"]
    assert list(history["active"]) == [False, True, True]
    assert set(history["written_by"]) == {admin_user["user_id"]}
    details = [d for *_, d in _audit(store)]
    assert len(details) == 3  # the repeated add wrote no second entry
    assert "role 'officer' -> 'supervisor'" in details[1]


@pytest.mark.parametrize(("values", "field"), [
    ({"user_id": "u0001"}, "user_id"),
    ({"email": "u0001@example.police.uk"}, "email"),
    ({"email": "not an email"}, "email"),
    ({"role": "officer", "area_code": None}, "area_code"),
    ({"area_code": "ST-NOPE"}, "area_code"),
    ({"role": "chief"}, "role"),
    ({"name": ""}, "name"),
])
def test_bad_user_is_refused_and_nothing_is_written(store, admin_user, values, field):
    before = store.version("users")
    with pytest.raises(ValidationError) as caught:
        admin.add_user(store=store, values=NEW_USER | values, user=admin_user, submission_id=_sid())
    assert field in caught.value.errors
    assert store.version("users") == before


def test_an_admin_cannot_remove_their_own_admin_access(store, admin_user):
    for values in ({"active": False}, {"role": "analyst"}):
        with pytest.raises(ValidationError):
            admin.update_user(store=store, user_id=admin_user["user_id"], values=values, user=admin_user,
                              submission_id=_sid(), base_version=_shown(store, "users", "user_id",
                                                                         admin_user["user_id"]))
    other = reference.list_users(store, role="admin").iloc[1]["user_id"]
    admin.deactivate_user(store=store, user_id=other, user=admin_user, submission_id=_sid(),
                          base_version=_shown(store, "users", "user_id", other))
    assert not reference.get_user(store, other)["active"]


# -- areas and wards ------------------------------------------------------------------


def test_rename_area_and_move_ward_show_on_the_next_read(store, admin_user):
    ward = reference.list_wards(store, area_code="ST-STA").iloc[0]
    admin.update_area(store=store, area_code="ST-STA", values={"name": "Stafford Borough"}, user=admin_user,
                      submission_id=_sid(), base_version=_shown(store, "areas", "area_code", "ST-STA"))
    assert reference.area_names(store)["ST-STA"] == "Stafford Borough"
    admin.update_ward(store=store, ward_code=ward["ward_code"], values={"area_code": "ST-SST", "name": "Renamed"},
                      user=admin_user, submission_id=_sid(),
                      base_version=_shown(store, "wards", "ward_code", ward["ward_code"]))
    assert reference.ward_in_area(store, ward_code=ward["ward_code"], area_code="ST-SST")
    assert not reference.ward_in_area(store, ward_code=ward["ward_code"], area_code="ST-STA")
    moved = reference.list_wards(store, area_code="ST-SST").set_index("ward_code").loc[ward["ward_code"]]
    assert moved["name"] == "Renamed" and moved["geojson"] == ward["geojson"]  # the boundary stays


def test_ward_refuses_unknown_area_and_duplicate_code(store, admin_user):
    code = reference.list_wards(store)["ward_code"].iloc[0]
    with pytest.raises(ValidationError) as caught:
        admin.add_ward(store=store, values={"ward_code": code, "name": "X", "area_code": "ST-NOPE",
                                            "centre_lat": 51.7, "centre_lon": -1.2},
                       user=admin_user, submission_id=_sid())
    assert set(caught.value.errors) == {"ward_code", "area_code"}


# -- boundaries -------------------------------------------------------------------------


def _read(text: str, **fields) -> list[dict]:
    """The wards the loader reads from the file, or its ValidationError for a bad file (what the admin sees)."""
    read = boundaries.read_wards(boundaries.read_features(text.encode()), **fields)
    if read.rejected:
        raise ValidationError(boundaries.problems(read.rejected))
    return read.rows


def test_parse_boundaries_keeps_codes_and_computes_centres():
    text = _collection(({"WD13CD": "E05000001", "WD13NM": "Square", "LAD": "L1"}, SQUARE),
                       ({"WD13CD": "E05000002", "WD13NM": "Ell", "LAD": "L2"}, ELL))
    assert boundaries.property_names(boundaries.read_features(text.encode())) == ["WD13CD", "WD13NM", "LAD"]
    square, ell = _read(text, code_field="WD13CD", name_field="WD13NM", area_field="LAD")
    assert (square["ward_code"], square["name"], square["area_code"]) == ("E05000001", "Square", "L1")
    assert (square["centre_lon"], square["centre_lat"]) == (-1.5, 52.5)
    assert ell["centre_lon"] == pytest.approx(-2 + 5 / 6) and ell["centre_lat"] == pytest.approx(52 + 5 / 6)
    assert json.loads(ell["geojson"])["geometry"] == json.loads(json.dumps(ELL))
    assert json.loads(ell["geojson"])["properties"]["ward_code"] == "E05000002"


@pytest.mark.parametrize(("text", "message"), [
    ("not json", "GeoJSON"),
    (json.dumps({"type": "Topology"}), "FeatureCollection"),
    (_collection(({"NM": "No code"}, SQUARE)), "no ward code"),
    (_collection(({"CD": "A", "NM": "a"}, SQUARE), ({"CD": "A", "NM": "b"}, SQUARE)), "twice"),
    (_collection(({"CD": "A", "NM": "a"}, {"type": "Point", "coordinates": [-1, 52]})), "not a polygon"),
    (_collection(({"CD": "A", "NM": "a"}, {"type": "Polygon", "coordinates": [[[400000, 300000], [401000, 300000],
                                                                               [401000, 301000], [400000, 300000]]]})),
     "British National Grid"),
])
def test_bad_boundary_files_are_refused(text, message):
    with pytest.raises(ValidationError) as caught:
        _read(text, code_field="CD", name_field="NM", area_code="ST-STA")
    assert message in caught.value.errors["file"]


def test_load_boundaries_adds_new_wards_and_updates_known_ones_in_one_commit(store, admin_user):
    known = reference.list_wards(store).iloc[0]
    text = _collection(({"CD": known["ward_code"], "NM": "Abbeycote North"}, SQUARE),
                       ({"CD": "E05999991", "NM": "Fresh"}, ELL))
    version = store.version("wards")
    counts = admin.load_boundaries(store=store, text=text, code_property="CD", name_property="NM",
                                   area_code="ST-STA", user=admin_user)
    assert (counts.imported, counts.updated, counts.unchanged) == (1, 1, 0)
    assert store.version("wards") == version + 1
    wards = reference.list_wards(store).set_index("ward_code")
    assert wards.loc[known["ward_code"], "name"] == "Abbeycote North"
    assert wards.loc[known["ward_code"], "area_code"] == known["area_code"]  # a known ward keeps its area
    assert wards.loc["E05999991", "area_code"] == "ST-STA"
    assert json.loads(wards.loc["E05999991", "geojson"])["geometry"]["type"] == "Polygon"
    again = admin.load_boundaries(store=store, text=text, code_property="CD", name_property="NM",
                                  area_code="ST-STA", user=admin_user)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 2)
    assert store.version("wards") == version + 1  # the repeat wrote nothing
    first, repeat = [e for e in _audit(store) if e[1] == "wards"]  # each load audited once, naming what it wrote
    assert len(first[2]) == 2 and repeat[2] == [] and "unchanged 2" in repeat[3]


def test_load_boundaries_needs_an_area_for_new_wards(store, admin_user):
    version = store.version("wards")
    with pytest.raises(ValidationError) as caught:
        admin.load_boundaries(store=store, text=_collection(({"CD": "E05999991", "NM": "Fresh"}, SQUARE)),
                              code_property="CD", name_property="NM", user=admin_user)
    assert "no area" in caught.value.errors["area_code"]
    assert store.version("wards") == version


def test_real_staffordshire_wards_parse_with_their_codes_and_ons_centres():
    if not REAL_WARDS.exists():
        pytest.skip(f"real data not present: {REAL_WARDS}")
    text = REAL_WARDS.read_text()
    wards = _read(text, code_field="WD13CD", name_field="WD13NM", area_field="LAD_CD")
    assert len(wards) == 211  # SOURCES.md: 211 ward polygons
    assert all(w["ward_code"].startswith("E05") for w in wards)
    by_code = {w["ward_code"]: w for w in wards}
    assert by_code["E05008714"]["name"] == "Abbey Hulton and Townsend"
    assert by_code["E05008714"]["area_code"] == "E06000021"
    if REAL_CENTROIDS.exists():  # the same planar centroids, computed independently
        with REAL_CENTROIDS.open() as f:
            reference_centres = {r["ward_code"]: r for r in csv.DictReader(f) if r["force"] == "Staffordshire"}
        for code, ward in by_code.items():
            assert ward["centre_lat"] == pytest.approx(float(reference_centres[code]["centroid_lat"]), abs=1e-5)
            assert ward["centre_lon"] == pytest.approx(float(reference_centres[code]["centroid_lon"]), abs=1e-5)


def test_real_staffordshire_wards_load_over_the_demo_wards(store, admin_user):
    """The demo's wards are these wards, simplified for the map: loading the published file gives each a finer
    boundary and keeps it in its area (the file has no areas; ST-STA only places wards nothing else places)."""
    if not REAL_WARDS.exists():
        pytest.skip(f"real data not present: {REAL_WARDS}")
    before = reference.list_wards(store).set_index("ward_code")
    counts = admin.load_boundaries(store=store, text=REAL_WARDS.read_bytes(), code_property="WD13CD",
                                   name_property="WD13NM", area_code="ST-STA", user=admin_user)
    assert (counts.imported, counts.updated, counts.unchanged) == (0, 211, 0)
    after = reference.list_wards(store).set_index("ward_code")
    assert after["area_code"].to_dict() == before["area_code"].to_dict()
    assert after["name"].to_dict() == before["name"].to_dict()
    assert (after["geojson"].str.len() > before["geojson"].str.len()).all()


# -- pick-lists ---------------------------------------------------------------------------


def test_picklist_add_move_retire(store, admin_user):
    before = reference.picklist(store, "event_types")
    admin.add_picklist_value(store=store, list_name="event_types", value="Fun run", user=admin_user,
                             submission_id=_sid())
    assert reference.picklist(store, "event_types") == [*before, "Fun run"]
    admin.move_picklist_value(store=store, list_name="event_types", value="Fun run", offset=-1, user=admin_user,
                              submission_id=_sid(), base_versions=_shown_list(store, "event_types"))
    assert reference.picklist(store, "event_types") == [*before[:-1], "Fun run", before[-1]]
    admin.set_picklist_value_active(store=store, list_name="event_types", value=before[0], active=False,
                                    user=admin_user, submission_id=_sid(),
                                    base_version=_shown_list(store, "event_types")[before[0]])
    assert reference.picklist(store, "event_types") == [*before[1:-1], "Fun run", before[-1]]
    every = admin.list_picklist(store, list_name="event_types", user=admin_user)
    assert [v["value"] for v in every] == [*before[:-1], "Fun run", before[-1]]  # retired, not gone
    with pytest.raises(ValidationError) as caught:
        admin.add_picklist_value(store=store, list_name="event_types", value="fun RUN", user=admin_user,
                                 submission_id=_sid())
    assert "already" in caught.value.errors["value"]


def test_a_list_on_its_defaults_keeps_them_when_changed(tmp_path, admin_user):
    store = Store(tmp_path / "empty")
    store.create()
    defaults = reference.picklist(store, "patrol_types")
    admin.add_picklist_value(store=store, list_name="patrol_types", value="Horse patrol", user=admin_user,
                             submission_id=_sid())
    assert reference.picklist(store, "patrol_types") == [*defaults, "Horse patrol"]


# -- links, news, settings ----------------------------------------------------------------


def test_settings_are_versioned_and_checked(store, admin_user):
    key = "retention.ccr_diversity_months"
    first = admin.save_setting(store=store, key=key, value="24", user=admin_user, submission_id=_sid(),
                               base_version=_shown(store, "settings", "key", key))
    second = admin.save_setting(store=store, key=key, value="36", user=admin_user, submission_id=_sid(),
                                base_version=first.version)
    assert second.record_id == first.record_id and second.version == 2
    assert reference.get_setting(store, "retention.ccr_diversity_months") == "36"
    admin.save_setting(store=store, key="dip_check_share.ccrs", value="0.25", user=admin_user, submission_id=_sid(),
                       base_version=_shown(store, "settings", "key", "dip_check_share.ccrs"))
    assert reference.get_setting(store, "dip_check_share.ccrs") == "0.25"
    for key, value in (("retention.ccr_diversity_months", "soon"), ("force_colour", "blue"),
                       ("dip_check_share.ccrs", "1.5"), ("dip_check_share.ccrs", "nan")):
        with pytest.raises(ValidationError):
            admin.save_setting(store=store, key=key, value=value, user=admin_user, submission_id=_sid(),
                               base_version=_shown(store, "settings", "key", key))


def test_quick_link_replaces_and_hides(store, admin_user):
    from forms.links import DEFAULT_QUICK_LINKS, list_quick_links

    label = next(iter(DEFAULT_QUICK_LINKS))
    admin.save_quick_link(store=store, label="Intranet", url="https://intranet.example.police.uk", user=admin_user,
                          submission_id=_sid())
    admin.save_quick_link(store=store, label=label, url="", user=admin_user, submission_id=_sid())
    links = list_quick_links(store)
    assert links["Intranet"] == "https://intranet.example.police.uk" and label not in links
    with pytest.raises(ValidationError):
        admin.save_quick_link(store=store, label="Bad", url="javascript:alert(1)", user=admin_user,
                              submission_id=_sid())


def test_news_post_and_withdraw(store, admin_user):
    from analytics.activity import list_news

    saved = admin.post_news(store=store, values={"title": "New vans", "body": "Two new vans.",
                                                 "published_on": dt.date.today()}, user=admin_user,
                            submission_id=_sid())
    assert "New vans" in set(list_news(store)["title"])
    admin.withdraw_news(store=store, record_id=saved.record_id, user=admin_user, submission_id=_sid(),
                        base_version=saved.version)
    assert "New vans" not in set(list_news(store)["title"])
    assert [h["deleted"] for h in store.history("news", saved.record_id)] == [True, False]


def test_load_boundaries_takes_each_new_wards_area_from_a_property(store, admin_user):
    text = _collection(({"CD": "E05999981", "NM": "North", "LAD": "ST-STA"}, SQUARE),
                       ({"CD": "E05999982", "NM": "South", "LAD": "ST-STK"}, ELL))
    counts = admin.load_boundaries(store=store, text=text, code_property="CD", name_property="NM",
                                   area_property="LAD", user=admin_user)
    assert counts.imported == 2
    wards = reference.list_wards(store).set_index("ward_code")
    assert wards.loc[["E05999981", "E05999982"], "area_code"].tolist() == ["ST-STA", "ST-STK"]
    with pytest.raises(ValidationError) as caught:
        admin.load_boundaries(store=store, text=_collection(({"CD": "E05999983", "NM": "X", "LAD": "E07000192"},
                                                             SQUARE)),
                              code_property="CD", name_property="NM", area_property="LAD", user=admin_user)
    assert "E07000192 is not an area" in caught.value.errors["area_code"]
