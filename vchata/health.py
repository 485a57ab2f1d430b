"""Health checks: what a load balancer, an orchestrator and a person need to know.

- ``GET /health/live`` (liveness): 200 while the process answers requests at
  all. It asks no dependency, so a database outage never gets healthy
  processes restarted.
- ``GET /health/ready`` (readiness): 200 when the database answers, 503 when
  it doesn't. Only the database: without Redis the app still serves (throttles
  fail open, caches compute live), so taking servers out of the load balancer
  for a Redis outage would turn a slowdown into downtime.
- ``GET /health``: the same status code as ``/health/ready``, and a body that
  tells the truth about each dependency::

      {"status": "ok" | "degraded" | "down",
       "database": "ok" | "unreachable",
       "cache": "ok" | "unreachable" | "local",
       "broker": "ok" | "unreachable" | "not configured" | "not checked"}

  ``down``: the database does not answer (503). ``degraded``: it does, but the
  cache or the task broker does not. ``local`` is the per-process memory cache
  used without ``REDIS_URL``. The broker is Celery's (``CELERY_BROKER_URL``,
  else ``REDIS_URL``), pinged when it is a Redis URL; ``not checked`` for
  another kind.

Each probe is one round trip bounded by the connection timeouts
(``DB_CONNECT_TIMEOUT``, ``REDIS_TIMEOUT``); none needs authentication.
"""

import os
import threading

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connections
from django.http import JsonResponse

from vchata.cachefaults import CACHE_ERRORS

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
_broker_clients: dict[str, redis.Redis] = {}
_broker_clients_lock = threading.Lock()


def database_status() -> str:
    using = getattr(settings, "HEALTH_DATABASE_ALIAS", "default")
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unreachable"
    return "ok"


def cache_status() -> str:
    if not isinstance(caches["default"], RedisCache):
        return "local"
    try:
        cache.get("health:probe")  # a round trip; a missing key is a normal answer
    except CACHE_ERRORS:
        return "unreachable"
    return "ok"


def broker_url() -> str:
    return getattr(settings, "CELERY_BROKER_URL", None) or os.environ.get("CELERY_BROKER_URL") or settings.REDIS_URL


def broker_status() -> str:
    url = broker_url()
    if not url:
        return "not configured"
    if not url.startswith(_REDIS_SCHEMES):
        return "not checked"
    try:
        _broker_client(url).ping()
    except CACHE_ERRORS:
        return "unreachable"
    return "ok"


def _broker_client(url: str) -> redis.Redis:
    with _broker_clients_lock:
        client = _broker_clients.get(url)
        if client is None:
            timeout = settings.REDIS_TIMEOUT
            client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
            _broker_clients[url] = client
        return client


def health(request):
    report = {"database": database_status(), "cache": cache_status(), "broker": broker_status()}
    if report["database"] != "ok":
        status = "down"
    elif "unreachable" in (report["cache"], report["broker"]):
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse({"status": status, **report}, status=503 if status == "down" else 200)


def ready(request):
    database = database_status()
    return JsonResponse({"status": "ok" if database == "ok" else "down"}, status=200 if database == "ok" else 503)


def live(request):
    return JsonResponse({"status": "ok"})
