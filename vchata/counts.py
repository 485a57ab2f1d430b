"""Exact COUNTs served from the cache, dropped by a per-scope generation token.

A list's ``total`` is an exact ``COUNT(*)``: at a million rows that is ~45 ms
of a ~50 ms request. The count of a (scope, filters) pair is kept in the
default cache (Redis in production) *together with the generation of the
scope it was computed under*; it is served only while that generation is still
the scope's current one. Every write that can change any count of the scope
replaces the generation with a fresh random token once its transaction commits
(``bump``), which kills every count computed before in one cache write.

Why it stays exact:

- the generation is read *before* the COUNT runs, so a write that commits
  while the COUNT runs bumps the generation after our read: the entry we then
  store carries the old generation and is never served;
- a bump is a new random token, never an incremented number, so a generation
  key evicted from the cache cannot come back as a value an old entry holds;
- a missing generation is created with ``add`` (only if still absent): if a
  bump got there first, nothing is stored.

``remember`` keeps any other value derived from the scope's rows the same way
(the board's column fingerprints, ``pipelines.board.selectors``).

Counts below ``min_cached`` are cheap and are always computed live.

When the cache is down
----------------------

The cache is optional (``vchata.cachefaults``): a read that can't reach it
computes live. A bump that can't reach it must still take effect, or once Redis
answers again, its entries and the generation they carry are still there (a
network partition, a Redis that was paused or failed over with its data) and
would be served as if the write had never happened: an open board would answer
"no change" until the TTL. Redis can't be told while it is unreachable, so the
database is:

- a bump that fails (or is skipped while the circuit is open) leaves a
  ``MissedInvalidation`` row for its scope, written after its write committed;
- before serving a cached value, a read checks that its scope has no such row
  (one indexed query on a table that is empty outside outages; only on a hit,
  since a miss computes live anyway);
- a read that finds rows replaces the generation itself, deletes the rows it
  saw (only those: one added meanwhile stays for the next read), and computes
  live under the new generation.

So a write whose invalidation failed is never hidden by a value cached before
it, in any process, from the first read after Redis answers again; a process
that never saw the outage learns of it from the database like the others. What
is left is what was there before: between a write's commit and its bump a read
may still see the value from before the write (when Redis stops answering
during a bump, until the bump times out, ``REDIS_TIMEOUT``). If the database
fails too at that instant, the row can't be written: that is logged, and the
TTL bounds it. A cache restored from disk can bring back generations older
than bumps it had taken, so the cache's Redis keeps nothing on disk
(docs/deploy.md).
"""

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import QuerySet

from vchata.cachefaults import CACHE_ERRORS, COMPUTED_LIVE, INVALIDATION_RECORDED, circuit
from vchata.db_router import PRIMARY
from vchata.resilience.models import MissedInvalidation

logger = logging.getLogger("vchata.counts")
T = TypeVar("T")


