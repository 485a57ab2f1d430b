"""DELETE /leads/{orgId}/{leadId}."""

import pytest

from leads.models import Activity, Contact, Lead, StageVisit
from leads.tests.factories import (
    LeadFactory,
)
from tests.support.api import (
    leads_url,
)

pytestmark = pytest.mark.django_db

pytestmark = pytest.mark.django_db


def test_delete_removes_the_lead_and_its_history_but_keeps_the_contact(api, org):
    lead = LeadFactory(organization=org)

    response = api.delete(leads_url(org, lead.pk))

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Lead deleted successfully"}
    assert not Lead.objects.exists()
    assert not Activity.objects.exists() and not StageVisit.objects.exists()
    assert Contact.objects.filter(pk=lead.contact_id).exists()


def test_delete_twice_is_not_found(api, org):
    lead = LeadFactory(organization=org)
    api.delete(leads_url(org, lead.pk))

    response = api.delete(leads_url(org, lead.pk))

    assert response.status_code == 404


def test_delete_of_another_organizations_lead_is_not_found_and_keeps_it(api, org, other_org):
    foreign = LeadFactory(organization=other_org)

    response = api.delete(leads_url(org, foreign.pk))

    assert response.status_code == 404
    assert Lead.objects.filter(pk=foreign.pk).exists()
