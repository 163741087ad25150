"""Past events and CCRs from spreadsheets: exactly the good rows imported, the bad ones returned with reasons."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from data import access, db
from data.imports.reading import read_sheet
from data.imports.spreadsheet import check_rows, ethnicity_code, import_spreadsheet, suggest_mapping
from tests.imports_fixture import ANALYST, OFFICER, make_store

# A Microsoft Forms style export: its own headings, UK dates, ';' between several answers.
EVENTS = """ID,Event name,Type of event,Ward,Venue,Date of event,Time from,Time to,Email,Attendance,\
Officers involved,Quality,Communities
1,Coffee with a copper,Street meeting,North One,Library,14/03/2025,18:00,19:30,p1@example.police.uk,12,2,4,\
Young people;Elderly
2,School talk,school visit,W3,Hilltop School,2025-03-17,09:00,10:00,Pat Constable,30,1,5,
3,Disco night,Disco,North One,Hall,14/03/2025,18:00,19:30,p1@example.police.uk,,,,
4,Nowhere meeting,Street meeting,Atlantis,Hall,14/03/2025,18:00,19:30,p1@example.police.uk,,,,
5,Backwards,Street meeting,W2,Hall,15/03/2025,18:00,17:30,P1,,,,
6,Ghost organiser,Street meeting,W2,Hall,15/03/2025,18:00,19:00,nobody@example.police.uk,,,,
7,Half complete,Street meeting,W2,Hall,16/03/2025,18:00,19:00,P1,20,,,
8,Booked ahead,Community meeting,W2,Village hall,20/04/2025,19:00,20:30,P1,,,,
"""
GOOD_EVENTS = 3  # rows 1, 2 and 8


def frame_of(text: str) -> pd.DataFrame:
    return read_sheet(text.encode(), name="export.csv")


def stored(store, table: str = "events") -> pd.DataFrame:
    return db.run(f"SELECT * FROM {store.relation(table)} ORDER BY title" if table == "events"
                               else f"SELECT * FROM {store.relation(table)} ORDER BY contact_at")


def test_headings_are_matched_to_fields():
    mapping = suggest_mapping("events", frame_of(EVENTS).columns)
    assert mapping == {"source_id": "ID", "title": "Event name", "event_type": "Type of event", "ward_code": "Ward",
                       "place": "Venue", "date": "Date of event", "start_time": "Time from", "end_time": "Time to",
                       "organiser": "Email", "attendees": "Attendance", "officers_involved": "Officers involved",
                       "quality_rating": "Quality", "communities_targeted": "Communities"}


def test_mixed_rows_import_exactly_the_good_ones(tmp_path):
    store = make_store(tmp_path / "store")
    frame = frame_of(EVENTS)
    report = import_spreadsheet(store, "events", frame, mapping=suggest_mapping("events", frame.columns),
                                user=ANALYST, name="export.csv")
    assert (report.read, report.imported, report.rejected) == (8, GOOD_EVENTS, 5)
    rows = stored(store)
    assert list(rows["title"]) == ["Booked ahead", "Coffee with a copper", "School talk"]
    coffee = rows.iloc[1]
    assert (coffee["area_code"], coffee["ward_code"], coffee["organiser"]) == ("A1", "W1", "P1")
    assert coffee["start"] == dt.datetime(2025, 3, 14, 18, 0) and coffee["end"] == dt.datetime(2025, 3, 14, 19, 30)
    assert (coffee["status"], coffee["attendees"], coffee["quality_rating"]) == ("completed", 12, 4)
    assert list(coffee["communities_targeted"]) == ["Young people", "Elderly"]
    school = rows.iloc[2]
    assert (school["event_type"], school["area_code"], school["organiser"]) == ("School visit", "A2", "P1")
    assert rows.iloc[0]["status"] == "booked"
    rejected = report.rejected_rows.set_index("row")
    assert list(rejected.index) == [4, 5, 6, 7, 8]
    assert "event_types" in rejected.loc[4, "reason"]
    assert "'Atlantis' is not a ward" in rejected.loc[5, "reason"]
    assert "end must be after start" in rejected.loc[6, "reason"]
    assert "not a Beatbook user" in rejected.loc[7, "reason"]
    assert "required to complete" in rejected.loc[8, "reason"]
    assert rejected.loc[4, "Event name"] == "Disco night"  # the row comes back as it was, to fix and re-import


def test_reimporting_the_same_file_adds_nothing(tmp_path):
    store = make_store(tmp_path / "store")
    frame = frame_of(EVENTS)
    mapping = suggest_mapping("events", frame.columns)
    import_spreadsheet(store, "events", frame, mapping=mapping, user=ANALYST)
    rows = store.snapshot("events").rows
    again = import_spreadsheet(store, "events", frame, mapping=mapping, user=ANALYST)
    assert (again.imported, again.updated, again.unchanged, again.rejected) == (0, 0, GOOD_EVENTS, 5)
    assert store.snapshot("events").rows == rows


def test_a_corrected_row_with_the_same_source_id_is_a_new_version(any_empty_store):
    store = make_store(any_empty_store)
    frame = frame_of(EVENTS)
    mapping = suggest_mapping("events", frame.columns)
    import_spreadsheet(store, "events", frame, mapping=mapping, user=ANALYST)
    frame.loc[0, "Attendance"] = "15"
    report = import_spreadsheet(store, "events", frame, mapping=mapping, user=ANALYST)
    assert (report.imported, report.updated, report.unchanged) == (0, 1, GOOD_EVENTS - 1)
    rows = stored(store)
    assert len(rows) == GOOD_EVENTS
    assert rows.set_index("title").loc["Coffee with a copper", "attendees"] == 15


def test_identical_rows_without_an_id_are_two_records(tmp_path):
    store = make_store(tmp_path / "store")
    frame = frame_of(EVENTS).drop(columns=["ID"])
    frame = pd.concat([frame.iloc[[0]], frame.iloc[[0]]], ignore_index=True)
    report = import_spreadsheet(store, "events", frame, mapping=suggest_mapping("events", frame.columns),
                                user=ANALYST)
    assert report.imported == 2
    again = import_spreadsheet(store, "events", frame, mapping=suggest_mapping("events", frame.columns),
                               user=ANALYST)
    assert again.unchanged == 2 and len(stored(store)) == 2


def test_an_excel_file_imports_like_its_csv(tmp_path):
    store = make_store(tmp_path / "store")
    frame = frame_of(EVENTS)
    buffer = io.BytesIO()
    excel = frame.copy()
    excel["Date of event"] = pd.to_datetime(excel["Date of event"], dayfirst=True, format="mixed")  # real dates
    excel.to_excel(buffer, index=False)
    sheet = read_sheet(buffer.getvalue(), name="export.xlsx")
    report = import_spreadsheet(store, "events", sheet, mapping=suggest_mapping("events", sheet.columns),
                                user=ANALYST, name="export.xlsx")
    assert (report.imported, report.rejected) == (GOOD_EVENTS, 5)
    assert stored(store).set_index("title").loc["School talk", "start"] == dt.datetime(2025, 3, 17, 9, 0)


def test_ccrs_keep_diversity_answers_only_with_consent(tmp_path):
    store = make_store(tmp_path / "store")
    frame = frame_of("""Date of contact,Time,Ward,Officer,Method,Consent,Self-defined ethnicity,Gender,Issues raised
