"""``GET /leads/{orgId}?cursor=…``: keyset pages that hold exactly the rows of page=1..N, and their 400s.

Runs on SQLite and on PostgreSQL (they place NULLs differently by default;
the list and its cursors must agree on both).
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from leads import selectors
from leads.filters import LEAD_KEYSETS, LeadFilter
from leads.models import Lead
from leads.tests.factories import LeadFactory
from tests.support.api import leads_url, problems

pytestmark = pytest.mark.django_db

ORDERINGS = ["-createdAt", "createdAt", "-updatedAt", "updatedAt", "-value", "value"]
# Values with ties and NULLs, so that with limit=3 page boundaries fall inside
# runs of equal values and between the NULLs and the valued leads.
VALUES = [None, 500, None, 500, 500, 10, None, 500, 900, None, 10, None, 500]
# Creation/update instants with ties, resolved by id.
DAYS = [3, 1, 3, 3, 2, 5, 1, 3, 4, 2, 3, 5, 1]


@pytest.fixture
def leads(org):
    made = [LeadFactory(organization=org, value=value) for value in VALUES]
    for lead, day in zip(made, DAYS, strict=True):
        instant = datetime(2024, 2, day, 9, 30, 15, 123456, tzinfo=UTC)  # microseconds survive the cursor
        Lead.objects.filter(pk=lead.pk).update(created_at=instant, updated_at=instant.replace(month=3))
    return made


def _get(api, org, query: str) -> dict:
    response = api.get(f"{leads_url(org)}?{query}")
    assert response.status_code == 200, response.json()
    return response.json()


def _expected_order(org, ordering: str) -> list[str]:
    """The ordering the list documents, computed in Python: ties by id in the key's direction, NULL values lowest."""
    field = {"createdAt": "created_at", "updatedAt": "updated_at", "value": "value"}[ordering.lstrip("-")]
    descending = ordering.startswith("-")
    rows = list(Lead.objects.for_org(org).values_list(field, "id"))
    lowest = Decimal("-1")
    return [pk for _, pk in sorted(rows, key=lambda r: (lowest if r[0] is None else r[0], r[1]), reverse=descending)]


def _walk_by_cursor(api, org, query: str) -> tuple[list[str], list[dict]]:
    ids, metas = [], []
    payload = _get(api, org, query)
    while True:
        ids += [lead["id"] for lead in payload["leads"]]
        metas.append(payload["pagination"])
        cursor = payload["pagination"]["nextCursor"]
        if cursor is None:
            return ids, metas
        payload = _get(api, org, f"{query}&cursor={cursor}")


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_walking_by_cursor_returns_every_lead_once_in_the_order_of_the_pages(api, org, leads, ordering):
    by_cursor, metas = _walk_by_cursor(api, org, f"ordering={ordering}&limit=3")
    by_page = []
    for page in range(1, 6):
        by_page += [lead["id"] for lead in _get(api, org, f"ordering={ordering}&limit=3&page={page}")["leads"]]

    assert by_cursor == by_page == _expected_order(org, ordering)
    assert [meta["page"] for meta in metas] == [1, 2, 3, 4, 5]
    assert [meta["hasMore"] for meta in metas] == [True, True, True, True, False]
    assert {meta["total"] for meta in metas} == {len(VALUES)}


def test_page_mode_gives_the_cursor_of_the_next_page_too(api, org, leads):
    second_by_page = _get(api, org, "limit=3&page=2")
    third_by_page = _get(api, org, "limit=3&page=3")

    third_by_cursor = _get(api, org, f"limit=3&cursor={second_by_page['pagination']['nextCursor']}")

    assert third_by_cursor["leads"] == third_by_page["leads"]
    assert third_by_cursor["pagination"] == third_by_page["pagination"] | {
        "nextCursor": third_by_cursor["pagination"]["nextCursor"]
    }


def test_the_last_page_and_a_page_past_the_end_have_no_next_cursor(api, org, leads):
    assert _get(api, org, "limit=13")["pagination"]["nextCursor"] is None
    assert _get(api, org, "limit=5&page=9")["pagination"] | {"total": 0} == {
        "total": 0,
        "page": 9,
        "limit": 5,
        "hasMore": False,
        "nextCursor": None,
    }


def test_cursor_with_filters_walks_the_filtered_list(api, org, leads):
    query = "ordering=-value&minValue=10&limit=2"
    by_cursor, metas = _walk_by_cursor(api, org, query)

    valued = [pk for pk in _expected_order(org, "-value") if Lead.objects.get(pk=pk).value is not None]
    assert by_cursor == valued
    assert metas[0]["total"] == len(valued)


