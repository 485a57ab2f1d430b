"""Chaos: a mixed load against the production server setup while its dependencies fail, then an audit.

gunicorn runs as production does (gunicorn.conf.py: sync workers) on a loopback
port, over the test database (through a role of its own) and a Redis of its
own, started by the test on a free port and keeping nothing on disk. Six
clients (``load.py``) list, read, create, move, log activities, poll the board
and try passwords for ``LOAD_SECONDS`` while, in turn:

====  ==========================================================================
 4 s  Redis is killed (SIGKILL)
10 s  Redis is started again, empty, on the same port
15 s  a gunicorn worker is killed (SIGKILL), mid-request; the master starts another
19 s  another connection holds row locks on some of the leads being moved (3 s)
25 s  the app's database role hits its connection limit (4 s)
====  ==========================================================================

What must hold: no answer is a 5xx other than a 503 with ``Retry-After`` (the
envelope on API paths); no 503 at all while only Redis is down; the app uses
Redis again within seconds of its return, with no stale lead total or board
once it has; and the database holds every write a client was told succeeded,
with its history, and nothing twice (``audit.py``). A reset connection is not
an answer: the clients find out what happened (``load.py``).

The figures (requests, 5xx, 503s, recovery) are printed; ``pytest -s`` shows them.
"""

import random
import threading
import time
import uuid

import psycopg
import pytest
import redis as redis_client
import requests
from django.conf import settings
from django.urls import reverse
from psycopg import sql
from rest_framework_simplejwt.tokens import RefreshToken

from leads.models import Lead
from leads.tests.factories import LeadFactory
from pipelines.board.selectors import board_fingerprints
from tests.reliability.conftest import RedisServer, database_url, free_port, redis_server, session_cookie

from .audit import audit
from .load import Client, Ledger, World
from .server import AppServer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LOAD_SECONDS = 36
CLIENTS = 6
WORKERS = 3
LEADS_PER_CLIENT = 4
REDIS_KILLED_AT, REDIS_BACK_AT = 4, 10
WORKER_KILLED_AT = 15
LOCKS_AT, LOCKS_FOR = 19, 3
CONNECTION_LIMIT_AT, CONNECTION_LIMIT_FOR = 25, 4
RECOVERY_LIMIT = 5.0  # seconds after Redis answers again


