"""The board's money: the pipeline's total and weighted value in its header, each column's weighted value."""

from decimal import Decimal

import pytest
from django.urls import reverse

from leads.tests.factories import ContactFactory, LeadFactory
from pipelines.models import Stage
from pipelines.weighting import weighted_value
from vchata.accounts.models import Organization

pytestmark = pytest.mark.django_db


def board_url(org, pipeline, query=""):
    return reverse("board", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk}) + query


def test_weighted_value_uses_a_leads_own_probability_else_its_stages():
    # 1,000 at its own 90% and 2,000 at the stage's 25%.
    assert weighted_value(
        own_chance_value=Decimal("90000"), stage_chance_value=Decimal("2000"), stage_probability=25
    ) == (Decimal("1400.00"))
    assert weighted_value(own_chance_value=None, stage_chance_value=None, stage_probability=50) == Decimal("0.00")


@pytest.fixture
def priced(org, stages):
    Stage.objects.filter(pk=stages[0].pk).update(probability=10)
    Stage.objects.filter(pk=stages[1].pk).update(probability=50)
    LeadFactory(organization=org, stage=stages[0], value=Decimal("1000"))  # 100 weighted
    LeadFactory(organization=org, stage=stages[0], value=Decimal("2000"), probability=80)  # 1,600
    LeadFactory(organization=org, stage=stages[1], value=Decimal("3000"))  # 1,500
    LeadFactory(organization=org, stage=stages[1], value=None, probability=90)  # nothing
    LeadFactory(organization=org, stage=stages[1], value=Decimal("500"), probability=0, source="event")  # 0 weighted


def test_columns_and_header_show_total_and_weighted_value_in_the_org_currency(browser, org, pipeline, stages, priced):
    Organization.objects.filter(pk=org.pk).update(currency="EUR")

    response = browser.get(board_url(org, pipeline))

    columns = {c.stage.pk: c for c in response.context["columns"]}
    assert columns[stages[0].pk].weighted_value == Decimal("1700.00")
    assert columns[stages[1].pk].weighted_value == Decimal("1500.00")
    assert (response.context["total_value"], response.context["weighted_value"]) == (Decimal("6500"), Decimal("3200"))
    html = response.content.decode()
    header = html[html.index('id="board-total"') : html.index("</p>", html.index('id="board-total"'))]
    assert "€6.5K" in header and "€3.2K" in header
    assert 'title="€6,500.00"' in header or 'title="€6,500"' in header
    head = html[html.index(f'id="col-head-{stages[0].pk}"') :]
    assert "Weighted <span>€1.7K</span>" in head[: head.index("</header>")]


def test_filters_narrow_the_weighted_values_too(browser, org, pipeline, stages, priced):
    response = browser.get(board_url(org, pipeline, "?source=event"))

    assert (response.context["total_value"], response.context["weighted_value"]) == (Decimal("500"), Decimal("0"))


def test_search_narrows_the_weighted_values_on_the_live_path(browser, org, pipeline, stages, priced):
    contact = ContactFactory(organization=org, name="Zebulon Quark")
    lead = LeadFactory(organization=org, stage=stages[1], value=Decimal("800"), contact=contact)

    response = browser.get(board_url(org, pipeline, "?q=Zebulon"))

    assert response.context["total_value"] == Decimal("800")
    assert response.context["weighted_value"] == Decimal("400.00")
    assert lead.pk in response.content.decode()


def test_the_htmx_move_redraws_the_header_totals(browser, org, pipeline, stages, priced):
    lead = LeadFactory(organization=org, stage=stages[0], value=Decimal("400"))
    url = reverse("board-move", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk, "lead_id": lead.pk})

    html = browser.post(url, {"stage": stages[1].pk}, HTTP_HX_REQUEST="true").content.decode()

    header = html[html.index('id="board-total"') :]
    assert 'hx-swap-oob="true"' in header[:80]
    assert "$3.4K" in header  # weighted: 3,200 + 400 × 50%
