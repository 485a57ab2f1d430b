"""Contacts: the contact routes' query string, bodies and answers."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from pipelines.models import LeadStatus
from vchata.inputs import StrictInput
from vchata.money import MoneyField
from vchata.schema import envelope, paged

from .leads import ContactSerializer, PipelineRefSerializer, StageRefSerializer

MAX_SEARCH = 200


class ContactListItemSerializer(ContactSerializer):
    updatedAt = serializers.DateTimeField(source="updated_at")
    leadCount = serializers.IntegerField(
        source="lead_count", help_text="How many of the contact's leads the caller sees."
    )


class ContactLeadSerializer(serializers.Serializer):
    """A lead of the contact, as much as a contact page lists of it."""

    id = serializers.CharField()
    title = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=LeadStatus.choices)
    value = MoneyField(allow_null=True)
    pipeline = PipelineRefSerializer()
    stage = StageRefSerializer()
    assignedToId = serializers.CharField(source="assigned_to_id", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")


class ContactDetailSerializer(ContactListItemSerializer):
    leads = ContactLeadSerializer(many=True, source="visible_leads", help_text="Newest first.")


class ContactQuery(serializers.Serializer):
    """The contact list's query string (``page``/``limit`` are the paginator's)."""

    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_SEARCH,
        trim_whitespace=True,
        help_text="Text in the name, email or company (or the phone, when it has a digit), any case.",
    )


class ContactUpdateInput(StrictInput):
    """PATCH: only the keys present change; ``null`` or "" clears ``email``, ``phone`` or ``company``."""

    name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(
        max_length=254,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Unique in the organization whatever its case (leads created with a contact reuse it by email).",
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True)

    def validate(self, attrs):
        if not attrs:
            raise ValidationError(["At least one field to change is required"])
        return attrs


ContactListResponse = paged("ContactListResponse", "contacts", ContactListItemSerializer(many=True))
ContactResponse = envelope("ContactResponse", contact=ContactDetailSerializer())
