"""Bulk actions of the lead changelist. Each goes through ``leads.services``, lead by lead.

A bulk change is all or nothing: if a service refuses one lead, every
lead of the batch is left as it was and the message names the one refused.
Bulk changes take ``Action.MANAGE_LEADS`` (``permissions=["bulk"]``, see
``OrgScopedAdmin.has_bulk_permission``); the export is a read of the leads the
user sees. The changelist only ever selects leads of orgs where the user
belongs, so a MANAGER of one org and MEMBER of another is checked per lead too.
"""

import csv
import re
from collections.abc import Callable, Iterable, Iterator

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from pipelines.models import LeadStatus, Stage
from vchata.accounts.models import User
from vchata.exceptions import DomainError
from vchata.tenancy.admin import error_message, may_in_admin
from vchata.tenancy.permissions import Action

from ..models import Lead, LostReason
from ..services import close_lead, move_lead_to_stage, update_lead

APPLY = "apply"
PREVIEW_LIMIT = 20


def _run_all(modeladmin, request, queryset, change: Callable[[Lead], Lead], done: str) -> None:
    leads = list(queryset.select_related("organization").order_by("pk"))
    refused = [lead for lead in leads if not may_in_admin(request, Action.MANAGE_LEADS, lead.organization_id)]
    if refused:
        modeladmin.message_user(
            request,
            f"Nothing changed. Your role in {refused[0].organization.name} doesn't allow bulk changes.",
            messages.ERROR,
        )
        return
    try:
        with transaction.atomic():
            for lead in leads:
                change(lead)
    except (DomainError, IntegrityError) as exc:
        modeladmin.message_user(
            request, f"Nothing changed. Lead {lead.pk} was refused: {error_message(exc)}", messages.ERROR
        )
        return
    modeladmin.message_user(request, done.format(count=len(leads), s="" if len(leads) == 1 else "s"))


def _set_status(modeladmin, request, queryset, status: str, verb: str, lost_reason=None) -> None:
    _run_all(
        modeladmin,
        request,
        queryset,
        lambda lead: close_lead(
            org=lead.organization, actor=request.user, lead_id=lead.pk, status=status, lost_reason=lost_reason
        ),
        f"Marked {{count}} lead{{s}} {verb}.",
    )


@admin.action(description="Mark converted", permissions=["bulk"])
def mark_converted(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, LeadStatus.CONVERTED, "converted")


class MarkLostForm(forms.Form):
    lost_reason = forms.ModelChoiceField(queryset=LostReason.objects.none(), label="Lost reason")

    def __init__(self, *args, org_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lost_reason"].queryset = LostReason.objects.filter(
            organization_id=org_id, is_active=True
        ).order_by("order", "name")


@admin.action(description="Mark lost…", permissions=["bulk"])
def mark_lost(modeladmin, request, queryset):
    """Asks for a lost reason when the leads' org keeps a list of them (the service requires one then)."""
    org_ids = set(queryset.order_by().values_list("organization_id", flat=True).distinct())
    orgs_with_reasons = set(
        LostReason.objects.filter(organization_id__in=org_ids, is_active=True)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    if not orgs_with_reasons:
        _set_status(modeladmin, request, queryset, LeadStatus.LOST, "lost")
        return None
    if len(org_ids) != 1:
        modeladmin.message_user(
            request,
            "Select leads of one organization to mark them lost: each organization has its own lost reasons "
            "(filter the list by organization).",
            messages.WARNING,
        )
        return None
    form = MarkLostForm(request.POST if APPLY in request.POST else None, org_id=orgs_with_reasons.pop())
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["lost_reason"]
        _set_status(modeladmin, request, queryset, LeadStatus.LOST, f"lost ({reason.name})", lost_reason=reason)
        return None
    return _intermediate_page(modeladmin, request, queryset, form, "mark_lost", "Mark leads lost")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="— nobody (unassign) —",
        help_text="Members of every organization the selected leads belong to.",
    )

    def __init__(self, *args, org_ids: Iterable[str], **kwargs):
        super().__init__(*args, **kwargs)
        org_ids = set(org_ids)
        self.fields["assignee"].queryset = (
            User.objects.filter(memberships__organization_id__in=org_ids)
            .annotate(orgs=Count("memberships__organization", distinct=True))
            .filter(orgs=len(org_ids))
            .order_by("email")
        )
        self.fields["assignee"].label_from_instance = lambda user: f"{user.name} <{user.email}>".strip()


