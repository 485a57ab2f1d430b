"""Load test: gunicorn with several workers on PostgreSQL, a mixed API workload, then an audit.

    .venv/bin/python scripts/load.py                 # 60 s, 4 workers, 16 clients
    .venv/bin/python scripts/load.py --duration 20 --clients 8

1. Recreates PostgreSQL database ``vchata_load`` (``--database-url``), migrates it.
2. Starts gunicorn on a free loopback port (127.0.0.1 only) with ``--workers``
   processes, throttling set out of the way (this measures the app, not the limits).
3. Signs up an owner through the API and gives the org ``--seed-leads`` leads.
4. ``--clients`` threads, each with its own keep-alive connection, run a mixed
   workload for ``--duration`` seconds (or ``--max-requests``, whichever first):
   list 30 %, detail 20 %, create (with-contact) 15 %, move 15 %, add activity 15 %,
   stats 5 %.
5. Reports throughput, p50/p95/p99 latency per operation and overall, and every
   error (any status other than the operation's success status, or no answer).
6. Audits the database: it holds exactly the leads, contacts and activities the
   clients were told were created, every lead has exactly one open stage
   visit, its visits are contiguous, and each move left one STAGE_CHANGED activity.

Exits non-zero on any error or audit failure. Timings belong here, never in tests.
"""

import argparse
import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"
PASSWORD = "load-test-passphrase-2024"

# operation -> (weight, success status)
WORKLOAD = {
    "list": (30, 200),
    "detail": (20, 200),
    "create": (15, 201),
    "move": (15, 200),
    "activity": (15, 201),
    "stats": (5, 200),
}


@dataclass
class Shared:
    """What the clients learn while they run; the audit compares it with the database."""

    org: str
    pipeline: str
    stages: list[str]
    lead_ids: list[str]
    lock: threading.Lock = field(default_factory=threading.Lock)
    created_leads: set[str] = field(default_factory=set)
    created_contacts: set[str] = field(default_factory=set)
    created_activities: set[str] = field(default_factory=set)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    counter: itertools.count = field(default_factory=itertools.count)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def recreate_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"refusing a database that is not on this machine: {parts.hostname}")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def server_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "load-test-only-" + "k" * 48,
        "ALLOWED_HOSTS": LOOPBACK,
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "60",
        "THROTTLE_ANON_RATE": "1000000/minute",
        "THROTTLE_USER_RATE": "1000000/minute",
        "THROTTLE_AUTH_RATE": "1000000/minute",
        "LOG_LEVEL": "WARNING",
        # gunicorn.conf.py is production's: no access line per request, no worker recycling mid-run.
        "GUNICORN_ACCESS_LOG": "off",
        "GUNICORN_MAX_REQUESTS": "0",
    }


