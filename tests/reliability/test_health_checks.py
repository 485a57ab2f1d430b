"""``/health`` tells the truth about each dependency; only the database decides the status code."""

import pytest

from .conftest import free_port, redis_server

pytestmark = pytest.mark.django_db


def redis_cache(url: str) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


@pytest.fixture
def no_broker(settings, monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    settings.REDIS_URL = ""


@pytest.fixture(scope="module")
def redis():
    with redis_server() as server:
        yield server


def test_without_redis_the_cache_is_local_and_no_broker_is_configured(anon, settings, no_broker):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    response = anon.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "local", "broker": "not configured"}


def test_with_redis_up_everything_is_ok(anon, settings, redis, monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    settings.CACHES = redis_cache(redis.url)
    settings.REDIS_URL = redis.url

    assert anon.get("/health").json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


def test_redis_down_is_degraded_but_still_200(anon, settings, monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    closed = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = redis_cache(closed)
    settings.REDIS_URL = closed

    response = anon.get("/health")

    assert response.status_code == 200  # the app serves without Redis: don't take the server out
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unreachable", "broker": "unreachable"}
    assert anon.get("/health/ready").status_code == 200


def test_the_celery_broker_url_is_the_broker_checked(anon, settings, redis, monkeypatch, no_broker):
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{free_port()}/1")
    assert anon.get("/health").json()["broker"] == "unreachable"

    monkeypatch.setenv("CELERY_BROKER_URL", redis.url)
    assert anon.get("/health").json()["broker"] == "ok"

    monkeypatch.setenv("CELERY_BROKER_URL", "amqp://guest@127.0.0.1//")
    assert anon.get("/health").json()["broker"] == "not checked"


def test_liveness_and_readiness_answer_when_all_is_well(anon):
    assert anon.get("/health/live").json() == {"status": "ok"}
    assert anon.get("/health/ready").json() == {"status": "ok"}
