"""Who may call the lead routes: a token, and membership of the org."""

import pytest

from conftest import client_for
from leads.models import Activity, Lead
from leads.tests.factories import (
    ContactFactory,
    LeadFactory,
)
from tests.support.api import (
    error,
    leads_url,
)
from vchata.accounts.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

pytestmark = pytest.mark.django_db


def _routes(org, lead_id: str) -> list[tuple[str, str]]:
    return [
        ("get", leads_url(org)),
        ("post", leads_url(org)),
        ("post", leads_url(org, "with-contact")),
        ("post", leads_url(org, "convert-conversation")),
        ("get", leads_url(org, lead_id)),
        ("patch", leads_url(org, lead_id)),
        ("delete", leads_url(org, lead_id)),
        ("get", leads_url(org, lead_id, "activities")),
        ("post", leads_url(org, lead_id, "activities")),
        ("get", leads_url(org, lead_id, "history")),
        ("post", leads_url(org, lead_id, "move-stage")),
    ]


def test_every_route_refuses_a_member_of_another_organization_with_404(org):
    lead = LeadFactory(organization=org)
    outsider = OrganizationFactory().memberships.get().user
    client = client_for(outsider)

    for method, url in _routes(org, lead.pk):
        response = getattr(client, method)(url, {"status": "LOST", "type": "NOTE"}, format="json")
        assert response.status_code == 404, (method, url)
        assert error(response) == "Organization not found or you don't have access"
    assert Lead.objects.get(pk=lead.pk).status == "NEW"
    assert Activity.objects.filter(lead=lead).count() == 1


def test_every_route_requires_a_token(anon, org):
    lead = LeadFactory(organization=org)

    for method, url in _routes(org, lead.pk):
        response = getattr(anon, method)(url, {}, format="json")
        assert response.status_code == 401, (method, url)
        assert response.json()["statusCode"] == 401


def test_a_plain_member_can_work_leads(org, member, pipeline):
    client = client_for(member)

    response = client.post(
        leads_url(org), {"contactId": ContactFactory(organization=org).pk, "pipelineId": pipeline.pk}, format="json"
    )

    assert response.status_code == 201
