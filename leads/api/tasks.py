"""``/leads/{orgId}/…/tasks``: the next steps on leads, per lead and across the organization.

Everyone who works leads works their tasks (``Action.WORK_LEADS``); a task is
seen exactly where its lead is (under ASSIGNED visibility a MEMBER sees the
tasks of their own and of unassigned leads, and another's is a 404).
"""

from drf_spectacular.utils import extend_schema, extend_schema_view

from vchata.inputs import validated as validated_input
from vchata.responses import created, ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView
from vchata.tenancy.permissions import Action

from .. import selectors, services
from .. import serializers as s
from .base import LeadSubListView, paged, validated
from .leads import PAGE_PARAMETERS

TAGS = ["tasks"]


class TasksView(OrgScopedAPIView):
    @extend_schema(
        operation_id="tasks_list",
        summary="List the organization's tasks, soonest due first",
        description=(
            "Filters: ``assignedToId`` (a member, or ``me``), ``due`` (overdue / today / upcoming, by the day in "
            "the organization's time zone), ``done``."
        ),
        parameters=[s.TaskQuery, *PAGE_PARAMETERS],
        responses={200: s.TaskListResponse, **errors(400, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id):
        query = validated_input(s.TaskQuery, request.query_params.dict(), org=self.org, user=request.user)
        tasks = selectors.filter_tasks(
            selectors.task_list(org=self.org, scope=self.lead_scope),
            assignee_id=query.get("assignedToId"),
            due=query.get("due"),
            done=query.get("done"),
            time_zone=self.org.time_zone,
        )
        return paged(
            message="Tasks retrieved successfully",
            key="tasks",
            serializer_class=s.TaskSerializer,
            queryset=tasks,
            request=request,
        )


@extend_schema_view(
    get=extend_schema(
        operation_id="leads_tasks_list",
        summary="List a lead's tasks, open ones first",
        parameters=PAGE_PARAMETERS,
        responses={200: s.TaskListResponse, **errors(400, 404)},
        tags=TAGS,
    )
)
class LeadTasksView(LeadSubListView):
    key = "tasks"
    message = "Tasks retrieved successfully"
    item_serializer = s.TaskSerializer

    def rows(self, lead):
        return selectors.lead_tasks(lead=lead)

    @extend_schema(
        operation_id="leads_tasks_create",
        summary="Add a task to a lead",
        description="``assignedToId`` defaults to the caller.",
        request=s.TaskInput,
        responses={201: s.TaskResponse, **errors(400, 404)},
        tags=TAGS,
    )
    def post(self, request, org_id, lead_id):
        selectors.lead_in_org(org=self.org, lead_id=lead_id, scope=self.lead_scope)
        self.require(Action.WORK_LEADS)
        data = validated(s.TaskInput, request, self.org)
        data.setdefault("assigned_to", request.user)
        task = services.create_task(org=self.org, actor=request.user, lead_id=lead_id, **data)
        task = selectors.task_in_org(org=self.org, task_id=task.pk)
        return created(message="Task created successfully", task=s.TaskSerializer(task).data)


class TaskView(OrgScopedAPIView):
    @extend_schema(
        operation_id="tasks_update",
        summary="Change or complete a task",
        description="``done: true`` completes it (a TASK activity on the lead), ``false`` reopens it.",
        request=s.TaskUpdateInput,
        responses={200: s.TaskResponse, **errors(400, 404)},
        tags=TAGS,
    )
    def patch(self, request, org_id, task_id):
        selectors.task_in_org(org=self.org, task_id=task_id, scope=self.lead_scope)
        self.require(Action.WORK_LEADS)
        changes = validated(s.TaskUpdateInput, request, self.org)
        services.update_task(org=self.org, actor=request.user, task_id=task_id, changes=changes)
        task = selectors.task_in_org(org=self.org, task_id=task_id)
        return ok(message="Task updated successfully", task=s.TaskSerializer(task).data)

    @extend_schema(
        operation_id="tasks_destroy",
        summary="Delete a task",
        responses={200: s.MessageOnlyResponse, **errors(404)},
        tags=TAGS,
    )
    def delete(self, request, org_id, task_id):
        selectors.task_in_org(org=self.org, task_id=task_id, scope=self.lead_scope)
        self.require(Action.WORK_LEADS)
        services.delete_task(org=self.org, actor=request.user, task_id=task_id)
        return ok(message="Task deleted successfully")