@admin.action(description="Assign to…", permissions=["bulk"])
def assign_to(modeladmin, request, queryset):
    org_ids = queryset.order_by().values_list("organization_id", flat=True).distinct()
    form = AssignForm(request.POST if APPLY in request.POST else None, org_ids=org_ids)
    if form.is_bound and form.is_valid():
        user = form.cleaned_data["assignee"]
        _run_all(
            modeladmin,
            request,
            queryset,
            lambda lead: update_lead(
                org=lead.organization, actor=request.user, lead_id=lead.pk, changes={"assigned_to": user}
            ),
            f"Assigned {{count}} lead{{s}} to {user.email}." if user else "Unassigned {count} lead{s}.",
        )
        return None
    return _intermediate_page(modeladmin, request, queryset, form, "assign_to", "Assign leads")


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=Stage.objects.none())
    notes = forms.CharField(required=False, max_length=500, help_text="Written into each lead's history.")

    def __init__(self, *args, pipeline_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(pipeline_id=pipeline_id).order_by("order")


@admin.action(description="Move to stage…", permissions=["bulk"])
def move_to_stage(modeladmin, request, queryset):
    pipeline_ids = list(queryset.order_by().values_list("pipeline_id", flat=True).distinct()[:2])
    if len(pipeline_ids) != 1:
        modeladmin.message_user(
            request, "Select leads of one pipeline to move them (filter the list by pipeline).", messages.WARNING
        )
        return None
    form = MoveForm(request.POST if APPLY in request.POST else None, pipeline_id=pipeline_ids[0])
    if form.is_bound and form.is_valid():
        stage, notes = form.cleaned_data["stage"], form.cleaned_data["notes"]
        _run_all(
            modeladmin,
            request,
            queryset,
            lambda lead: move_lead_to_stage(
                org=lead.organization, actor=request.user, lead_id=lead.pk, stage_id=stage.pk, notes=notes
            ),
            f"Moved {{count}} lead{{s}} to {stage.name}.",
        )
        return None
    return _intermediate_page(modeladmin, request, queryset, form, "move_to_stage", "Move leads to a stage")


def _intermediate_page(modeladmin, request, queryset, form, action: str, title: str):
    select_across = request.POST.get("select_across") == "1"
    selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        "action": action,
        "apply": APPLY,
        "select_across": select_across,
        # Django handles an action POST only when some checkbox value is sent,
        # even when "select all N" applies it to the whole filtered list.
        "selected": selected,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "count": queryset.count(),
        "sample": queryset.select_related("contact", "stage")[:PREVIEW_LIMIT],
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/leads/lead/bulk_action.html", context)


EXPORT_COLUMNS = (
    ("id", lambda lead: lead.pk),
    ("organization", lambda lead: lead.organization.name),
    ("name", lambda lead: lead.contact.name),
    ("email", lambda lead: lead.contact.email),
    ("phone", lambda lead: lead.contact.phone),
    ("company", lambda lead: lead.contact.company),
    ("pipeline", lambda lead: lead.pipeline.name),
    ("stage", lambda lead: lead.stage.name),
    ("status", lambda lead: lead.status),
    ("value", lambda lead: lead.value),
    ("source", lambda lead: lead.source),
    ("assigned_to", lambda lead: lead.assigned_to.email if lead.assigned_to else ""),
    ("notes", lambda lead: lead.notes),
    ("utm_source", lambda lead: lead.utm_source),
    ("utm_medium", lambda lead: lead.utm_medium),
    ("utm_campaign", lambda lead: lead.utm_campaign),
    ("utm_term", lambda lead: lead.utm_term),
    ("utm_content", lambda lead: lead.utm_content),
    ("created_at", lambda lead: lead.created_at.isoformat()),
    ("converted_at", lambda lead: lead.converted_at.isoformat() if lead.converted_at else ""),
)


class _Echo:
    def write(self, value):
        return value


# A phone number or an amount may start with + or -; anything else starting
# with a formula character could run as a formula when opened in a spreadsheet.
_PLAIN_SIGNED = re.compile(r"[+-][\d\s().-]*")


def _neutralise(value) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not _PLAIN_SIGNED.fullmatch(text)):
        return "'" + text
    return text


def _csv_lines(leads) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _ in EXPORT_COLUMNS])
    for lead in leads:
        yield writer.writerow([_neutralise(get(lead)) for _, get in EXPORT_COLUMNS])


@admin.action(description="Export selected to CSV", permissions=["view"])
def export_csv(modeladmin, request, queryset):
    leads = (
        queryset.select_related("organization", "contact", "pipeline", "stage", "assigned_to")
        .order_by("-created_at", "-id")
        .iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(_csv_lines(leads), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
    return response
