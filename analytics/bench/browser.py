"""What a user waits for, in a real browser: every dashboard page timed in headless Chromium.

`python -m analytics.bench --browser --rows N --json FILE [--store PATH] [--pages A,B]` starts the app on a
store of N activity rows (generated if empty, as the query bench does) and, for
every dashboard page, times in a fresh server:
- the first load (the first page the server draws);
- a revisit (the same page opened again: the query cache is warm);
- a period change (a tap on another period);
- an area change (one area picked in the filter bar);
- a drill click (a tap on the drill chart's longest bar, where the page has one).

In the same server it times a reference page: a title, three metrics and one
small chart from a tiny query. That is the framework's own floor on this
machine; each figure is given as a ratio to it, so a busy machine's noise
cancels out. It also times five sessions opening a dashboard at once, and a
contact recorded on a 390x844 phone over a slow mobile link (150 ms round
trip, 1.6 Mbps down, 750 kbps up).

A page is *settled* when its heading is shown, no stale or skeleton element is
left, the server has sent its last message (Streamlit's running indicator is
gone) and the browser's main thread has had no long task for one second. The
time reported runs to the moment all of that first held (the quiet second is
waited for, not counted).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from analytics.bench.runner import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
QUIET_MS = 1000  # no long task for this long: the page has stopped working
TIMEOUT_S = float(os.environ.get("BEATBOOK_BENCH_STEP_TIMEOUT", "240"))  # longest wait for one step
REFERENCE = "bench_reference"  # the reference page's address (served only when BEATBOOK_BENCH_REFERENCE is set)
VIEWER = "u0004"  # the demo commander: sees every area
OFFICER = "u0001"  # the demo officer who records the contact
SESSIONS = 5
SLOW_PHONE = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8,
              "uploadThroughput": 750_000 / 8}
PHONE = {"width": 390, "height": 844}


@dataclasses.dataclass(frozen=True)
class Dashboard:
    """A page to time: its address and whether it has a drill chart to click."""

    path: str
    drill: bool


DASHBOARDS = (
    Dashboard("events_overview", drill=False),
    Dashboard("events_completed", drill=True),
    Dashboard("event_outcomes", drill=True),
    Dashboard("engagement_activity", drill=True),
    Dashboard("ccr_activity", drill=True),
    Dashboard("ccr_outcomes", drill=True),
    Dashboard("representativeness", drill=False),
    Dashboard("engagement_vs_demand", drill=False),
    Dashboard("patrols_abstractions", drill=True),
    Dashboard("change_over_time", drill=False),
    Dashboard("ysywd_commander", drill=False),
)

# Installed in every document before its own scripts: remembers when the last long task ended.
_WATCH = """
window.__bench = {lastLong: 0};
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      window.__bench.lastLong = Math.max(window.__bench.lastLong, e.startTime + e.duration);
    }
  }).observe({type: 'longtask', buffered: true});
} catch (e) {}
"""

# One look at the page: its headings, whether anything is still being worked on, and the clocks.
_LOOK = """() => ({
  headings: [...document.querySelectorAll('h1')].map((h) => h.innerText.trim()),
  busy: !!(document.querySelector('[data-testid="stStatusWidget"]')
           || document.querySelector('[data-testid="stSkeleton"]')
           || document.querySelector('[data-stale="true"]')
           || document.querySelector('.stale-element')),
  now: performance.now(),
  lastLong: window.__bench ? window.__bench.lastLong : 0,
  url: window.location.href,
})"""


# -- the server -------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def app_server(env: dict[str, str], log_path: Path, *, port: int | None = None, args: tuple[str, ...] = (),
               cwd: Path = REPO) -> Iterator[str]:
    """The app on a loopback port with this environment, started as the README starts it (`forms.ui.serve`:
    warmed, then `streamlit run app.py`) in `cwd` (the project folder unless told); yields its URL, always
    stops it."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    if cwd != REPO:
        env = {**env, "PYTHONPATH": str(REPO)}
    with open(log_path, "w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "forms.ui.serve", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", *args],
            cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
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


