"""The runs through a real gunicorn: throughput against the framework's ceiling, and worker memory."""

import itertools
import threading
from statistics import median

from .cases import build_cases
from .client import Http
from .serve import free_port, gunicorn, rss_kib, worker_pids
from .throughput import load_generator, requests_per_second, warm

WORKERS = 2
# Issue 18's targets, as shares of the ceiling measured beside each reading.
TARGETS = {"/auth/me": 0.5, "list": 0.25}


def throughput_run(s, *, seconds: int = 10, rounds: int = 4) -> dict:
    """Requests per second of each endpoint and its share of the ceiling, read in alternating slices.

    Other work on the machine comes and goes within a run; a ceiling read a minute before an
    endpoint says little about it. So each endpoint's ``seconds`` are cut into ``rounds`` slices,
    each read right after a slice of the ceiling, and its share is the median of those pairs.
    """
    port = free_port()
    endpoints = {
        "/health": ("/health (one SELECT 1)", "/health", None),
        "/auth/me": ("/auth/me (JWT, user, memberships)", "/auth/me", s.token),
        "detail": ("lead detail (200 activities)", f"/leads/{s.org_id}/{s.detail_lead_id}", s.token),
        "list": ("list: first page, limit 50", f"/leads/{s.org_id}?limit=50", s.token),
        "list floor": ("list floor: hand-written SQL + orjson", f"/bench/floor/leads/{s.org_id}", None),
    }
    slice_seconds = max(seconds // rounds, 1)
    ceilings, rates, shares = [], {key: [] for key in endpoints}, {key: [] for key in endpoints}
    with gunicorn(port=port, workers=WORKERS):
        warm(port, "/bench/ceiling", None)
        for _, path, token in endpoints.values():
            warm(port, path, token)
        for _ in range(rounds):
            for key, (_, path, token) in endpoints.items():
                ceiling = requests_per_second(port, "/bench/ceiling", None, seconds=slice_seconds, warm_up=False)
                rate = requests_per_second(port, path, token, seconds=slice_seconds, warm_up=False)
                ceilings.append(ceiling)
                rates[key].append(rate)
                shares[key].append(rate / ceiling)
    print(
        f"Throughput: gunicorn, {WORKERS} sync workers, {load_generator()}, loopback; {rounds} slices of "
        f"{slice_seconds}s an endpoint, each after one of the ceiling; share = median of those pairs"
    )
    print(f"| {'endpoint':<42} | {'req/s':>8} | {'share of ceiling':>16} | {'target':<12} |")
    print(f"|{'-' * 44}|{'-' * 10}|{'-' * 18}|{'-' * 14}|")
    print(f"| {'ceiling: bare Django view, fixed JSON':<42} | {median(ceilings):8.0f} | {'100 %':>16} | {'':<12} |")
    for key, (label, _, _) in endpoints.items():
        target = TARGETS.get(key)
        verdict = "" if target is None else f"≥{target:.0%} " + ("met" if median(shares[key]) >= target else "NOT met")
        print(f"| {label:<42} | {median(rates[key]):8.0f} | {median(shares[key]):15.0%} | {verdict:<12} |")
    return {"ceiling": median(ceilings)} | {key: median(values) for key, values in rates.items()}


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
