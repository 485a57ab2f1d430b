"""Admin of the sales work around leads: tasks and lost reasons, written through ``leads.services`` as in the API.

Tasks follow their lead's visibility (a MEMBER under ASSIGNED visibility sees
the tasks of the leads they see) and are every member's work, as in the API;
lost reasons are configuration (OWNER and ADMIN change them).
"""

from django.contrib import admin
from django.db import transaction

from vchata.tenancy.admin import OrgConsistentForm, OrgScopedAdmin, changed_values, count_of, show_saved
from vchata.tenancy.permissions import Action

from .. import services
from ..models import LostReason, Task
from ..services.lost_reasons import LOST_REASON_FIELDS
from ..services.tasks import TASK_FIELDS
from .common import ORG_FILTER, admin_link


class TaskForm(OrgConsistentForm):
    """A task is open or done; "done" ticks and unticks it through ``update_task`` (completing logs a TASK entry)."""

    class Meta:
        model = Task
        fields = ("lead", "title", "type", "due_at", "assigned_to")

    def _org_id(self, cleaned):
        lead = cleaned.get("lead")
        return lead.organization_id if lead is not None else getattr(self.instance, "organization_id", None)


@admin.register(Task)
class TaskAdmin(OrgScopedAdmin):
    form = TaskForm
    lead_prefix = "lead__"
    add_action = change_action = delete_action = Action.WORK_LEADS
    list_display = ("title", "type", "due_at", "done", "lead_link", "assigned_to", "organization")
    list_filter = ("type", ("completed_at", admin.EmptyFieldListFilter), ORG_FILTER, "due_at")
    list_select_related = ("lead__contact", "assigned_to", "organization")
    search_fields = ("title", "=lead__id", "lead__contact__name", "=id")
    search_help_text = "Title, contact name, or exact lead/task id"
    date_hierarchy = "due_at"
    autocomplete_fields = ("lead", "assigned_to")
    readonly_fields = ("id", "completed_at", "created_by", "created_at", "updated_at")
    actions = ["mark_done"]

    @admin.display(description="done", boolean=True, ordering="completed_at")
    def done(self, obj):
        return obj.completed_at is not None

    @admin.display(description="lead", ordering="lead__contact__name")
    def lead_link(self, obj):
        return admin_link(obj.lead, obj.lead.contact.name)

    def get_readonly_fields(self, request, obj=None):
        # A task stays on its lead; make a new one for another lead.
        return (*self.readonly_fields, "lead") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = changed_values(form, (*TASK_FIELDS, "assigned_to"))
            task = services.update_task(org=obj.organization, actor=request.user, task_id=obj.pk, changes=changes)
        else:
            lead = data["lead"]
            task = services.create_task(
                org=lead.organization,
                actor=request.user,
                lead_id=lead.pk,
                assigned_to=data.get("assigned_to"),
                **{name: data[name] for name in TASK_FIELDS},
            )
        show_saved(obj, task)

    def delete_row(self, request, obj):
        services.delete_task(org=obj.organization, actor=request.user, task_id=obj.pk)

    @admin.action(description="Mark done", permissions=["change"])
    def mark_done(self, request, queryset):
        tasks = list(queryset.select_related("organization").filter(completed_at__isnull=True))
        refused = [task for task in tasks if not self.has_change_permission(request, task)]
        if refused:
            self.message_user(request, "Nothing changed: your role doesn't allow changing some of these tasks.")
            return
        with transaction.atomic():
            for task in tasks:
                services.update_task(org=task.organization, actor=request.user, task_id=task.pk, changes={"done": True})
        self.message_user(request, f"Marked {len(tasks)} task{'' if len(tasks) == 1 else 's'} done.")


@admin.register(LostReason)
class LostReasonAdmin(OrgScopedAdmin):
    list_display = ("name", "is_active", "order", "lead_count", "organization")
    list_filter = ("is_active", ORG_FILTER)
    list_select_related = ("organization",)
    search_fields = ("name", "=id")
    search_help_text = "Name or exact reason id"
    autocomplete_fields = ("organization",)
    readonly_fields = ("id", "created_at", "updated_at")
    fields = ("id", "organization", "name", "is_active", "order", "created_at", "updated_at")
    ordering = ("organization__name", "order", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lead_total=count_of("leads.Lead", "lost_reason"))

    @admin.display(description="leads", ordering="lead_total")
    def lead_count(self, obj):
        return obj.lead_total

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = changed_values(form, LOST_REASON_FIELDS)
            reason = services.update_lost_reason(
                org=obj.organization, actor=request.user, reason_id=obj.pk, changes=changes
            )
        else:
            reason = services.create_lost_reason(
                org=data["organization"], actor=request.user, **{name: data[name] for name in LOST_REASON_FIELDS}
            )
        show_saved(obj, reason)

    def delete_row(self, request, obj):
        # A reason some leads carry is refused (409 in the API): retire it with "is active" instead.
        services.delete_lost_reason(org=obj.organization, actor=request.user, reason_id=obj.pk)
