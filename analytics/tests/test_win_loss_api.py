"""GET /leads/{orgId}/analytics/win-loss: won and lost leads and the lost ones by reason, with exact figures.

lead  stage      value    reason     counts as
a     Converted  1000     —          won
b     Converted  2500.50  —          won
c     Lost       400      Price      lost: Price
d     Lost       600      Price      lost: Price
e     Lost       none     Timing     lost: Timing (count only)
f     Lost       300      none       lost without a reason (made before the org had reasons)
g     New        9000     —          open: nowhere
"""

from decimal import Decimal

import pytest

from conftest import client_for
from leads.models import LostReason
from leads.tests.factories import LeadFactory
from pipelines.services import create_pipeline
from vchata.accounts.models import Membership, Organization
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(org) -> str:
    return f"/leads/{org.pk}/analytics/win-loss"


@pytest.fixture
def reasons(org):
    return {
        "price": LostReason.objects.create(organization=org, name="Price", order=0),
        "timing": LostReason.objects.create(organization=org, name="Timing", order=1),
    }


@pytest.fixture
def closed(org, stages, reasons):
    won, lost = stages[3], stages[4]
    return {
        "a": LeadFactory(organization=org, stage=won, value=Decimal("1000")),
        "b": LeadFactory(organization=org, stage=won, value=Decimal("2500.50")),
        "c": LeadFactory(organization=org, stage=lost, value=Decimal("400"), lost_reason=reasons["price"]),
        "d": LeadFactory(organization=org, stage=lost, value=Decimal("600"), lost_reason=reasons["price"]),
        "e": LeadFactory(organization=org, stage=lost, value=None, lost_reason=reasons["timing"]),
        "g": LeadFactory(organization=org, stage=stages[0], value=Decimal("9000")),
    }


@pytest.fixture
def closed_without_reasons_first(org, stages):
    """Lead f: lost while the org had no reasons yet (then the reasons fixture adds them)."""
    return LeadFactory(organization=org, stage=stages[4], value=Decimal("300"))


def test_win_loss_counts_won_and_lost_leads_by_reason(user, org, stages, closed_without_reasons_first, closed, reasons):
    response = client_for(user).get(url(org))

    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Win/loss retrieved successfully"
    assert body["winLoss"] == {
        "wonCount": 2,
        "wonValue": 3500.5,
        "lostCount": 4,
        "lostValue": 1300,
        "winRate": 33.3,
        "reasons": [
            {"reasonId": reasons["price"].pk, "name": "Price", "count": 2, "value": 1000},
            {"reasonId": reasons["timing"].pk, "name": "Timing", "count": 1, "value": 0},
            {"reasonId": None, "name": None, "count": 1, "value": 300},
        ],
    }


def test_an_org_with_nothing_closed_answers_zeros(user, org):
    body = client_for(user).get(url(org)).json()["winLoss"]

    assert body == {"wonCount": 0, "wonValue": 0, "lostCount": 0, "lostValue": 0, "winRate": 0.0, "reasons": []}


def test_another_orgs_leads_never_count(user, org, other_org):
    LeadFactory(organization=other_org, stage=other_org.stage_set.get(status="CONVERTED"), value=Decimal("5"))

    assert client_for(user).get(url(org)).json()["winLoss"]["wonCount"] == 0


def test_pipeline_filter_keeps_its_leads_only(user, org, stages):
    partners = create_pipeline(org=org, name="Partners")
    LeadFactory(organization=org, stage=stages[3])
    LeadFactory(organization=org, pipeline=partners, stage=partners.stages.get(status="CONVERTED"))

    body = client_for(user).get(url(org), {"pipelineId": partners.pk}).json()["winLoss"]

    assert (body["wonCount"], body["lostCount"]) == (1, 0)


def test_a_member_under_assigned_visibility_counts_their_and_unassigned_leads(user, org, stages):
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    member = MembershipFactory(organization=org, role=Membership.Role.MEMBER).user
    LeadFactory(organization=org, stage=stages[3], assigned_to=member)
    LeadFactory(organization=org, stage=stages[3])
    LeadFactory(organization=org, stage=stages[3], assigned_to=user)

    assert client_for(member).get(url(org)).json()["winLoss"]["wonCount"] == 2
    assert client_for(user).get(url(org)).json()["winLoss"]["wonCount"] == 3


@pytest.mark.parametrize(
    ("params", "status"),
    [({"createdAfter": "yesterday"}, 400), ({"pipelineId": "pipeline_nope"}, 404)],
)
def test_bad_parameters_are_an_error_envelope(user, org, params, status):
    response = client_for(user).get(url(org), params)

    assert response.status_code == status
    assert response.json()["success"] is False


def test_non_members_and_anonymous_callers_get_nothing(org, other_org, anon):
    assert client_for(other_org.memberships.get().user).get(url(org)).status_code == 404
    assert anon.get(url(org)).status_code == 401


@pytest.mark.parametrize("extra", [0, 40])
def test_one_query_after_the_membership_whatever_the_leads(
    user, org, stages, reasons, extra, django_assert_num_queries
):
    for n in range(extra):
        LeadFactory(organization=org, stage=stages[4], lost_reason=reasons["price" if n % 2 else "timing"])
    client = client_for(user)

    with django_assert_num_queries(2):  # the membership, then one GROUP BY
        assert client.get(url(org)).status_code == 200


def test_the_route_is_in_the_schema(anon):
    schema = anon.get("/api/schema", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/leads/{org_id}/analytics/win-loss"]["get"]

    assert {p["name"] for p in operation["parameters"]} >= {"pipelineId", "createdAfter", "createdBefore"}
    assert set(operation["responses"]) >= {"200", "400", "401", "404"}
