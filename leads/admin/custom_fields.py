"""Admin of custom lead field definitions, changed through ``leads.services`` as in the API."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from vchata.exceptions import DomainError
from vchata.tenancy.admin import OrgConsistentForm, OrgScopedAdmin, changed_values, error_message, show_saved

from .. import services
from ..models import CustomField
from ..services.custom_fields import check_options
from .common import ORG_FILTER

# What update_custom_field may change; a field's key and type stay (leads hold values of that type).
EDITABLE = ("label", "options", "required")


class CustomFieldForm(OrgConsistentForm):
    class Meta:
        model = CustomField
        fields = ("organization", "key", "label", "type", "options", "required")

    def clean(self):
        cleaned = super().clean()
        field = CustomField(
            type=cleaned.get("type") or self.instance.type, options=cleaned.get("options") or [], key=""
        )
        try:
            check_options(field)  # the service's rule, shown on the form before anything is saved
        except DomainError as exc:
            self.add_error("options", ValidationError(error_message(exc)))
        return cleaned


@admin.register(CustomField)
class CustomFieldAdmin(OrgScopedAdmin):
    form = CustomFieldForm
    list_display = ("label", "key", "type", "required", "organization")
    list_filter = ("type", "required", ORG_FILTER, "created_at")
    list_select_related = ("organization",)
    search_fields = ("label", "key", "=id")
    search_help_text = "Label, key or exact field id"
    date_hierarchy = "created_at"
    autocomplete_fields = ("organization",)
    readonly_fields = ("id", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "key", "type") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = changed_values(form, EDITABLE)
            field = services.update_custom_field(
                org=obj.organization, actor=request.user, field_id=obj.pk, changes=changes
            )
        else:
            field = services.create_custom_field(
                org=data["organization"],
                actor=request.user,
                key=data["key"],
                label=data["label"],
                type=data["type"],
                options=data.get("options") or [],
                required=data.get("required", False),
            )
        show_saved(obj, field)

    def delete_row(self, request, obj):
        # Also removes the key from every lead holding a value for it (one UPDATE).
        services.delete_custom_field(org=obj.organization, actor=request.user, field_id=obj.pk)
