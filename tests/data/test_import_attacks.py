"""Resource attacks on the imports (gzip and zip bombs, a huge cell, millions of rows, an outsized boundary),
each in a child process started with 'spawn' that measures its own peak RSS growth and wall time; and the import
page showing a bad file as a clear error."""

from __future__ import annotations

import gc
import gzip
import multiprocessing
import re
import resource
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import db, geo
from data.imports import limits
from data.imports.boundaries import MAX_WARD_VERTICES, SIMPLIFY_METRES, load_boundaries, read_features
from data.imports.crime import import_crime
from data.imports.reading import read_sheet
from data.imports.spreadsheet import import_spreadsheet
from data.store import Store, ValidationError
from forms.identity import USER_KEY
from forms.ui.widgets import user_text
from tests.hostile_files import (
    MAX_GROWTH_MB,
    MAX_SECONDS,
    giant_cell,
    gzip_bomb,
    one_ward,
    ring,
    sheet_rows,
    versions,
    workbook,
)
from tests.imports_fixture import ANALYST, crime_csv, crime_row, make_store
from tests.pages.test_ccr_dashboards import user_with_role
from tests.pages.test_pages import ROOT, open_page

# -- resource attacks, each in a fresh 'spawn' child that measures itself ---------------------------------------------


@pytest.fixture
def store(tmp_path) -> Store:
    """An empty store of the import tests' areas and wards."""
    return make_store(tmp_path / "store")


def _status_kib(field: str) -> int | None:
    try:
        return int(re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M).group(1))
    except (OSError, AttributeError):
        return None


