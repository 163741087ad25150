"""data.police.uk street-level crime files: every row counted, placed in wards, imported once."""

from __future__ import annotations

import csv
import gzip
import io

import pytest

from data import access, db
from data.imports.boundaries import load_boundaries
from data.imports.crime import import_crime
from tests.imports_fixture import ANALYST, OFFICER, REALDATA, crime_csv, crime_row, make_store

CRIME_FILES = REALDATA / "police_uk_street_crime"


def rows_of(store, sql: str = "count(*)", where: str = "TRUE"):
    return db.row(f"SELECT {sql} FROM {store.relation('crimes')} WHERE {where}")


# -- a small file whose answers are known row by row ----------------------------------------------------------------

SMALL = crime_csv(
    crime_row(crime_id="c1", lon="-1.25", lat="51.75"),                            # W1
    crime_row(crime_id="c2", lon="-1.15", lat="51.75", crime_type="Drugs"),        # W2
    crime_row(lon="-1.05", lat="51.75", crime_type="Anti-social behaviour"),       # W3, ASB
    crime_row(lon="-1.05", lat="51.75", crime_type="Anti-social behaviour"),       # the same again: a second report
    crime_row(crime_id="c3"),                                                      # no location
    crime_row(crime_id="c4", lon="-2.50", lat="51.75", lsoa="Elsewhere 002B"),    # outside every ward
    crime_row(crime_id="c5", month="March", lon="-1.25", lat="51.75"),             # bad month
    crime_row(crime_id="c6", lon="-1.25", lat="forty"),                            # bad latitude
    crime_row(crime_id="c7", lon="-40.0", lat="51.75"),                            # in the Atlantic
)


def test_a_small_file_is_counted_row_by_row(any_empty_store):
    store = make_store(any_empty_store)
    report = import_crime(store, [SMALL], user=ANALYST, names=["2025-03-test-street.csv"])
    assert (report.read, report.imported, report.rejected, report.unchanged) == (9, 6, 3, 0)
    assert report.reasons == {"Month is not a month (YYYY-MM)": 1, "Latitude or Longitude is not a number": 1,
                              "location is outside Great Britain": 1}
    assert list(report.rejected_rows["row"]) == [8, 9, 10]  # header is row 1
    assert rows_of(store) == (6,)
    placed = dict(db.rows(
        f"SELECT coalesce(crime_id, 'asb'), ward_code FROM {store.relation('crimes')}"
        " WHERE crime_id IS NOT NULL OR ward_code IS NOT NULL"))
    assert placed == {"c1": "W1", "c2": "W2", "asb": "W3", "c3": None, "c4": None}
    assert rows_of(store, "count(*)", "crime_type = 'Anti-social behaviour' AND area_code = 'A2'") == (2,)
    assert any("1 rows have no location" in n for n in report.notes)
    assert any("1 located rows fall outside every ward" in n and "Elsewhere 1" in n for n in report.notes)


def test_importing_the_same_file_again_writes_nothing(tmp_path):
    store = make_store(tmp_path / "store")
    import_crime(store, [SMALL], user=ANALYST, names=["a.csv"])
    stored = store.snapshot("crimes").rows
    again = import_crime(store, [gzip.compress(SMALL)], user=ANALYST, names=["a.csv.gz"])
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 6)
    assert store.snapshot("crimes").rows == stored


def test_a_later_outcome_is_a_new_version_of_the_same_crime(tmp_path):
    store = make_store(tmp_path / "store")
    import_crime(store, [crime_csv(crime_row(crime_id="c1", lon="-1.25", lat="51.75", outcome="Under investigation"))],
                 user=ANALYST, names=["march.csv"])
    report = import_crime(store, [crime_csv(crime_row(crime_id="c1", lon="-1.25", lat="51.75",
                                                      outcome="Offender given a caution"))],
                          user=ANALYST, names=["march.csv"])
    assert (report.imported, report.updated) == (0, 1)
    assert rows_of(store, "count(*), max(last_outcome)") == (1, "Offender given a caution")


