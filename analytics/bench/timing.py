"""Wall times and memory of the benchmark's runs."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from typing import Any


def median_ms(run: Callable[[], Any], *, repeat: int) -> float:
    """Median wall time of `run` over `repeat` calls, after one warm-up call."""
    run()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def paired_median_ms(first: Callable[[], Any], second: Callable[[], Any], *, repeat: int) -> tuple[float, float]:
    """Median ms of each of two functions, timed in alternation after one warm-up call each."""
    first()
    second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for run, out in ((first, times[0]), (second, times[1])):
            began = time.perf_counter()
            run()
            out.append((time.perf_counter() - began) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

