"""Admin of contacts, with their leads; changed through ``leads.services`` as in the API."""

from django.contrib import admin
from django.db.models import Q

from vchata.tenancy.admin import HistoryInline, OrgScopedAdmin, changed_values, count_of, show_saved
from vchata.tenancy.permissions import Action

from .. import selectors, services
from ..models import Contact, Lead
from ..services.contacts import CONTACT_FIELDS
from .common import ORG_FILTER, admin_link


class ContactLeadInline(HistoryInline):
    model = Lead
    fk_name = "contact"
    org_lookup = "organization"
    lead_prefix = ""  # a MEMBER under ASSIGNED visibility sees only their leads of the contact
    fields = ("lead_link", "pipeline", "stage", "status", "value", "created_at")
    readonly_fields = fields
    ordering = ("-created_at",)
    verbose_name_plural = "leads"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pipeline", "stage")

    @admin.display(description="lead")
    def lead_link(self, obj):
        return admin_link(obj)


@admin.register(Contact)
class ContactAdmin(OrgScopedAdmin):
    add_action = change_action = Action.WORK_LEADS
    delete_action = Action.MANAGE_LEADS
    list_display = ("name", "email", "phone", "company", "organization", "lead_count", "created_at")
    list_filter = (ORG_FILTER, "created_at")
    list_select_related = ("organization",)
    # Searched by get_search_results (selectors.contact_search); naming a field shows the search box
    # and lets the lead form's contact autocomplete use it.
    search_fields = ("=id",)
    search_help_text = "Name, email, phone, company or exact contact id"
    date_hierarchy = "created_at"
    autocomplete_fields = ("organization",)
    readonly_fields = ("id", "created_at", "updated_at")
    fields = ("id", "organization", "name", "email", "phone", "company", "created_at", "updated_at")
    inlines = [ContactLeadInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lead_total=count_of(Lead, "contact"))

    @admin.display(description="leads", ordering="lead_total")
    def lead_count(self, obj):
        return obj.lead_total

    def get_search_results(self, request, queryset, search_term):
        """The contact list's own search (``selectors.contact_search``, on the contacts' trigram indexes), or
        an exact contact id; not the default ``=id`` lookup, whose ``UPPER(id) =`` no index answers, so the
        whole search read every contact."""
        term = search_term.strip()
        if not term:
            return queryset, False
        # Ids are lowercase: as the default's case-insensitive ``=id``, through the primary key.
        return queryset.filter(Q(pk=term.lower()) | selectors.contact_search(term)), False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = changed_values(form, CONTACT_FIELDS)
            contact = services.update_contact(
                org=obj.organization, actor=request.user, contact_id=obj.pk, changes=changes
            )
        else:
            # The form has already refused an email another contact of the org has.
            contact, _ = services.find_or_create_contact(
                org=data["organization"], **{name: data.get(name) or "" for name in CONTACT_FIELDS}
            )
        show_saved(obj, contact)

    def delete_row(self, request, obj):
        services.delete_contact(org=obj.organization, actor=request.user, contact_id=obj.pk)
