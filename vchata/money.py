"""Money in JSON: a number (never a string), whole amounts as integers (``"value": 1000``).

``MoneyField`` takes an amount in a request body; ``MoneyOutputField`` answers a computed one.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
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
    if amount is None:
        return ""
    return money_formatter(currency, locale=locale)(amount)


def money_formatter(currency: str | None = None, *, locale: str | None = None) -> Callable[[object], str]:
    """``format_money`` for one currency and locale, to call once per amount: a page of 250 amounts.

    Babel parses the locale's pattern and looks its symbols up on every call
    (~50 µs an amount); this formatter does that once per (currency, locale)
    and then formats with Python's own grouping, a microsecond an amount.
    """
    return _formatter(currency or DEFAULT_CURRENCY, locale or display_locale())


@functools.lru_cache(maxsize=256)
def _formatter(currency: str, locale: str) -> Callable[[object], str]:
    fast = _FastMoney.for_locale(currency, locale)
    if fast is None:
        return lambda amount: _babel_money(Decimal(amount), currency, locale)
    return fast


def _babel_money(amount: Decimal, currency: str, locale: str) -> str:
    from babel import Locale
    from babel.numbers import format_currency, parse_pattern

    if amount != amount.to_integral_value():
        return format_currency(amount, currency, locale=locale)
    # The locale's own pattern (symbol placement, grouping) with the fraction dropped.
    pattern = parse_pattern(Locale.parse(locale).currency_formats["standard"].pattern)
    pattern.frac_prec = (0, 0)
    return pattern.apply(amount, locale, currency=currency, currency_digits=False)


# Amounts a formatter must give exactly as Babel does before it is trusted: cents, none, rounding ties, grouping.
_PROBES = tuple(
    Decimal(text)
    for text in (
        "0",
        "0.01",
        "0.125",
        "0.135",
        "7",
        "12.5",
        "999.99",
        "1000",
        "12345.6",
        "1234567",
        "12345678.90",
        "9999999999.99",
        "100000000000.5",
    )  # fmt: skip
)


@dataclass(frozen=True)
class _FastMoney:
    """The locale's currency format as text around a number grouped by threes: what most locales use.

    Built from Babel's own output (the text around a probe amount), and only
    when it gives Babel's answer for every ``_PROBES`` amount; any other locale
    (Indian grouping, other digits) keeps Babel on every call.
    """

    whole: tuple[str, str]  # the text before and after a whole amount
    cents: tuple[str, str]  # … and an amount with a fraction
    digits: int  # the currency's fraction digits (2 for USD, 0 for JPY)
    symbols: dict
    currency: str
    locale: str

    @classmethod
    def for_locale(cls, currency: str, locale: str) -> "_FastMoney | None":
        from babel.numbers import get_currency_precision, get_decimal_symbol, get_group_symbol

        try:
            symbols = str.maketrans({",": get_group_symbol(locale), ".": get_decimal_symbol(locale)})
            digits = get_currency_precision(currency)
            whole, with_cents = Decimal(1234567), Decimal("1234567.25")
            cents = _around(_babel_money(with_cents, currency, locale), f"{with_cents:,.{digits}f}".translate(symbols))
            whole = _around(_babel_money(whole, currency, locale), f"{whole:,.0f}".translate(symbols))
        except (ValueError, LookupError):  # babel's UnknownLocaleError is a ValueError
            return None
        if whole is None or cents is None:
            return None
        fast = cls(whole=whole, cents=cents, digits=digits, symbols=symbols, currency=currency, locale=locale)
        if any(fast(amount) != _babel_money(amount, currency, locale) for amount in _PROBES):
            return None
        return fast

    def __call__(self, amount) -> str:
        amount = Decimal(amount)
        if amount < 0:  # a minus sign's place is the locale's: Babel's
            return _babel_money(amount, self.currency, self.locale)
        if amount == amount.to_integral_value():
            before, after = self.whole
            number = f"{amount:,.0f}"
        else:
            before, after = self.cents
            number = f"{amount:,.{self.digits}f}"
        return f"{before}{number.translate(self.symbols)}{after}"


def _around(formatted: str, number: str) -> tuple[str, str] | None:
    """The text before and after ``number`` in ``formatted``; None unless it occurs once."""
    if formatted.count(number) != 1:
        return None
    before, _, after = formatted.partition(number)
    return before, after


def format_money_compact(amount, currency: str | None = None, *, locale: str | None = None) -> str:
    """Short form where space is short: ``12345678.90`` in USD → ``$12M``, ``33750`` → ``$34K``."""
    if amount is None:
        return ""
    return _compact(str(Decimal(amount)), currency or DEFAULT_CURRENCY, locale or display_locale())


@functools.lru_cache(maxsize=4096)
def _compact(amount: str, currency: str, locale: str) -> str:
    # Babel takes ~60 µs an amount; a board page shows ~18 that rarely change between requests.
    # Keyed by the amount's text, so 1.5 and 1.50 are asked apart, as Babel was.
    from babel.numbers import format_compact_currency

    return format_compact_currency(Decimal(amount), currency, locale=locale, fraction_digits=1)
