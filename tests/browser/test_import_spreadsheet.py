"""In a real browser: an analyst uploads a spreadsheet of past events, checks the preview and imports it.

Rows 1 and 2 are good; row 3's event type is not on the pick-list, row 4's ward does not exist. The analyst
sees the preview, imports, gets 2 imported and 2 rejected with a file of the rejected rows, and the two
events are in the store.
"""

from __future__ import annotations

from playwright.sync_api import expect

from data import db, reference
from forms.identity import demo_label
from tests.browser.conftest import OUTPUT, open_tab

TIMEOUT_MS = 60_000


def _spreadsheet(store, officer) -> bytes:
    ward = reference.list_wards(store, area_code=officer["area_code"]).iloc[0]["name"]
    rows = ["Event name,Type of event,Ward,Venue,Date of event,Time from,Time to,Email",
            f"Imported meeting one,Street meeting,{ward},Library,03/02/2025,18:00,19:00,{officer['email']}",
            f"Imported meeting two,Community meeting,{ward},Hall,04/02/2025,18:00,19:30,{officer['email']}",
            f"Imported disco,Disco,{ward},Hall,05/02/2025,18:00,19:30,{officer['email']}",
            f"Imported nowhere,Street meeting,Atlantis,Hall,06/02/2025,18:00,19:30,{officer['email']}"]
    return ("\n".join(rows) + "\n").encode()


def test_an_analyst_imports_past_events_from_a_spreadsheet(server, store, officer):
    analyst = reference.list_users(store, role="analyst").iloc[0]
    with open_tab(viewport={"width": 1400, "height": 1000}) as page:
        page.goto(server)
        page.get_by_test_id("stSelectbox").filter(has_text="Acting as").click()
        page.keyboard.type(analyst["name"])  # the list of users is long: type to narrow it
        page.get_by_role("option", name=demo_label(dict(analyst)), exact=True).first.click()
        page.get_by_text("An analyst sees the force-wide dashboards").wait_for()  # the app ran as the analyst
        more = page.get_by_test_id("stSidebarNavViewButton")  # the sidebar folds long page lists
        if more.count() and "more" in more.inner_text().lower():
            more.click()
        page.get_by_role("link", name="Import data").click()
        page.get_by_role("heading", name="Import data").wait_for()
        page.get_by_role("tab", name="Past events or CCRs").click()
        uploader = page.get_by_test_id("stFileUploader").filter(has_text="Spreadsheet")
        uploader.locator("input[type=file]").set_input_files(
            files=[{"name": "past-events.csv", "mimeType": "text/csv", "buffer": _spreadsheet(store, officer)}])
        expect(page.get_by_text("4 rows, 8 columns.")).to_be_visible()
        expect(page.get_by_role("heading", name="Preview: the first rows as Beatbook will store them")).to_be_visible()
        page.get_by_role("button", name="Import 4 rows").click()
        imported = page.get_by_test_id("stMetric").filter(has_text="Imported")
        expect(imported.get_by_test_id("stMetricValue")).to_have_text("2")
        rejected = page.get_by_test_id("stMetric").filter(has_text="Rejected")
        expect(rejected.get_by_test_id("stMetricValue")).to_have_text("2")
        expect(page.get_by_role("button", name="Download the rejected rows, with the reason per row")).to_be_visible()
        page.screenshot(path=str(OUTPUT / "import-spreadsheet.png"), full_page=True)
    titles = sorted(r[0] for r in db.rows(
        f"SELECT title FROM {store.relation('events')} WHERE title LIKE 'Imported%'"))
    assert titles == ["Imported meeting one", "Imported meeting two"]
