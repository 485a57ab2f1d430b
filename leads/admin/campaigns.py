"""Admin of marketing campaigns, changed through ``leads.services`` as in the API."""

from django.contrib import admin

from vchata.tenancy.admin import OrgScopedAdmin, changed_values, count_of, show_saved

from .. import services
from ..models import Campaign, Lead
from ..services.campaigns import CAMPAIGN_FIELDS
from .common import ORG_FILTER


@admin.register(Campaign)
class CampaignAdmin(OrgScopedAdmin):
    list_display = ("name", "utm_campaign", "budget", "starts_at", "ends_at", "lead_count", "organization")
    list_filter = (ORG_FILTER, "starts_at", "created_at")
    list_select_related = ("organization",)
    search_fields = ("name", "utm_campaign", "=id")
    search_help_text = "Name, utm_campaign key or exact campaign id"
    date_hierarchy = "created_at"
    autocomplete_fields = ("organization",)
    readonly_fields = ("id", "created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lead_total=count_of(Lead, "campaign"))

    @admin.display(description="leads", ordering="lead_total")
    def lead_count(self, obj):
        return obj.lead_total

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = changed_values(form, CAMPAIGN_FIELDS)
            campaign = services.update_campaign(
                org=obj.organization, actor=request.user, campaign_id=obj.pk, changes=changes
            )
        else:
            fields = {name: data.get(name) for name in CAMPAIGN_FIELDS}
            campaign = services.create_campaign(org=data["organization"], actor=request.user, **fields)
        show_saved(obj, campaign)

    def delete_row(self, request, obj):
        services.delete_campaign(org=obj.organization, actor=request.user, campaign_id=obj.pk)