def test_an_officer_may_not_import_and_nothing_is_written(tmp_path):
    store = make_store(tmp_path / "store")
    with pytest.raises(access.NotAllowed):
        import_crime(store, [SMALL], user=OFFICER, names=["a.csv"])
    assert store.snapshot("crimes").rows == 0


def test_an_import_is_in_the_audit_log(tmp_path):
    store = make_store(tmp_path / "store")
    import_crime(store, [SMALL], user=ANALYST, names=["a.csv"])
    (entry,) = db.rows(f"SELECT user_id, action, table_name, detail FROM {store.relation('audit')}"
                                   " WHERE action = 'import'")
    assert entry[:3] == ("N1", "import", "crimes")
    assert "read 9, imported 6" in entry[3] and "rejected 3" in entry[3]


def test_a_file_that_is_not_a_crime_file_is_refused_whole(tmp_path):
    store = make_store(tmp_path / "store")
    with pytest.raises(Exception, match="not a data.police.uk street-level crime file"):
        import_crime(store, [SMALL, b"Name,Age\nBob,3\n"], user=ANALYST, names=["a.csv", "people.csv"])
    assert store.snapshot("crimes").rows == 0


# -- the real Staffordshire files -----------------------------------------------------------------------------------


def _real_files():
    files = sorted(CRIME_FILES.glob("*-street.csv*")) if CRIME_FILES.exists() else []
    if not files:
        pytest.skip(f"real crime files not available ({CRIME_FILES} is missing)")
    return files


def _read(path):
    data = path.read_bytes()
    text = (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def staffordshire(tmp_path_factory):
    """A store with Staffordshire's wards and all five months of its street-level crime."""
    files = _real_files()
    store = make_store(tmp_path_factory.mktemp("staffs") / "store", wards=False)
    load_boundaries(store, REALDATA / "boundaries" / "staffordshire_wards_2013.geojson", user=ANALYST)
    report = import_crime(store, files, user=ANALYST)
    return store, files, report


def test_real_files_every_row_is_read_and_stored(staffordshire):
    store, files, report = staffordshire
    rows = [r for path in files for r in _read(path)]
    assert report.read == len(rows) == 47_968
    assert (report.imported, report.rejected) == (len(rows), 0)
    assert rows_of(store) == (len(rows),)
    by_month = dict(db.rows(
        f"SELECT strftime(month, '%Y-%m'), count(*) FROM {store.relation('crimes')} GROUP BY ALL"))
    assert by_month["2018-10"] == 10_938  # as SOURCES.md counts the October file


def test_real_files_rows_without_location_are_kept_unmapped(staffordshire):
    store, files, _ = staffordshire
    no_location = sum(1 for path in files for r in _read(path) if not r["Latitude"].strip())
    october = sum(1 for r in _read(files[0]) if not r["Latitude"].strip())
    assert october == 1_157
    assert rows_of(store, "count(*)", "lat IS NULL") == (no_location,)
    assert rows_of(store, "count(*)", "lat IS NULL AND ward_code IS NOT NULL") == (0,)
    asb = sum(1 for path in files for r in _read(path) if not r["Crime ID"].strip())
    assert rows_of(store, "count(*)", "crime_id IS NULL") == (asb,)


def test_real_files_most_located_crimes_land_in_a_ward(staffordshire):
    store, _, _ = staffordshire
    located, placed = rows_of(store, "count(*), count(ward_code)", "lat IS NOT NULL")
    assert placed / located >= 0.85
    wards = rows_of(store, "count(DISTINCT ward_code)")[0]
    assert wards > 200  # nearly every one of the 211 wards has some crime over five months


def test_real_files_reimport_is_a_no_op(staffordshire):
    store, files, _ = staffordshire
    before = store.snapshot("crimes").rows
    again = import_crime(store, files[:2], user=ANALYST)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, again.read)
    assert store.snapshot("crimes").rows == before
