"""The lead list's deal-field filters and ordering: expected close dates, lost reason, probability."""

from datetime import date

import pytest
from django.core.cache import cache

from leads.models import Lead, LostReason
from leads.tests.factories import LeadFactory
from pipelines.services import update_stage
from tests.support.api import leads_url, problems

pytestmark = pytest.mark.django_db


def listed(api, org, **query) -> list[str]:
    response = api.get(leads_url(org), query)
    assert response.status_code == 200, response.content[:300]
    return [lead["id"] for lead in response.json()["leads"]]


def closing(org, day: date | None, **fields) -> Lead:
    return LeadFactory(organization=org, expected_close_date=day, **fields)


def test_filter_by_expected_close_dates_after_inclusive_before_exclusive(api, org):
    early = closing(org, date(2030, 1, 31))
    first = closing(org, date(2030, 2, 1))
    last = closing(org, date(2030, 2, 28))
    closing(org, date(2030, 3, 1))
    closing(org, None)

    february = listed(api, org, expectedCloseAfter="2030-02-01", expectedCloseBefore="2030-03-01")

    assert set(february) == {first.pk, last.pk}
    assert set(listed(api, org, expectedCloseBefore="2030-02-01")) == {early.pk}


def test_filter_by_lost_reason(api, org, stages):
    price = LostReason.objects.create(organization=org, name="Price")
    timing = LostReason.objects.create(organization=org, name="Timing")
    on_price = LeadFactory(organization=org, stage=stages[4], lost_reason=price)
    LeadFactory(organization=org, stage=stages[4], lost_reason=timing)
    LeadFactory(organization=org)

    assert listed(api, org, lostReasonId=price.pk) == [on_price.pk]


def test_filter_by_probability_uses_the_leads_own_else_its_stages(api, org, stages):
    # Stages: New 10, Qualified 30, Contacted 60.
    new_default = LeadFactory(organization=org, stage=stages[0])
    new_but_likely = LeadFactory(organization=org, stage=stages[0], probability=80)
    contacted = LeadFactory(organization=org, stage=stages[2])
    contacted_doubtful = LeadFactory(organization=org, stage=stages[2], probability=5)

    assert set(listed(api, org, minProbability=50)) == {new_but_likely.pk, contacted.pk}
    assert set(listed(api, org, maxProbability=10)) == {new_default.pk, contacted_doubtful.pk}
    assert set(listed(api, org, minProbability=10, maxProbability=60)) == {new_default.pk, contacted.pk}


@pytest.mark.django_db(transaction=True)  # the cached total is dropped when the write commits
def test_a_stage_probability_change_is_seen_by_the_next_cached_count(api, org, stages, settings):
    settings.LEAD_COUNT_CACHE, settings.LEAD_COUNT_CACHE_MIN = True, 0
    cache.clear()
    LeadFactory(organization=org, stage=stages[0])
    for _ in range(2):  # the second is served from the cache
        assert api.get(leads_url(org), {"minProbability": 50}).json()["pagination"]["total"] == 0

    update_stage(
        org=org, actor=None, pipeline_id=stages[0].pipeline_id, stage_id=stages[0].pk, changes={"probability": 55}
    )

    assert api.get(leads_url(org), {"minProbability": 50}).json()["pagination"]["total"] == 1


def test_ordering_by_expected_close_date_puts_undated_leads_last_either_way(api, org):
    undated = closing(org, None)
    late = closing(org, date(2030, 6, 1))
    soon = closing(org, date(2030, 1, 1))

    assert listed(api, org, ordering="expectedCloseDate") == [soon.pk, late.pk, undated.pk]
    assert listed(api, org, ordering="-expectedCloseDate") == [late.pk, soon.pk, undated.pk]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"expectedCloseAfter": "soon"}, "expectedCloseAfter must be an ISO 8601 date, such as 2024-01-15"),
        ({"expectedCloseBefore": "2030-02-30"}, "expectedCloseBefore must be an ISO 8601 date, such as 2024-01-15"),
        ({"lostReasonId": "reason_nope"}, "lostReasonId does not match any lost reason in this organization"),
        ({"minProbability": "101"}, "minProbability must be a whole number from 0 to 100"),
        ({"maxProbability": "-1"}, "maxProbability must be a whole number from 0 to 100"),
        ({"minProbability": "half"}, "minProbability must be a whole number from 0 to 100"),
    ],
)
def test_a_bad_deal_filter_is_a_400_naming_it(api, org, query, message):
    response = api.get(leads_url(org), query)

    assert problems(response) == [message]


def test_a_lost_reason_of_another_organization_is_refused(api, org, other_org):
    foreign = LostReason.objects.create(organization=other_org, name="Price")

    response = api.get(leads_url(org), {"lostReasonId": foreign.pk})

    assert problems(response) == ["lostReasonId does not match any lost reason in this organization"]


def test_deal_filters_keep_the_list_query_count(api, org, stages, django_assert_num_queries):
    reason = LostReason.objects.create(organization=org, name="Price")
    for n in range(20):
        closing(org, date(2030, 1, 1 + n), probability=50)
    for _ in range(3):
        LeadFactory(organization=org, stage=stages[4], lost_reason=reason)
    query = {
        "expectedCloseAfter": "2030-01-01",
        "expectedCloseBefore": "2030-12-31",
        "minProbability": 40,
        "maxProbability": 90,
        "ordering": "expectedCloseDate",
        "limit": 100,
    }

    # membership (+org, user), COUNT, the page
    with django_assert_num_queries(3):
        response = api.get(leads_url(org), query)
    # plus the lost reason id check against the org's reasons
    with django_assert_num_queries(4):
        lost = api.get(leads_url(org), {"lostReasonId": reason.pk, "ordering": "-expectedCloseDate", "limit": 100})

    assert response.json()["pagination"]["total"] == 20
    assert lost.json()["pagination"]["total"] == 3
