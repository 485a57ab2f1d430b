"""A small org history with hand-computed figures, built through the lead services at fixed instants.

Default pipeline: New(1, NEW, 10 %), Qualified(2, QUALIFIED, 30 %), Contacted(3, CONTACTED, 60 %),
Converted(4, CONVERTED, 100 %), Lost(5, LOST, 0 %). Days are counted from T0; reports run at NOW (day 20).

    lead  created  value  source    campaign            path (day: stage)
    A     0        1000   website   Summer by id        0 New, 2 Qualified, 5 Contacted, 10.5 Converted (still)
    B     1        2000   website   Summer by utm key   1 New, 3 Qualified, 4 New, 6 Qualified (still: a revisit)
    C     2        500    referral  Winter by id (its   2 New, 4 Converted, 8 Lost (still: converted then lost)
                                    utm key is Summer's)
    D     15       none   none      unknown utm key     15 New (still)

Another org has a "summer" campaign and a lead of its own; they must never show up.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from leads.models import Contact, Lead, StageVisit
from leads.services import move_lead_to_stage
from leads.tests.factories import CampaignFactory, LeadFactory
from pipelines.models import Pipeline, Stage

T0 = datetime(2024, 3, 1, tzinfo=UTC)
NOW = T0 + timedelta(days=20)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def at(n: float):
    """Freeze the clock at day ``n`` (services stamp created_at, entered_at, converted_at with it)."""
    return time_machine.travel(day(n), tick=False)


def move(lead: Lead, stage: Stage, on: float) -> None:
    with at(on):
        move_lead_to_stage(org=lead.organization, actor=None, lead_id=lead.pk, stage_id=stage.pk)


@dataclass
class History:
    pipeline: Pipeline
    stages: dict[str, Stage]
    leads: dict[str, Lead]
    campaigns: dict[str, object]


@pytest.fixture
def history(org, pipeline, stages, other_org) -> History:
    by_name = {stage.name: stage for stage in stages}
    summer = CampaignFactory(organization=org, name="Summer Sale", utm_campaign="summer")
    winter = CampaignFactory(organization=org, name="Winter Deals", utm_campaign="winter")
    CampaignFactory(organization=org, name="Spring (no leads)", utm_campaign="spring")

    with at(0):
        a = LeadFactory(organization=org, value=1000, source="website", campaign=summer)
    with at(1):
        b = LeadFactory(organization=org, value=2000, source="website", utm_campaign="summer")
    with at(2):
        c = LeadFactory(organization=org, value=500, source="referral", campaign=winter, utm_campaign="summer")
    with at(15):
        d = LeadFactory(organization=org, value=None, source=None, utm_campaign="unknown")

    move(a, by_name["Qualified"], 2)
    move(a, by_name["Contacted"], 5)
    move(a, by_name["Converted"], 10.5)
    move(b, by_name["Qualified"], 3)
    move(b, by_name["New"], 4)
    move(b, by_name["Qualified"], 6)
    move(c, by_name["Converted"], 4)
    move(c, by_name["Lost"], 8)

    foreign_summer = CampaignFactory(organization=other_org, name="Their Summer", utm_campaign="summer")
    with at(3):
        LeadFactory(organization=other_org, value=9999, source="website", campaign=foreign_summer)
        LeadFactory(organization=other_org, value=7777, source="website", utm_campaign="summer")

    leads = {name: Lead.objects.get(pk=lead.pk) for name, lead in zip("ABCD", (a, b, c, d), strict=True)}
    return History(pipeline=pipeline, stages=by_name, leads=leads, campaigns={"summer": summer, "winter": winter})


def bulk_leads(org, pipeline: Pipeline, count: int, *, campaign=None) -> None:
    """``count`` leads spread over the pipeline's stages, each with one open stage visit (fast, no services)."""
    stages = list(pipeline.stages.order_by("order"))
    contacts = Contact.objects.bulk_create(Contact(organization=org, name=f"Bulk {i}") for i in range(count))
    now = day(1)
    leads = Lead.objects.bulk_create(
        Lead(
            organization=org,
            contact=contact,
            pipeline=pipeline,
            stage=stages[i % len(stages)],
            status=stages[i % len(stages)].status or "NEW",
            converted_at=now if stages[i % len(stages)].status == "CONVERTED" else None,
            source=("website", "referral", "ads")[i % 3],
            value=(i % 7) * 100 or None,
            campaign=campaign if i % 2 else None,
            utm_campaign=campaign.utm_campaign if campaign and i % 4 == 0 else None,
        )
        for i, contact in enumerate(contacts)
    )
    StageVisit.objects.bulk_create(
        StageVisit(organization=org, lead=lead, stage=lead.stage, entered_at=now) for lead in leads
    )
