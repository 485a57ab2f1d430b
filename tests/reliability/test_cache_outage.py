"""Redis is optional at run time: requests are served while it is away, and nothing stale is served once it is back.

Redis here is a server of our own. "Away" points the cache at a closed port
while that server keeps its data, as in a network partition or a paused Redis:
what makes an outage dangerous for cached values is that they are still there
afterwards. (A restarted Redis that lost everything is the easy case; the chaos
test kills one.)
"""

import logging
import time
from contextlib import contextmanager

import pytest
import requests
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from leads import services as lead_services
from leads.tests.factories import LeadFactory
from pipelines.board.selectors import board_fingerprints
from tests.support.api import leads_url
from vchata.cachefaults import THROTTLE_FAILED_OPEN, circuit
from vchata.resilience.models import MissedInvalidation

from .conftest import database_url, free_port, gunicorn, redis_server, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def redis_cache(url: str, prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(scope="module")
def redis():
    with redis_server() as server:
        yield server


@pytest.fixture
def shared_cache(redis, settings, request):
    """The test's cache is our Redis (totals and board fingerprints kept there, as in production)."""
    settings.CACHES = redis_cache(redis.url, f"outage-{request.node.name}")
    settings.LEAD_COUNT_CACHE = True
    settings.LEAD_COUNT_CACHE_MIN = 0
    circuit.reset()
    yield redis
    circuit.reset()


@contextmanager
def redis_away(settings):
    """The cache unreachable (connection refused) while our Redis keeps what it holds."""
    kept = settings.CACHES
    with override_settings(CACHES=redis_cache(f"redis://127.0.0.1:{free_port()}/0", kept["default"]["KEY_PREFIX"])):
        yield
    assert cache.get("any") is None  # answered again (a miss, not an error)


def changes_url(org, pipeline, seen: dict[str, str]) -> str:
    url = reverse("board-changes", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})
    return url + "?" + "&".join(f"fp={stage_id}:{fingerprint}" for stage_id, fingerprint in seen.items())


def poll(browser, org, pipeline, seen: dict[str, str]):
    return browser.get(changes_url(org, pipeline, seen), HTTP_HX_REQUEST="true")


def test_api_calls_and_token_requests_are_served_while_redis_is_away(
    api, anon, user, throttle_rates, shared_cache, settings, caplog
):
    throttle_rates(user="3/minute", anon="3/minute", auth="3/minute")

    with redis_away(settings), caplog.at_level(logging.WARNING, logger="vchata.cache"):
        me = [api.get("/auth/me").status_code for _ in range(5)]
        token = [
            anon.post("/auth/token", {"email": user.email, "password": "wrong"}, format="json").status_code
            for _ in range(5)
        ]
        fallbacks = circuit.fallbacks[THROTTLE_FAILED_OPEN]

    assert me == [200] * 5  # throttles failed open: more than the limit, and no 500
    assert token == [401] * 5
    assert fallbacks >= 10
    assert "Cache unreachable" in caplog.text


