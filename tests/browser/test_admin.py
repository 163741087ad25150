"""In a real browser, as an admin: upload a ward-boundary GeoJSON file, then add a user.

The file upload is the one admin flow Streamlit's AppTest cannot drive.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from data import reference
from tests.browser.conftest import OUTPUT, RERUN_ON_TIMEOUT, open_tab
from tests.browser.ui import wait_for_app


@pytest.fixture
def officer(admin) -> dict:
    """The server fixture acts as this user: here an admin."""
    return admin


# On a busy machine a tap can be lost while the app redraws, and the wait for what it should show times out.
@RERUN_ON_TIMEOUT
def test_upload_ward_boundaries_then_add_a_user(server, store, tmp_path):
    square = [[-1.3, 51.7], [-1.2, 51.7], [-1.2, 51.8], [-1.3, 51.8], [-1.3, 51.7]]
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"WD13CD": "E05999990", "WD13NM": "Carfax"},
        "geometry": {"type": "Polygon", "coordinates": [square]}}]}))
    with open_tab(viewport={"width": 1280, "height": 1000}) as page:
        page.goto(server)  # the server's first run sets up its routing; then open the page by its address
        wait_for_app(page)
        page.get_by_role("heading", name="News").wait_for()  # an admin's first page
        page.goto(f"{server}/admin_places")
        wait_for_app(page)
        page.get_by_role("heading", name="Areas and wards").wait_for()
        page.get_by_role("tab", name="Load ward boundaries").click()
        wait_for_app(page)
        page.locator("input[type=file]").set_input_files(str(path))
        wait_for_app(page)
        expect(page.get_by_role("button", name="Load boundaries")).to_be_visible()
        page.get_by_role("button", name="Load boundaries").click()
        expect(page.get_by_test_id("stAlert").filter(has_text="Boundaries loaded")).to_contain_text(
            "1 wards added, 0 updated")
        page.screenshot(path=OUTPUT / "admin-boundaries.png")
        ward = reference.list_wards(store).set_index("ward_code").loc["E05999990"]
        assert (ward["name"], ward["centre_lat"], ward["centre_lon"]) == ("Carfax", 51.75, -1.25)

        page.goto(f"{server}/admin_users")
        wait_for_app(page)
        page.get_by_role("tab", name="Add a user").click()
        wait_for_app(page)
        form = page.get_by_test_id("stForm").filter(has_text="Add user")
        form.get_by_label("User id (collar or staff number)").fill("x9001")
        form.get_by_label("Name").fill("Priya Shah")
        form.get_by_label("Sign-in email").fill("x9001@example.police.uk")
        form.get_by_label("Rank or grade").fill("PCSO")
        wait_for_app(page)  # nothing is still redrawing: a click mid-rerun can be lost
        page.get_by_role("button", name="Add user").click()
        # An officer needs an area: the form says so and keeps what was typed.
        expect(page.get_by_test_id("stAlert").filter(has_text="Please fix")).to_contain_text("Area")
        expect(form.get_by_label("Name")).to_have_value("Priya Shah")
        assert reference.get_user(store, "x9001") is None
        area = form.get_by_test_id("stSelectbox").filter(has_text="Area").locator("input")
        area.click()
        area.fill("Stafford")
        page.get_by_role("option", name="Stafford", exact=True).click()
        wait_for_app(page)  # nothing is still redrawing: a click mid-rerun can be lost
        page.get_by_role("button", name="Add user").click()
        expect(page.get_by_test_id("stAlert").filter(has_text="Added x9001")).to_be_visible()
        page.screenshot(path=OUTPUT / "admin-user-added.png")
        added = reference.get_user(store, "x9001")
        assert (added["role"], added["area_code"]) == ("officer", "ST-STA")
