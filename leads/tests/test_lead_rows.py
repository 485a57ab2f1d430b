"""Leads read as rows (leads/lead_rows.py) answer the bytes model instances answer, in the same order."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from leads import search, selectors
from leads import serializers as s
from leads.lead_rows import LeadRow, as_rows, lead_with_activities
from leads.models import Lead
from leads.services import add_activity, move_lead_to_stage, update_lead
from leads.tests.factories import ContactFactory, ContentPostFactory, LeadFactory

pytestmark = pytest.mark.postgres


def rendered(serializer) -> bytes:
    return JSONRenderer().render(serializer.data)


@pytest.fixture
def leads(org, user, stages):
    """A bare lead (every optional field empty), a full one, and a few that differ only in value and close date."""
    bare = LeadFactory(organization=org, contact=ContactFactory(organization=org, email="", phone="", company=""))
    post = ContentPostFactory(organization=org, social_account__organization=org)
    full = LeadFactory(
        organization=org,
        value=Decimal("1250.50"),
        notes="Wants the premium plan ☃ \u2028",
        source="instagram",
        utm_source="ig",
        utm_campaign="spring",
        social_account=post.social_account,
        content_post=post,
        assigned_to=user,
        attribution={"gclid": "abc", "other": "dropped"},
        title="Premium",
        probability=40,
    )
    move_lead_to_stage(org=org, actor=user, lead_id=full.pk, stage_id=stages[3].pk)  # a CONVERTED stage
    add_activity(org=org, actor=user, lead_id=full.pk, type="CALL", description="Called", metadata={"minutes": 7})
    update_lead(org=org, actor=user, lead_id=full.pk, changes={"value": Decimal("900")})
    # Values of every JSON kind, an integer past 64 bits among them (orjson refuses it, json reads it).
    custom = {"size": 12, "ratio": 0.1, "tags": ["a", None, True], "big": 12345678901234567890123}
    Lead.objects.filter(pk=full.pk).update(custom_fields=custom)
    for value in (None, Decimal("10"), Decimal("10"), Decimal("0.05")):
        LeadFactory(organization=org, value=value)
    return bare, full


@pytest.mark.parametrize(
    "ordering",
    [
        (),
        ("-created_at", "-id"),
        ("created_at", "id"),
        ("-value", "-id"),  # as LeadOrdering writes it: unvalued last, ties by id
        ("value", "id"),
    ],
)
def test_a_page_of_rows_is_the_page_of_instances(org, leads, ordering):
    queryset = selectors.lead_list(org=org)
    if ordering == ("-value", "-id"):
        from django.db.models import F

        queryset = queryset.order_by(F("value").desc(nulls_last=True), F("id").desc())
    elif ordering:
        queryset = queryset.order_by(*ordering)

    rows = list(as_rows(queryset)[:50])

    assert all(isinstance(row, LeadRow) for row in rows)
    assert rendered(s.LeadListItemSerializer(rows, many=True)) == rendered(
        s.LeadListItemSerializer(list(queryset[:50]), many=True)
    )


def test_rows_of_a_ranked_search_keep_its_order(org, leads):
    queryset = search.ranked_leads(selectors.lead_list(org=org), "example")

    rows = list(as_rows(queryset)[:50])

    assert rows and [row.pk for row in rows] == [lead.pk for lead in queryset[:50]]


def test_rows_by_id_page_offset_and_empty_search(org, leads):
    queryset = as_rows(selectors.lead_list(org=org))
    ids = queryset.values("pk")[1:3]

    assert [row.pk for row in queryset.filter(pk__in=ids)] == [lead.pk for lead in selectors.lead_list(org=org)[1:3]]
    assert list(as_rows(search.matching_leads(selectors.lead_list(org=org), search.SEPARATOR))) == []


@pytest.mark.parametrize("which", [0, 1])
def test_the_detail_answer_is_the_instances_answer(org, leads, which):
    lead = leads[which]

    answer = selectors.lead_answer(org=org, lead_id=lead.pk)

    assert isinstance(answer, LeadRow)
    expected = rendered(s.LeadDetailSerializer(selectors.lead_detail(org=org, lead_id=lead.pk)))
    assert rendered(s.LeadDetailSerializer(answer)) == expected
    assert len(answer.recent_activities) == selectors.lead_activities(lead=lead).count() > which


def test_rows_are_read_before_their_relations_are_joined(org, leads):
    # The page's lead rows come from a subquery: PostgreSQL plans one table, then five joins to its rows.
    with CaptureQueriesContext(connection) as queries:
        list(as_rows(selectors.lead_list(org=org))[:10])

    assert len(queries) == 1
    assert queries[0]["sql"].startswith('SELECT l."id"')
    assert ' FROM (SELECT "leads_lead"."organization_id"' in queries[0]["sql"]
    assert ") AS l INNER JOIN" in queries[0]["sql"]


def test_a_restricted_detail_answers_the_members_and_unassigned_leads_only(org, user, leads):
    from vchata.tenancy.permissions import LeadScope

    bare, full = leads  # full is the user's, bare nobody's
    colleague = LeadScope(assignee_id="user_someone_else")

    assert lead_with_activities(org_id=org.pk, lead_id=full.pk, scope=LeadScope(assignee_id=user.pk)).id == full.pk
    assert lead_with_activities(org_id=org.pk, lead_id=bare.pk, scope=colleague).id == bare.pk
    assert lead_with_activities(org_id=org.pk, lead_id=full.pk, scope=colleague) is None
    assert lead_with_activities(org_id="org_other", lead_id=full.pk, scope=LeadScope()) is None
