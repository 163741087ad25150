"""Wall times and memory of the benchmark's runs."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from typing import Any


def interleaved_median_ms(*runs: Callable[[], Any], repeat: int) -> tuple[float, ...]:
    """Median ms of each function, timed in turn within one loop (a, b, c, a, b, c, ...) so that a
    change in the machine's load hits them all alike; each is called once first as a warm-up."""
    for run in runs:
        run()
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for run, out in zip(runs, times, strict=True):
            began = time.perf_counter()
            run()
            out.append((time.perf_counter() - began) * 1000)
    return tuple(statistics.median(t) for t in times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

