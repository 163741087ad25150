"""In a real browser on a phone-sized touch screen: My activity's beat map draws with nothing fetched from outside,
with its legend, and tapping a ward writes that ward's name and figure under the map.

The map is drawn by Vega as SVG, each ward's shape and centre dot described for a screen
reader by its name and figure: the test taps that ward's dot.
Screenshots go to test-output/.
"""

from __future__ import annotations

from PIL import Image
from playwright.sync_api import expect

from analytics.activity import count_my_activity_by_ward
from data import reference
from data.store import new_submission_id
from forms.ccrs import save_ccr
from tests.browser.conftest import OUTPUT, open_tab
from tests.browser.ui import wait_for_app
from tests.forms.factories import make_ccr


def test_tap_a_ward_on_my_beat_to_read_its_name_and_figure(server, store, officer):
    wards = reference.list_wards(store, area_code=officer["area_code"])
    # The officer's biggest ward (easiest to tap), with three contacts logged there today.
    ward = max(wards.itertuples(index=False), key=lambda w: len(w.geojson))
    for _ in range(3):
        save_ccr(store=store, values=make_ccr(store, officer, ward_code=ward.ward_code), user=officer,
                 submission_id=new_submission_id())
    beat = count_my_activity_by_ward(store, user=officer)
    records = int(beat.set_index("ward_code").loc[ward.ward_code, "records"])
    assert records >= 3

    with open_tab(viewport={"width": 412, "height": 915}, device_scale_factor=1, has_touch=True,
                  is_mobile=True) as page:
        local = (server, "data:", f"blob:{server}")
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
        page.goto(f"{server}/my_activity")
        wait_for_app(page)
        heading = page.get_by_role("heading", name="My beat, last 28 days")
        heading.scroll_into_view_if_needed()
        chart = page.locator(".st-key-my_activity-beat").get_by_test_id("stVegaLiteChart")
        chart.scroll_into_view_if_needed()
        readout = page.locator(".st-key-my_activity-beat-readout")
        expect(readout).to_contain_text("Tap or click a ward to see its name and figure here.")
        expect(readout).to_contain_text("Records I logged per ward")  # the legend: measure and numbers
        high = int(beat["records"].max())
        expect(readout).to_contain_text(f"{high:,}")
        page.wait_for_timeout(1_500)  # let the map draw its first frame
        page.screenshot(path=OUTPUT / "beat-map.png", full_page=False)
        chart.screenshot(path=OUTPUT / "beat-map-alone.png")
        colours = Image.open(OUTPUT / "beat-map-alone.png").convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 50, "the map is blank"

        figure = f"{ward.name} · Records I logged: {records:,}"
        # The ward's shape and its centre dot each carry its name and figure for a screen reader; tap the dot.
        expect(chart.locator(f'path[aria-roledescription="geoshape"][aria-label="{figure}"]')).to_have_count(1)
        dot = chart.locator(f'path[aria-roledescription="circle"][aria-label="{figure}"]')
        box = dot.bounding_box()
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(readout).to_contain_text(figure)
        wait_for_app(page)
        readout.scroll_into_view_if_needed()
        page.screenshot(path=OUTPUT / "beat-map-tapped.png", full_page=False)
        assert outside == [], "a map must draw with nothing fetched from outside the server"
