"""A board card's markup, exactly: what ``pipelines.board.card_html`` writes for a full card and an empty one.

The card was a template (``leads/_card.html``) included once per card; these are
its bytes, so the Python version stays the same page (links, escaping, labels).
"""

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from pipelines.board.card_html import cards_html
from vchata.accounts.models import User

ORG = SimpleNamespace(pk="org_01h0000000000000000000000a", currency="EUR")
PIPELINE = SimpleNamespace(pk="pipeline_01h0000000000000000000000b")
LEAD_ID = "lead_01h0000000000000000000000c"
LEAD = f"/app/{ORG.pk}/leads/{LEAD_ID}/"
MOVE = f"/app/{ORG.pk}/pipelines/{PIPELINE.pk}/leads/{LEAD_ID}/move/"


def card(**fields):
    values = {
        "pk": LEAD_ID,
        "contact": SimpleNamespace(name="Ada <Lovelace>", company="Engines & Co"),
        "value": Decimal("4200.50"),
        "source": "cold_outreach",
        "assigned_to": User(name="Grace O'Hopper", email="grace@example.com"),
        "next_task": SimpleNamespace(
            title='Call "back"', type="CALL", due_at=datetime(2020, 3, 5, 9, 30, tzinfo=UTC), completed_at=None
        ),
        "idle_days": 9,
        "stale": True,
    }
    return SimpleNamespace(**(values | fields))


def test_a_full_card_escapes_every_text_and_carries_the_filters_in_its_move_links():
    html = cards_html([card()], org=ORG, pipeline=PIPELINE, filter_query="assignee=mine&q=a")

    assert html == (
        f'<article class="card card--stale" data-lead-id="{LEAD_ID}" draggable="true"'
        f' aria-labelledby="card-title-{LEAD_ID}">\n'
        f'  <h3 class="card__title" id="card-title-{LEAD_ID}"><a href="{LEAD}" title="Ada &lt;Lovelace&gt;">'
        "Ada &lt;Lovelace&gt;</a></h3>\n"
        '  <p class="card__company" title="Engines &amp; Co">Engines &amp; Co</p>\n'
        '  <div class="card__meta">\n'
        '    <span class="card__value">€4,200.50</span>\n'
        '    <span class="tag" title="Source: Cold outreach">Cold outreach</span>\n'
        '    <span class="avatar avatar--small" title="Assigned to Grace O&#x27;Hopper"><span aria-hidden="true">'
        'GO</span><span class="visually-hidden">Assigned to Grace O&#x27;Hopper</span></span>\n'
        "  </div>\n"
        '  <p class="card__task card__task--overdue" title="Call &quot;back&quot;">'
        '<span class="card__task-flag">Overdue</span> '
        '<span class="card__task-when">Call · Mar 5, 2020</span></p>\n'
        '  <p class="card__idle"><span class="card__stale-flag">Stale</span> 9 days since last activity</p>\n'
        f'  <a class="card__move-link" href="{MOVE}?assignee=mine&amp;q=a" hx-get="{MOVE}?assignee=mine&amp;q=a"'
        ' hx-target="next .card__move-slot" aria-label="Move Ada &lt;Lovelace&gt; to another stage">Move to…</a>\n'
        '  <div class="card__move-slot"></div>\n'
        "</article>\n"
    )


def test_a_bare_card_says_no_value_unassigned_and_active_today():
    bare = card(
        contact=SimpleNamespace(name="Bo", company=""),
        value=None,
        source=None,
        assigned_to=None,
        next_task=None,
        idle_days=0,
        stale=False,
    )

    html = cards_html([bare], org=ORG, pipeline=PIPELINE, filter_query="")

    assert html == (
        f'<article class="card" data-lead-id="{LEAD_ID}" draggable="true" aria-labelledby="card-title-{LEAD_ID}">\n'
        f'  <h3 class="card__title" id="card-title-{LEAD_ID}"><a href="{LEAD}" title="Bo">Bo</a></h3>\n'
        "  \n"
        '  <div class="card__meta">\n'
        '    <span class="card__value"><span class="muted">No value</span></span>\n'
        "    \n"
        '    <span class="avatar avatar--small avatar--empty" title="Unassigned"><span aria-hidden="true">–</span>'
        '<span class="visually-hidden">Unassigned</span></span>\n'
        "  </div>\n"
        "  \n"
        '  <p class="card__idle">Active today</p>\n'
        f'  <a class="card__move-link" href="{MOVE}" hx-get="{MOVE}" hx-target="next .card__move-slot"'
        ' aria-label="Move Bo to another stage">Move to…</a>\n'
        '  <div class="card__move-slot"></div>\n'
        "</article>\n"
    )


def test_one_day_is_singular_and_each_card_links_to_its_own_lead():
    other = "lead_01h0000000000000000000000d"

    html = cards_html([card(idle_days=1, stale=False), card(pk=other)], org=ORG, pipeline=PIPELINE, filter_query="")

    assert "1 day since last activity" in html
    assert f'href="/app/{ORG.pk}/leads/{other}/"' in html
    assert f'href="/app/{ORG.pk}/pipelines/{PIPELINE.pk}/leads/{other}/move/"' in html
    assert html.count("<article") == 2


def test_no_cards_is_no_markup():
    assert cards_html([], org=ORG, pipeline=PIPELINE, filter_query="") == ""