def _wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path, *, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f}s")


# -- settling -----------------------------------------------------------------------


class NotSettled(TimeoutError):
    """A page did not settle in time."""


def settle(page, began: float, *, heading: str | None = None, url_not: str | None = None,
           timeout: float = TIMEOUT_S) -> float:
    """Seconds from `began` (a `time.perf_counter()`) until the page settled; waits out the quiet second.

    `heading`, when given, must be one of the page's `h1`s; `url_not`, when given, must no longer be its
    address (a filter change writes itself to the address once the run that applies it has started).
    """
    ready_at: float | None = None
    while True:
        now = time.perf_counter()
        if now - began > timeout:
            raise NotSettled(f"not settled after {timeout:.0f} s (heading {heading!r}, address {page.url})")
        try:
            look = page.evaluate(_LOOK)
        except Exception:  # noqa: BLE001 - a navigation replaced the document between looks
            ready_at = None
            time.sleep(0.05)
            continue
        ok = (not look["busy"] and (heading is None or heading in look["headings"])
              and (url_not is None or url_not != look["url"]))
        if not ok:
            ready_at = None
        else:
            if ready_at is None:
                ready_at, ready_clock = now, look["now"]
            quiet_since = max(ready_clock, look["lastLong"])
            if look["now"] - quiet_since >= QUIET_MS:
                return ready_at - began + max(0.0, look["lastLong"] - ready_clock) / 1000
        time.sleep(0.05)


def heading_of(page) -> str:
    """The page's first `h1` (its title)."""
    return page.locator("h1").first.inner_text().strip()


# -- the browser --------------------------------------------------------------------


@contextlib.contextmanager
def browser_tab(**context_options: Any) -> Iterator[Any]:
    """A tab in a fresh headless Chromium that watches for long tasks; closed afterwards."""
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_options})
            context.add_init_script(_WATCH)
            tab = context.new_page()
            tab.set_default_timeout(TIMEOUT_S * 1000)
            yield tab
        finally:
            browser.close()


def open_page(page, url: str, *, heading: str | None = None) -> tuple[float, str]:
    """Go to `url` and wait until it settles; (seconds, the heading shown)."""
    began = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator("h1").first.wait_for()
    seconds = settle(page, began, heading=heading)
    return seconds, heading or heading_of(page)


def change_period(page, heading: str) -> float:
    """Tap another period in the filter bar; seconds until settled."""
    other = page.get_by_role("radiogroup", name="Period").get_by_role("radio", checked=False).last
    before = page.url
    began = time.perf_counter()
    other.click()
    return settle(page, began, heading=heading, url_not=before)


def change_area(page, heading: str) -> float:
    """Pick the first area in the filter bar's "Areas" list; seconds until settled."""
    box = page.get_by_test_id("stMultiSelect").filter(has=page.get_by_text("Areas", exact=True))
    box.click()
    option = page.get_by_role("option").first
    option.wait_for()
    before = page.url
    began = time.perf_counter()
    option.click()
    page.keyboard.press("Escape")
    return settle(page, began, heading=heading, url_not=before)


def drill_click(page, heading: str) -> float | None:
    """Click the longest bar of the page's drill chart; seconds until settled (None: no drill chart)."""
    path = page.url.split("/")[-1].split("?")[0]
    chart = page.locator(f"[class*='st-key-{path}-drill-'] [data-testid='stVegaLiteChart']")
    if chart.count() == 0:
        return None
    target = chart.first
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    before = page.url
    began = time.perf_counter()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + 20)
    return settle(page, began, heading=heading, url_not=before)


# -- the cases ----------------------------------------------------------------------


