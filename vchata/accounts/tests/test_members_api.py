"""Member management through the API: roles, removal, leaving, ownership, and what each role may not do."""

import pytest

from conftest import client_for
from leads.models import CustomField, Lead
from leads.tests.factories import CampaignFactory, CustomFieldFactory, LeadFactory
from pipelines.models import Pipeline
from pipelines.services import create_pipeline
from tests.support.api import error
from vchata.accounts.members import LAST_OWNER
from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role


def member_url(org, user) -> str:
    return f"/organizations/{org.pk}/members/{user.pk}"


@pytest.fixture
def admin_user(org):
    return MembershipFactory(organization=org, role=Role.ADMIN).user


@pytest.fixture
def manager(org):
    return MembershipFactory(organization=org, role=Role.MANAGER).user


def role_of(org, user) -> str | None:
    return org.memberships.filter(user=user).values_list("role", flat=True).first()


def test_owner_changes_a_members_role(api, org, member):
    response = api.patch(member_url(org, member), {"role": "MANAGER"}, format="json")

    assert response.status_code == 200
    assert response.json()["member"] == {"id": member.pk, "name": member.name, "email": member.email, "role": "MANAGER"}
    assert role_of(org, member) == "MANAGER"


def test_admin_changes_a_non_owner_role(org, admin_user, member):
    response = client_for(admin_user).patch(member_url(org, member), {"role": "ADMIN"}, format="json")

    assert response.status_code == 200
    assert role_of(org, member) == "ADMIN"


def test_an_unknown_role_is_a_400_naming_the_field(api, org, member):
    response = api.patch(member_url(org, member), {"role": "SUPREME"}, format="json")

    assert response.status_code == 400
    assert error(response) == ['role must be one of the allowed values, not "SUPREME"']
    assert role_of(org, member) == "MEMBER"


def test_an_unknown_field_is_a_400(api, org, member):
    response = api.patch(member_url(org, member), {"role": "ADMIN", "isOwner": True}, format="json")

    assert response.status_code == 400
    assert role_of(org, member) == "MEMBER"


def test_someone_not_in_the_org_is_a_404(api, org, other_org):
    outsider = other_org.memberships.get().user

    assert api.patch(member_url(org, outsider), {"role": "ADMIN"}, format="json").status_code == 404
    assert api.delete(member_url(org, outsider)).status_code == 404


@pytest.mark.parametrize("role", ["ADMIN", "MANAGER", "MEMBER"])
def test_an_admin_cannot_demote_or_remove_an_owner(org, user, admin_user, role):
    client = client_for(admin_user)

    demoted = client.patch(member_url(org, user), {"role": role}, format="json")
    removed = client.delete(member_url(org, user))

    assert demoted.status_code == removed.status_code == 403
    assert error(demoted) == "Only an owner can grant, change or remove the OWNER role"
    assert role_of(org, user) == "OWNER"


def test_an_admin_cannot_make_anyone_owner_not_even_themselves(org, admin_user, member):
    client = client_for(admin_user)

    for target in (admin_user, member):
        response = client.patch(member_url(org, target), {"role": "OWNER"}, format="json")
        assert response.status_code == 403
    assert role_of(org, admin_user) == "ADMIN" and role_of(org, member) == "MEMBER"


def test_an_admin_cannot_transfer_ownership(org, admin_user, member):
    response = client_for(admin_user).post(
        f"/organizations/{org.pk}/transfer-ownership", {"userId": member.pk}, format="json"
    )

    assert response.status_code == 403
    assert org.memberships.filter(role="OWNER").count() == 1


@pytest.mark.parametrize("role", ["MANAGER", "MEMBER"])
def test_managers_and_members_cannot_change_roles_or_remove_anyone(org, member, role):
    caller = MembershipFactory(organization=org, role=role).user
    client = client_for(caller)

    assert client.patch(member_url(org, member), {"role": "ADMIN"}, format="json").status_code == 403
    assert client.patch(member_url(org, caller), {"role": "ADMIN"}, format="json").status_code == 403
    assert client.delete(member_url(org, member)).status_code == 403
    assert role_of(org, member) == "MEMBER" and role_of(org, caller) == role


def test_owner_makes_a_second_owner_who_may_then_demote_the_first(api, org, user, member):
    assert api.patch(member_url(org, member), {"role": "OWNER"}, format="json").status_code == 200

    response = client_for(member).patch(member_url(org, user), {"role": "ADMIN"}, format="json")

    assert response.status_code == 200
    assert role_of(org, user) == "ADMIN" and role_of(org, member) == "OWNER"


def test_the_last_owner_cannot_be_demoted(api, org, user):
    response = api.patch(member_url(org, user), {"role": "ADMIN"}, format="json")

    assert response.status_code == 409
    assert error(response) == LAST_OWNER
    assert role_of(org, user) == "OWNER"


def test_the_last_owner_cannot_leave(api, org, user):
    response = api.delete(member_url(org, user))

    assert response.status_code == 409
    assert role_of(org, user) == "OWNER"


def test_an_owner_may_leave_when_another_owner_stays(api, org, user, member):
    api.patch(member_url(org, member), {"role": "OWNER"}, format="json")

    response = api.delete(member_url(org, user))

    assert response.status_code == 200 and response.json()["message"] == "You left the organization"
    assert role_of(org, user) is None
    assert api.get(f"/organizations/{org.pk}/members").status_code == 404


