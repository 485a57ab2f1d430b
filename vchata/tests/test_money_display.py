"""Amounts as pages show them: the org's currency through Babel's locale data, compact where space is short."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from vchata.money import format_money, format_money_compact


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        (33750, "USD", "en_US", "$33,750"),
        (Decimal("12345678.90"), "USD", "en_US", "$12,345,678.90"),
        (Decimal("999.5"), "USD", "en_US", "$999.50"),
        (33750, "EUR", "de_DE", "33.750\xa0€"),
        (0, "USD", "en_US", "$0"),
    ],
)
def test_full_amounts_keep_cents_only_when_there_are_some(amount, currency, locale, shown):
    assert format_money(amount, currency, locale=locale) == shown


def test_compact_amounts_fit_a_tile():
    assert format_money_compact(Decimal("12345678.90"), "USD", locale="en_US") == "$12.3M"
    assert format_money_compact(33750, "USD", locale="en_US") == "$33.8K"


def test_the_filters_use_the_orgs_currency_and_leave_no_value_blank():
    class Org:
        currency = "EUR"

    html = Template("{% load money %}{{ a|money:org }}|{{ b|money:org }}|{{ a|money_compact:org }}").render(
        Context({"a": Decimal("1500"), "b": None, "org": Org()})
    )
    assert html == "€1,500||€1.5K"


LOCALES = ("en_US", "de_DE", "fr_FR", "de_CH", "en_IN", "ja_JP", "ar_EG", "fa_IR", "pt_BR", "sv_SE")
CURRENCIES = ("USD", "EUR", "JPY", "BHD", "INR", "CHF", "GBP", "SEK", "BRL", "IRR")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_cached_formatter_gives_babels_answer_for_every_currency_and_amount(locale):
    # The board formats 250 amounts per page through one formatter; it must be Babel's text, grouping and
    # rounding included, wherever it takes its fast path (and Babel itself where it doesn't: Indian grouping).
    from random import Random

    from vchata.money import _babel_money, money_formatter

    picks = Random(locale).sample(range(10**13), 250)
    amounts = [Decimal(n) / 100 for n in picks[:200]] + [Decimal(n) for n in picks[200:]] + [Decimal(0), Decimal(-12)]
    for currency in CURRENCIES:
        formatter = money_formatter(currency, locale=locale)
        assert [formatter(a) for a in amounts] == [_babel_money(a, currency, locale) for a in amounts]
