"""Custom lead field definitions: bodies and answers."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from vchata.inputs import StrictInput
from vchata.schema import envelope, paged

from ..models import CustomField


class CustomFieldSerializer(serializers.Serializer):
    id = serializers.CharField()
    key = serializers.CharField()
    label = serializers.CharField()
    type = serializers.ChoiceField(choices=CustomField.Type.choices)
    options = serializers.ListField(child=serializers.CharField())
    required = serializers.BooleanField()
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


CUSTOM_FIELD_KEY = r"^[a-z][a-z0-9_]*$"


class _OptionsField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.CharField(max_length=120), max_length=100, required=False, allow_empty=True, **kwargs
        )


class CustomFieldInput(StrictInput):
    key = serializers.RegexField(
        CUSTOM_FIELD_KEY,
        max_length=60,
        error_messages={"invalid": "key must be snake_case: a lowercase letter, then lowercase letters, digits or _"},
    )
    label = serializers.CharField(max_length=120)
    type = serializers.ChoiceField(choices=CustomField.Type.choices)
    options = _OptionsField(help_text="The allowed values of a SELECT field.")
    required = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        options = attrs.get("options") or []
        if attrs["type"] == CustomField.Type.SELECT and not options:
            raise ValidationError({"options": ["options must list at least one value for a SELECT field"]})
        if attrs["type"] != CustomField.Type.SELECT and options:
            raise ValidationError({"options": ["options are only allowed on a SELECT field"]})
        attrs["options"] = options
        return attrs


class CustomFieldUpdateInput(StrictInput):
    """A field's key and type are fixed once leads may hold values for it."""

    label = serializers.CharField(max_length=120, required=False)
    options = _OptionsField()
    required = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise ValidationError(["At least one field to change is required"])
        return attrs


CustomFieldResponse = envelope("CustomFieldResponse", customField=CustomFieldSerializer())
CustomFieldListResponse = paged("CustomFieldListResponse", "customFields", CustomFieldSerializer(many=True))