def test_throttles_count_again_as_soon_as_redis_answers(api, throttle_rates, shared_cache, settings):
    throttle_rates(user="3/minute")
    with redis_away(settings):
        assert api.get("/auth/me").status_code == 200

    answers = [api.get("/auth/me").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_after_a_failure_the_cache_is_left_alone_for_the_retry_interval(api, throttle_rates, shared_cache, settings):
    throttle_rates(user="1/minute")
    settings.REDIS_RETRY_SECONDS = 0.5
    with redis_away(settings):
        assert api.get("/auth/me").status_code == 200  # the failure opens the circuit
    skipped = [api.get("/auth/me").status_code for _ in range(3)]  # Redis is back, but not asked yet
    time.sleep(0.6)

    asked = [api.get("/auth/me").status_code for _ in range(2)]

    assert skipped == [200, 200, 200]
    assert asked == [200, 429]


def test_a_board_move_made_while_redis_was_away_shows_on_the_next_poll(
    browser, org, pipeline, stages, member, shared_cache, settings
):
    lead = LeadFactory(organization=org, stage=stages[0])
    seen = board_fingerprints(org=org, pipeline=pipeline)  # kept in Redis
    assert poll(browser, org, pipeline, seen).status_code == 204

    with redis_away(settings):
        lead_services.move_lead_to_stage(org=org, actor=member, lead_id=lead.pk, stage_id=stages[2].pk)
    circuit.reset()  # as in a process that never saw the outage: only the database can tell it
    response = poll(browser, org, pipeline, seen)

    assert response.status_code == 200
    assert {column.stage.pk for column in response.context["columns"]} == {stages[0].pk, stages[2].pk}


@pytest.mark.postgres
def test_a_server_that_never_saw_the_outage_shows_the_move_too(
    org, user, pipeline, stages, member, shared_cache, settings
):
    lead = LeadFactory(organization=org, stage=stages[0])
    seen = board_fingerprints(org=org, pipeline=pipeline)
    env = {
        "DATABASE_URL": database_url(),
        "REDIS_URL": shared_cache.url,
        "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "LEAD_COUNT_CACHE": "1",
        "SECRET_KEY": django_settings.SECRET_KEY,  # the session's auth hash is signed with it
    }
    headers = {"Cookie": session_cookie(user, org), "HX-Request": "true"}
    with gunicorn(env, workers=1) as server:
        before = requests.get(server + changes_url(org, pipeline, seen), headers=headers, timeout=30)
        with redis_away(settings):  # only this process loses Redis, so the server keeps serving from it
            lead_services.move_lead_to_stage(org=org, actor=member, lead_id=lead.pk, stage_id=stages[3].pk)
        after = requests.get(server + changes_url(org, pipeline, seen), headers=headers, timeout=30)

    assert before.status_code == 204
    assert after.status_code == 200
    assert stages[3].pk in after.text


def test_a_missed_invalidation_is_taken_once_then_the_cache_serves_again(
    browser, org, pipeline, stages, member, shared_cache, settings, django_assert_num_queries
):
    lead = LeadFactory(organization=org, stage=stages[0])
    board_fingerprints(org=org, pipeline=pipeline)
    with redis_away(settings):
        lead_services.move_lead_to_stage(org=org, actor=member, lead_id=lead.pk, stage_id=stages[1].pk)
    assert MissedInvalidation.objects.count() == 2  # the board's generation and the lead totals'

    after = board_fingerprints(org=org, pipeline=pipeline)  # takes the board's, computes live, keeps the result
    with django_assert_num_queries(1):  # only the check for missed invalidations: no lead is read
        again = board_fingerprints(org=org, pipeline=pipeline)

    assert after == again
    assert list(MissedInvalidation.objects.values_list("namespace", flat=True)) == ["leads"]


def test_the_lead_total_is_exact_after_leads_were_created_while_redis_was_away(
    api, org, pipeline, shared_cache, settings
):
    LeadFactory.create_batch(2, organization=org)
    assert api.get(leads_url(org)).json()["pagination"]["total"] == 2  # now kept in Redis

    with redis_away(settings):
        created = api.post(
            f"{leads_url(org)}/with-contact",
            {"contact": {"name": "Ada", "email": "ada@example.com"}, "pipelineId": pipeline.pk},
            format="json",
        )
        during = api.get(leads_url(org)).json()["pagination"]["total"]
    after = api.get(leads_url(org)).json()["pagination"]["total"]

    assert created.status_code == 201
    assert (during, after) == (3, 3)


def test_on_redis_a_throttle_counts_in_one_round_trip_with_a_lifetime_and_takes_refusals_back(
    api, user, throttle_rates, shared_cache
):
    throttle_rates(user="2/minute")
    cache._cache.get_client().config_resetstat()
    answers = [api.get("/auth/me").status_code for _ in range(4)]

    assert answers == [200, 200, 429, 429]
    commands = cache._cache.get_client().info("commandstats")
    # One pipeline a request (INCRBY, EXPIRE NX, GET); only the two refusals' take-back is Django's
    # decr (EXISTS, then INCRBY -1). Django's incr/add path would add an EXISTS a request and a SET.
    assert commands["cmdstat_expire"]["calls"] == 4
    assert commands["cmdstat_get"]["calls"] == 4
    assert commands["cmdstat_incrby"]["calls"] == 4 + 2
    assert commands["cmdstat_exists"]["calls"] == 2
    assert "cmdstat_set" not in commands
    [key] = [k for k in cache._cache.get_client().keys("*") if b"throttle_user_" in k]
    window_count = cache._cache.get_client().get(key)
    assert int(window_count) == 2  # the two refused requests were taken back
    assert 0 < cache._cache.get_client().ttl(key) <= 2 * 60 + 1  # expires after the window that weighs it
    assert cache.get(key.decode().split(":", 2)[2]) == 2  # Django's cache reads the same integer
