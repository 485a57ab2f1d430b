"""The org's custom lead field definitions (a lead's values are checked by ``leads.custom_fields``)."""

from collections.abc import Mapping
from typing import Any

from django.db import connections, transaction
from django.db.models import F, Func, JSONField, TextField, Value
from django.db.models.functions import Cast

from vchata.accounts.models import Organization, User
from vchata.exceptions import Conflict, InvalidInput
from vchata.tenancy import get_in_org

from ..counting import bump_lead_counts
from ..models import CustomField, Lead
from .common import save_unique

CUSTOM_FIELD_EXISTS = "A custom field with this key already exists"


def check_options(field: CustomField) -> None:
    """A SELECT field lists its options; no other type has any (the admin's form asks this too)."""
    if field.type == CustomField.Type.SELECT and not field.options:
        raise InvalidInput(["options must list at least one value for a SELECT field"])
    if field.type != CustomField.Type.SELECT and field.options:
        raise InvalidInput(["options are only allowed on a SELECT field"])


@transaction.atomic
def create_custom_field(
    *,
    org: Organization,
    actor: User | None,
    key: str,
    label: str,
    type: str,
    options: list[str] | None = None,
    required: bool = False,
) -> CustomField:
    field = CustomField(
        organization=org, key=key, label=label, type=type, options=list(options or []), required=required
    )
    check_options(field)
    if CustomField.objects.for_org(org).filter(key=key).exists():
        raise Conflict(CUSTOM_FIELD_EXISTS)
    save_unique(field, CUSTOM_FIELD_EXISTS, force_insert=True)
    return field


@transaction.atomic
def update_custom_field(
    *, org: Organization, actor: User | None, field_id: str, changes: Mapping[str, Any]
) -> CustomField:
    """Change a field's ``label``, ``options`` or ``required``; its key and type stay.

    Leads keep the values they hold; the new rules apply on their next write.
    """
    field = get_in_org(CustomField, org, field_id, lock=True)
    for name in ("label", "options", "required"):
        if name in changes:
            setattr(field, name, changes[name])
    check_options(field)
    field.save()
    return field


@transaction.atomic
def delete_custom_field(*, org: Organization, actor: User | None, field_id: str) -> None:
    """Delete a definition and remove its key from every lead of the org that holds a value for it.

    Otherwise the next customFields write of such a lead would be refused for
    carrying a key that is no longer a custom field.
    """
    field = get_in_org(CustomField, org, field_id, lock=True)
    holders = Lead.objects.for_org(org).filter(custom_fields__has_key=field.key)
    if connections[holders.db].vendor == "postgresql":
        # One UPDATE in the database (jsonb "-" removes the key), however many leads hold it.
        without_key = Func(
            F("custom_fields"), Cast(Value(field.key), TextField()), arg_joiner=" - ", template="(%(expressions)s)"
        )
        without_key.output_field = JSONField()
        holders.update(custom_fields=without_key)
    else:
        # SQLite (`make run`'s database) has no jsonb "-": the demo's few leads are rewritten one by one.
        for lead in holders.only("pk", "custom_fields"):
            lead.custom_fields.pop(field.key, None)
            Lead.objects.filter(pk=lead.pk).update(custom_fields=lead.custom_fields)
    bump_lead_counts(org.pk)  # update() sends no save signal
    field.delete()
