"""Two app servers over one PostgreSQL and one Redis behave as one application.

Two separate gunicorn instances (2 workers each) on two loopback ports share
the test database and a Redis; requests go to both at once. What must hold:

- racing creates of the same contact through both make one lead each, never two;
- racing moves through both leave each lead with one open stage visit, a
  visit chain without gaps, and one STAGE_CHANGED activity per effective move;
- a change made through one instance is visible through the other at once:
  the lead itself, and the board's live-update poll;
- the throttle is counted once for both (Redis), not per worker;
- instance B has a read replica (``DATABASE_REPLICA_URL``): a snapshot of the
  database taken before the leads existed. Its analytics answer from the
  snapshot while its lead list answers from the primary, so analytics reads
  really are routed to the replica and nothing else is.
"""

import gc
import itertools
import os
import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, connections
from psycopg import sql
from rest_framework_simplejwt.tokens import RefreshToken

from bench.client import Http, Request
from bench.serve import free_port, gunicorn
from leads.models import Activity, Lead, StageVisit
from pipelines.board import selectors

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/0")
CONTACTS = 8
CREATES_PER_CONTACT = 4
MOVES_PER_LEAD = 12
AUTH_RATE = 6


@pytest.fixture
def postgres_and_redis(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: several server processes share one database (SQLite is one file per process)")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"needs Redis at {REDIS_URL}: {exc}")


def _database_url(name: str) -> str:
    conf = connection.settings_dict
    credentials = quote(conf["USER"] or "postgres") + (f":{quote(conf['PASSWORD'])}" if conf["PASSWORD"] else "")
    return f"postgres://{credentials}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"


def _admin_connection() -> psycopg.Connection:
    conf = connection.settings_dict
    return psycopg.connect(
        host=conf["HOST"] or "127.0.0.1",
        port=conf["PORT"] or 5432,
        user=conf["USER"] or "postgres",
        password=conf["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def copy_database(admin: psycopg.Connection, source: str, copy: str, patience: float = 5) -> None:
    """CREATE DATABASE copy TEMPLATE source, which needs the source to have no other session.

    Under xdist an earlier test on this worker can leave one behind, idle (a thread's
    connection never closed); after a few seconds such idle sessions are ended. This
    test holds no connection to the source by then, and no running test uses them.
    """
    create = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(copy), sql.Identifier(source))
    deadline = time.monotonic() + patience
    for attempt in itertools.count():
        try:
            admin.execute(create)
            return
        except psycopg.errors.ObjectInUse:
            if attempt > 100:
                raise
            gc.collect()  # closes the connections of threads that are gone
            if time.monotonic() > deadline:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND state = 'idle'",
                    [source],
                )
            time.sleep(0.1)


@pytest.fixture
def replica_snapshot(postgres_and_redis, org):
    """A copy of the test database as it is now (org, users, pipelines; no leads), standing in for a lagging replica."""
    source = connection.settings_dict["NAME"]
    snapshot = f"{source}_replica"
    connections.close_all()  # a template database must have no other connection
    with _admin_connection() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(snapshot)))
        copy_database(admin, source, snapshot)
    yield snapshot
    with _admin_connection() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(snapshot)))


@pytest.fixture
def instances(replica_snapshot):
    """Ports of instance A (primary only) and instance B (primary + the snapshot as replica)."""
    shared = {
        "DATABASE_URL": _database_url(connection.settings_dict["NAME"]),
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"scaleout-{os.getpid()}-{random.randrange(10**9)}",
        # No worker runs here: background tasks in-process, or their queue would be left behind in Redis.
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "SECRET_KEY": settings.SECRET_KEY,
        "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "THROTTLE_AUTH_RATE": f"{AUTH_RATE}/minute",
        "THROTTLE_USER_RATE": "100000/minute",
        "THROTTLE_ANON_RATE": "100000/minute",
        "LEAD_COUNT_CACHE_MIN": "0",  # cache every lead total, so step 5 checks it across instances
    }
    port_a, port_b = free_port(), free_port()
    env_b = {**shared, "DATABASE_REPLICA_URL": _database_url(replica_snapshot)}
    with (
        gunicorn(port=port_a, workers=2, env=shared, settings="vchata.settings"),
        gunicorn(port=port_b, workers=2, env=env_b, settings="vchata.settings"),
    ):
        yield port_a, port_b


@pytest.fixture
def token(user):
    return str(RefreshToken.for_user(user).access_token)


@pytest.fixture
def session_cookie(user):
    session = SessionStore()
    session[SESSION_KEY] = user.pk
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def _send_all(port_for, requests: list[Request], token: str, workers: int = 8) -> list:
    """Send the requests from ``workers`` threads at once, request i to ``port_for(i)``; the replies in order."""

    def send(item):
        i, request = item
        client = Http(port_for(i), token)
        try:
            return client.send(request)
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(send, enumerate(requests)))