@dataclass(frozen=True)
class CountCache:
    """Cached exact counts (or other derived values) for one kind of data, invalidated per scope (an org, say)."""

    namespace: str

    def generation_key(self, scope_id: str) -> str:
        return f"{self.namespace}-gen:{scope_id}"

    def count_key(self, scope_id: str, filters: Iterable[tuple[str, list[str]]]) -> str:
        # Sorted so the same filters in another order share one entry; hashed so a long search fits any key limit.
        normalized = repr(sorted((name, sorted(values)) for name, values in filters))
        digest = hashlib.sha256(normalized.encode()).hexdigest()[:32]
        return f"{self.namespace}-count:{scope_id}:{digest}"

    def value_key(self, scope_id: str, name: str) -> str:
        """The key of a value ``remember`` keeps under the scope's generation."""
        return f"{self.namespace}-value:{scope_id}:{name}"

    def count(
        self,
        queryset: QuerySet,
        *,
        scope_id: str,
        filters: Iterable[tuple[str, list[str]]],
        min_cached: int,
        timeout: int,
        compute: Callable[[], int] | None = None,
    ) -> int:
        """``queryset.count()`` (or ``compute()``, the same total), from the cache when an entry of the current
        generation is there."""
        return self.remember(
            scope_id,
            self.count_key(scope_id, filters),
            compute or queryset.count,
            keep=lambda total: total >= min_cached,
            timeout=timeout,
        )

    def remember(self, scope_id: str, key: str, compute: Callable[[], T], *, keep=None, timeout: int) -> T:
        """``compute()``, or what it gave under the scope's current generation (kept when ``keep(value)``)."""
        if not circuit.available():
            circuit.skipped(COMPUTED_LIVE)
            return compute()
        generation_key = self.generation_key(scope_id)
        try:
            found = cache.get_many([generation_key, key])
        except CACHE_ERRORS as error:  # the cache is an optimisation: down, the value is computed live
            circuit.failed(error, COMPUTED_LIVE)
            return compute()
        circuit.succeeded()
        generation = found.get(generation_key)
        entry = found.get(key)
        if generation is not None and isinstance(entry, tuple) and len(entry) == 2 and entry[0] == generation:
            missed = self._missed_invalidations(scope_id)
            if not missed:
                return entry[1]
            generation = self._catch_up(scope_id, missed)
            if generation is None:
                return compute()

        value = compute()
        if keep is not None and not keep(value):
            return value
        try:
            if generation is None:
                generation = secrets.token_urlsafe(12)
                if not cache.add(generation_key, generation, timeout=None):
                    return value  # a write bumped it meanwhile: this value may predate it
            cache.set(key, (generation, value), timeout=timeout)
        except CACHE_ERRORS as error:
            circuit.failed(error, COMPUTED_LIVE)
        return value

    def _missed_invalidations(self, scope_id: str) -> list[int]:
        # Every cache hit runs this, so plain SQL: building the ORM query cost more than running it.
        table = MissedInvalidation._meta.db_table
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE namespace = %s AND scope_id = %s", [self.namespace, scope_id])
            return [row[0] for row in cursor.fetchall()]

    def _catch_up(self, scope_id: str, missed: list[int]) -> str | None:
        """Take the invalidations the cache missed: a new generation, then forget the rows. None if the cache failed."""
        generation = secrets.token_urlsafe(12)
        try:
            cache.set(self.generation_key(scope_id), generation, timeout=None)
        except CACHE_ERRORS as error:
            circuit.failed(error, COMPUTED_LIVE)
            return None
        # Only the rows seen before the new generation was set: it covers their writes, not later ones.
        MissedInvalidation.objects.using(PRIMARY).filter(pk__in=missed).delete()
        return generation

    def bump(self, scope_id: str) -> None:
        """Drop every cached count of the scope once the current transaction commits (now, outside one).

        Many writes in one transaction (an import, a bulk action) bump once, and the scopes of every
        ``CountCache`` a transaction bumps get their new generations in one cache round trip: the
        scopes waiting for this transaction's commit are remembered on the connection next to the
        list of commit hooks their one hook was queued on.
        """
        if not connection.in_atomic_block:
            _new_generations({(self.namespace, scope_id): (self, scope_id)})
            return
        hooks = connection.run_on_commit
        pending = getattr(connection, "_count_bumps_pending", None)
        # Django replaces the hook list on commit and on (savepoint) rollback,
        # so another list means our earlier hook was run or thrown away.
        if pending is None or pending[0] is not hooks or pending[2]:
            due: dict[tuple[str, str], tuple[CountCache, str]] = {}
            pending = [hooks, due, False]  # the list, the scopes due, whether the hook ran

            def run():
                pending[2] = True
                _new_generations(due)

            connection._count_bumps_pending = pending
            transaction.on_commit(run, robust=True)
        pending[1].setdefault((self.namespace, scope_id), (self, scope_id))

    def _new_generation(self, scope_id: str) -> None:
        _new_generations({(self.namespace, scope_id): (self, scope_id)})

    def _record_missed(self, scope_id: str) -> None:
        try:
            MissedInvalidation.objects.using(PRIMARY).create(namespace=self.namespace, scope_id=scope_id)
        except DatabaseError:
            logger.exception(
                "Neither the cache nor the database took the invalidation of %s:%s; its cached values may be stale "
                "until they expire",
                self.namespace,
                scope_id,
            )


def _new_generations(scopes: dict[tuple[str, str], tuple[CountCache, str]]) -> None:
    """A fresh generation for each ``(cache, scope)``, in one cache write; a ``MissedInvalidation`` row
    for each when the cache can't take it."""
    if not scopes:
        return
    failed = None
    if circuit.available():
        try:
            cache.set_many(
                {counts.generation_key(scope_id): secrets.token_urlsafe(12) for counts, scope_id in scopes.values()},
                timeout=None,
            )
        except CACHE_ERRORS as error:
            failed = error
        else:
            circuit.succeeded()
            return
    for counts, scope_id in scopes.values():
        # As many fallbacks counted as scopes: the first fails, the circuit is then open for the rest.
        if failed is not None:
            circuit.failed(failed, INVALIDATION_RECORDED)
            failed = None
        else:
            circuit.skipped(INVALIDATION_RECORDED)
        counts._record_missed(scope_id)
