"""The lead list page's reads: the API's filters, search, orderings and visibility, a page at a time.

The page and its CSV export read exactly what ``GET /leads/{orgId}`` reads
(``selectors.lead_list`` narrowed by ``lead_scope``, then ``filters.LeadFilter``
with its search index and orderings), and count through the same cached
total, so the page and the API always agree on which leads and how many.
Its query string uses the API's parameter names; ``clean_params`` keeps the
ones with a value, in a fixed order, for links, exports and saved views.
"""

from dataclasses import dataclass, field
from math import ceil

from django.http import QueryDict

from vchata.accounts.models import Organization
from vchata.tenancy.permissions import LeadScope

from . import selectors
from .counting import lead_total
from .filters import DEFAULT_ORDERING, RELEVANCE, LeadFilter, count_filters
from .models import Lead

PAGE_SIZE = 50
# Every parameter of the list (the API's filters and ordering), in the order URLs carry them.
LIST_PARAMS = tuple(LeadFilter.base_filters)
# The columns that sort, by the API ordering they use, with the direction a first click sorts in:
# biggest and newest first, the soonest close date first.
SORTABLE = {"value": "-", "createdAt": "-", "expectedCloseDate": ""}


@dataclass
class ListPage:
    filterset: LeadFilter
    params: QueryDict
    leads: list[Lead] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1

    @property
    def valid(self) -> bool:
        return self.filterset.is_valid()

    @property
    def errors(self) -> list[str]:
        return [message for messages in self.filterset.errors.values() for message in messages]

    @property
    def ordering(self) -> str:
        return self.params.get("ordering", DEFAULT_ORDERING)

    @property
    def first_row(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.leads) - 1 if self.leads else 0


def clean_params(params: QueryDict) -> QueryDict:
    """The list's parameters that carry a value, stripped, in ``LIST_PARAMS`` order (page and unknowns dropped)."""
    clean = QueryDict(mutable=True)
    for name in LIST_PARAMS:
        values = [value.strip() for value in params.getlist(name) if value.strip()]
        if values:
            clean.setlist(name, values)
    return clean


def with_params(params: QueryDict, **changes) -> str:
    """``params`` as a query string with ``changes`` applied (a ``None`` value drops the parameter)."""
    query = params.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return query.urlencode()


def filtered(*, org: Organization, scope: LeadScope, params: QueryDict) -> LeadFilter:
    """The API's lead filter over the leads ``scope`` sees, with each row's assignee in the same query."""
    queryset = selectors.lead_list(org=org, scope=scope).select_related("assigned_to")
    return LeadFilter(params, queryset=queryset, org=org)


def list_page(*, org: Organization, scope: LeadScope, params: QueryDict, page: str | int | None) -> ListPage:
    """One page of the list: the filter (with its errors), the total and the rows; two queries when valid."""
    params = clean_params(params)
    result = ListPage(filterset=filtered(org=org, scope=scope, params=params), params=params)
    if not result.valid:
        return result
    queryset = result.filterset.qs
    result.total = lead_total(queryset, org_id=org.pk, filters=count_filters(params), scope=scope)
    result.pages = max(1, ceil(result.total / PAGE_SIZE))
    result.page = min(_page_number(page), result.pages)
    start = (result.page - 1) * PAGE_SIZE
    result.leads = list(queryset[start : start + PAGE_SIZE])
    return result


def _page_number(page: str | int | None) -> int:
    try:
        return max(1, int(page or 1))
    except (TypeError, ValueError):
        return 1


def sort_state(ordering: str, key: str) -> str:
    """``aria-sort`` of the column sorted by ``key``: ascending, descending or none."""
    first = ordering.split(",")[0].strip()
    if first == key:
        return "ascending"
    if first == f"-{key}":
        return "descending"
    return "none"


def next_ordering(ordering: str, key: str) -> str:
    """What clicking the column of ``key`` sorts by: the other direction if it sorts now, else its first one."""
    state = sort_state(ordering, key)
    if state == "none":
        return SORTABLE[key] + key
    return key if state == "descending" else f"-{key}"


def sort_links(result: ListPage) -> dict[str, dict[str, str]]:
    """Per sortable column: ``query`` (the list sorted by it, back to page 1) and ``state`` for aria-sort."""
    ordering = result.ordering
    return {
        key: {
            "query": with_params(result.params, ordering=next_ordering(ordering, key)),
            "state": sort_state(ordering, key),
        }
        for key in SORTABLE
    }


def relevance_available(params: QueryDict) -> bool:
    return bool(params.get("search")) and params.get("ordering") != RELEVANCE
