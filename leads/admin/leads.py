"""Admin of leads and their history.

Lead state (stage, status, assignee, …) changes only through
``leads.services``, here as in the API: the change form, the delete and the
bulk actions call the services, so every change is in the lead's history and
fires automation.
"""

import re

from django import forms
from django.contrib import admin
from django.core.validators import MaxValueValidator
from django.db.models import Q
from django.urls import path

from pipelines.models import LeadStatus, Pipeline, Stage
from vchata.exceptions import DomainError
from vchata.tenancy.admin import HistoryInline, OrgConsistentForm, OrgScopedAdmin, managed_org_ids
from vchata.tenancy.permissions import Action

from .. import search, services
from ..custom_fields import validate_custom_fields
from ..forms import CUSTOM_PREFIX, CustomFieldsMixin, custom_form_field, to_initial
from ..models import Activity, CustomField, Lead, LostReason, StageVisit
from . import actions as admin_actions
from .common import ORG_FILTER, PipelineListFilter, StageListFilter, admin_link, stage_label
from .importing import import_view


class ActivityInline(HistoryInline):
    model = Activity
    fields = ("created_at", "type", "description", "actor")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    verbose_name_plural = f"recent activities (newest {HistoryInline.cap})"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class StageVisitInline(HistoryInline):
    model = StageVisit
    fields = ("stage", "entered_at", "left_at")
    readonly_fields = fields
    ordering = ("-entered_at", "-id")
    verbose_name_plural = f"stage history (newest {HistoryInline.cap})"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stage")


PHONE_CHARACTERS = re.compile(r"\+?[\d\s().-]+")


def _looks_like_a_phone(term: str) -> bool:
    """Digits and phone punctuation, three digits at least ("555-01", "+44 20"): the contact's phone."""
    return bool(PHONE_CHARACTERS.fullmatch(term)) and sum(c.isdigit() for c in term) >= 3


def _starts_lost(data) -> bool:
    stage = data.get("stage")
    return data.get("status") == LeadStatus.LOST or (stage is not None and stage.status == LeadStatus.LOST)