def time_dashboard(url: str, board: Dashboard) -> dict[str, Any]:
    """First load, revisit, period change, area change and drill click of one page, in the server at `url`."""
    with browser_tab() as page:
        first, heading = open_page(page, f"{url}/{board.path}")
        revisit, _ = open_page(page, f"{url}/{board.path}", heading=heading)
        period = change_period(page, heading)
        area = change_area(page, heading)
        open_page(page, f"{url}/{board.path}", heading=heading)
        drill = drill_click(page, heading) if board.drill else None
        reference, _ = open_page(page, f"{url}/{REFERENCE}")
    return {"page": board.path, "heading": heading, "first_load_s": first, "revisit_s": revisit,
            "period_change_s": period, "area_change_s": area, "drill_click_s": drill, "reference_s": reference}


def time_reference(url: str, *, visits: int = 3) -> float:
    """The reference page's median settle time, revisited in one tab."""
    with browser_tab() as page:
        open_page(page, f"{url}/{REFERENCE}")
        return statistics.median(open_page(page, f"{url}/{REFERENCE}")[0] for _ in range(visits))


def time_sessions(url: str, path: str, *, sessions: int = SESSIONS) -> list[float]:
    """`sessions` browsers opening `path` at the same moment; each one's seconds until settled."""
    results: list[float | BaseException] = [0.0] * sessions
    start = threading.Barrier(sessions)

    def one(n: int) -> None:
        try:
            with browser_tab() as page:
                page.goto(f"{url}/{REFERENCE}")
                settle(page, time.perf_counter())
                start.wait()
                results[n] = open_page(page, f"{url}/{path}")[0]
        except BaseException as exc:  # noqa: BLE001 - reported with the others
            results[n] = exc
            start.abort()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [float(r) for r in results]


def _runs(run_times: Path | None) -> list[dict]:
    """The script runs the server has recorded so far (BEATBOOK_BENCH_RUN_TIMES)."""
    if run_times is None or not run_times.exists():
        return []
    return [json.loads(line) for line in run_times.read_text(encoding="utf-8").splitlines() if line.strip()]


def time_phone_contact(url: str, run_times: Path | None = None) -> dict[str, Any]:
    """A contact with consent and five diversity answers, recorded at 390x844 over a slow mobile link.

    With `run_times` (the server's BEATBOOK_BENCH_RUN_TIMES file), each tap's server time is the sum of the
    script runs it caused (whole page or fragment), as the server timed them."""
    taps: list[float] = []
    server: list[float] = []
    with browser_tab(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True) as page:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_PHONE)
        began = time.perf_counter()
        page.goto(f"{url}/record_contact", wait_until="commit")
        settle(page, began, heading="Record a contact")

        def tap(action: Callable[[], None], **wait: Any) -> None:
            before = len(_runs(run_times))
            started = time.perf_counter()
            action()
            taps.append(settle(page, started, heading="Record a contact", **wait))
            server.append(sum(run["seconds"] for run in _runs(run_times)[before:]))

        def pick(label: str, option: str | None = None) -> None:
            box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
            choice = page.get_by_role("option", name=option, exact=True) if option else page.get_by_role("option")
            for _ in range(3):  # a rerun still on its way redraws the form and closes an open list
                box.click()
                try:
                    choice.first.wait_for(timeout=10_000)
                    break
                except Exception:  # noqa: BLE001 - Playwright's TimeoutError: open the list again
                    settle(page, time.perf_counter(), heading="Record a contact")
            tap(lambda: choice.first.click())

        pick("Ward")
        page.get_by_label("Street or venue").fill("Outside the library")
        tap(lambda: page.keyboard.press("Tab"))
        issues = page.get_by_test_id("stMultiSelect").filter(has=page.get_by_text("Issues raised", exact=True))
        issues.click()
        tap(lambda: page.get_by_role("option", name="Speeding", exact=True).click())
        page.keyboard.press("Escape")
        tap(lambda: page.get_by_test_id("stRadio").get_by_text("Yes", exact=True).click())
        pick("Age band", "45-54")
        pick("Sex", "Female")
        pick("Ethnicity")
        pick("Religion")
        pick("Do they consider themselves disabled?")
        tap(lambda: page.get_by_role("button", name="Save contact").click())
        page.get_by_test_id("stAlert").filter(has_text="Contact recorded").wait_for()
        total = time.perf_counter() - began
    figures = {"total_s": total, "taps": len(taps), "tap_s": taps, "slowest_tap_s": max(taps)}
    if run_times is not None:
        figures |= {"tap_server_s": server, "slowest_tap_server_s": max(server)}
    return figures


