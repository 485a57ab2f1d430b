from django.db import models


class MissedInvalidation(models.Model):
    """A cache invalidation that could not reach the cache, kept where every process will see it.

    The write it was for has committed, so the scope's cached values may predate
    it; ``vchata.counts`` serves none of them while a row is here, and deletes
    the row once the cache has taken the invalidation.
    """

    namespace = models.CharField(max_length=64)
    scope_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["namespace", "scope_id"], name="missed_invalidation_scope")]

    def __str__(self) -> str:
        return f"{self.namespace}:{self.scope_id} since {self.created_at:%Y-%m-%d %H:%M:%S}"
