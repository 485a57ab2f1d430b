"""``GET /leads/{orgId}``: the documented shape, every filter and ordering, pagination, bad values, query counts."""

from datetime import UTC, datetime

import pytest

from conftest import client_for
from leads.models import Lead
from leads.services import add_activity
from leads.tests.factories import (
    CampaignFactory,
    ContactFactory,
    ContentPostFactory,
    LeadFactory,
    SocialAccountFactory,
)
from pipelines.services import create_pipeline
from tests.support.api import (
    error,
    leads_url,
    problems,
)
from vchata.accounts.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def listed(api, org, query: str = "") -> list[str]:
    response = api.get(leads_url(org) + query)
    assert response.status_code == 200, response.json()
    return [lead["id"] for lead in response.json()["leads"]]


def test_list_answers_the_documented_shape(api, org, stages):
    account = SocialAccountFactory(organization=org, platform="FACEBOOK", platform_id="123456789")
    post = ContentPostFactory(social_account=account, platform_post_id="987654321")
    lead = LeadFactory(organization=org, stage=stages[1], value=1500, social_account=account, content_post=post)

    response = api.get(leads_url(org) + "?limit=10")

    assert response.status_code == 200
    payload = response.json()
    assert payload["success"] is True
    assert payload["message"] == "Leads retrieved successfully"
    assert payload["pagination"] == {"total": 1, "page": 1, "limit": 10, "hasMore": False, "nextCursor": None}
    (item,) = payload["leads"]
    assert (item["id"], item["value"], item["status"], item["stageId"]) == (lead.pk, 1500, "QUALIFIED", stages[1].pk)
    assert item["contact"] == {
        "id": lead.contact.pk,
        "name": lead.contact.name,
        "email": lead.contact.email,
        "phone": lead.contact.phone,
        "company": lead.contact.company,
        "createdAt": item["contact"]["createdAt"],
    }
    assert item["pipeline"] == {
        "id": lead.pipeline_id,
        "name": "Sales Pipeline",
        "stages": [{"id": stages[1].pk, "name": "Qualified", "order": 2}],
    }
    assert (
        item["socialAccount"] | {"id": account.pk, "platform": "FACEBOOK", "platformId": "123456789"}
        == item["socialAccount"]
    )
    assert item["contentPost"] | {"id": post.pk, "platformPostId": "987654321"} == item["contentPost"]
    assert item["createdAt"].endswith("Z") and item["updatedAt"].endswith("Z")


def test_list_answers_null_social_account_and_post_when_none(api, org):
    LeadFactory(organization=org)

    (item,) = api.get(leads_url(org)).json()["leads"]

    assert (item["socialAccount"], item["contentPost"]) == (None, None)


def test_list_shows_only_the_organizations_own_leads(api, org, other_org):
    mine = LeadFactory(organization=org)
    LeadFactory(organization=other_org)

    assert listed(api, org) == [mine.pk]


def test_list_for_a_member_of_another_organization_is_not_found(org):
    LeadFactory(organization=org)
    outsider = OrganizationFactory().memberships.get().user

    response = client_for(outsider).get(leads_url(org))

    assert response.status_code == 404
    assert error(response) == "Organization not found or you don't have access"


# --- filters ----------------------------------------------------------------------


def test_filter_by_pipeline(api, org):
    other = create_pipeline(org=org, name="Partners")
    LeadFactory(organization=org)
    wanted = LeadFactory(organization=org, pipeline=other)

    assert listed(api, org, f"?pipelineId={other.pk}") == [wanted.pk]


def test_filter_by_stage(api, org, stages):
    LeadFactory(organization=org)
    wanted = LeadFactory(organization=org, stage=stages[2])

    assert listed(api, org, f"?stageId={stages[2].pk}") == [wanted.pk]