def start_gunicorn(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "vchata.wsgi",
            "--bind", f"{LOOPBACK}:{port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", "4", "--keep-alive", "30",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    url = f"http://{LOOPBACK}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            pass
        if process.poll() is not None:
            sys.exit("gunicorn did not start")
        time.sleep(0.2)
    process.terminate()
    sys.exit("gunicorn did not answer /health within 60 s")


def prepare(url: str, seed_leads: int) -> tuple[Shared, str]:
    signup = requests.post(
        f"{url}/auth/signup",
        json={"email": "load@example.com", "password": PASSWORD, "name": "Load", "organizationName": "Load Inc"},
        timeout=30,
    )
    signup.raise_for_status()
    body = signup.json()
    token, org = body["access"], body["organization"]["id"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    pipeline = session.get(f"{url}/pipelines/{org}", timeout=30).json()["pipelines"][0]
    stages = [stage["id"] for stage in pipeline["stages"]]
    lead_ids = []
    for n in range(seed_leads):
        created = session.post(
            f"{url}/leads/{org}/with-contact",
            json={"contact": {"name": f"Seed {n}", "email": f"seed{n}@example.com"}, "pipelineId": pipeline["id"],
                  "value": n * 10, "source": random.choice(["website", "referral", "social_media"])},
            timeout=30,
        )  # fmt: skip
        created.raise_for_status()
        lead_ids.append(created.json()["lead"]["id"])
    return Shared(org=org, pipeline=pipeline["id"], stages=stages, lead_ids=lead_ids), token


def one_request(session: requests.Session, url: str, shared: Shared, rng: random.Random, operation: str):
    org = shared.org
    with shared.lock:
        lead = rng.choice(shared.lead_ids)
    if operation == "list":
        return session.get(f"{url}/leads/{org}", params={"page": rng.randint(1, 3), "limit": 20}, timeout=30)
    if operation == "detail":
        return session.get(f"{url}/leads/{org}/{lead}", timeout=30)
    if operation == "create":
        n = next(shared.counter)
        body = {
            "contact": {"name": f"Load {n}", "email": f"load{n}-{os.getpid()}@example.com"},
            "pipelineId": shared.pipeline,
            "value": rng.randint(0, 50_000),
            "source": rng.choice(["website", "referral", "social_media"]),
        }
        return session.post(f"{url}/leads/{org}/with-contact", json=body, timeout=30)
    if operation == "move":
        return session.post(
            f"{url}/leads/{org}/{lead}/move-stage", json={"stageId": rng.choice(shared.stages)}, timeout=30
        )
    if operation == "activity":
        body = {"type": rng.choice(["NOTE", "CALL", "EMAIL_SENT"]), "description": "load test", "metadata": {}}
        return session.post(f"{url}/leads/{org}/{lead}/activities", json=body, timeout=30)
    return session.get(f"{url}/leads/{org}/stats", timeout=30)


def record(shared: Shared, operation: str, response) -> None:
    body = response.json()
    with shared.lock:
        if operation == "create":
            shared.created_leads.add(body["lead"]["id"])
            shared.created_contacts.add(body["contact"]["id"])
            shared.lead_ids.append(body["lead"]["id"])
        elif operation == "activity":
            shared.created_activities.add(body["activity"]["id"])


def client(url: str, token: str, shared: Shared, seed: int, stop_at: float, budget: threading.Semaphore) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    operations = list(WORKLOAD)
    weights = [WORKLOAD[name][0] for name in operations]
    while time.monotonic() < stop_at and budget.acquire(blocking=False):
        operation = rng.choices(operations, weights)[0]
        started = time.perf_counter()
        try:
            response = one_request(session, url, shared, rng, operation)
        except requests.RequestException as exc:
            with shared.lock:
                shared.errors.append(f"{operation}: no answer ({exc.__class__.__name__})")
            continue
        elapsed = time.perf_counter() - started
        with shared.lock:
            shared.latencies[operation].append(elapsed)
        if response.status_code != WORKLOAD[operation][1]:
            with shared.lock:
                shared.errors.append(f"{operation}: {response.status_code} {response.text[:200]}")
            continue
        record(shared, operation, response)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def report(shared: Shared, seconds: float) -> None:
    every = [value for values in shared.latencies.values() for value in values]
    rate = len(every) / seconds
    print(f"\n{len(every)} requests in {seconds:.1f} s: {rate:.0f} requests/s, {len(shared.errors)} errors")
    print(f"{'operation':<10} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name in [*WORKLOAD, "all"]:
        values = every if name == "all" else shared.latencies.get(name, [])
        if values:
            print(
                f"{name:<10} {len(values):>7} {statistics.median(values) * 1000:>8.1f} "
                f"{percentile(values, 0.95):>8.1f} {percentile(values, 0.99):>8.1f} {max(values) * 1000:>8.1f}"
            )
    for error in shared.errors[:20]:
        print("  error:", error)


def audit(database_url: str, shared: Shared, seeded: set[str]) -> list[str]:
    """Compare what the clients were told with what the database holds."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vchata.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count, Q

    from leads.models import Activity, Contact, Lead, StageVisit

    problems = []
    leads = set(Lead.objects.filter(organization_id=shared.org).values_list("pk", flat=True))
    if leads != seeded | shared.created_leads:
        problems.append(f"leads: {len(leads)} in the database, {len(seeded | shared.created_leads)} reported created")
    contacts = set(Contact.objects.filter(organization_id=shared.org).values_list("pk", flat=True))
    expected_contacts = set(Lead.objects.filter(pk__in=seeded).values_list("contact_id", flat=True))
    expected_contacts |= shared.created_contacts
    if contacts != expected_contacts:
        problems.append(f"contacts: {len(contacts)} in the database, {len(expected_contacts)} expected")
    logged_types = ["NOTE", "CALL", "EMAIL_SENT"]
    logged = set(
        Activity.objects.filter(organization_id=shared.org, type__in=logged_types).values_list("pk", flat=True)
    )
    if logged != shared.created_activities:
        problems.append(f"activities: {len(logged)} in the database, {len(shared.created_activities)} reported created")
    open_visits = (
        Lead.objects.filter(organization_id=shared.org)
        .annotate(open=Count("stage_visits", filter=Q(stage_visits__left_at__isnull=True)))
        .exclude(open=1)
    )
    if open_visits.exists():
        problems.append(f"{open_visits.count()} leads without exactly one open stage visit")
    moves = dict(
        Activity.objects.filter(organization_id=shared.org, type="STAGE_CHANGED")
        .values_list("lead_id").annotate(n=Count("id")).values_list("lead_id", "n")
    )  # fmt: skip
    for lead_id in leads:
        visits = list(StageVisit.objects.filter(lead_id=lead_id).order_by("entered_at", "id"))
        if any(a.left_at != b.entered_at for a, b in itertools.pairwise(visits)):
            problems.append(f"{lead_id}: stage visits are not contiguous")
        if moves.get(lead_id, 0) != len(visits) - 1:
            problems.append(f"{lead_id}: {moves.get(lead_id, 0)} STAGE_CHANGED activities for {len(visits) - 1} moves")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/vchata_load")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--seed-leads", type=int, default=200)
    args = parser.parse_args(argv)

    print(f"Recreating {args.database_url} and migrating…")
    recreate_database(args.database_url)
    env = server_env(args.database_url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    process, url = start_gunicorn(env, args.workers)
    try:
        print(f"gunicorn: {args.workers} workers on {url}; seeding {args.seed_leads} leads…")
        shared, token = prepare(url, args.seed_leads)
        seeded = set(shared.lead_ids)
        budget = threading.Semaphore(args.max_requests)
        started = time.monotonic()
        stop_at = started + args.duration
        threads = [
            threading.Thread(target=client, args=(url, token, shared, seed, stop_at, budget))
            for seed in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        process.terminate()
        process.wait(timeout=30)

    report(shared, elapsed)
    problems = audit(args.database_url, shared, seeded)
    print(
        f"\naudit: {len(seeded) + len(shared.created_leads)} leads, {len(shared.created_contacts)} new contacts, "
        f"{len(shared.created_activities)} logged activities: "
        + ("the database holds exactly what the clients were told" if not problems else "MISMATCH")
    )
    for problem in problems[:20]:
        print("  audit:", problem)
    return 1 if shared.errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
