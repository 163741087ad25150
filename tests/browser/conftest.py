"""Browser-test fixtures: Streamlit servers over private copies of the test store, and Chromium tabs.

Every test module here is skipped, with the reason, where Debian's Chromium or Playwright is missing (and fails
in CI, which must have both): the modules are then not even imported. Every test here is marked `browser`.

- `server` starts the app as the README does (`python -m forms.ui.serve`) for one test, over its own copy of
  the demo store, acting as the `officer` fixture (a module overrides `officer` to act as someone else).
- `module_server` starts one server for a whole module, over the module's copy of the demo store
  (`module_store_root`), acting as `module_user_id` (the demo officer unless the module overrides it).
- `phone`, `desktop` and `wide` are tabs in a fresh headless Chromium. A module whose pages are slow sets
  `TIMEOUT_MS` (default 30 s): how long its tabs and Playwright's `expect` wait.

Screenshots go to OUTPUT.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from analytics.bench.browser import CHROMIUM, CHROMIUM_ARGS, app_server
from tests.data.test_access import DEMO_USER

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUTPUT = ROOT / "test-output"
TIMEOUT_MS = 30_000
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WIDE = {"width": 1400, "height": 1000}


RERUN_ON_TIMEOUT = pytest.mark.flaky(reruns=2, only_rerun=[r"^TimeoutError: .*Timeout \d+ms exceeded"])
"""Run a test again (twice at most) only when a Playwright wait timed out; a failed assertion is never rerun."""


def _missing() -> str | None:
    """Why the browser tests cannot run on this machine, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return None


MISSING = _missing()


class _Unrunnable(pytest.Module):
    """A browser-test module on a machine without Chromium or Playwright: skipped unread (failed in CI)."""

    def collect(self):
        if os.environ.get("CI"):
            pytest.fail(f"{MISSING}; CI must have it for the browser tests", pytrace=False)
        pytest.skip(f"{MISSING}: browser tests skipped")


def pytest_pycollect_makemodule(module_path: Path, parent):
    if MISSING:
        return _Unrunnable.from_parent(parent, path=module_path)
    return None


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _expect_timeout(request):
    """Playwright's `expect` waits as long as the module allows (`TIMEOUT_MS`)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=_timeout_ms(request))


def _timeout_ms(request) -> int:
    return getattr(request.module, "TIMEOUT_MS", TIMEOUT_MS)


def app_env(store_root: Path | str, user_id: str, **extra: str) -> dict[str, str]:
    """This process's environment, pointed at `store_root` and acting (in demo mode) as `user_id`."""
    return {**os.environ, "BEATBOOK_STORE": str(store_root), "BEATBOOK_DEMO_USER": user_id, **extra}


@pytest.fixture
def server(store_root, officer, tmp_path):
    """A Streamlit server over a private store, acting as `officer`; always stopped afterwards."""
    with app_server(app_env(store_root, officer["user_id"]), tmp_path / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def module_store_root(demo_store_root, tmp_path_factory) -> Path:
    """The module's own copy of the demo store (its pages may write audit entries)."""
    root = tmp_path_factory.mktemp("module") / "store"
    shutil.copytree(demo_store_root, root)
    return root


@pytest.fixture(scope="module")
def module_user_id() -> str:
    """Whom `module_server` acts as: the demo officer."""
    return DEMO_USER["officer"]


@pytest.fixture(scope="module")
def module_server(module_store_root, module_user_id):
    """One Streamlit server for the module over `module_store_root`, acting as `module_user_id`; its URL."""
    env = app_env(module_store_root, module_user_id)
    with app_server(env, module_store_root.parent / "streamlit.log") as url:
        yield url


@contextlib.contextmanager
def open_tab(*, timeout_ms: int = TIMEOUT_MS, **context_options):
    """A tab in a fresh headless Debian Chromium (closed afterwards); screenshots go to OUTPUT."""
    from playwright import sync_api

    OUTPUT.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_context(**context_options).new_page()
            tab.set_default_timeout(timeout_ms)
            yield tab
        finally:
            browser.close()


@pytest.fixture
def phone():
    """A tab on a 390x844 touch phone (device pixel ratio 2); a busy two-core machine can take a while a rerun."""
    with open_tab(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, timeout_ms=60_000) as tab:
        yield tab


@pytest.fixture
def desktop(request):
    """A tab on a 1280x900 desktop screen."""
    with open_tab(viewport=DESKTOP, timeout_ms=_timeout_ms(request)) as tab:
        yield tab


@pytest.fixture
def wide(request):
    """A tab on a 1400x1000 screen (a dashboard's charts side by side)."""
    with open_tab(viewport=WIDE, timeout_ms=_timeout_ms(request)) as tab:
        yield tab
