"""Admin of custom lead field definitions."""

from django.contrib import admin

from vchata.tenancy.admin import OrgScopedAdmin

from ..models import CustomField
from .common import ORG_FILTER


@admin.register(CustomField)
class CustomFieldAdmin(OrgScopedAdmin):
    list_display = ("label", "key", "type", "required", "organization")
    list_filter = ("type", "required", ORG_FILTER, "created_at")
    list_select_related = ("organization",)
    search_fields = ("label", "key", "=id")
    search_help_text = "Label, key or exact field id"
    date_hierarchy = "created_at"
    autocomplete_fields = ("organization",)
    readonly_fields = ("id", "created_at", "updated_at")
