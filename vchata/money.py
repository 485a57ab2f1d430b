"""Money in JSON: a number (never a string), whole amounts as integers (``"value": 1000``).

``MoneyField`` takes an amount in a request body; ``MoneyOutputField`` answers a computed one.
"""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_VALUE = Decimal("9999999999.99")  # what DecimalField(max_digits=12, decimal_places=2) holds


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


@extend_schema_field(OpenApiTypes.NUMBER)
class MoneyField(serializers.DecimalField):
    """A non-negative amount with two decimals, sent and answered as a JSON number.

    Strings are refused on input (``"1000"`` is a wrong type); whole amounts
    are answered as integers, as in the documentation (``"value": 1000``).
    """

    default_error_messages = {
        # Reuse the "less than or equal" wording for amounts that don't fit the column.
        "max_whole_digits": f"Ensure this value is less than or equal to {MAX_VALUE}.",
    }

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal(0), max_value=MAX_VALUE, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | Decimal):
            self.fail("invalid")
        return super().to_internal_value(data)

    def to_representation(self, value):
        return json_amount(super().to_representation(value))


# --- Display: amounts as people read them, in the org's currency (Babel's CLDR data, never hand-written) ---

DEFAULT_CURRENCY = "USD"


def display_locale() -> str:
    """The Babel locale for the active Django language (``en-us`` → ``en_US``)."""
    from django.utils import translation
    from django.utils.translation import to_locale

    return to_locale(translation.get_language() or "en-us")


def format_money(amount, currency: str | None = None, *, locale: str | None = None) -> str:
    """``33750`` in USD → ``$33,750``; cents only when there are some (``$12,345,678.90``)."""
    from babel import Locale
    from babel.numbers import format_currency, parse_pattern

    if amount is None:
        return ""
    amount = Decimal(amount)
    currency, locale = currency or DEFAULT_CURRENCY, locale or display_locale()
    if amount != amount.to_integral_value():
        return format_currency(amount, currency, locale=locale)
    # The locale's own pattern (symbol placement, grouping) with the fraction dropped.
    pattern = parse_pattern(Locale.parse(locale).currency_formats["standard"].pattern)
    pattern.frac_prec = (0, 0)
    return pattern.apply(amount, locale, currency=currency, currency_digits=False)


def format_money_compact(amount, currency: str | None = None, *, locale: str | None = None) -> str:
    """Short form where space is short: ``12345678.90`` in USD → ``$12M``, ``33750`` → ``$34K``."""
    from babel.numbers import format_compact_currency

    if amount is None:
        return ""
    return format_compact_currency(
        Decimal(amount), currency or DEFAULT_CURRENCY, locale=locale or display_locale(), fraction_digits=1
    )
