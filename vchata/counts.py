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

Counts below ``min_cached`` are cheap and are always computed live. A TTL
bounds how long a missed bump (the cache down for that one write) can show.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import QuerySet

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
    ) -> int:
        """``queryset.count()``, from the cache when an entry of the current generation is there."""
        return self.remember(
            scope_id,
            self.count_key(scope_id, filters),
            queryset.count,
            keep=lambda total: total >= min_cached,
            timeout=timeout,
        )

    def remember(self, scope_id: str, key: str, compute: Callable[[], T], *, keep=None, timeout: int) -> T:
        """``compute()``, or what it gave under the scope's current generation (kept when ``keep(value)``)."""
        generation_key = self.generation_key(scope_id)
        try:
            found = cache.get_many([generation_key, key])
        except Exception:  # the cache is an optimisation: down, the value is computed live
            logger.exception("Generation cache unreadable; computing live")
            return compute()
        generation = found.get(generation_key)
        entry = found.get(key)
        if generation is not None and isinstance(entry, tuple) and len(entry) == 2 and entry[0] == generation:
            return entry[1]

        value = compute()
        if keep is not None and not keep(value):
            return value
        try:
            if generation is None:
                generation = secrets.token_urlsafe(12)
                if not cache.add(generation_key, generation, timeout=None):
                    return value  # a write bumped it meanwhile: this value may predate it
            cache.set(key, (generation, value), timeout=timeout)
        except Exception:
            logger.exception("Generation cache unwritable; value not kept")
        return value

    def bump(self, scope_id: str) -> None:
        """Drop every cached count of the scope once the current transaction commits (now, outside one).

        Many writes in one transaction (an import, a bulk action) bump once:
        the scopes waiting for this transaction's commit are remembered on the
        connection next to the list of commit hooks they were queued on.
        """
        if not connection.in_atomic_block:
            self._new_generation(scope_id)
            return
        hooks = connection.run_on_commit
        pending = getattr(connection, "_count_bumps_pending", None)
        # Django replaces the hook list on commit and on (savepoint) rollback,
        # so another list means our earlier bump was run or thrown away.
        if pending is None or pending[0] is not hooks:
            pending = (hooks, set())
            connection._count_bumps_pending = pending
        key = (self.namespace, scope_id)
        if key in pending[1]:
            return
        pending[1].add(key)

        def run():
            pending[1].discard(key)
            self._new_generation(scope_id)

        transaction.on_commit(run, robust=True)

    def _new_generation(self, scope_id: str) -> None:
        cache.set(self.generation_key(scope_id), secrets.token_urlsafe(12), timeout=None)
