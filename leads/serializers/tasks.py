"""Tasks: bodies, query strings and answers of the task routes."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from vchata.accounts.models import User
from vchata.inputs import DateTimeInput, OrgRefField, StrictInput
from vchata.schema import envelope, paged

from ..models import Task
from ..selectors import TASK_DUE_CHOICES
from .leads import org_members


class TaskLeadSerializer(serializers.Serializer):
    """The lead a task is on, as much as a task list shows of it."""

    id = serializers.CharField()
    contactId = serializers.CharField(source="contact_id")
    contactName = serializers.CharField(source="contact.name")


class TaskSerializer(serializers.Serializer):
    id = serializers.CharField()
    leadId = serializers.CharField(source="lead_id")
    lead = TaskLeadSerializer()
    title = serializers.CharField()
    type = serializers.ChoiceField(choices=Task.Type.choices)
    dueAt = serializers.DateTimeField(source="due_at")
    assignedToId = serializers.CharField(source="assigned_to_id", allow_null=True)
    done = serializers.BooleanField()
    completedAt = serializers.DateTimeField(source="completed_at", allow_null=True)
    createdById = serializers.CharField(source="created_by_id", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


def _assignee_field(**kwargs) -> OrgRefField:
    return OrgRefField(User, scope=org_members, source="assigned_to", required=False, allow_null=True, **kwargs)


class TaskInput(StrictInput):
    title = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=Task.Type.choices)
    dueAt = DateTimeInput(source="due_at")
    assignedToId = _assignee_field(help_text="A member of the organization; default: the caller; null: nobody.")


class TaskUpdateInput(StrictInput):
    """PATCH: only the keys present change. ``done: true`` completes the task (logged on the lead), false reopens it."""

    title = serializers.CharField(max_length=200, required=False)
    type = serializers.ChoiceField(choices=Task.Type.choices, required=False)
    dueAt = DateTimeInput(source="due_at", required=False)
    assignedToId = _assignee_field(help_text="A member of the organization; null: nobody.")
    done = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise ValidationError(["At least one field to change is required"])
        return attrs


class TaskQuery(serializers.Serializer):
    """The task list's query string (``page``/``limit`` are the paginator's)."""

    assignedToId = serializers.CharField(
        required=False, max_length=64, help_text="A member's id, or ``me`` for the caller's own tasks."
    )
    due = serializers.ChoiceField(
        choices=TASK_DUE_CHOICES,
        required=False,
        help_text=(
            "overdue: open and due before now; today: the rest of those due today (UTC day); "
            "upcoming: due after today (UTC)."
        ),
    )
    done = serializers.BooleanField(required=False, help_text="true: completed tasks only; false: open ones only.")

    def validate_assignedToId(self, value):
        if value == "me":
            return self.context["user"].pk
        if not org_members(self.context["org"]).filter(pk=value).exists():
            raise ValidationError("assignedToId does not match any member of this organization")
        return value


TaskResponse = envelope("TaskResponse", task=TaskSerializer())
TaskListResponse = paged("TaskListResponse", "tasks", TaskSerializer(many=True))
