"""Money in JSON: a number (never a string), whole amounts as integers (``"value": 1000``)."""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def json_amount(amount) -> int | float | None:
    if amount is None:
        return None
    amount = Decimal(amount)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


@extend_schema_field(OpenApiTypes.NUMBER)
class MoneyOutputField(serializers.DecimalField):
    """A read-only amount with two decimals at most, answered as a JSON number."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", None)
        kwargs.setdefault("decimal_places", 2)
        kwargs["coerce_to_string"] = False
        super().__init__(**kwargs)

    def to_representation(self, value):
        return json_amount(super().to_representation(value))