@pytest.mark.parametrize("role", ["ADMIN", "MANAGER", "MEMBER"])
def test_anyone_may_leave(org, role):
    leaver = MembershipFactory(organization=org, role=role).user

    response = client_for(leaver).delete(member_url(org, leaver))

    assert response.status_code == 200
    assert role_of(org, leaver) is None


def test_owner_removes_a_member_who_then_loses_access(api, org, member):
    response = api.delete(member_url(org, member))

    assert response.status_code == 200 and response.json()["message"] == "Member removed successfully"
    assert client_for(member).get(f"/leads/{org.pk}").status_code == 404


def test_a_removed_members_leads_go_back_to_the_unassigned_pool_with_their_history(api, org, user, member):
    theirs = [LeadFactory(organization=org, assigned_to=member) for _ in range(2)]
    mine = LeadFactory(organization=org, assigned_to=user)

    assert api.delete(member_url(org, member)).status_code == 200

    assert Lead.objects.filter(pk__in=[lead.pk for lead in theirs], assigned_to__isnull=False).count() == 0
    assert Lead.objects.get(pk=mine.pk).assigned_to == user
    for lead in theirs:
        released = lead.activities.get(type="ASSIGNED")
        assert released.description == "Unassigned"
        assert released.actor == user
        assert released.metadata["reason"] == "member_removed"


def test_a_member_who_leaves_keeps_no_leads_and_other_orgs_are_untouched(org, other_org):
    leaver = MembershipFactory(organization=org, role=Role.MEMBER).user
    MembershipFactory(organization=other_org, user=leaver, role=Role.MEMBER)
    here = LeadFactory(organization=org, assigned_to=leaver)
    elsewhere = LeadFactory(organization=other_org, assigned_to=leaver)

    assert client_for(leaver).delete(member_url(org, leaver)).status_code == 200

    assert Lead.objects.get(pk=here.pk).assigned_to is None
    assert Lead.objects.get(pk=elsewhere.pk).assigned_to == leaver


def test_transfer_ownership_swaps_the_two_roles(api, org, user, member):
    response = api.post(f"/organizations/{org.pk}/transfer-ownership", {"userId": member.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["member"]["role"] == "OWNER"
    assert (role_of(org, member), role_of(org, user)) == ("OWNER", "ADMIN")


def test_transfer_to_yourself_or_a_stranger_is_refused(api, org, user, other_org):
    to_self = api.post(f"/organizations/{org.pk}/transfer-ownership", {"userId": user.pk}, format="json")
    to_stranger = api.post(
        f"/organizations/{org.pk}/transfer-ownership",
        {"userId": other_org.memberships.get().user_id},
        format="json",
    )

    assert (to_self.status_code, to_stranger.status_code) == (400, 404)
    assert role_of(org, user) == "OWNER"


# --- issue 14, finding 2: a plain MEMBER could delete and rename what configures the org ----------------------


def test_a_member_cannot_delete_leads_campaigns_fields_or_pipelines_nor_rename_pipelines(org, member, pipeline):
    lead = LeadFactory(organization=org)
    campaign = CampaignFactory(organization=org)
    field = CustomFieldFactory(organization=org)
    spare = create_pipeline(org=org, name="Spare")
    client = client_for(member)

    answers = [
        client.delete(f"/leads/{org.pk}/{lead.pk}"),
        client.delete(f"/leads/{org.pk}/campaigns/{campaign.pk}"),
        client.delete(f"/leads/{org.pk}/custom-fields/{field.pk}"),
        client.delete(f"/pipelines/{org.pk}/{spare.pk}"),
        client.patch(f"/pipelines/{org.pk}/{pipeline.pk}", {"name": "Mine now"}, format="json"),
        client.delete(f"/pipelines/{org.pk}/{pipeline.pk}/stages/{pipeline.stages.last().pk}"),
    ]

    assert [answer.status_code for answer in answers] == [403] * 6
    assert Lead.objects.filter(pk=lead.pk).exists() and CustomField.objects.filter(pk=field.pk).exists()
    assert campaign.__class__.objects.filter(pk=campaign.pk).exists()
    assert Pipeline.objects.get(pk=pipeline.pk).name == pipeline.name and Pipeline.objects.filter(pk=spare.pk).exists()
    assert pipeline.stages.count() == 5


def test_a_manager_deletes_leads_but_does_not_configure(org, manager, pipeline):
    lead = LeadFactory(organization=org)
    client = client_for(manager)

    assert client.delete(f"/leads/{org.pk}/{lead.pk}").status_code == 200
    assert client.patch(f"/pipelines/{org.pk}/{pipeline.pk}", {"name": "X"}, format="json").status_code == 403
    assert (
        client.post(f"/leads/{org.pk}/campaigns", {"name": "C", "utmCampaign": "c"}, format="json").status_code == 403
    )


def test_a_403_on_a_missing_row_is_a_404_instead(org, member):
    """Forbidden only concerns what the caller can see: an unknown id is a 404 whatever the role."""
    client = client_for(member)

    assert client.delete(f"/pipelines/{org.pk}/pipeline_00000000000000000000000000").status_code == 404
    assert client.delete(f"/leads/{org.pk}/lead_00000000000000000000000000").status_code == 404
