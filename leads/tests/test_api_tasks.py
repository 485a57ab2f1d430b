"""``/leads/{orgId}/{leadId}/tasks``, ``/leads/{orgId}/tasks`` and ``/leads/{orgId}/tasks/{taskId}``."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from conftest import client_for
from leads.models import Activity, Lead, Task
from leads.selectors import filter_tasks, next_open_tasks, task_list
from leads.services import update_lead, update_task
from leads.tests.factories import LeadFactory, TaskFactory
from tests.support.api import TIMESTAMP, error, leads_url, problems
from vchata.accounts.models import Membership, Organization

pytestmark = pytest.mark.django_db

CALL = {"title": "Call about the quote", "type": "CALL", "dueAt": "2030-01-15T10:00:00Z"}


@pytest.fixture
def lead(org, user):
    return LeadFactory(organization=org, actor=user)


def test_create_a_task_answers_it_assigned_to_the_caller(api, org, user, lead):
    response = api.post(leads_url(org, lead.pk, "tasks"), CALL, format="json")

    assert response.status_code == 201
    payload = response.json()
    assert payload["message"] == "Task created successfully"
    task = payload["task"]
    assert task["id"].startswith("task_")
    assert (
        task
        | {
            "title": "Call about the quote",
            "type": "CALL",
            "dueAt": "2030-01-15T10:00:00Z",
            "leadId": lead.pk,
            "assignedToId": user.pk,
            "createdById": user.pk,
            "done": False,
            "completedAt": None,
        }
        == task
    )
    assert task["lead"] == {"id": lead.pk, "contactId": lead.contact_id, "contactName": lead.contact.name}
    assert TIMESTAMP.match(task["createdAt"])


def test_a_new_task_writes_no_activity(api, org, lead):
    before = Activity.objects.filter(lead=lead).count()

    api.post(leads_url(org, lead.pk, "tasks"), CALL, format="json")

    assert Activity.objects.filter(lead=lead).count() == before


def test_a_task_can_be_assigned_to_another_member_or_nobody(api, org, member, lead):
    to_member = api.post(leads_url(org, lead.pk, "tasks"), {**CALL, "assignedToId": member.pk}, format="json")
    to_nobody = api.post(leads_url(org, lead.pk, "tasks"), {**CALL, "assignedToId": None}, format="json")

    assert to_member.json()["task"]["assignedToId"] == member.pk
    assert to_nobody.json()["task"]["assignedToId"] is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"type": "CALL", "dueAt": "2030-01-15T10:00:00Z"}, "title is required"),
        ({**CALL, "type": "LUNCH"}, "type must be one of the allowed values"),
        ({**CALL, "dueAt": "tomorrow"}, "dueAt"),
        ({"title": "x", "type": "CALL"}, "dueAt is required"),
        ({**CALL, "title": "x" * 201}, "title"),
        ({**CALL, "colour": "red"}, "colour"),
    ],
)
def test_a_bad_task_is_a_400_naming_the_field(api, org, lead, body, problem):
    response = api.post(leads_url(org, lead.pk, "tasks"), body, format="json")

    assert any(problem in sentence for sentence in problems(response)), problems(response)
    assert not Task.objects.exists()


def test_a_task_for_someone_outside_the_org_is_a_400(api, org, other_org, lead):
    outsider = other_org.memberships.get().user

    response = api.post(leads_url(org, lead.pk, "tasks"), {**CALL, "assignedToId": outsider.pk}, format="json")

    assert problems(response) == ["assignedToId does not match any user in this organization"]


def test_a_task_on_another_orgs_lead_is_a_404(api, org, other_org):
    foreign = LeadFactory(organization=other_org)

    response = api.post(leads_url(org, foreign.pk, "tasks"), CALL, format="json")

    assert response.status_code == 404
    assert error(response) == "Lead not found or you don't have access"


def test_a_leads_tasks_list_open_ones_first_soonest_due_first(api, org, lead):
    now = timezone.now()
    later = TaskFactory(lead=lead, due_at=now + timedelta(days=3))
    sooner = TaskFactory(lead=lead, due_at=now + timedelta(days=1))
    done = TaskFactory(lead=lead, due_at=now - timedelta(days=5), completed_at=now)
    TaskFactory(lead=LeadFactory(organization=org))  # another lead's

    payload = api.get(leads_url(org, lead.pk, "tasks")).json()

    assert [t["id"] for t in payload["tasks"]] == [sooner.pk, later.pk, done.pk]
    assert payload["pagination"] == {"total": 3, "page": 1, "limit": 20, "hasMore": False}


def test_completing_a_task_sets_completed_at_and_logs_a_task_activity(api, org, user, lead):
    task = TaskFactory(lead=lead, title="Send the proposal", type="EMAIL")

    response = api.patch(leads_url(org, "tasks", task.pk), {"done": True}, format="json")

    assert response.status_code == 200
    body = response.json()["task"]
    assert body["done"] is True
    assert TIMESTAMP.match(body["completedAt"])
    activity = Activity.objects.filter(lead=lead, type="TASK").get()
    assert activity.description == "Completed email: Send the proposal"
    assert activity.metadata == {"taskId": task.pk, "taskType": "EMAIL", "title": "Send the proposal"}
    assert activity.actor == user
    assert Lead.objects.get(pk=lead.pk).last_activity_at == activity.created_at


def test_completing_twice_logs_once_and_reopening_clears_completed_at(api, org, lead):
    task = TaskFactory(lead=lead)
    url = leads_url(org, "tasks", task.pk)

    first = api.patch(url, {"done": True}, format="json").json()["task"]["completedAt"]
    second = api.patch(url, {"done": True}, format="json").json()["task"]["completedAt"]
    reopened = api.patch(url, {"done": False}, format="json").json()["task"]

    assert first == second
    assert reopened["done"] is False and reopened["completedAt"] is None
    assert Activity.objects.filter(lead=lead, type="TASK").count() == 1


def test_patch_changes_title_type_due_and_assignee(api, org, member, lead):
    task = TaskFactory(lead=lead)

    response = api.patch(
        leads_url(org, "tasks", task.pk),
        {"title": "Demo", "type": "MEETING", "dueAt": "2031-02-01T09:30:00Z", "assignedToId": member.pk},
        format="json",
    )

    body = response.json()["task"]
    assert (body["title"], body["type"], body["dueAt"], body["assignedToId"]) == (
        "Demo",
        "MEETING",
        "2031-02-01T09:30:00Z",
        member.pk,
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({}, "At least one field to change is required"),
        ({"done": "maybe"}, "done"),
        ({"type": "NAP"}, "type must be one of the allowed values"),
        ({"leadId": "lead_x"}, "leadId"),
    ],
)
def test_a_bad_patch_is_a_400(api, org, lead, body, problem):
    task = TaskFactory(lead=lead)

    response = api.patch(leads_url(org, "tasks", task.pk), body, format="json")

    assert any(problem in sentence for sentence in problems(response)), problems(response)


def test_delete_a_task(api, org, lead):
    task = TaskFactory(lead=lead)

    response = api.delete(leads_url(org, "tasks", task.pk))

    assert response.status_code == 200
    assert response.json()["message"] == "Task deleted successfully"
    assert not Task.objects.exists()


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_another_orgs_task_is_a_404(api, org, other_org, method):
    foreign = TaskFactory(lead=LeadFactory(organization=other_org))

    response = getattr(api, method)(leads_url(org, "tasks", foreign.pk), {"done": True}, format="json")

    assert response.status_code == 404
    assert error(response) == "Task not found or you don't have access"
    assert Task.objects.get(pk=foreign.pk).completed_at is None


def test_a_malformed_task_id_is_a_404(api, org):
    assert api.patch(leads_url(org, "tasks", "task_nope"), {"done": True}, format="json").status_code == 404


def test_deleting_the_lead_deletes_its_tasks(api, org, lead):
    TaskFactory(lead=lead)

    api.delete(leads_url(org, lead.pk))

    assert not Task.objects.exists()


# --- the org's task list ---------------------------------------------------------------------


def test_the_task_list_filters_by_assignee_me_and_done(api, org, user, member, lead):
    mine = TaskFactory(lead=lead, assigned_to=user)
    theirs = TaskFactory(lead=lead, assigned_to=member)
    done = TaskFactory(lead=lead, assigned_to=user, completed_at=timezone.now())

    def ids(query):
        return {t["id"] for t in api.get(leads_url(org, "tasks") + query).json()["tasks"]}

    assert ids("") == {mine.pk, theirs.pk, done.pk}
    assert ids("?assignedToId=me") == {mine.pk, done.pk}
    assert ids(f"?assignedToId={member.pk}") == {theirs.pk}
    assert ids("?assignedToId=me&done=false") == {mine.pk}
    assert ids("?done=true") == {done.pk}


def test_due_splits_tasks_into_overdue_today_and_upcoming_by_the_utc_day(org, lead):
    now = datetime(2030, 5, 10, 12, 0, tzinfo=UTC)
    overdue = TaskFactory(lead=lead, due_at=now - timedelta(days=2))
    overdue_today = TaskFactory(lead=lead, due_at=now - timedelta(hours=2))
    done_this_morning = TaskFactory(lead=lead, due_at=now - timedelta(hours=3), completed_at=now)
    later_today = TaskFactory(lead=lead, due_at=now + timedelta(hours=11, minutes=59))
    tomorrow = TaskFactory(lead=lead, due_at=datetime(2030, 5, 11, 0, 0, tzinfo=UTC))
    TaskFactory(lead=lead, due_at=now - timedelta(days=2), completed_at=now)  # done long ago: in no part

    def ids(due):
        return {t.pk for t in filter_tasks(task_list(org=org), due=due, now=now)}

    assert ids("overdue") == {overdue.pk, overdue_today.pk}
    assert ids("today") == {later_today.pk, done_this_morning.pk}
    assert ids("upcoming") == {tomorrow.pk}


def test_the_route_takes_due(api, org, lead):
    overdue = TaskFactory(lead=lead, due_at=timezone.now() - timedelta(days=1))
    TaskFactory(lead=lead, due_at=timezone.now() + timedelta(days=3))

    payload = api.get(leads_url(org, "tasks") + "?due=overdue").json()

    assert [t["id"] for t in payload["tasks"]] == [overdue.pk]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("?due=yesterday", "due"),
        ("?done=perhaps", "done"),
        ("?assignedToId=user_nobody", "assignedToId does not match any member of this organization"),
        ("?limit=0", "limit"),
    ],
)
def test_bad_task_list_parameters_are_a_400(api, org, query, problem):
    response = api.get(leads_url(org, "tasks") + query)

    assert any(problem in sentence for sentence in problems(response)), problems(response)


def test_the_task_list_query_count_does_not_grow_with_the_page(api, org, user, django_assert_num_queries):
    for _ in range(6):
        TaskFactory(lead=LeadFactory(organization=org), assigned_to=user)

    # membership (+org, user), COUNT, the page with each task's lead and contact joined
    with django_assert_num_queries(3):
        api.get(leads_url(org, "tasks") + "?limit=2")
    with django_assert_num_queries(3):
        api.get(leads_url(org, "tasks") + "?limit=100")


def test_a_leads_task_list_query_count_is_pinned(api, org, lead, django_assert_num_queries):
    for _ in range(5):
        TaskFactory(lead=lead)

    # membership, the lead, COUNT, the page
    with django_assert_num_queries(4):
        api.get(leads_url(org, lead.pk, "tasks") + "?limit=100")


# --- visibility ---------------------------------------------------------------------------


@pytest.fixture
def assigned_org(org):
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    org.refresh_from_db()
    return org


def test_under_assigned_visibility_a_member_sees_only_tasks_of_leads_they_see(assigned_org, user, member):
    org = assigned_org
    theirs = LeadFactory(organization=org)
    update_lead(org=org, actor=user, lead_id=theirs.pk, changes={"assigned_to": member})
    someone_elses = LeadFactory(organization=org)
    update_lead(org=org, actor=user, lead_id=someone_elses.pk, changes={"assigned_to": user})
    unassigned = LeadFactory(organization=org)
    seen = {TaskFactory(lead=theirs).pk, TaskFactory(lead=unassigned).pk}
    hidden = TaskFactory(lead=someone_elses, assigned_to=member)
    client = client_for(member)

    listed = {t["id"] for t in client.get(leads_url(org, "tasks")).json()["tasks"]}
    patch = client.patch(leads_url(org, "tasks", hidden.pk), {"done": True}, format="json")
    create = client.post(leads_url(org, someone_elses.pk, "tasks"), CALL, format="json")

    assert listed == seen
    assert patch.status_code == 404
    assert error(patch) == "Task not found or you don't have access"
    assert create.status_code == 404
    assert client_for(user).get(leads_url(org, "tasks")).json()["pagination"]["total"] == 3


def test_a_member_works_tasks_on_leads_they_see(org, member, lead):
    client = client_for(member)
    task = TaskFactory(lead=lead)

    created = client.post(leads_url(org, lead.pk, "tasks"), CALL, format="json")
    done = client.patch(leads_url(org, "tasks", task.pk), {"done": True}, format="json")
    deleted = client.delete(leads_url(org, "tasks", task.pk))

    assert (created.status_code, done.status_code, deleted.status_code) == (201, 200, 200)
    assert created.json()["task"]["assignedToId"] == member.pk
    assert Membership.objects.get(user=member).role == "MEMBER"


# --- the next open task of each lead (the board cards) ---------------------------------------------


def test_next_open_tasks_gives_each_leads_soonest_open_task_in_one_query(org, django_assert_num_queries):
    now = timezone.now()
    first, second, bare = (LeadFactory(organization=org) for _ in range(3))
    TaskFactory(lead=first, due_at=now + timedelta(days=4))
    soonest = TaskFactory(lead=first, due_at=now - timedelta(days=1))
    TaskFactory(lead=first, due_at=now - timedelta(days=9), completed_at=now)
    only = TaskFactory(lead=second, due_at=now + timedelta(days=2))

    with django_assert_num_queries(1):
        found = next_open_tasks(org, [first.pk, second.pk, bare.pk])

    assert {lead_id: task.pk for lead_id, task in found.items()} == {first.pk: soonest.pk, second.pk: only.pk}


def test_next_open_tasks_ignores_other_orgs_and_takes_no_leads(org, other_org, django_assert_num_queries):
    foreign = LeadFactory(organization=other_org)
    TaskFactory(lead=foreign)

    assert next_open_tasks(org, [foreign.pk]) == {}
    with django_assert_num_queries(0):
        assert next_open_tasks(org, []) == {}


def test_update_task_refuses_an_assignee_outside_the_org(org, other_org, user, lead):
    task = TaskFactory(lead=lead)
    outsider = other_org.memberships.get().user

    with pytest.raises(Exception, match="assignedToId"):
        update_task(org=org, actor=user, task_id=task.pk, changes={"assigned_to": outsider})
