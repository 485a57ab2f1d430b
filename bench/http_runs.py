"""The runs through a real gunicorn: throughput against the framework's ceiling, and worker memory."""

import itertools
import threading

from .cases import build_cases
from .client import Http
from .serve import free_port, gunicorn, rss_kib, worker_pids
from .throughput import load_generator, requests_per_second

WORKERS = 2
THROUGHPUT_TARGET = 0.5


def throughput_run(s, *, seconds: int = 10) -> dict:
    port = free_port()
    list_path = f"/leads/{s.org_id}?limit=50"
    with gunicorn(port=port, workers=WORKERS):
        ceiling = requests_per_second(port, "/bench/ceiling", None, seconds=seconds)
        listing = requests_per_second(port, list_path, s.token, seconds=seconds)
        list_floor = requests_per_second(port, f"/bench/floor/leads/{s.org_id}", None, seconds=seconds)
        health = requests_per_second(port, "/health", None, seconds=seconds)
        me = requests_per_second(port, "/auth/me", s.token, seconds=seconds)
        detail = requests_per_second(port, f"/leads/{s.org_id}/{s.detail_lead_id}", s.token, seconds=seconds)
    share = listing / ceiling
    print(f"Throughput: gunicorn, {WORKERS} sync workers, {load_generator()}, {seconds}s each, loopback")
    print(f"| {'endpoint':<42} | {'req/s':>8} | {'share of ceiling':>16} |")
    print(f"|{'-' * 44}|{'-' * 10}|{'-' * 18}|")
    print(f"| {'ceiling: bare Django view, fixed JSON':<42} | {ceiling:8.0f} | {'100 %':>16} |")
    print(f"| {'/health (one SELECT 1)':<42} | {health:8.0f} | {health / ceiling:15.0%} |")
    print(f"| {'/auth/me (JWT, user, memberships)':<42} | {me:8.0f} | {me / ceiling:15.0%} |")
    print(f"| {'lead detail (200 activities)':<42} | {detail:8.0f} | {detail / ceiling:15.0%} |")
    print(f"| {'list: first page, limit 50':<42} | {listing:8.0f} | {share:15.0%} |")
    print(f"| {'list floor: hand-written SQL + orjson':<42} | {list_floor:8.0f} | {list_floor / ceiling:15.0%} |")
    verdict = "met" if share >= THROUGHPUT_TARGET else "NOT met"
    print(f"Target ≥ {THROUGHPUT_TARGET:.0%} of the ceiling: {verdict}")
    return {"ceiling": ceiling, "list": listing, "list floor": list_floor, "health": health, "me": me, "detail": detail}


# Seconds-long aggregate scans would turn 10,000 requests into hours; they are run
# during the warm-up, so their code paths are loaded before the first reading.
SLOW_CASES = ("analytics: pipeline", "analytics: funnel", "board page", "list: page 10,000")


def memory_run(s, *, requests: int = 10_000, clients: int = 4, readings: int = 4, warmup: int = 1_000) -> dict:
    """Each worker's RSS after a warm-up and then every ``requests / readings`` mixed requests.

    Flat means: it stops growing once the warm-up has filled the allocator and
    the per-process caches; a leak keeps growing with every reading.
    """
    port = free_port()
    every = [case for case in build_cases(s) if not case.name.startswith(("board live", "board poll"))]
    cases = [case for case in every if not case.name.startswith(SLOW_CASES)]
    with gunicorn(port=port, workers=WORKERS) as master:
        _drive(port, s, every, total=len(every) * 4, clients=clients)  # every code path in each worker
        _drive(port, s, cases, total=warmup, clients=clients)
        pids = worker_pids(master)
        series = {pid: [rss_kib(pid)] for pid in pids}
        for _ in range(readings):
            _drive(port, s, cases, total=requests // readings, clients=clients)
            for pid in pids:
                series[pid].append(rss_kib(pid))
    step = requests // readings
    print(f"Memory: {requests:,} mixed requests ({len(cases)} kinds, {clients} clients) over {WORKERS} workers,")
    print(f"after a warm-up of {warmup:,}; not in the mix, only in the warm-up: {', '.join(SLOW_CASES)}")
    header = " | ".join(f"{n * step:>7,}" for n in range(readings + 1))
    print(f"| worker | RSS (MB) after … requests: {header} |")
    for pid in pids:
        cells = " | ".join(f"{kib / 1024:7.1f}" for kib in series[pid])
        print(f"| {pid:<6} | {'':<27}{cells} |")
    return series


def _drive(port: int, s, cases, *, total: int, clients: int) -> None:
    """Send ``total`` requests cycling through the cases, from ``clients`` threads; any error stops the run."""
    counter = itertools.count()
    errors: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        client = Http(port, s.token)
        client.headers["Cookie"] = s.session_cookie
        while not errors:
            with lock:
                n = next(counter)
            if n >= total:
                break
            case = cases[n % len(cases)]
            with lock:
                request = case.request()
            reply = client.send(request)
            if reply.status != case.expect:
                errors.append(f"{case.name}: {reply.status} {reply.body[:200]!r}")
        client.close()

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"memory run stopped on an error: {errors[0]}")
