"""Money in pages: ``{{ lead.value|money:org }}`` and ``{{ total|money_compact:org }}`` in the org's currency."""

from django import template

from vchata.money import format_money, format_money_compact

register = template.Library()


def _currency(org) -> str | None:
    # A currency code, an org (anything with a ``currency``), or nothing: the default currency.
    if isinstance(org, str):
        return org or None
    return getattr(org, "currency", None) or None


@register.filter
def money(amount, org=None) -> str:
    return format_money(amount, _currency(org))


@register.filter
def money_compact(amount, org=None) -> str:
    """Where space is short (KPI tiles, column heads): ``$12.3M``, the full amount in a title attribute."""
    return format_money_compact(amount, _currency(org))