def _reset_peak() -> int:
    """Reset this process's peak RSS to its current RSS (Linux: /proc/self/clear_refs), and return that in KiB.

    A spawned child's `ru_maxrss` starts at its parent's size (it is counted from before the exec), which would
    hide any growth below it; where the peak cannot be reset, that high-water mark is the (stricter) baseline."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kib("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kib() -> int:
    return _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _attack(kind: str, path: str, store_root: str) -> dict:
    """In a child process: read the file, then run its import, measuring peak RSS growth and wall time."""
    store = make_store(Path(store_root), wards=kind != "boundaries")
    data = Path(path).read_bytes()
    name = Path(path).name
    before = versions(store)
    gc.collect()
    baseline = _reset_peak()
    started = time.perf_counter()
    message, report = None, None
    try:
        if kind == "crime":
            report = import_crime(store, [data], user=ANALYST, names=[name])
        elif kind == "sheet":
            report = import_spreadsheet(store, "events", data, mapping={"title": "Event name"}, user=ANALYST,
                                        name=name)
        else:
            report = load_boundaries(store, data, user=ANALYST, name=name)
    except ValidationError as exc:
        message = exc.errors.get("file")
    seconds = time.perf_counter() - started
    growth_mb = (_peak_kib() - baseline) / 1024
    return {"message": message, "seconds": seconds, "growth_mb": growth_mb, "size_mb": len(data) / 2**20,
            "reasons": dict(report.reasons) if report else {}, "imported": report.imported if report else 0,
            "wrote": {t: v for t, v in versions(store).items() if v != before[t]}}


def attack(tmp_path: Path, kind: str, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    del data
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        result = pool.apply_async(_attack, (kind, str(path), str(tmp_path / "store"))).get(timeout=300)
    assert result["growth_mb"] < MAX_GROWTH_MB, result
    assert result["seconds"] < MAX_SECONDS, result
    return result


def test_a_gzip_bomb_is_given_up_while_it_decompresses(tmp_path):
    bomb = gzip_bomb(1)
    assert len(bomb) < 6 * 2**20  # ~4.5 MB that expand to 1 GiB
    result = attack(tmp_path, "crime", "2025-03-force-street.csv.gz", bomb)
    assert result["message"] == ("2025-03-force-street.csv.gz: expands to more than 128 MiB when un-gzipped, too "
                                 "large to import in one go (or not a real data file)")
    assert result["wrote"] == {}


def test_an_xlsx_with_a_512_mib_cell_is_refused_by_its_declared_size(tmp_path):
    data = workbook(giant_cell(512))
    assert len(data) < 4 * 2**20
    result = attack(tmp_path, "sheet", "cell.xlsx", data)
    assert result["message"] == ("cell.xlsx: unpacks to more than 128 MiB (a zip bomb, or too large to import in "
                                 "one go)")
    assert result["wrote"] == {}


def test_an_xlsx_of_two_million_rows_is_refused_fast(tmp_path):
    data = workbook(sheet_rows(2_000_000))  # ~10 MB, 140 MB of sheet XML
    result = attack(tmp_path, "sheet", "rows.xlsx", data)
    assert result["message"].startswith("rows.xlsx: unpacks to more than 128 MiB")
    assert result["wrote"] == {}
    compact = workbook(sheet_rows(2_000_000, compact=True))  # 50 MB of sheet XML: counted before it is parsed
    result = attack(tmp_path, "sheet", "compact.xlsx", compact)
    assert result["message"].startswith("compact.xlsx: has more than 200,000 rows; split it")
    assert result["seconds"] < 10 and result["wrote"] == {}


def test_a_40_mb_single_ward_of_a_million_points_is_refused_before_it_is_parsed(tmp_path):
    data = one_ward(ring(1_000_000, jagged=True), decimals=15)
    assert len(data) > 36 * 2**20  # ~40 MB
    result = attack(tmp_path, "boundaries", "ward.geojson", data)
    assert result["message"].startswith("ward.geojson: holds more than 1,500,000 values")
    assert result["wrote"] == {}


def test_a_ward_too_detailed_even_simplified_is_rejected_within_bounds(tmp_path):
    result = attack(tmp_path, "boundaries", "jagged.geojson", one_ward(ring(300_000, jagged=True)))
    assert result["message"] is None and result["imported"] == 0
    assert result["reasons"] == {f"boundary is too detailed: more than {MAX_WARD_VERTICES:,} points even "
                                 f"simplified to {SIMPLIFY_METRES:g} m; use a generalised (simplified) boundary "
                                 "file": 1}
    assert "wards" not in result["wrote"] and "areas" not in result["wrote"]  # only the import's audit entry


# -- the import page -------------------------------------------------------------------------------------------------

IMPORT_PAGE = "pages/import_data.py"


def import_page(user_id: str) -> AppTest:
    """The import page run on its own, as a signed-in user (under app.py's navigation AppTest does not deliver
    this page's button clicks; uploads it does, see the test below)."""
    at = AppTest.from_file(str(ROOT / IMPORT_PAGE), default_timeout=60)
    at.session_state[USER_KEY] = user_id
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_import_page_shows_a_bad_file_as_a_clear_error_never_a_traceback(app_store):
    analyst = user_with_role(app_store, "analyst")
    before = versions(app_store)
    at = open_page(IMPORT_PAGE, analyst)  # through the app, as a user opens it
    sjis = "Event name,Venue\n日本語の会合,公民館\n".encode("shift_jis")
    at.file_uploader(key="import.sheet_file").set_value(("past-events.csv", sjis, "text/csv")).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [user_text(  # shown as text: a file name is what the user typed
        "past-events.csv: is not UTF-8 or Windows-1252 text (it looks like another encoding, e.g. Shift-JIS, or a "
        "binary file); save it as 'CSV UTF-8' and import that")]
    assert not at.dataframe, "nothing of the file is previewed"
    at = import_page(analyst)
    cut = gzip.compress(crime_csv(*[crime_row(crime_id=f"c{i}") for i in range(50)]))[:-12]
    at.file_uploader(key="import.crime_files").set_value([("2025-03-force-street.csv.gz", cut, "application/gzip")])
    at.run()
    at.button(key="import.crime_go").click().run()
    assert not at.exception, at.exception
    cut_short = "2025-03-force-street.csv.gz: is not a readable gzip file: it is cut short"
    assert [e.value for e in at.error] == [user_text(cut_short)]
    assert not at.metric, "no report for a refused file"
    assert versions(app_store) == before


def test_the_rejected_rows_download_is_audited_as_an_export(app_store, downloads):
    analyst = user_with_role(app_store, "analyst")
    at = import_page(analyst)
    data = crime_csv(crime_row(crime_id="good1", month="2025-03", lon="-1.25", lat="51.75"),
                     crime_row(crime_id="bad1", month="March"))
    at.file_uploader(key="import.crime_files").set_value([("2025-03-force-street.csv", data, "text/csv")]).run()
    at.button(key="import.crime_go").click().run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Rejected"] == "1"

    def exports() -> list[tuple]:
        return db.rows(f"SELECT user_id, table_name, detail FROM {app_store.relation('audit')}"
                                   " WHERE action = 'export'")

    assert exports() == [], "drawing the button exports nothing"
    make = downloads["import.crime.rejected"]
    assert callable(make), "the file is made when it is downloaded, not before"
    rows = make().decode("utf-8-sig")
    assert "bad1" in rows and "Month is not a month" in rows and "good1" not in rows
    ((user_id, table, detail),) = exports()
    assert (user_id, table) == (analyst, "crimes")
    assert detail.startswith("2025-03-force-street-rejected.csv: rejected rows (1 rows)")
    assert "rejected rows of the import of 2025-03-force-street.csv" in detail


def test_the_limits_fit_the_real_files():
    """The real files these limits were sized by, as SOURCES.md describes them, are well inside each limit."""
    real = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
    wards = real / "boundaries" / "staffordshire_wards_2013.geojson"
    if not wards.exists():
        pytest.skip(f"real data not available ({wards} is missing)")
    features = read_features(wards)
    assert max(geo.vertices(f["geometry"]) for f in features) * 10 < MAX_WARD_VERTICES
    crime = real / "police_uk_street_crime" / "2019-01-staffordshire-street.csv"
    assert len(read_sheet(crime)) * 10 < limits.MAX_ROWS and crime.stat().st_size * 10 < limits.MAX_DATA_BYTES
