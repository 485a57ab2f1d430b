"""``paginate_with_cursor(total_with_page=True)``: the total and the page's ids from one query, same answer."""

import pytest
from django.http import QueryDict

from leads.models import Contact
from leads.tests.factories import ContactFactory
from vchata import pagination


@pytest.fixture
def contacts(org):
    ContactFactory.create_batch(7, organization=org)
    return Contact.objects.for_org(org).order_by("-name", "-id")


def _both(queryset, query: str, **kwargs):
    params = QueryDict(query)
    plain = pagination.paginate_with_cursor(queryset, params, order=None)
    together = pagination.paginate_with_cursor(queryset, params, order=None, total_with_page=True, **kwargs)
    return plain, together


@pytest.mark.parametrize("query", ["page=1&limit=3", "page=3&limit=3", "page=2&limit=7", "page=9&limit=3"])
def test_the_same_rows_in_the_same_order_and_the_same_total_as_count_and_page(contacts, query):
    plain, together = _both(contacts, query)

    assert [c.pk for c in together.items] == [c.pk for c in plain.items]
    assert together.meta == plain.meta


def test_any_ordering_the_queryset_has_is_kept(org):
    ContactFactory.create_batch(5, organization=org)
    by_name = Contact.objects.for_org(org).order_by("name", "id")

    plain, together = _both(by_name, "page=2&limit=2")

    assert [c.name for c in together.items] == [c.name for c in plain.items]


def test_one_query_numbers_and_counts_the_matches_then_one_reads_the_page(contacts, django_assert_num_queries):
    with django_assert_num_queries(2) as queries:
        page = pagination.paginate_with_cursor(contacts, QueryDict("page=2&limit=3"), order=None, total_with_page=True)

    first = queries.captured_queries[0]["sql"].upper()
    assert "COUNT(" in first and "OVER ()" in first and "ROW_NUMBER()" in first
    assert "LIMIT" not in first  # a window priced as if it could stop early would not read the matches once
    assert page.meta["total"] == 7


def test_past_the_end_the_total_is_counted_and_no_page_is_read(contacts, django_assert_num_queries):
    with django_assert_num_queries(2):  # the numbered matches (none in range), then COUNT
        page = pagination.paginate_with_cursor(contacts, QueryDict("page=5&limit=3"), order=None, total_with_page=True)

    assert page.items == []
    assert page.meta["total"] == 7


def test_a_total_the_counter_keeps_spares_the_numbering(contacts, django_assert_num_queries):
    def kept(queryset, compute=None):
        return 7  # as the lead count cache answers a hit, without calling compute

    with django_assert_num_queries(1) as queries:  # the page only
        page = pagination.paginate_with_cursor(
            contacts, QueryDict("page=1&limit=3"), order=None, count=kept, total_with_page=True
        )

    assert "OVER" not in queries.captured_queries[0]["sql"]
    assert [c.pk for c in page.items] == [c.pk for c in contacts[:3]]