def test_two_instances_act_as_one(instances, org, pipeline, stages, token, session_cookie):
    port_a, port_b = instances
    alternate = [port_a, port_b].__getitem__
    leads_path = f"/leads/{org.pk}"

    # 1. Racing creates: every contact sent 4 times, to both instances at once.
    creates = [
        Request(
            "POST",
            f"{leads_path}/with-contact",
            body={"contact": {"name": f"Racer {n}", "email": f"racer{n}@example.com"}, "pipelineId": pipeline.pk},
        )
        for n in range(CONTACTS)
        for _ in range(CREATES_PER_CONTACT)
    ]
    replies = _send_all(lambda i: alternate(i % 2), creates, token)
    assert Counter(reply.status for reply in replies) == {201: CONTACTS, 409: CONTACTS * (CREATES_PER_CONTACT - 1)}
    assert Lead.objects.for_org(org).count() == CONTACTS
    assert Lead.objects.for_org(org).values("contact__email").distinct().count() == CONTACTS

    # 2. Racing moves: each lead moved to random stages from both instances at once.
    lead_ids = list(Lead.objects.for_org(org).values_list("pk", flat=True))
    rng = random.Random(9)
    moves = [
        Request("POST", f"{leads_path}/{lead_id}/move-stage", body={"stageId": rng.choice(stages).pk})
        for lead_id, _ in itertools.product(lead_ids, range(MOVES_PER_LEAD))
    ]
    rng.shuffle(moves)
    replies = _send_all(lambda i: alternate(i % 2), moves, token)
    assert {reply.status for reply in replies} == {200}
    for lead in Lead.objects.for_org(org):
        visits = list(StageVisit.objects.filter(lead=lead).order_by("entered_at", "id"))
        moved = list(
            Activity.objects.filter(lead=lead, type=Activity.Type.STAGE_CHANGED)
            .order_by("created_at", "id")
            .values_list("metadata", flat=True)
        )
        assert [v.left_at for v in visits].count(None) == 1, "exactly one open visit"
        assert visits[-1].left_at is None and visits[-1].stage_id == lead.stage_id
        assert all(a.left_at == b.entered_at for a, b in itertools.pairwise(visits)), "no gap in the history"
        assert len(moved) == len(visits) - 1, "one STAGE_CHANGED per effective move"
        assert [(m["fromStageId"], m["toStageId"]) for m in moved] == [
            (a.stage_id, b.stage_id) for a, b in itertools.pairwise(visits)
        ]

    # 3. A change through A is visible through B: the lead, and the board's live-update poll.
    lead = Lead.objects.for_org(org).first()
    target = next(stage for stage in stages if stage.pk != lead.stage_id)
    board = Http(port_b, token)
    board.headers["Cookie"] = session_cookie
    current = selectors.board_fingerprints(org=org, pipeline=pipeline)
    seen = {stage.pk: current.get(stage.pk, selectors.empty_fingerprint()) for stage in stages}  # as the page sends
    poll = Request(
        "GET",
        f"/app/{org.pk}/pipelines/{pipeline.pk}/changes/",
        "&".join(f"fp={stage_id}:{fp}" for stage_id, fp in seen.items()),
    )
    assert board.send(poll).status == 204  # B: nothing changed yet
    moved = Http(port_a, token).send(Request("POST", f"{leads_path}/{lead.pk}/move-stage", body={"stageId": target.pk}))
    assert moved.status == 200
    detail = Http(port_b, token).send(Request("GET", f"{leads_path}/{lead.pk}"))
    assert detail.json()["lead"]["stageId"] == target.pk
    update = board.send(poll)
    assert update.status == 200  # B re-renders the columns A changed
    assert lead.pk in update.body.decode()

    # 4. Analytics through B come from its replica (the snapshot, taken before any lead), the rest from the primary.
    on_a = Http(port_a, token).send(Request("GET", f"{leads_path}/stats")).json()
    on_b = Http(port_b, token).send(Request("GET", f"{leads_path}/stats")).json()
    listed_on_b = Http(port_b, token).send(Request("GET", leads_path)).json()
    assert on_a["stats"]["totalLeads"] == CONTACTS
    assert on_b["stats"]["totalLeads"] == 0
    assert listed_on_b["pagination"]["total"] == CONTACTS

    # 5. A lead total B keeps in the shared cache is dropped by a write through A.
    total_on_b = Http(port_b, token).send(Request("GET", leads_path)).json()["pagination"]["total"]
    late = Request("POST", f"{leads_path}/with-contact", body={"contact": {"name": "Late"}, "pipelineId": pipeline.pk})
    assert Http(port_a, token).send(late).status == 201
    assert Http(port_b, token).send(Request("GET", leads_path)).json()["pagination"]["total"] == total_on_b + 1

    # 6. One throttle for both: AUTH_RATE sign-in attempts in any minute per IP in all, whichever instance answers.
    attempts = [
        Request("POST", "/auth/token", body={"email": "nobody@example.com", "password": "wrong-password"})
        for _ in range(AUTH_RATE + 4)
    ]
    statuses = Counter(reply.status for reply in _send_all(lambda i: alternate(i % 2), attempts, None, workers=4))
    assert statuses == {401: AUTH_RATE, 429: 4}
