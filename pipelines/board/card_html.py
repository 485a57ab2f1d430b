"""The board's cards as HTML, written in Python rather than a template included once per card.

A board page shows up to 50 cards in each of its columns: 250 ``{% include %}``
renders of a card template, with three ``{% url %}`` reversals and a Babel
currency format each, took ~100 ms of a 140 ms page. Here a card is a join of
escaped strings: its two links are reversed once per column and completed with
each card's id, its value formatted by the org currency's cached formatter
(``vchata.money.money_formatter``), a few microseconds a card.

Every text interpolated is escaped exactly as the template engine escapes
``{{ … }}`` (``html.escape``, which ``django.utils.html.escape`` wraps), so the markup is the one the
template gave, byte for byte (``tests/test_card_html.py`` renders both).
"""

import functools
import re
from collections.abc import Iterable
from html import escape as _escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from leads.sources import source_label
from leads.task_display import due_label, is_overdue, type_label
from vchata.money import money_formatter

_SPECIAL = re.compile("[&<>\"']")


def escape(text) -> str:
    """``django.utils.html.escape`` (``& < > " '``), without its lazy-string and safe-string wrapping.

    Most texts on a card (ids, names, amounts) have none of those characters: one scan finds that.
    """
    text = str(text)
    return _escape(text) if _SPECIAL.search(text) else text


class _LeadUrl:
    """A route whose last argument is a lead id, reversed once: ``url(lead_id)`` puts each card's id in place.

    Escaped once too: escaping works character by character, so the parts escaped apart join into the whole escaped.
    """

    def __init__(self, name: str, *args: str, sample_lead_id: str):
        before, _, after = reverse(name, args=[*args, sample_lead_id]).rpartition(sample_lead_id)
        self.before, self.after = escape(before), escape(after)

    def __call__(self, escaped_lead_id: str) -> str:
        return f"{self.before}{escaped_lead_id}{self.after}"


def cards_html(cards: Iterable, *, org, pipeline, filter_query: str | None) -> SafeString:
    """Each card of ``cards`` (leads with ``contact``, ``assigned_to``, ``idle_days``, ``stale``, ``next_task``)."""
    cards = list(cards)
    if not cards:
        return mark_safe("")
    sample = cards[0].pk
    detail_url = _LeadUrl("lead-detail", org.pk, sample_lead_id=sample)
    move_url = _LeadUrl("board-move", org.pk, pipeline.pk, sample_lead_id=sample)
    money = money_formatter(getattr(org, "currency", None) or None)
    query = f"?{escape(filter_query)}" if filter_query else ""
    # The same few assignees recur on every card: their markup is written once per call.
    assignees = _ByIdentity(_assignee)
    return mark_safe(
        "".join(
            _card(card, detail_url, move_url, money, query, _source(card.source), assignees(card.assigned_to))
            for card in cards
        )
    )


class _ByIdentity(dict):
    """``write(value)``, remembered by the value's identity (the caller holds every value while it is used)."""

    def __init__(self, write):
        super().__init__()
        self.write = write

    def __call__(self, value) -> str:
        key = id(value)
        if key not in self:
            self[key] = self.write(value)
        return self[key]


def _card(lead, detail_url: _LeadUrl, move_url: _LeadUrl, money, query: str, source: str, assignee: str) -> str:
    pk = escape(lead.pk)
    name = escape(lead.contact.name)
    company = lead.contact.company
    move = f"{move_url(pk)}{query}"
    return (
        f'<article class="card{" card--stale" if lead.stale else ""}" data-lead-id="{pk}" draggable="true"'
        f' aria-labelledby="card-title-{pk}">\n'
        f'  <h3 class="card__title" id="card-title-{pk}"><a href="{detail_url(pk)}" title="{name}">'
        f"{name}</a></h3>\n"
        f"  {_company(company)}\n"
        '  <div class="card__meta">\n'
        f'    <span class="card__value">{_value(lead.value, money)}</span>\n'
        f"    {source}\n"
        f"    {assignee}\n"
        "  </div>\n"
        f"  {_task(lead.next_task)}\n"
        f'  <p class="card__idle">{_idle(lead.idle_days, lead.stale)}</p>\n'
        f'  <a class="card__move-link" href="{move}" hx-get="{move}" hx-target="next .card__move-slot"'
        f' aria-label="Move {name} to another stage">Move to…</a>\n'
        '  <div class="card__move-slot"></div>\n'
        "</article>\n"
    )


def _company(company: str | None) -> str:
    if not company:
        return ""
    company = escape(company)
    return f'<p class="card__company" title="{company}">{company}</p>'


def _value(value, money) -> str:
    if value is None:
        return '<span class="muted">No value</span>'
    return escape(money(value))


@functools.lru_cache(maxsize=512)
def _source(source: str | None) -> str:
    if not source:
        return ""
    label = escape(source_label(source))
    return f'<span class="tag" title="Source: {label}">{label}</span>'


def _assignee(user) -> str:
    if not user:
        return (
            '<span class="avatar avatar--small avatar--empty" title="Unassigned"><span aria-hidden="true">–</span>'
            '<span class="visually-hidden">Unassigned</span></span>'
        )
    who = escape(str(user))
    return (
        f'<span class="avatar avatar--small" title="Assigned to {who}"><span aria-hidden="true">'
        f'{escape(user.initials)}</span><span class="visually-hidden">Assigned to {who}</span></span>'
    )


def _task(task) -> str:
    if not task:
        return ""
    overdue = is_overdue(task)
    flag = '<span class="card__task-flag">Overdue</span> ' if overdue else ""
    label = escape(f"{type_label(task.type)} · {due_label(task.due_at)}")
    return (
        f'<p class="card__task{" card__task--overdue" if overdue else ""}" title="{escape(task.title)}">'
        f'{flag}<span class="card__task-when">{label}</span></p>'
    )


def _idle(days: int, stale: bool) -> str:
    flag = '<span class="card__stale-flag">Stale</span> ' if stale else ""
    if days == 0:
        return f"{flag}Active today"
    return f"{flag}{days} day{'' if days == 1 else 's'} since last activity"
