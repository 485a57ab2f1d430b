"""``vchata.counts``: a cached count is served only under the generation it was computed in.

Counts here are real COUNTs of contacts; the cache is the test settings'
LocMem, or Redis in the last tests. Bumps wait for the commit, so these tests
run the commit hooks with ``django_capture_on_commit_callbacks``.
"""

import uuid

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from leads.models import Contact
from leads.tests.factories import ContactFactory
from vchata.counts import CountCache
from vchata.resilience.models import MissedInvalidation

pytestmark = pytest.mark.django_db

FILTERS = [("search", ["ana"])]


@pytest.fixture
def counts():
    return CountCache(f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def contacts(org):
    ContactFactory.create_batch(3, organization=org)
    return Contact.objects.for_org(org)


def count(counts, queryset, scope, *, filters=FILTERS, min_cached=0) -> int:
    return counts.count(queryset, scope_id=scope.pk, filters=filters, min_cached=min_cached, timeout=60)


def counted_queries(fn) -> tuple[int, int]:
    """(what ``fn`` answered, how many COUNT queries it ran)."""
    with CaptureQueriesContext(connection) as queries:
        answer = fn()
    return answer, sum("COUNT(" in q["sql"] for q in queries)


def test_a_second_count_comes_from_the_cache(counts, contacts, org):
    assert counted_queries(lambda: count(counts, contacts, org)) == (3, 1)
    assert counted_queries(lambda: count(counts, contacts, org)) == (3, 0)


def test_counts_below_the_minimum_are_always_live(counts, contacts, org):
    assert counted_queries(lambda: count(counts, contacts, org, min_cached=4)) == (3, 1)
    assert counted_queries(lambda: count(counts, contacts, org, min_cached=4)) == (3, 1)


def test_a_bump_after_commit_drops_the_count(counts, contacts, org, django_capture_on_commit_callbacks):
    count(counts, contacts, org)
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(organization=org)
        counts.bump(org.pk)

    assert counted_queries(lambda: count(counts, contacts, org)) == (4, 1)


def test_the_key_holds_every_filter_in_any_order_and_nothing_else(counts, org):
    same = counts.count_key(org.pk, [("status", ["NEW"]), ("search", ["ana"])])
    assert same == counts.count_key(org.pk, [("search", ["ana"]), ("status", ["NEW"])])
    assert same != counts.count_key(org.pk, [("search", ["ana"])])
    assert same != counts.count_key("org_other", [("status", ["NEW"]), ("search", ["ana"])])


def test_other_scopes_keep_their_counts(counts, contacts, org, other_org, django_capture_on_commit_callbacks):
    theirs = Contact.objects.for_org(other_org)
    count(counts, theirs, other_org)
    with django_capture_on_commit_callbacks(execute=True):
        counts.bump(org.pk)

    assert counted_queries(lambda: count(counts, theirs, other_org)) == (0, 0)


class CountDuringWhichAWriteCommits:
    """A COUNT that reads its snapshot, then another request's contact commits (and bumps) before it answers."""

    def __init__(self, queryset, counts, org, run_commit_hooks):
        self.queryset, self.counts, self.org, self.run_commit_hooks = queryset, counts, org, run_commit_hooks
        self.model = queryset.model

    def count(self) -> int:
        before = self.queryset.count()
        with self.run_commit_hooks(execute=True):
            ContactFactory(organization=self.org)
            self.counts.bump(self.org.pk)
        return before


@pytest.mark.parametrize("generation_existed", [True, False], ids=["generation-set", "generation-absent"])
def test_a_write_committed_during_the_count_leaves_no_stale_entry(
    counts, contacts, org, generation_existed, django_capture_on_commit_callbacks
):
    if generation_existed:
        with django_capture_on_commit_callbacks(execute=True):
            counts.bump(org.pk)
    racing = CountDuringWhichAWriteCommits(contacts, counts, org, django_capture_on_commit_callbacks)

    assert count(counts, racing, org) == 3  # what the COUNT saw

    assert counted_queries(lambda: count(counts, contacts, org)) == (4, 1)
    assert counted_queries(lambda: count(counts, contacts, org)) == (4, 0)


def test_many_writes_in_one_transaction_queue_one_bump(counts, org, django_capture_on_commit_callbacks):
    other = CountCache(f"{counts.namespace}-other")
    keys = [counts.generation_key(org.pk), counts.generation_key("org_elsewhere"), other.generation_key(org.pk)]
    with django_capture_on_commit_callbacks() as hooks:
        for _ in range(5):
            counts.bump(org.pk)
        counts.bump("org_elsewhere")
        other.bump(org.pk)

    # Every scope of every CountCache the transaction bumped, in one hook (and one cache write).
    assert len(hooks) == 1
    assert cache.get_many(keys) == {}
    hooks[0]()
    assert set(cache.get_many(keys)) == set(keys)


def test_a_bump_rolled_back_with_its_savepoint_does_not_swallow_the_next(
    counts, contacts, org, django_capture_on_commit_callbacks
):
    count(counts, contacts, org)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                counts.bump(org.pk)
                raise RuntimeError("the change is refused")
        except RuntimeError:
            pass
        ContactFactory(organization=org)
        counts.bump(org.pk)

    assert counted_queries(lambda: count(counts, contacts, org)) == (4, 1)


@pytest.mark.django_db(transaction=True)
def test_a_bump_outside_a_transaction_is_immediate_and_a_new_token(counts, org):
    generation_key = counts.generation_key(org.pk)
    counts.bump(org.pk)
    first = cache.get(generation_key)
    counts.bump(org.pk)

    second = cache.get(generation_key)
    assert first is not None and second is not None
    assert first != second


def test_an_unreachable_cache_counts_live(counts, contacts, org):
    unreachable = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1"}
    }
    with override_settings(CACHES=unreachable):
        assert counted_queries(lambda: count(counts, contacts, org)) == (3, 1)
        assert counted_queries(lambda: count(counts, contacts, org)) == (3, 1)


