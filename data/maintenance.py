"""Store maintenance off the officers' path: a background worker in each app server.

Saves never compact: each is one small file, and reads slow down once a table has a few
dozen of them or edits awaiting compaction. Every app server runs this worker, which
every `maintenance_seconds` calls `Store.maintain`; the store's maintenance lease lets
one server at a time do the work, and the others skip that round. Each round first finishes
any purge a killed retention run left (`Store.finish_purges`). A force that would
rather schedule it turns the worker off (`BEATBOOK_MAINTENANCE_SECONDS=0`) and runs
`python -m data maintain` from cron or a timer instead.
"""

from __future__ import annotations

import logging
import threading

from data.store import Store

log = logging.getLogger(__name__)


class Worker(threading.Thread):
    """Runs `store.maintain(wait=False)` every `seconds` until stopped; never raises."""

    def __init__(self, store: Store, seconds: float):
        super().__init__(name="beatbook-maintenance", daemon=True)
        self.store = store
        self.seconds = seconds
        self.runs: list[dict] = []  # the latest reports, newest last (a few kept)
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.seconds):
            try:
                report = self.store.maintain(wait=False)
            except Exception:  # a failed round leaves the store as it was; the next round tries again
                log.exception("store maintenance failed; it runs again in %.0f s", self.seconds)
                continue
            self.runs = [*self.runs[-9:], report]
            if report.get("compacted"):
                log.info("compacted %s", ", ".join(report["compacted"]))

    def stop(self) -> None:
        self._stop_event.set()


def start(store: Store, seconds: float) -> Worker | None:
    """Start the worker for `store` (None when `seconds` is 0: maintenance is scheduled elsewhere)."""
    if seconds <= 0:
        return None
    worker = Worker(store, seconds)
    worker.start()
    return worker
