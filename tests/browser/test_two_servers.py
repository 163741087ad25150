"""In a real browser: two app servers on one store, as behind a load balancer.

Two app server processes on different ports share one store, on a local
folder and on azurite (Azure Blob Storage). An event booked through one shows on
the other's Events overview on its next run: neither server knows of the other,
and the second had already cached that page's figures before the booking.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from analytics.bench.browser import app_server
from data import reference
from data.store import Store
from tests.azurite import STORAGE_OPTIONS
from tests.browser.conftest import DESKTOP, OUTPUT, open_tab
from tests.browser.ui import choose, expect_one_more_booked, headline, saved_record, wait_for_app
from tests.conftest import make_booking, open_azurite_store, upload_store, user_of_role

TIMEOUT_MS = 45_000


@pytest.fixture(params=["local", "azurite"])
def shared(request, store_root, tmp_path) -> tuple[Store, dict[str, str]]:
    """The store both servers use, and the environment that points a server at it."""
    if request.param == "local":
        return Store(store_root), {"BEATBOOK_STORE": str(store_root)}
    server = request.getfixturevalue("azurite")
    root = server.new_root()
    upload_store(store_root, root)
    env = {"BEATBOOK_STORE": root, "BEATBOOK_STORAGE_OPTIONS": json.dumps(STORAGE_OPTIONS), **server.environment}
    return open_azurite_store(root, tmp_path), env


def test_a_booking_through_one_server_shows_on_the_other(shared, tmp_path):
    store, store_env = shared
    supervisor = user_of_role(store, "supervisor")
    values = make_booking(store, supervisor)
    wards = reference.list_wards(store, area_code=values["area_code"])
    ward_name = dict(zip(wards["ward_code"], wards["name"], strict=True))[values["ward_code"]]
    title = f"Two-server coffee with a cop {int(time.time())}"

    def env(name: str) -> dict[str, str]:
        return {**os.environ, **store_env, "BEATBOOK_DEMO_USER": supervisor["user_id"],
                "BEATBOOK_CACHE_DIR": str(tmp_path / f"cache-{name}")}  # each server its own file cache

    with app_server(env("a"), tmp_path / "a.log") as first, \
            app_server(env("b"), tmp_path / "b.log") as second:
        assert first != second
        with open_tab(viewport=DESKTOP) as page:
            page.goto(f"{second}/events_overview")  # the second server caches the overview's figures
            wait_for_app(page)
            page.get_by_test_id("stMetric").filter(has_text="Events booked").wait_for()  # the area may have none yet
            before = headline(page, "Events booked")

            page.goto(first)  # Book an event, on the first server
            wait_for_app(page)
            page.get_by_role("heading", name="Book an event").wait_for()
            page.get_by_label("Title").fill(title)
            choose(page, "Event type", values["event_type"])
            choose(page, "Ward", ward_name)
            page.get_by_label("Place").fill("Town hall steps")
            page.get_by_role("button", name="Book event").click()
            confirmation = page.get_by_test_id("stAlert").filter(has_text="Event booked")
            confirmation.wait_for()
            record_id = saved_record(store, confirmation)

            page.goto(f"{second}/events_overview")  # the second server's next run
            wait_for_app(page)
            expect_one_more_booked(page, before=before, title=title)
            page.screenshot(path=OUTPUT / "two-servers-second.png")
    saved = store.get("events", record_id)
    assert saved is not None and saved["title"] == title and saved["version"] == 1
    assert (tmp_path / "cache-a").exists() == ("BEATBOOK_STORAGE_OPTIONS" in store_env)