class LeadAdminForm(OrgConsistentForm):
    """Stage within the lead's pipeline, assignee a member, custom fields valid — checked before any save."""

    class Meta:
        model = Lead
        fields = (
            "organization",
            "contact",
            "pipeline",
            "stage",
            "status",
            "lost_reason",
            "assigned_to",
            "title",
            "value",
            "expected_close_date",
            "probability",
            "source",
            "campaign",
            "notes",
            "custom_fields",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_term",
            "utm_content",
            "social_account",
            "content_post",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "probability" in self.fields:
            # The table's check says 0–100; say it on the field, not as a constraint name.
            self.fields["probability"].validators.append(MaxValueValidator(100))
            self.fields["probability"].widget.attrs["max"] = 100
        if self.instance.pk:
            # An org has a handful of pipelines and stages: plain selects of
            # this org's only, the stages labelled with their pipeline.
            org_id = self.instance.organization_id
            self.fields["pipeline"].widget = forms.Select()
            self.fields["pipeline"].queryset = Pipeline.objects.filter(organization_id=org_id)
            self.fields["stage"].widget = forms.Select()
            self.fields["stage"].queryset = (
                Stage.objects.filter(organization_id=org_id)
                .select_related("pipeline")
                .order_by("pipeline__name", "order")
            )
            self.fields["stage"].label_from_instance = stage_label
            self.fields["lost_reason"].widget = forms.Select()
            self.fields["lost_reason"].queryset = LostReason.objects.filter(
                Q(is_active=True) | Q(pk=self.instance.lost_reason_id), organization_id=org_id
            ).order_by("order", "name")
        else:
            self.fields["stage"].required = False
            self.fields["stage"].help_text = "Empty: the pipeline's first stage."

    def clean(self):
        cleaned = super().clean()
        org = cleaned.get("organization") or getattr(self.instance, "organization", None)
        pipeline, stage = cleaned.get("pipeline"), cleaned.get("stage")
        if pipeline is not None and stage is not None and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", f"Choose a stage of the {pipeline.name} pipeline.")
        self._check_lost_reason(cleaned, org)
        if org is None:
            return cleaned
        assignee = cleaned.get("assigned_to")
        if assignee is not None and not org.memberships.filter(user=assignee).exists():
            self.add_error("assigned_to", f"{assignee.email} is not a member of {org.name}.")
        if "custom_fields" in cleaned and cleaned["custom_fields"] is not None:
            try:
                cleaned["custom_fields"] = validate_custom_fields(org, cleaned["custom_fields"])
            except DomainError as exc:
                target = "custom_fields" if "custom_fields" in self.fields else None
                for message in exc.message if isinstance(exc.message, list) else [exc.message]:
                    self.add_error(target, message)
        return cleaned

    def _check_lost_reason(self, cleaned, org) -> None:
        """A reason belongs to a lost lead only (leaving LOST drops it, as the services do); marking a lead
        LOST takes one once the org keeps a list of them."""
        if "lost_reason" not in cleaned:
            return
        if not _starts_lost(cleaned):
            cleaned["lost_reason"] = None
            return
        becomes_lost = self.instance.pk is None or self.instance.status != LeadStatus.LOST
        if becomes_lost and cleaned["lost_reason"] is None and org is not None and services.org_has_lost_reasons(org):
            self.add_error("lost_reason", "Pick why this lead was lost.")


class LeadCustomFieldsForm(CustomFieldsMixin, LeadAdminForm):
    """The change form with one input per custom field of the lead's org, by type, instead of a raw JSON box.

    ``LeadAdmin.get_form`` declares the inputs (``cf_<key>``) for the org; the
    values are put back together as ``custom_fields`` and checked by
    ``leads.custom_fields`` like every other write. Values of keys the form
    doesn't show are kept.
    """

    custom_definitions: list[CustomField] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.custom_fields or {}
        for definition in self.custom_definitions:
            if definition.key in current:
                self.initial[CUSTOM_PREFIX + definition.key] = to_initial(definition, current[definition.key])

    def clean(self):
        shown = self.custom_values()
        kept = {key: value for key, value in (self.instance.custom_fields or {}).items() if key not in shown}
        self.cleaned_data["custom_fields"] = {**kept, **{k: v for k, v in shown.items() if v is not None}}
        return super().clean()


def lead_heading(lead: Lead) -> str:
    """How a person names a lead: its deal title and contact ("Website redesign · Ann Lee"), else the contact."""
    return f"{lead.title} · {lead.contact.name}" if lead.title else lead.contact.name


# Fields a form save hands to update_lead as they are.
UPDATABLE = (
    "contact",
    "status",
    "lost_reason",
    "assigned_to",
    "title",
    "value",
    "expected_close_date",
    "probability",
    "source",
    "campaign",
    "notes",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
)
NULLABLE_TEXT = ("title", "source", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


@admin.register(Lead)
class LeadAdmin(OrgScopedAdmin):
    # Working leads is every member's job; deleting them, bulk actions and imports are MANAGER and up.
    lead_prefix = ""
    add_action = change_action = Action.WORK_LEADS
    delete_action = Action.MANAGE_LEADS
    form = LeadAdminForm
    change_list_template = "admin/leads/lead/change_list.html"
    list_display = (
        "contact_name",
        "contact_email",
        "contact_company",
        "pipeline",
        "stage_name",
        "status",
        "value",
        "assigned_to",
        "organization",
        "created",
    )
    list_display_links = ("contact_name",)
    list_filter = (
        "status",
        ("pipeline", PipelineListFilter),
        ("stage", StageListFilter),
        "source",
        ("assigned_to", admin.RelatedOnlyFieldListFilter),
        ("campaign", admin.RelatedOnlyFieldListFilter),
        ORG_FILTER,
        "created_at",
    )
    list_select_related = ("contact", "pipeline", "stage", "assigned_to", "organization")
    list_per_page = 50
    # No COUNT(*) over every lead of the org on each filtered page.
    show_full_result_count = False
    # Searched by get_search_results (leads.search); naming a field shows the search box.
    search_fields = ("=id",)
    search_help_text = "Contact name, email, phone or company, notes, or an exact lead id"
    date_hierarchy = "created_at"
    autocomplete_fields = (
        "organization",
        "contact",
        "pipeline",
        "stage",
        "assigned_to",
        "campaign",
        "lost_reason",
        "social_account",
        "content_post",
    )
    readonly_fields = (
        "id",
        "conversation_link",
        "converted_at",
        "last_activity_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            None,
            {"fields": ("id", "organization", "contact", "pipeline", "stage", "status", "lost_reason", "assigned_to")},
        ),
        (
            "Deal",
            {
                "fields": (
                    "title",
                    "value",
                    "expected_close_date",
                    "probability",
                    "source",
                    "campaign",
                    "notes",
                    "custom_fields",
                )
            },
        ),
        (
            "Attribution",
            {
                "classes": ("collapse",),
                "fields": (
                    "utm_source",
                    "utm_medium",
                    "utm_campaign",
                    "utm_term",
                    "utm_content",
                    "social_account",
                    "content_post",
                    "conversation_link",
                ),
            },
        ),
        ("Dates", {"fields": ("created_at", "updated_at", "last_activity_at", "converted_at")}),
    )
    inlines = [ActivityInline, StageVisitInline]
    actions = [
        admin_actions.mark_converted,
        admin_actions.mark_lost,
        admin_actions.assign_to,
        admin_actions.move_to_stage,
        admin_actions.export_csv,
    ]

    @admin.display(description="contact", ordering="contact__name")
    def contact_name(self, obj):
        return obj.contact.name

    @admin.display(description="email", ordering="contact__email")
    def contact_email(self, obj):
        return obj.contact.email

    @admin.display(description="company", ordering="contact__company")
    def contact_company(self, obj):
        return obj.contact.company

    @admin.display(description="stage", ordering="stage__order")
    def stage_name(self, obj):
        return obj.stage.name

    @admin.display(description="created", ordering="created_at")
    def created(self, obj):
        return obj.created_at.strftime("%Y-%m-%d")

    def get_search_results(self, request, queryset, search_term):
        """The lead list's own search (leads.search, the trigram index at a million leads), not joined
        ``icontains`` scans; a phone number searches the contact's phone, a lead id finds that lead."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.startswith("lead_"):
            return queryset.filter(pk=term), False
        if _looks_like_a_phone(term):
            return queryset.filter(contact__phone__contains=term), False
        return search.matching_leads(queryset, term), False

    def get_list_display(self, request):
        if not request.user.is_superuser and len(managed_org_ids(request)) == 1:
            # One org: the column would say the same thing on every row.
            return tuple(name for name in self.list_display if name != "organization")
        return self.list_display

    @admin.display(description="conversation")
    def conversation_link(self, obj):
        return admin_link(obj.conversation) if obj.conversation_id else "—"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # Set when the lead is made (by a conversion or an integration); not services' to change.
        return (*self.readonly_fields, "social_account", "content_post")

    def _custom_definitions(self, obj) -> list[CustomField]:
        return list(CustomField.objects.for_org(obj.organization).order_by("label", "key")) if obj else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        names = tuple(CUSTOM_PREFIX + d.key for d in self._custom_definitions(obj))
        fieldsets = [
            (title, {**options, "fields": tuple(f for f in options["fields"] if f != "custom_fields")})
            for title, options in self.fieldsets
        ]
        return [*fieldsets[:2], ("Custom fields", {"fields": names}), *fieldsets[2:]] if names else fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            definitions = self._custom_definitions(obj)
            inputs = {CUSTOM_PREFIX + d.key: custom_form_field(d) for d in definitions}
            kwargs["form"] = type(
                "LeadCustomFieldsForm", (LeadCustomFieldsForm,), {**inputs, "custom_definitions": definitions}
            )
        return super().get_form(request, obj, change=change, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["subtitle"] = lead_heading(obj)  # the page's heading, <title> and breadcrumb
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_import_permission": self.has_bulk_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: import_view(self, request))
        return [path("import/", view, name="leads_lead_import"), *super().get_urls()]

    # --- writes go through leads.services ---------------------------------------

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            lead = services.create_lead(
                org=data["organization"],
                actor=request.user,
                contact=data["contact"],
                pipeline=data["pipeline"],
                stage=data.get("stage"),
                assigned_to=data.get("assigned_to"),
                value=data.get("value"),
                source=data.get("source") or None,
                campaign=data.get("campaign"),
                notes=data.get("notes") or "",
                custom_fields=data.get("custom_fields") or {},
                title=data.get("title") or None,
                expected_close_date=data.get("expected_close_date"),
                probability=data.get("probability"),
                lost_reason=data.get("lost_reason") if _starts_lost(data) else None,
                social_account=data.get("social_account"),
                content_post=data.get("content_post"),
                **{name: data.get(name) or None for name in NULLABLE_TEXT if name.startswith("utm_")},
            )
            if data.get("status") and data["status"] != lead.status:
                # A status chosen on the form wins over the one its stage sets.
                services.update_lead(
                    org=lead.organization,
                    actor=request.user,
                    lead_id=lead.pk,
                    changes={"status": data["status"], "lost_reason": data.get("lost_reason")},
                )
            obj.pk = lead.pk
            obj._state.adding = False
            obj.refresh_from_db()
            return
        changed = set(form.changed_data)
        org, actor = obj.organization, request.user
        if changed & {"pipeline", "stage"}:
            into_lost = data["stage"].status == LeadStatus.LOST
            services.move_lead_to_stage(
                org=org,
                actor=actor,
                lead_id=obj.pk,
                stage_id=data["stage"].pk,
                across_pipelines=True,
                lost_reason=data.get("lost_reason") if into_lost else None,
            )
        changes = {name: data[name] for name in UPDATABLE if name in changed}
        if "status" in changes and changes["status"] == LeadStatus.LOST:
            changes["lost_reason"] = data.get("lost_reason")
        for name in NULLABLE_TEXT:
            if name in changes:
                changes[name] = changes[name] or None
        before = obj.custom_fields or {}  # the form has no raw field: the instance keeps the stored values
        if data.get("custom_fields") is not None and data["custom_fields"] != before:
            after = data["custom_fields"]
            # update_lead merges; a key removed in the form is removed with None.
            changes["custom_fields"] = {**dict.fromkeys(before), **after}
        if changes:
            services.update_lead(org=org, actor=actor, lead_id=obj.pk, changes=changes)
        obj.refresh_from_db()

    def delete_row(self, request, obj):
        services.delete_lead(org=obj.organization, actor=request.user, lead_id=obj.pk)


@admin.register(Activity)
class ActivityAdmin(OrgScopedAdmin):
    """A lead's history: written by leads.services only, so read-only here."""

    read_only = True
    lead_prefix = "lead__"
    list_display = ("created_at", "type", "lead_link", "description", "actor", "organization")
    list_filter = ("type", ("actor", admin.RelatedOnlyFieldListFilter), ORG_FILTER, "created_at")
    list_select_related = ("lead__contact", "actor", "organization")
    search_fields = ("description", "=lead__id", "lead__contact__name", "lead__contact__email", "=id")
    search_help_text = "Description, contact name or email, or exact lead/activity id"
    date_hierarchy = "created_at"
    raw_id_fields = ("lead", "actor")

    @admin.display(description="lead", ordering="lead__contact__name")
    def lead_link(self, obj):
        return admin_link(obj.lead, obj.lead.contact.name)


@admin.register(StageVisit)
class StageVisitAdmin(OrgScopedAdmin):
    """Stage history: written by leads.services only, so read-only here."""

    read_only = True
    lead_prefix = "lead__"
    list_display = ("lead_link", "stage_name", "entered_at", "left_at", "organization")
    list_filter = (("stage", StageListFilter), ORG_FILTER, "entered_at")
    list_select_related = ("lead__contact", "stage__pipeline", "organization")
    search_fields = ("=lead__id", "lead__contact__name", "lead__contact__email")
    search_help_text = "Contact name or email, or exact lead id"
    date_hierarchy = "entered_at"
    raw_id_fields = ("lead", "stage")

    @admin.display(description="lead", ordering="lead__contact__name")
    def lead_link(self, obj):
        return admin_link(obj.lead, obj.lead.contact.name)

    @admin.display(description="stage", ordering="stage__order")
    def stage_name(self, obj):
        return stage_label(obj.stage)
