"""Admins of tasks and lost reasons: through their services, scoped to the staff user's orgs and lead visibility."""

import pytest

from leads.models import Activity, LostReason, Task
from leads.services import create_lost_reason, update_lead
from leads.tests.factories import LeadFactory, TaskFactory
from tests.support.admin import changelist_ids, logged_in, org_admin, superuser
from vchata.accounts.models import Membership, Organization


@pytest.fixture
def su(db):
    return logged_in(superuser())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_a_task_added_in_the_admin_goes_through_create_task(org, user):
    lead = LeadFactory(organization=org)
    staff_user = org_admin(org, role=Membership.Role.MEMBER)

    response = logged_in(staff_user).post(
        "/admin/leads/task/add/",
        {
            "lead": lead.pk,
            "title": "Call back",
            "type": "CALL",
            "due_at_0": "2026-12-10",
            "due_at_1": "10:00:00",
            "assigned_to": user.pk,
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    task = Task.objects.get(lead=lead)
    assert (task.organization_id, task.created_by, task.assigned_to) == (org.pk, staff_user, user)


def test_marking_tasks_done_logs_a_task_entry_on_each_lead(su, org):
    tasks = [TaskFactory(lead=LeadFactory(organization=org)) for _ in range(2)]

    response = su.post("/admin/leads/task/", {"action": "mark_done", "_selected_action": [t.pk for t in tasks]})

    assert response.status_code == 302
    for task in tasks:
        task.refresh_from_db()
        assert task.completed_at is not None
        assert Activity.objects.filter(lead=task.lead, type=Activity.Type.TASK).count() == 1


def test_a_member_under_assigned_visibility_sees_only_the_tasks_of_their_leads(org, user):
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    rep = org_admin(org, role=Membership.Role.MEMBER)
    theirs = LeadFactory(organization=org)
    update_lead(org=org, actor=user, lead_id=theirs.pk, changes={"assigned_to": rep})
    someone_elses = LeadFactory(organization=org)
    update_lead(org=org, actor=user, lead_id=someone_elses.pk, changes={"assigned_to": user})
    mine, hidden = TaskFactory(lead=theirs), TaskFactory(lead=someone_elses)
    client = logged_in(rep)

    listing = client.get("/admin/leads/task/")

    assert changelist_ids(listing, "task") == {mine.pk}
    assert client.get(f"/admin/leads/task/{hidden.pk}/change/").status_code == 404


def test_a_lost_reason_named_like_another_in_any_case_is_refused(su, org, user):
    create_lost_reason(org=org, actor=user, name="Too expensive")

    response = su.post(
        "/admin/leads/lostreason/add/",
        {"organization": org.pk, "name": "too EXPENSIVE", "is_active": "on", "order": 3},
        follow=True,
    )

    assert response.status_code == 200
    assert LostReason.objects.filter(organization=org).count() == 1


def test_a_lost_reason_some_leads_carry_is_not_deleted(su, org, user, pipeline):
    reason = create_lost_reason(org=org, actor=user, name="Went with a competitor")
    lead = LeadFactory(organization=org)
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"status": "LOST", "lost_reason": reason})

    su.post(f"/admin/leads/lostreason/{reason.pk}/delete/", {"post": "yes"})

    assert LostReason.objects.filter(pk=reason.pk).exists()


def test_lost_reasons_are_added_and_changed_through_their_services(su, org, user):
    su.post(
        "/admin/leads/lostreason/add/", {"organization": org.pk, "name": "No budget", "is_active": "on", "order": 0}
    )
    reason = LostReason.objects.get(organization=org)

    response = su.post(f"/admin/leads/lostreason/{reason.pk}/change/", {"name": "No budget", "order": 4})

    assert response.status_code == 302, response.content.decode()[:3000]
    reason.refresh_from_db()
    assert (reason.is_active, reason.order) == (False, 4)
