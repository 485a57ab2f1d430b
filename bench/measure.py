"""Time a case and its floor the same way, and count the SQL queries of one request."""

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.test.utils import CaptureQueriesContext

from .client import InProcess, Request, summarize


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float


@dataclass(frozen=True)
class Result:
    name: str
    app: Timing
    floor: Timing
    queries: int
    target: float  # the largest acceptable app/floor ratio of the medians
    floor_queries: int = 0
    live: Timing | None = None  # the live SQL of the old way, when the case has one
    target_ms: float | None = None  # an absolute ceiling on the app's median, when the case has one

    @property
    def ratio(self) -> float:
        return self.app.median_ms / self.floor.median_ms if self.floor.median_ms else float("inf")

    @property
    def live_ratio(self) -> float | None:
        """How many times faster the app is than the old way (``live ÷ app``)."""
        if self.live is None:
            return None
        return self.live.median_ms / self.app.median_ms if self.app.median_ms else float("inf")

    @property
    def met(self) -> bool:
        return self.ratio <= self.target and (self.target_ms is None or self.app.median_ms <= self.target_ms)


def time_all(calls: list[Callable[[], object]], repeats: int, warmup: int = 3) -> list[Timing]:
    """Median and p95 of each call, taken in turn so all see the same machine; GC off while timing."""
    for _ in range(warmup):
        for call in calls:
            call()
    samples: list[list[int]] = [[] for _ in calls]
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            for call, kept in zip(calls, samples, strict=True):
                start = time.perf_counter_ns()
                call()
                kept.append(time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return [Timing(*summarize(kept)) for kept in samples]


def time_pair(app: Callable[[], object], floor: Callable[[], object], repeats: int, warmup: int = 3):
    """``time_all`` of two calls."""
    return tuple(time_all([app, floor], repeats, warmup))


def statements(call: Callable[[], object]) -> int:
    """SQL statements ``call()`` runs, on every database alias."""
    captures = [CaptureQueriesContext(connections[alias]) for alias in connections]
    for capture in captures:
        capture.__enter__()
    try:
        call()
    finally:
        for capture in reversed(captures):
            capture.__exit__(None, None, None)
    return sum(len(capture) for capture in captures)


def count_queries(client: InProcess, request: Request, expect: int = 200) -> int:
    """SQL statements one request runs, on every database alias."""
    replies = []
    count = statements(lambda: replies.append(client.send(request)))
    check_status(request, replies[0].status, expect, replies[0].body)
    return count


def check_status(request: Request, status: int, expect: int, body: bytes) -> None:
    if status != expect:
        raise RuntimeError(f"{request.method} {request.url} answered {status}, expected {expect}: {body[:400]!r}")
