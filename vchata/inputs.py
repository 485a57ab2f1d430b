"""The input kit: request bodies checked by input serializers built from these parts.

- ``validated()``: the data, or a 400 listing each problem;
- ``StrictInput``: the base of every body, refusing keys it doesn't declare;
- ``OrgRefField``: an id of a row of the request's organization (the row itself once valid);
- ``OptionalTextField``, ``DateTimeInput``, ``JSONObjectField``: the shapes bodies share;
- ``NullIfBlankField``: output of an optional text stored as "" (answered as null).
Money is ``vchata.money.MoneyField``.
"""

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from django.db.models import Model, QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.settings import api_settings

from vchata.accounts.models import Organization

# Longest free text accepted anywhere a person types a paragraph.
MAX_NOTES = 5000
# Largest ``metadata`` / ``customFields`` object, as encoded JSON.
MAX_JSON_CHARS = 10_000
MAX_MESSAGES_PER_REQUEST = 500


def validated(serializer_class: type[serializers.Serializer], data, **context) -> dict:
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class StrictInput(serializers.Serializer):
    """A request body (or nested object) that refuses keys it does not declare.

    A misspelt key (``stageID``) or a field this route does not take
    (``contactId`` on PATCH) is a 400 naming it, never silently ignored.
    """

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            if self.parent is None:
                raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: ["The request body must be a JSON object"]})
            return super().to_internal_value(data)  # "<field> must be an object"
        writable = {name for name, field in self.fields.items() if not field.read_only}
        unknown = {
            key: [ErrorDetail("This field is not allowed.", code="unknown_field")]
            for key in data
            if key not in writable
        }
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            raise ValidationError({**unknown, **exc.detail}) from exc
        if unknown:
            raise ValidationError(unknown)
        return value


class OrgRefField(serializers.CharField):
    """The id of a row of the request's organization; the validated value is the row itself.

    An unknown id and another organization's id get the same 400 naming the
    field, so ids of other tenants cannot be probed or linked.
    """

    def __init__(
        self,
        model: type[Model],
        *,
        scope: Callable[[Organization], QuerySet] | None = None,
        fetch: Callable[[str, str], Model | None] | None = None,
        **kwargs,
    ):
        """``scope``: the org's rows to look in (default: all of them); ``fetch``: instead, a function of
        the org's id and the row's giving the row or None (a hand-written read)."""
        self.model = model
        self.scope = scope
        self.fetch = fetch
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        pk = super().run_validation(data)  # the id as a checked string (length, type)
        if pk is None:
            return None
        org = self.context["org"]
        if self.fetch is not None:
            obj = self.fetch(org.pk, pk)
        else:
            queryset = self.scope(org) if self.scope else self.model.objects.for_org(org)
            obj = queryset.filter(pk=pk).first()
        if obj is None:
            raise ValidationError(
                f"{self.field_name} does not match any {self.model._meta.verbose_name} in this organization"
            )
        return obj


class OptionalTextField(serializers.CharField):
    """Optional free text where ``""`` and ``null`` both mean "not set" (stored as NULL)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(allow_blank=True, allow_null=True, **kwargs)

    def run_validation(self, data=serializers.empty):
        return super().run_validation(data) or None


class NullIfBlankField(serializers.CharField):
    """Output of an optional text column stored as ``""``: answered as ``null``."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class DateTimeInput(serializers.DateTimeField):
    """An ISO 8601 date-time from 1900 on.

    Earlier years are typos (``0383-07-07…``) and could not even be answered in
    the contract's ``YYYY-MM-DDTHH:MM:SSZ`` form: strftime writes year 383 as
    ``383`` (found by the schema fuzzer).
    """

    EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if parsed < self.EARLIEST:
            raise ValidationError(f"{self.field_name} must be on or after 1900-01-01T00:00:00Z")
        return parsed


class JSONObjectField(serializers.DictField):
    """A JSON object of any values, bounded in size."""

    def __init__(self, *, max_chars: int = MAX_JSON_CHARS, **kwargs):
        self.max_chars = max_chars
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if len(json.dumps(value, default=str)) > self.max_chars:
            raise ValidationError(f"{self.field_name} must be at most {self.max_chars} characters long as JSON")
        return value