03/03/2025,11:00,W1,P1,Face to face,Yes,Asian/Asian British - Pakistani,Female,Speeding;Drugs
04/03/2025,12:30,W3,P1,telephone,No,,,
05/03/2025,09:15,W2,P1,Face to face,No,White: Irish,,
06/03/2025,10:00,W2,P1,Face to face,Yes,Martian,,
""")
    mapping = suggest_mapping("ccrs", frame.columns)
    assert {"date", "start_time", "ward_code", "officer_id", "contact_method", "diversity_consent", "ethnicity",
            "sex", "issues"} <= set(mapping)
    report = import_spreadsheet(store, "ccrs", frame, mapping=mapping, user=ANALYST)
    assert (report.imported, report.rejected) == (2, 2)
    rows = stored(store, "ccrs")
    first = rows.iloc[0]
    assert first["contact_at"] == dt.datetime(2025, 3, 3, 11, 0)
    assert (first["ethnicity"], first["sex"], list(first["issues"])) == ("A4", "Female", ["Speeding", "Drugs"])
    assert rows.iloc[1]["contact_method"] == "Telephone" and rows.iloc[1]["area_code"] == "A2"
    reasons = list(report.rejected_rows["reason"])
    assert "only be recorded with diversity consent" in reasons[0]
    assert "'Martian' is not an ethnicity" in reasons[1]


def test_one_value_for_every_row_fills_a_missing_column(tmp_path):
    store = make_store(tmp_path / "store")
    frame = frame_of("Date of contact,Ward,Method\n03/03/2025,W1,Face to face\n")
    checked = check_rows(store, "ccrs", frame, suggest_mapping("ccrs", frame.columns))
    assert "officer_id: is required" in checked.bad[0]
    checked = check_rows(store, "ccrs", frame, suggest_mapping("ccrs", frame.columns), defaults={"officer_id": "P1"})
    assert checked.good[0]["officer_id"] == "P1" and checked.good[0]["contact_at"] == dt.datetime(2025, 3, 3, 12)


def test_the_preview_shows_what_each_row_becomes(tmp_path):
    store = make_store(tmp_path / "store")
    frame = frame_of(EVENTS)
    checked = check_rows(store, "events", frame, suggest_mapping("events", frame.columns), limit=3)
    preview = checked.preview(frame, "events")
    assert list(preview["ok"]) == [True, True, False]
    assert preview.loc[0, "ward_code"] == "W1" and preview.loc[2, "event_type"] == "Disco"
    assert store.snapshot("events").rows == 0  # checking writes nothing


def test_ethnicity_in_any_usual_wording():
    assert ethnicity_code("a4") == "A4"
    assert ethnicity_code("White: Irish") == "W2"
    assert ethnicity_code("Black/African/Caribbean/Black British - Caribbean") == "B2"
    assert ethnicity_code("Other ethnic group - Not stated") == "NS"
    with pytest.raises(ValueError):
        ethnicity_code("Martian")


def test_an_officer_may_not_import_spreadsheets(tmp_path):
    store = make_store(tmp_path / "store")
    frame = frame_of(EVENTS)
    with pytest.raises(access.NotAllowed):
        import_spreadsheet(store, "events", frame, mapping=suggest_mapping("events", frame.columns), user=OFFICER)
    assert store.snapshot("events").rows == 0
