"""Page/limit pagination with the contract's ``pagination`` block.

``page`` starts at 1, ``limit`` is 1-100 (default 20); anything else is a 400.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from rest_framework import serializers

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
# Past this page an OFFSET scan is pointless for a person; keep the number sane.
MAX_PAGE = 1_000_000


class PageParams(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


@dataclass(frozen=True)
class Page:
    items: Sequence
    total: int
    page: int
    limit: int

    @property
    def meta(self) -> dict:
        return {
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "hasMore": self.page * self.limit < self.total,
        }


def page_params(query_params) -> tuple[int, int]:
    params = PageParams(data={k: query_params[k] for k in ("page", "limit") if k in query_params})
    params.is_valid(raise_exception=True)
    return params.validated_data["page"], params.validated_data["limit"]


# From this offset on, a page is found by its ids first and only its own rows
# are read: a plain OFFSET reads and joins every skipped row (50,000 of them
# on page 1,000), while the ids alone come from an index-only walk of the
# ordering's index. Below it the plain query is as fast and simpler to plan.
DEFERRED_JOIN_OFFSET = 1000


def paginate(queryset: QuerySet, query_params) -> Page:
    """One COUNT and one page query, whatever the page size and however deep the page."""
    page, limit = page_params(query_params)
    total = queryset.count()
    offset = (page - 1) * limit
    if offset >= total:
        items = []
    elif offset >= DEFERRED_JOIN_OFFSET:
        page_ids = queryset.values("pk")[offset : offset + limit]
        items = list(queryset.filter(pk__in=page_ids))
    else:
        items = list(queryset[offset : offset + limit])
    return Page(items=items, total=total, page=page, limit=limit)


class PaginationSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    limit = serializers.IntegerField()
    hasMore = serializers.BooleanField()
