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

    @property
    def ratio(self) -> float:
        return self.app.median_ms / self.floor.median_ms if self.floor.median_ms else float("inf")

    @property
    def met(self) -> bool:
        return self.ratio <= self.target


def time_pair(app: Callable[[], object], floor: Callable[[], object], repeats: int, warmup: int = 3):
    """Median and p95 of each of two calls, alternated so both see the same machine; GC off while timing."""
    for _ in range(warmup):
        app()
        floor()
    samples: tuple[list[int], list[int]] = ([], [])
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            for call, kept in ((app, samples[0]), (floor, samples[1])):
                start = time.perf_counter_ns()
                call()
                kept.append(time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return tuple(Timing(*summarize(kept)) for kept in samples)


def count_queries(client: InProcess, request: Request, expect: int = 200) -> int:
    """SQL statements one request runs, on every database alias."""
    captures = [CaptureQueriesContext(connections[alias]) for alias in connections]
    for capture in captures:
        capture.__enter__()
    try:
        reply = client.send(request)
    finally:
        for capture in reversed(captures):
            capture.__exit__(None, None, None)
    check_status(request, reply.status, expect, reply.body)
    return sum(len(capture) for capture in captures)


def check_status(request: Request, status: int, expect: int, body: bytes) -> None:
    if status != expect:
        raise RuntimeError(f"{request.method} {request.url} answered {status}, expected {expect}: {body[:400]!r}")
