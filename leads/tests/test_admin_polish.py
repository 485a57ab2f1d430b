"""What a person reads in the lead admin: names instead of ids and codes, filters that say whose rows they are."""

import re

import pytest

from leads.services import update_lead
from leads.tests.factories import LeadFactory
from pipelines.models import LeadStatus
from pipelines.services import create_pipeline
from tests.support.admin import logged_in, org_admin, superuser
from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import MembershipFactory, OrganizationFactory

CHANGELIST = "/admin/leads/lead/"


@pytest.fixture
def su(db):
    return logged_in(superuser())


def filter_choices(body: str, title: str) -> list[str]:
    """The link texts of one changelist filter (its <details> block)."""
    block = body.split(f"By {title}")[1].split("</details>")[0]
    return [text.strip() for text in re.findall(r'<a href="[^"]*"[^>]*>([^<]+)</a>', block)][1:]  # after "All"


def test_the_lead_change_page_is_titled_with_the_deal_and_contact_not_the_id(su, org, user):
    lead = LeadFactory(organization=org)
    plain = su.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"title": "Website redesign"})

    titled = su.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()

    assert f"<h2>{lead.contact.name}</h2>" in plain
    assert f"<h2>Website redesign · {lead.contact.name}</h2>" in titled
    assert f"<title>Website redesign · {lead.contact.name} | Change lead" in titled
    breadcrumbs = titled.split('<div class="breadcrumbs">')[1].split("</div>")[0]
    assert lead.pk not in breadcrumbs and "Website redesign" in breadcrumbs


def test_with_two_orgs_the_pipeline_and_stage_filters_name_each_org(org):
    second = OrganizationFactory(name="Zed Corp")
    hidden = OrganizationFactory(name="Not Mine")
    staff_user = org_admin(org)
    MembershipFactory(organization=second, user=staff_user, role=Membership.Role.ADMIN)
    for each in (org, second, hidden):
        LeadFactory(organization=each)

    body = logged_in(staff_user).get(CHANGELIST).content.decode()

    assert filter_choices(body, "pipeline") == [f"{org.name} — Sales Pipeline", "Zed Corp — Sales Pipeline"]
    assert filter_choices(body, "stage") == [f"{org.name} — Sales Pipeline › New", "Zed Corp — Sales Pipeline › New"]
    assert "Not Mine" not in body


def test_with_one_org_the_filters_name_just_the_pipeline(org):
    partners = create_pipeline(org=org, name="Partners")
    LeadFactory(organization=org)
    LeadFactory(organization=org, pipeline=partners)

    body = logged_in(org_admin(org)).get(CHANGELIST).content.decode()

    assert filter_choices(body, "pipeline") == ["Partners", "Sales Pipeline"]
    assert filter_choices(body, "stage") == ["Partners › New", "Sales Pipeline › New"]


def test_the_stage_admins_pipeline_filter_names_each_org(su, org, other_org):
    body = su.get("/admin/pipelines/stage/").content.decode()

    assert filter_choices(body, "pipeline") == sorted(
        [f"{org.name} — Sales Pipeline", f"{other_org.name} — Sales Pipeline"]
    )


def test_the_bulk_action_page_shows_status_labels_not_codes(su, org, pipeline, user):
    lead = LeadFactory(organization=org)
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"status": LeadStatus.QUALIFIED})

    response = su.post(CHANGELIST, {"action": "assign_to", "_selected_action": [lead.pk]})

    body = response.content.decode()
    assert "(Qualified)" in body and "(QUALIFIED)" not in body
