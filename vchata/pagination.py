"""Page/limit pagination with the contract's ``pagination`` block, and keyset cursors.

``page`` starts at 1, ``limit`` is 1-100 (default 20); anything else is a 400.

A list that declares its orderings as ``KeysetOrder`` (the lead list) also
takes ``cursor``: the signed position of the last row of the previous page.
The next page is then found by a range condition on the ordering's index
(``(key, id)`` beyond that row, no OFFSET), so its cost does not grow with
its depth. Its answers carry ``nextCursor`` (``CursorPaginationSerializer``).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count, F, QuerySet, Window
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.db.models.functions import RowNumber
from rest_framework import serializers

from vchata.exceptions import InvalidInput

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


@dataclass(frozen=True)
class CursorPage(Page):
    """A page of a list with cursors: ``hasMore`` is whether a row follows it, ``nextCursor`` where it starts."""

    has_more: bool = False
    next_cursor: str | None = None

    @property
    def meta(self) -> dict:
        return super().meta | {"hasMore": self.has_more, "nextCursor": self.next_cursor}


def page_params(query_params) -> tuple[int, int]:
    params = PageParams(data={k: query_params[k] for k in ("page", "limit") if k in query_params})
    params.is_valid(raise_exception=True)
    return params.validated_data["page"], params.validated_data["limit"]


# From this offset on, a page is found by its ids first and only its own rows
# are read: a plain OFFSET reads and joins every skipped row (50,000 of them
# on page 1,000), while the ids alone come from an index-only walk of the
# ordering's index. Below it the plain query is as fast and simpler to plan.
DEFERRED_JOIN_OFFSET = 1000


Counter = Callable[[QuerySet], int]


def live_count(queryset: QuerySet, compute: Callable[[], int] | None = None) -> int:
    """A ``Counter`` that keeps nothing: ``compute()`` when given (a cheaper way to the same total), else COUNT."""
    return compute() if compute is not None else queryset.count()


def _offset_rows(queryset: QuerySet, offset: int, limit: int, total: int) -> list:
    if offset >= total:
        return []
    if offset >= DEFERRED_JOIN_OFFSET:
        page_ids = queryset.values("pk")[offset : offset + limit]
        return list(queryset.filter(pk__in=page_ids))
    return list(queryset[offset : offset + limit])


def paginate(queryset: QuerySet, query_params, *, count: Counter = QuerySet.count) -> Page:
    """One COUNT (``count``, e.g. a cached one) and one page query, whatever the page size and depth."""
    page, limit = page_params(query_params)
    total = count(queryset)
    items = _offset_rows(queryset, (page - 1) * limit, limit, total)
    return Page(items=items, total=total, page=page, limit=limit)


# --- keyset cursors ------------------------------------------------------------


@dataclass(frozen=True)
class KeysetOrder:
    """One ordering of a list: ``field`` either way, ties broken by ``id`` in the same direction.

    ``nulls_lowest``: the field may be NULL and NULLs sort below every value
    (first ascending, last descending), as the queryset's ORDER BY must say.
    """

    param: str  # the ordering as the client names it, e.g. "-value"
    field: str
    descending: bool
    nulls_lowest: bool = False

    def key_of(self, row) -> Any:
        return getattr(row, self.field)

    def beyond(self, queryset: QuerySet, key: Any, pk: str) -> list[QuerySet]:
        """The rows after ``(key, pk)``, as querysets to read one after another (each an index range).

        A row comparison ``(field, id) > (key, pk)`` is one range of the
        ``(…, field, id)`` index, but it never matches NULL: the NULLs are their
        own range (``field IS NULL AND id > pk``) read before (ascending) or
        after (descending) the values.
        """
        beyond_row = TupleLessThan if self.descending else TupleGreaterThan
        pk_beyond = "pk__lt" if self.descending else "pk__gt"
        if key is None:
            nulls = queryset.filter(**{f"{self.field}__isnull": True, pk_beyond: pk})
            if self.descending:
                return [nulls]  # NULLs come last
            return [nulls, queryset.filter(**{f"{self.field}__isnull": False})]
        values = queryset.filter(beyond_row(Tuple(F(self.field), F("pk")), (key, pk)))
        if self.nulls_lowest and self.descending:
            return [values, queryset.filter(**{f"{self.field}__isnull": True})]
        return [values]


CURSOR_SALT = "vchata.pagination.cursor"
BAD_CURSOR = "cursor is not a cursor this API gave out; send the nextCursor of a previous page unchanged"


@dataclass(frozen=True)
class Position:
    """Where a cursor points: after the row with ``key``/``pk``, ``offset`` rows into the list."""

    key: Any
    pk: str
    offset: int


def _signer() -> signing.Signer:
    # "." is outside the base64url alphabet: the cursor needs no escaping in a query string.
    return signing.Signer(salt=CURSOR_SALT, sep=".")


def encode_cursor(order: KeysetOrder, row, offset: int) -> str:
    key = order.key_of(row)
    payload = {"o": order.param, "k": None if key is None else _key_text(key), "i": row.pk, "n": offset}
    return _signer().sign_object(payload, serializer=signing.JSONSerializer)


def _key_text(key) -> str:
    return key.isoformat() if hasattr(key, "isoformat") else str(key)


def decode_cursor(raw: str, order: KeysetOrder, model) -> Position:
    """The position a cursor of ``order`` holds; a 400 for anything this API did not sign or for another ordering."""
    try:
        payload = _signer().unsign_object(raw, serializer=signing.JSONSerializer)
    except (signing.BadSignature, ValueError, UnicodeError):
        raise InvalidInput([BAD_CURSOR]) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), str) or type(payload.get("n")) is not int:
        raise InvalidInput([BAD_CURSOR])
    if payload.get("o") != order.param:
        raise InvalidInput(
            [f"cursor belongs to ordering={payload.get('o')}, not {order.param}: send the ordering it was made with"]
        )
    raw_key = payload.get("k")
    try:
        key = None if raw_key is None else model._meta.get_field(order.field).to_python(raw_key)
    except ValidationError:
        raise InvalidInput([BAD_CURSOR]) from None
    if (key is None and not order.nulls_lowest) or payload["n"] < 0:
        raise InvalidInput([BAD_CURSOR])
    return Position(key=key, pk=payload["i"], offset=payload["n"])


CURSOR_WITH_PAGE = "cursor and page cannot be used together: send cursor alone to go on, or page to jump"
CURSOR_NEEDS_ORDERING = "cursor works with a single ordering such as -createdAt; drop cursor or the extra orderings"


def _total_with_page(queryset: QuerySet, offset: int, limit: int, count) -> tuple[int, list]:
    """The total and the page from one read of the matching rows, for filters where that read is the cost.

    A search's matches come from an index scan that a COUNT and a page query
    would each repeat. Here one query numbers every match in the list's order
    (``ROW_NUMBER()``) and counts them (``COUNT(*) OVER ()``), keeping the
    page's ids; then only the page's own rows are read, by primary key. With
    no LIMIT in it, that query cannot be planned as a walk of the ordering's
    index that stops early (PostgreSQL prices a window as if it could), so the
    matches are read once, from the search index. ``count`` is asked first,
    with that as its way to compute: a total it has kept (the lead count
    cache) spares reading every match, and the page is read the usual way.
    """
    read: list[list] = []

    def count_with_page() -> int:
        ordering = list(queryset.query.order_by or queryset.model._meta.ordering)
        numbered = queryset.annotate(position=Window(RowNumber(), order_by=ordering), matches=Window(Count("pk")))
        rows = list(numbered.filter(position__gt=offset, position__lte=offset + limit).values_list("pk", "matches"))
        read.append([pk for pk, _ in rows])
        return rows[0][1] if rows else queryset.count()  # past the end: no row carries the total

    total = count(queryset, compute=count_with_page)
    if not read:
        return total, _offset_rows(queryset, offset, limit, total)
    return total, list(queryset.filter(pk__in=read[0])) if read[0] else []


def paginate_with_cursor(
    queryset: QuerySet,
    query_params,
    *,
    order: KeysetOrder | None,
    count: Counter = live_count,
    total_with_page: bool = False,
) -> CursorPage:
    """A page by ``page`` (OFFSET) or by ``cursor`` (keyset), with the ``nextCursor`` of the page after it.

    ``order`` is the ordering ``queryset`` is sorted by, None when it has no
    keyset (several ordering keys): then no cursor is given out or taken.
    By cursor, ``page`` is the number the page has when counted from the
    first (rows before it / limit + 1); rows added or removed ahead of the
    cursor meanwhile shift it, never the rows the cursor returns.
    ``total_with_page``: count and page by OFFSET from one read of the rows
    (``_total_with_page``; ``count`` then takes ``compute=`` as ``live_count`` does).
    """
    page, limit = page_params(query_params)
    raw_cursor = query_params.get("cursor")
    if raw_cursor is None:
        offset = (page - 1) * limit
        if total_with_page:
            total, items = _total_with_page(queryset, offset, limit, count)
        else:
            total = count(queryset)
            items = _offset_rows(queryset, offset, limit, total)
        has_more = offset + limit < total
    else:
        if "page" in query_params:
            raise InvalidInput([CURSOR_WITH_PAGE])
        if order is None:
            raise InvalidInput([CURSOR_NEEDS_ORDERING])
        position = decode_cursor(raw_cursor, order, queryset.model)
        total = count(queryset)
        rows: list = []
        for segment in order.beyond(queryset, position.key, position.pk):
            rows += segment[: limit + 1 - len(rows)]
            if len(rows) > limit:
                break
        items, has_more = rows[:limit], len(rows) > limit
        offset = position.offset
        page = min(offset // limit + 1, MAX_PAGE)
    next_cursor = encode_cursor(order, items[-1], offset + len(items)) if has_more and order and items else None
    return CursorPage(items=items, total=total, page=page, limit=limit, has_more=has_more, next_cursor=next_cursor)


class PaginationSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    limit = serializers.IntegerField()
    hasMore = serializers.BooleanField()


class CursorPaginationSerializer(PaginationSerializer):
    nextCursor = serializers.CharField(
        allow_null=True,
        help_text="Send as cursor (without page) for the next page, found by index position instead of OFFSET; "
        "null on the last page.",
    )