def test_filter_by_status(api, org, stages):
    LeadFactory(organization=org)
    wanted = LeadFactory(organization=org, stage=stages[1])

    assert listed(api, org, "?status=QUALIFIED") == [wanted.pk]


def test_filter_by_source(api, org):
    LeadFactory(organization=org, source="website")
    wanted = LeadFactory(organization=org, source="referral")

    assert listed(api, org, "?source=referral") == [wanted.pk]


def test_filter_by_assignee(api, org):
    rep = MembershipFactory(organization=org).user
    LeadFactory(organization=org)
    wanted = LeadFactory(organization=org, assigned_to=rep)

    assert listed(api, org, f"?assignedToId={rep.pk}") == [wanted.pk]


def test_filter_by_utm_campaign(api, org):
    LeadFactory(organization=org, utm_campaign="spring")
    wanted = LeadFactory(organization=org, utm_campaign="summer_sale")

    assert listed(api, org, "?utmCampaign=summer_sale") == [wanted.pk]


def test_filter_by_campaign(api, org):
    campaign = CampaignFactory(organization=org)
    LeadFactory(organization=org)
    wanted = LeadFactory(organization=org, campaign=campaign)

    assert listed(api, org, f"?campaignId={campaign.pk}") == [wanted.pk]


def test_filter_by_value_range_is_inclusive(api, org):
    low, mid, high = (LeadFactory(organization=org, value=v) for v in (100, 500, 900))
    LeadFactory(organization=org, value=None)

    assert set(listed(api, org, "?minValue=500&maxValue=900")) == {mid.pk, high.pk}
    assert listed(api, org, "?maxValue=100") == [low.pk]


def test_filter_by_creation_time(api, org):
    old, mid, new = (LeadFactory(organization=org) for _ in range(3))
    for lead, day in ((old, 1), (mid, 15), (new, 28)):
        Lead.objects.filter(pk=lead.pk).update(created_at=datetime(2024, 1, day, 12, tzinfo=UTC))

    assert listed(api, org, "?createdAfter=2024-01-10&createdBefore=2024-01-20T00:00:00Z") == [mid.pk]
    assert listed(api, org, "?createdBefore=2024-01-15T12:00:00Z") == [old.pk]


@pytest.mark.parametrize(
    ("field", "text"),
    [("name", "zebediah"), ("email", "ZEB@EXAMPLE"), ("company", "zebra inc"), ("notes", "wants zebras")],
)
def test_search_finds_text_in_contact_name_email_company_or_notes(api, org, field, text):
    LeadFactory(organization=org)
    contact = ContactFactory(
        organization=org,
        name="Zebediah Stone" if field == "name" else "Someone",
        email="zeb@example.com" if field == "email" else "someone@example.com",
        company="Zebra Inc" if field == "company" else "",
    )
    wanted = LeadFactory(organization=org, contact=contact, notes="Wants zebras" if field == "notes" else "")

    assert listed(api, org, f"?search={text}") == [wanted.pk]


def test_search_treats_wildcards_as_plain_text(api, org):
    LeadFactory(organization=org, notes="plain")
    wanted = LeadFactory(organization=org, notes="100% sure")

    assert listed(api, org, "?search=0%25") == [wanted.pk]