@pytest.fixture
def app_role(db):
    """The database role the server connects as, so that its connection limit can be hit on purpose."""
    name = f"vchata_chaos_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url(), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
        for kind in ("TABLES", "SEQUENCES"):
            admin.execute(sql.SQL(f"GRANT ALL ON ALL {kind} IN SCHEMA public TO {{}}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(database_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [name])
        admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


@pytest.fixture
def redis():
    with redis_server() as server:
        yield server


@pytest.fixture
def world(org, user, pipeline, stages):
    leads = [LeadFactory(organization=org, stage=random.choice(stages)) for _ in range(CLIENTS * LEADS_PER_CLIENT)]
    seeded = {lead.pk: lead.stage_id for lead in leads}
    changes = reverse("board-changes", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})
    return seeded, lambda base: World(
        base=base,
        token=str(RefreshToken.for_user(user).access_token),
        session_cookie=session_cookie(user, org),
        org=org.pk,
        pipeline=pipeline.pk,
        stages=[stage.pk for stage in stages],
        board_changes=changes,
        email_of_user=user.email,
    )


@pytest.fixture
def server(app_role, redis, tmp_path):
    role_url = database_url().replace("://postgres@", f"://{app_role}@", 1)
    env = {
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": role_url,
        "CONN_MAX_AGE": "1",  # connections are renewed every second, so a connection limit bites at once
        "REDIS_URL": redis.url,
        "CACHE_KEY_PREFIX": f"chaos-{uuid.uuid4().hex[:8]}",
        "LEAD_COUNT_CACHE": "1",
        "LEAD_COUNT_CACHE_MIN": "0",  # every lead total is kept in Redis: a stale one would show
        "DB_LOCK_TIMEOUT": "0.5",
        "WEB_CONCURRENCY": str(WORKERS),
        "LOG_LEVEL": "WARNING",
        **{f"THROTTLE_{scope}_RATE": "100000/minute" for scope in ("USER", "ANON", "AUTH")},
    }
    app = AppServer(free_port(), env, tmp_path / "gunicorn.log")
    app.start()
    yield app
    app.stop()


def hold_row_locks(lead_ids: list[str], seconds: float) -> None:
    with psycopg.connect(database_url()) as other:
        other.execute("SELECT 1 FROM leads_lead WHERE id = ANY(%s) FOR UPDATE", [lead_ids])
        time.sleep(seconds)
        other.rollback()


def hit_the_connection_limit(role: str, seconds: float) -> None:
    """Open two connections as the app's role, then make two its limit: every new connection is refused."""
    role_url = database_url().replace("://postgres@", f"://{role}@", 1)
    held = [psycopg.connect(role_url) for _ in range(2)]
    with psycopg.connect(database_url(), autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER ROLE {} CONNECTION LIMIT 2").format(sql.Identifier(role)))
        time.sleep(seconds)
        admin.execute(sql.SQL("ALTER ROLE {} CONNECTION LIMIT -1").format(sql.Identifier(role)))
    for held_connection in held:
        held_connection.close()


def seconds_until(condition, since: float, limit: float) -> float | None:
    """Seconds from ``since`` until ``condition()`` holds for a probe sent then (None: not within ``limit``).

    Measured from when the probe that first succeeded was sent, not from its answer: on a busy machine a
    probe may queue behind the load for a while, and that says nothing about recovery.
    """
    while time.monotonic() - since < limit:
        sent = time.monotonic()
        if condition():
            return round(max(sent - since, 0.0), 2)
        time.sleep(0.05)
    return None


def app_uses(redis: RedisServer) -> bool:
    return redis_client.Redis(port=redis.port, socket_timeout=0.5).dbsize() > 0  # it started empty


def health_says_cache_ok(base: str) -> bool:
    try:
        return requests.get(f"{base}/health", timeout=10).json()["cache"] == "ok"
    except requests.RequestException:
        return False


def test_no_5xx_and_no_data_lost_while_redis_a_worker_and_the_database_fail(
    server, redis, world, org, pipeline, app_role
):
    seeded, make_world = world
    ledger = Ledger()
    stop = threading.Event()
    owned = list(seeded.items())
    clients = [
        Client(n, make_world(server.url), ledger, dict(owned[n::CLIENTS]), stop) for n in range(CLIENTS)
    ]  # fmt: skip
    started = time.monotonic()

    def at(second: float) -> None:
        time.sleep(max(0.0, started + second - time.monotonic()))

    for client in clients:
        client.start()
    at(REDIS_KILLED_AT)
    redis.kill()
    redis_killed = time.monotonic()
    at(REDIS_BACK_AT)
    redis.start()
    redis_back = time.monotonic()
    keys_after = seconds_until(lambda: app_uses(redis), redis_back, RECOVERY_LIMIT * 2)
    health_after = seconds_until(lambda: health_says_cache_ok(server.url), redis_back, RECOVERY_LIMIT * 2)
    at(WORKER_KILLED_AT)
    workers_before = server.worker_pids()
    server.kill_worker(random.choice(workers_before))
    at(LOCKS_AT)
    hold_row_locks([client.all_leads[0] for client in clients], LOCKS_FOR)
    at(CONNECTION_LIMIT_AT)
    hit_the_connection_limit(app_role, CONNECTION_LIMIT_FOR)
    at(LOAD_SECONDS)
    stop.set()
    for client in clients:
        client.join(timeout=60)

    # Once Redis is back and the faults are over, no stale answer from any worker.
    live_total = Lead.objects.filter(organization=org).count()
    served_totals = {
        requests.get(
            f"{server.url}/leads/{org.pk}",
            params={"limit": 1},
            headers={"Authorization": f"Bearer {make_world(server.url).token}"},
            timeout=15,
        ).json()["pagination"]["total"]
        for _ in range(2 * WORKERS)
    }
    fingerprints = board_fingerprints(org=org, pipeline=pipeline)  # live: the test settings keep no cache
    poll = make_world(server.url).board_changes + "?" + "&".join(f"fp={s}:{f}" for s, f in fingerprints.items())
    cookie = make_world(server.url).session_cookie
    polls = {
        requests.get(server.url + poll, headers={"Cookie": cookie, "HX-Request": "true"}, timeout=15).status_code
        for _ in range(2 * WORKERS)
    }
    workers_after = server.worker_pids()
    server.stop()

    unavailable = ledger.statuses[503]
    server_errors = sum(n for status, n in ledger.statuses.items() if status >= 500 and status != 503)
    print(
        f"\nchaos: {ledger.requests} requests in {LOAD_SECONDS} s, {server_errors} 5xx other than 503, "
        f"{unavailable} 503s, {ledger.no_answer} without an answer (the killed worker's); "
        f"Redis back: the app writes to it after {keys_after} s, /health says ok after {health_after} s; "
        f"{len(ledger.created)} leads created, {sum(map(len, ledger.moves.values()))} moves, "
        f"{len(ledger.activities)} activities acknowledged; unknown outcomes: {len(ledger.unknown_creates)} creates, "
        f"{len(ledger.unknown_moves)} leads' moves, {len(ledger.unknown_activities)} activities"
    )
    assert ledger.problems == []
    assert server_errors == 0
    assert unavailable > 0  # the database faults did happen, and were answered 503
    assert not [t for t in ledger.unavailable_at if redis_killed <= t < redis_back]  # Redis down is no 503
    assert keys_after is not None and keys_after <= RECOVERY_LIMIT
    assert health_after is not None and health_after <= RECOVERY_LIMIT
    assert served_totals == {live_total}
    assert polls == {204}  # every worker's board fingerprints are the database's
    assert len(workers_after) == WORKERS and set(workers_after) != set(workers_before)
    assert audit(ledger, org, seeded) == []
