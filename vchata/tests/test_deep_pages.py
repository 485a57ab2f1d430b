"""Deep pages are found by their ids first (a deferred join); they hold the same rows as a plain OFFSET."""

import pytest
from django.http import QueryDict

from leads.models import Contact
from leads.tests.factories import ContactFactory
from vchata import pagination


@pytest.fixture
def contacts(org):
    ContactFactory.create_batch(7, organization=org)
    return Contact.objects.for_org(org).order_by("name", "id")


def _page(queryset, page: int, limit: int = 2):
    return pagination.paginate(queryset, QueryDict(f"page={page}&limit={limit}"))


def test_deep_page_holds_the_rows_of_a_plain_offset_when_past_the_threshold(contacts, monkeypatch):
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 2)
    assert [c.pk for c in _page(contacts, 3).items] == [c.pk for c in contacts[4:6]]


def test_deep_page_keeps_the_ordering_when_past_the_threshold(contacts, monkeypatch):
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 0)
    names = [c.name for c in _page(contacts.order_by("-name", "-id"), 1, limit=7).items]
    assert names == sorted(names, reverse=True)


def test_deep_page_costs_one_count_and_one_page_query(contacts, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 2)
    with django_assert_num_queries(2):  # COUNT, then the page's rows with the id subquery inline
        page = _page(contacts, 4)
    assert [c.pk for c in page.items] == [contacts.last().pk]


def test_page_past_the_end_is_empty_without_a_page_query(contacts, django_assert_num_queries):
    with django_assert_num_queries(1):  # COUNT only
        page = _page(contacts, 5)
    assert page.items == []
    assert page.meta == {"total": 7, "page": 5, "limit": 2, "hasMore": False}


def test_a_given_counter_replaces_the_count_query(contacts, django_assert_num_queries):
    with django_assert_num_queries(1):  # the page only: the total comes from the counter (the lead list's cache)
        page = pagination.paginate(contacts, QueryDict("page=2&limit=2"), count=lambda queryset: 7)
    assert page.meta == {"total": 7, "page": 2, "limit": 2, "hasMore": True}


def test_a_deep_page_by_cursor_is_one_query_without_offset(contacts, django_assert_num_queries):
    by_name = pagination.KeysetOrder("name", "name", descending=False)
    before_last = contacts[5]
    cursor = pagination.encode_cursor(by_name, before_last, offset=6)

    with django_assert_num_queries(2) as queries:  # COUNT, then the rows after the cursor's (name, id)
        page = pagination.paginate_with_cursor(contacts, QueryDict(f"limit=2&cursor={cursor}"), order=by_name)

    assert [c.pk for c in page.items] == [contacts.last().pk]
    assert page.meta == {"total": 7, "page": 4, "limit": 2, "hasMore": False, "nextCursor": None}
    assert "OFFSET" not in queries.captured_queries[-1]["sql"]