def test_filters_combine(api, org, stages):
    LeadFactory(organization=org, stage=stages[1], source="website")
    LeadFactory(organization=org, stage=stages[0], source="referral")
    wanted = LeadFactory(organization=org, stage=stages[1], source="referral")

    assert listed(api, org, "?status=QUALIFIED&source=referral") == [wanted.pk]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("pipelineId=pipeline_123", "pipelineId does not match any pipeline in this organization"),
        ("stageId=nope", "stageId does not match any stage in this organization"),
        ("assignedToId=user_x", "assignedToId does not match any member in this organization"),
        ("campaignId=campaign_x", "campaignId does not match any campaign in this organization"),
        ("status=WON", "status must be one of NEW, QUALIFIED, CONTACTED, CONVERTED, LOST"),
        ("minValue=cheap", "minValue must be a number"),
        ("maxValue=1.234", "maxValue must have at most 2 decimal places"),
        ("minValue=NaN", "minValue must be a number"),
        ("createdAfter=yesterday", "createdAfter must be an ISO 8601 date or date-time, such as 2024-01-15T10:30:00Z"),
        (
            "createdBefore=2024-13-45",
            "createdBefore must be an ISO 8601 date or date-time, such as 2024-01-15T10:30:00Z",
        ),
        ("search=" + "x" * 201, "search must be at most 200 characters long"),
        ("source=" + "x" * 101, "source must be at most 100 characters long"),
        ("search=a%00b", "search may not contain null characters"),
        (
            "ordering=name",
            "ordering must be one of createdAt, -createdAt, updatedAt, -updatedAt, value, -value, expectedCloseDate, "
            "-expectedCloseDate, relevance",
        ),
        ("page=0", "page must be greater than or equal to 1"),
        ("page=two", "page must be an integer"),
        ("limit=101", "limit must be less than or equal to 100"),
        ("limit=0", "limit must be greater than or equal to 1"),
    ],
)
def test_a_bad_query_value_is_a_400_naming_it(api, org, query, message):
    LeadFactory(organization=org)

    response = api.get(f"{leads_url(org)}?{query}")

    assert problems(response) == [message]


@pytest.mark.parametrize("param", ["pipelineId", "stageId", "campaignId", "assignedToId"])
def test_an_id_filter_of_another_organization_is_refused(api, org, other_org, param):
    pipeline = other_org.pipeline_set.get()
    foreign = {
        "pipelineId": pipeline.pk,
        "stageId": pipeline.stages.first().pk,
        "campaignId": CampaignFactory(organization=other_org).pk,
        "assignedToId": other_org.memberships.get().user_id,
    }[param]

    response = api.get(f"{leads_url(org)}?{param}={foreign}")

    assert response.status_code == 400
    assert "in this organization" in problems(response)[0]


# --- ordering ---------------------------------------------------------------------


def _with_created_days(org, *days: int) -> list[Lead]:
    leads = [LeadFactory(organization=org) for _ in days]
    for lead, day in zip(leads, days, strict=True):
        Lead.objects.filter(pk=lead.pk).update(created_at=datetime(2024, 2, day, tzinfo=UTC))
    return leads


def test_default_ordering_is_newest_first(api, org):
    first, second, third = _with_created_days(org, 10, 20, 15)

    assert listed(api, org) == [second.pk, third.pk, first.pk]


def test_ordering_by_creation_ascending(api, org):
    first, second, third = _with_created_days(org, 10, 20, 15)

    assert listed(api, org, "?ordering=createdAt") == [first.pk, third.pk, second.pk]


def test_ordering_by_update_time(api, org):
    a, b = LeadFactory(organization=org), LeadFactory(organization=org)
    Lead.objects.filter(pk=a.pk).update(updated_at=datetime(2024, 3, 2, tzinfo=UTC))
    Lead.objects.filter(pk=b.pk).update(updated_at=datetime(2024, 3, 1, tzinfo=UTC))

    assert listed(api, org, "?ordering=updatedAt") == [b.pk, a.pk]
    assert listed(api, org, "?ordering=-updatedAt") == [a.pk, b.pk]


def test_ordering_by_value_puts_unvalued_leads_lowest(api, org):
    small, big, none = (LeadFactory(organization=org, value=v) for v in (10, 900, None))

    assert listed(api, org, "?ordering=value") == [none.pk, small.pk, big.pk]
    assert listed(api, org, "?ordering=-value") == [big.pk, small.pk, none.pk]


# --- pagination -------------------------------------------------------------------