def test_a_cursor_page_reads_from_the_position_without_offset(api, org, leads):
    cursor = _get(api, org, "limit=3")["pagination"]["nextCursor"]

    with CaptureQueriesContext(connection) as queries:
        _get(api, org, f"limit=3&cursor={cursor}")

    page_queries = [q["sql"] for q in queries if 'FROM "leads_lead"' in q["sql"] and "COUNT(" not in q["sql"]]
    assert len(page_queries) == 1
    assert "OFFSET" not in page_queries[0]


def test_rows_added_ahead_of_a_cursor_do_not_shift_its_page(api, org, leads):
    first = _get(api, org, "ordering=createdAt&limit=3")
    LeadFactory(organization=org)  # newest: sorts last, after every page so far
    Lead.objects.filter(pk=leads[1].pk).delete()  # one of the first page's rows

    second = _get(api, org, f"ordering=createdAt&limit=3&cursor={first['pagination']['nextCursor']}")

    assert [lead["id"] for lead in second["leads"]] == _expected_order(org, "createdAt")[2:5]


# --- bad cursors ------------------------------------------------------------------


def _cursor(api, org, query: str = "limit=2") -> str:
    return _get(api, org, query)["pagination"]["nextCursor"]


def test_a_cursor_not_made_by_the_api_is_a_400_naming_cursor(api, org, leads):
    cursor = _cursor(api, org)
    payload, _, signature = cursor.partition(".")
    tampered = ("A" if payload[0] != "A" else "B") + payload[1:] + "." + signature

    for bad in ["nonsense", tampered, cursor[:-2], cursor + "x", "", "%FF%FE"]:
        response = api.get(f"{leads_url(org)}?cursor={bad}")
        assert problems(response) == [
            "cursor is not a cursor this API gave out; send the nextCursor of a previous page unchanged"
        ], bad


def test_a_cursor_of_another_ordering_is_a_400(api, org, leads):
    cursor = _cursor(api, org, "ordering=value&limit=2")

    response = api.get(f"{leads_url(org)}?ordering=-value&cursor={cursor}")

    assert problems(response) == ["cursor belongs to ordering=value, not -value: send the ordering it was made with"]


def test_cursor_and_page_together_are_a_400(api, org, leads):
    response = api.get(f"{leads_url(org)}?page=2&cursor={_cursor(api, org)}")

    assert problems(response) == [
        "cursor and page cannot be used together: send cursor alone to go on, or page to jump"
    ]


def test_several_orderings_have_no_cursor(api, org, leads):
    payload = _get(api, org, "ordering=value,-createdAt&limit=2")
    response = api.get(f"{leads_url(org)}?ordering=value,-createdAt&cursor={_cursor(api, org, 'ordering=value')}")

    assert payload["pagination"]["nextCursor"] is None
    assert problems(response) == [
        "cursor works with a single ordering such as -createdAt; drop cursor or the extra orderings"
    ]


def test_a_bad_filter_with_a_cursor_is_still_a_400_naming_the_filter(api, org, leads):
    response = api.get(f"{leads_url(org)}?minValue=cheap&cursor={_cursor(api, org)}")

    assert problems(response) == ["minValue must be a number"]


# --- the plan ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("ordering", "index", "condition"),
    [
        ("-createdAt", "lead_org_created_idx", "ROW(created_at, (id)::text) <"),
        ("createdAt", "lead_org_created_idx", "ROW(created_at, (id)::text) >"),
        ("-updatedAt", "lead_org_updated_id_idx", "ROW(updated_at, (id)::text) <"),
        ("value", "lead_org_value_id_idx", "ROW(value, (id)::text) >"),
        ("-value", "lead_org_value_id_idx", "ROW(value, (id)::text) <"),
    ],
)
def test_a_cursor_page_is_a_range_of_the_orderings_index(org, leads, ordering, index, condition):
    queryset = LeadFilter(data=QueryDict(f"ordering={ordering}"), queryset=selectors.lead_list(org=org), org=org).qs
    order = LEAD_KEYSETS[ordering]
    last = queryset.filter(**{f"{order.field}__isnull": False})[2]
    (segment, *_) = order.beyond(queryset, order.key_of(last), last.pk)
    with connection.cursor() as cursor:
        # A dozen rows would be read whole, or through another index and sorted, otherwise (and which one the
        # planner picks depends on whatever statistics earlier tests left): ask whether the ordering's index
        # alone can give the page, in order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = segment[:21].explain()

    index_scan = next(line for line in plan.splitlines() if f"using {index} on leads_lead" in line)
    assert "Index Scan" in index_scan
    assert condition in plan.split(index_scan, 1)[1].splitlines()[1]  # the scan's Index Cond
    assert "Sort" not in plan
