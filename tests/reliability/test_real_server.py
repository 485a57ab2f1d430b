"""What only a real server shows: gunicorn with several workers sharing throttle counters in
Redis, and chunked request bodies as gunicorn hands them to Django."""

import http.client
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import redis
import requests

from .conftest import gunicorn

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_is_up() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_is_up(), reason="needs Redis at 127.0.0.1:6379")
def test_workers_share_one_auth_limit_in_redis_even_under_parallel_requests():
    prefix = f"test-{uuid.uuid4().hex}"
    env = {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix, "THROTTLE_AUTH_RATE": "5/minute"}
    with gunicorn(env, workers=3) as url:
        # An empty body is refused (400) by the token view, after the throttle counted it.
        def attempt(_):
            return requests.post(f"{url}/auth/token", json={}, timeout=30)

        with ThreadPoolExecutor(max_workers=12) as pool:
            responses = list(pool.map(attempt, range(24)))

    assert Counter(r.status_code for r in responses) == {400: 5, 429: 19}
    throttled = [r for r in responses if r.status_code == 429]
    # The rest of this minute, then a fifth of the next while the five served weigh it down to four.
    assert all(0 < int(r.headers["Retry-After"]) <= 60 + 12 for r in throttled)
    assert throttled[0].json()["error"] == "Too Many Requests"
    client = redis.Redis.from_url(REDIS_URL)
    keys = client.keys(f"{prefix}:*")
    assert keys  # the counter is in Redis, not in a worker's memory
    client.delete(*keys)


def test_gunicorn_chunked_bodies_are_refused_with_411_not_read_as_empty():
    with gunicorn({}) as url:
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        chunks = iter([b'{"email": "a@example.com",', b' "password": "x"}'])
        connection.request(
            "POST", "/auth/token", body=chunks, headers={"Content-Type": "application/json"}, encode_chunked=True
        )
        response = connection.getresponse()
        body = response.read()
        connection.close()

    assert response.status == 411
    assert b'"error": "Length Required"' in body