# -- the run ------------------------------------------------------------------------


def _environment(store_root: str, user: str) -> dict[str, str]:
    return {**os.environ, "BEATBOOK_STORE": store_root, "BEATBOOK_DEMO_USER": user,
            "BEATBOOK_BENCH_REFERENCE": "1"}


def run(*, store_root: str, boards: tuple[Dashboard, ...] = DASHBOARDS,
        say: Callable[[str], None] = print) -> dict[str, Any]:
    """Time every dashboard, the reference page, five sessions and the phone contact on this store."""
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium): the browser bench needs it")
    report: dict[str, Any] = {"load_before": list(os.getloadavg()), "pages": []}
    with tempfile.TemporaryDirectory(prefix="beatbook-browser-bench-") as tmp:
        logs = Path(tmp)
        for board in boards:
            with app_server(_environment(store_root, VIEWER), logs / f"{board.path}.log") as url:
                figures = time_dashboard(url, board)
                figures["reference_median_s"] = time_reference(url)
                figures["load"] = os.getloadavg()[0]
            report["pages"].append(figures)
            say(format_row(figures))
        with app_server(_environment(store_root, VIEWER), logs / "sessions.log") as url:
            reference = time_reference(url)
            sessions = time_sessions(url, boards[0].path)
            report["sessions"] = {"page": boards[0].path, "reference_s": reference, "each_s": sessions,
                                  "load": os.getloadavg()[0]}
            say(f"{SESSIONS} sessions at once on {boards[0].path}: "
                + ", ".join(f"{s:.1f}" for s in sessions) + f" s (reference {reference:.2f} s)")
        run_times = logs / "phone-runs.jsonl"
        with app_server({**_environment(store_root, OFFICER), "BEATBOOK_BENCH_RUN_TIMES": str(run_times)},
                        logs / "phone.log") as url:
            report["phone_contact"] = time_phone_contact(url, run_times)
            report["phone_contact"]["load"] = os.getloadavg()[0]
            phone = report["phone_contact"]
            say(f"contact on a slow phone link: {phone['total_s']:.1f} s, {phone['taps']} taps,"
                f" slowest tap {phone['slowest_tap_s']:.2f} s, slowest tap's server time"
                f" {phone['slowest_tap_server_s'] * 1000:.0f} ms")
    report["load_after"] = list(os.getloadavg())
    return report


FIGURES = ("first_load_s", "revisit_s", "period_change_s", "area_change_s", "drill_click_s")


def format_row(figures: dict[str, Any]) -> str:
    """One page's figures in seconds, each with its ratio to the reference page in the same server."""
    reference = figures["reference_median_s"]
    cells = []
    for name in FIGURES:
        value = figures[name]
        cells.append("       -      " if value is None else f"{value:6.2f} {value / reference:5.1f}x")
    return f"{figures['page']:<24}" + "  ".join(cells) + f"   ref {reference:5.2f}  load {figures['load']:.1f}"


def header() -> str:
    """The column titles of `format_row`."""
    return f"{'page':<24}" + "  ".join(f"{n.removesuffix('_s').replace('_', ' '):>13}" for n in FIGURES)


def main(*, store_root: str, json_path: str, pages: list[str] | None = None,
         say: Callable[[str], None] = print) -> int:
    """Run the browser bench on a store that already has data (every dashboard, or those whose address is in
    `pages`); print and write the JSON report."""
    boards = tuple(b for b in DASHBOARDS if pages is None or b.path in pages)
    say(f"browser bench on {store_root}; load average {os.getloadavg()}; {dt.datetime.now():%Y-%m-%d %H:%M}")
    say(header())
    report = run(store_root=store_root, boards=boards, say=say)
    Path(json_path).write_text(json.dumps(report, indent=2, default=str))
    say(f"written to {json_path}")
    return 0