def test_a_bump_the_cache_refused_is_kept_in_the_database(counts, org, django_capture_on_commit_callbacks):
    unreachable = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1"}
    }
    with override_settings(CACHES=unreachable), django_capture_on_commit_callbacks(execute=True):
        counts.bump(org.pk)

    assert list(MissedInvalidation.objects.values_list("namespace", "scope_id")) == [(counts.namespace, org.pk)]


def test_a_read_takes_a_missed_invalidation_and_counts_live(counts, contacts, org):
    assert counted_queries(lambda: count(counts, contacts, org)) == (3, 1)
    MissedInvalidation.objects.create(namespace=counts.namespace, scope_id=org.pk)
    ContactFactory(organization=org)  # as if its bump had been missed

    assert counted_queries(lambda: count(counts, contacts, org)) == (4, 1)
    assert counted_queries(lambda: count(counts, contacts, org)) == (4, 0)
    assert not MissedInvalidation.objects.exists()


def test_only_the_missed_invalidations_a_read_saw_are_forgotten(counts, org):
    seen = MissedInvalidation.objects.create(namespace=counts.namespace, scope_id=org.pk)
    later = MissedInvalidation.objects.create(namespace=counts.namespace, scope_id=org.pk)

    counts._catch_up(org.pk, [seen.pk])  # a write missed its bump after this read looked

    assert list(MissedInvalidation.objects.values_list("pk", flat=True)) == [later.pk]


def test_another_scopes_missed_invalidation_leaves_this_count_cached(counts, contacts, org, other_org):
    count(counts, contacts, org)
    MissedInvalidation.objects.create(namespace=counts.namespace, scope_id=other_org.pk)
    MissedInvalidation.objects.create(namespace="another-namespace", scope_id=org.pk)

    assert counted_queries(lambda: count(counts, contacts, org)) == (3, 0)


def _redis_answers() -> bool:
    try:
        import redis

        return redis.Redis.from_url("redis://127.0.0.1:6379", socket_connect_timeout=0.5).ping()
    except Exception:
        return False


@pytest.fixture
def redis_cache():
    if not _redis_answers():
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"test-counts-{uuid.uuid4().hex}"
    settings = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379",
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=settings):
        yield cache
        client = cache._cache.get_client(write=True)
        stale = client.keys(f"{prefix}:*")  # only this test's keys
        if stale:
            client.delete(*stale)


def test_with_redis_a_count_is_cached_and_dropped_by_a_bump(
    redis_cache, counts, contacts, org, django_capture_on_commit_callbacks
):
    assert counted_queries(lambda: count(counts, contacts, org)) == (3, 1)
    assert counted_queries(lambda: count(counts, contacts, org)) == (3, 0)
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(organization=org)
        counts.bump(org.pk)

    assert counted_queries(lambda: count(counts, contacts, org)) == (4, 1)
    assert counted_queries(lambda: count(counts, contacts, org)) == (4, 0)
    assert redis_cache.get(counts.generation_key(org.pk)) is not None


def test_with_redis_a_write_during_the_count_leaves_no_stale_entry(
    redis_cache, counts, contacts, org, django_capture_on_commit_callbacks
):
    racing = CountDuringWhichAWriteCommits(contacts, counts, org, django_capture_on_commit_callbacks)

    assert count(counts, racing, org) == 3

    assert counted_queries(lambda: count(counts, contacts, org)) == (4, 1)
