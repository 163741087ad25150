"""Browser-test fixtures: a Streamlit server over a private copy of the test store.

`server` starts `streamlit run app.py` on a free loopback port, acting as the
`officer` fixture, and always stops it afterwards. Screenshots go to OUTPUT.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = ROOT / "test-output"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, log_path: Path, *, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f}s")


@contextlib.contextmanager
def streamlit_server(env: dict[str, str], log_path: Path, *, port: int | None = None, args: tuple[str, ...] = ()):
    """`streamlit run app.py` on a loopback port with this environment; yields its URL, always stops it."""
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(log_path, "w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", *args],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    try:
        _wait_until_healthy(url, process, log_path)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


@pytest.fixture
def server(store_root, officer, tmp_path):
    """A Streamlit server over a private store, acting as `officer`; always stopped afterwards."""
    env = {**os.environ, "BEATBOOK_STORE": str(store_root), "BEATBOOK_DEMO_USER": officer["user_id"]}
    with streamlit_server(env, tmp_path / "streamlit.log") as url:
        yield url


@contextlib.contextmanager
def open_tab(*, timeout_ms: int = 30_000, **context_options):
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


def playwright_or_skip(*, timeout_ms: int = 30_000):
    """Playwright's sync API for a browser-test module, with `expect` waiting up to `timeout_ms`.

    Call at module level: skips the module, with the reason, where Chromium or Playwright is
    missing (and fails it in CI, which must have Chromium).
    """
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must have Chromium for the browser tests", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium) — browser tests skipped",
                    allow_module_level=True)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    sync_api.expect.set_options(timeout=timeout_ms)
    return sync_api
