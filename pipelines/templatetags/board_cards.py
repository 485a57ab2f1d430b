"""``{% board_cards cards %}``: a column's cards (``pipelines.board.card_html``) for the board's templates."""

from django import template

from pipelines.board.card_html import cards_html

register = template.Library()


@register.simple_tag(takes_context=True)
def board_cards(context, cards):
    return cards_html(cards, org=context["org"], pipeline=context["pipeline"], filter_query=context.get("filter_query"))