def test_pages_split_the_ordered_list_without_overlap(api, org):
    leads = _with_created_days(org, 1, 2, 3, 4, 5)
    newest_first = [lead.pk for lead in reversed(leads)]

    first = api.get(leads_url(org) + "?limit=2&page=1").json()
    last = api.get(leads_url(org) + "?limit=2&page=3").json()

    assert [lead["id"] for lead in first["leads"]] == newest_first[:2]
    assert first["pagination"] == {
        "total": 5,
        "page": 1,
        "limit": 2,
        "hasMore": True,
        "nextCursor": first["pagination"]["nextCursor"],
    }
    assert first["pagination"]["nextCursor"]
    assert [lead["id"] for lead in last["leads"]] == newest_first[4:]
    assert last["pagination"] == {"total": 5, "page": 3, "limit": 2, "hasMore": False, "nextCursor": None}


def test_a_page_past_the_end_is_empty(api, org):
    LeadFactory(organization=org)

    payload = api.get(leads_url(org) + "?page=9").json()

    assert payload["leads"] == []
    assert payload["pagination"] == {"total": 1, "page": 9, "limit": 20, "hasMore": False, "nextCursor": None}


# --- query counts -------------------------------------------------------------------


def _leads_with_everything(org, count: int) -> None:
    account = SocialAccountFactory(organization=org)
    post = ContentPostFactory(social_account=account)
    campaign = CampaignFactory(organization=org)
    for _ in range(count):
        LeadFactory(organization=org, social_account=account, content_post=post, campaign=campaign)


@pytest.mark.parametrize("limit", [10, 100])
def test_list_query_count_does_not_grow_with_the_page_size(api, org, limit, django_assert_num_queries):
    _leads_with_everything(org, 100)

    # membership (+org, user), COUNT, the page with contact/pipeline/stage/account/post joined
    with django_assert_num_queries(3):
        response = api.get(leads_url(org) + f"?limit={limit}")

    assert len(response.json()["leads"]) == limit


def test_filtered_list_adds_one_query_per_id_filter_checked(api, org, stages, django_assert_num_queries):
    _leads_with_everything(org, 30)

    # the three above, plus the stage id check against the org's stages
    with django_assert_num_queries(4):
        response = api.get(leads_url(org) + f"?stageId={stages[0].pk}&status=NEW&search=example&limit=100")

    assert response.json()["pagination"]["total"] == 30


@pytest.mark.parametrize("extra_activities", [0, 40])
def test_detail_query_count_does_not_grow_with_activities(api, org, user, extra_activities, django_assert_num_queries):
    lead = LeadFactory(organization=org)
    for n in range(extra_activities):
        add_activity(org=org, actor=user, lead_id=lead.pk, type="NOTE", description=f"note {n}")

    # membership (+org, user), the lead with its relations, its newest activities
    with django_assert_num_queries(3):
        response = api.get(leads_url(org, lead.pk))

    assert len(response.json()["lead"]["activities"]) == extra_activities + 1


def test_detail_carries_at_most_the_newest_hundred_activities(api, org, user):
    lead = LeadFactory(organization=org)
    for n in range(100):
        add_activity(org=org, actor=user, lead_id=lead.pk, type="NOTE", description=f"note {n}")

    activities = api.get(leads_url(org, lead.pk)).json()["lead"]["activities"]

    assert len(activities) == 100
    assert activities[0]["description"] == "note 99"
    assert "Lead created" not in [a["description"] for a in activities]


def test_activity_list_query_count_does_not_grow_with_the_page_size(api, org, user, django_assert_num_queries):
    lead = LeadFactory(organization=org)
    for n in range(30):
        add_activity(org=org, actor=user, lead_id=lead.pk, type="NOTE", description=f"note {n}")

    # membership (+org, user), the lead, COUNT, the page
    with django_assert_num_queries(4):
        api.get(leads_url(org, lead.pk, "activities") + "?limit=5")
    with django_assert_num_queries(4):
        api.get(leads_url(org, lead.pk, "activities") + "?limit=100")
