"""The dashboard's "Weighted pipeline" tile is the board header's weighted value: the same leads, the same formula."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from analytics.filters import LeadFilter
from analytics.selectors import weighted_pipeline
from leads.tests.factories import LeadFactory
from pipelines.board.selectors import BoardFilters, board_columns
from vchata.accounts.templatetags.money import money
from vchata.tenancy.pages import CURRENT_ORG_SESSION_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(org, stages):
    # New 10 %, Qualified 30 %, Contacted 60 %, Converted 100 %, Lost 0 %: own probabilities override them.
    new, qualified, _, converted, lost = stages
    LeadFactory(organization=org, stage=new, value=Decimal("1000.00"))  # 100.00
    LeadFactory(organization=org, stage=new, value=Decimal("1000.00"), probability=75)  # 750.00
    LeadFactory(organization=org, stage=qualified, value=Decimal("333.33"), probability=33)  # 109.9989
    LeadFactory(organization=org, stage=qualified, value=Decimal("0.05"))  # 0.015
    LeadFactory(organization=org, stage=converted, value=Decimal("2000.00"))  # 2000.00
    LeadFactory(organization=org, stage=lost, value=Decimal("500.00"), probability=40)  # 200.00
    LeadFactory(organization=org, stage=qualified, value=None, probability=90)  # nothing


def test_the_tile_is_the_boards_weighted_value(user, org, pipeline, deals):
    columns = board_columns(org=org, pipeline=pipeline, viewer=user, filters=BoardFilters())
    board = sum((column.weighted_value for column in columns), Decimal("0"))

    tile = weighted_pipeline(LeadFilter(org=org, pipeline=pipeline))

    # Per stage to the cent, then summed: New 850.00, Qualified 110.01, Converted 2000.00, Lost 200.00.
    assert board == tile.weighted_value == Decimal("3160.01")
    assert tile.total_value == sum((column.total_value for column in columns), Decimal("0")) == Decimal("4833.38")


def test_the_dashboard_shows_the_boards_figure(user, org, pipeline, deals):
    client = Client()
    client.force_login(user)
    session = client.session
    session[CURRENT_ORG_SESSION_KEY] = org.pk
    session.save()
    board = client.get(reverse("board", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk}))
    page = client.get(reverse("analytics-dashboard", kwargs={"org_id": org.pk}))

    figure = money(Decimal("3160.01"), org)
    assert f'title="{figure}: each lead' in board.content.decode()
    assert f'title="{figure}: each lead' in page.content.decode()
