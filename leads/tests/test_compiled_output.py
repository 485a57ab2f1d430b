"""The compiled output serializers (vchata/serialization.py) answer exactly what DRF's generic path answers."""

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from leads import selectors
from leads import serializers as s
from leads.services import add_activity, move_lead_to_stage, update_lead
from leads.tests.factories import ContactFactory, ContentPostFactory, LeadFactory
from vchata.serialization import CompiledOutputMixin


def drf_generic(serializer) -> object:
    """The same serializer's output with compilation switched off everywhere (nested serializers included)."""
    patch = pytest.MonkeyPatch()
    patch.setattr(CompiledOutputMixin, "to_representation", serializers.Serializer.to_representation)
    try:
        if isinstance(serializer, serializers.ListSerializer):
            return type(serializer.child)(serializer.instance, many=True).data
        return type(serializer)(serializer.instance).data
    finally:
        patch.undo()


@pytest.fixture
def bare_lead(org, pipeline):
    """Every optional field empty: nulls, blank notes, no social links."""
    return LeadFactory(organization=org, contact=ContactFactory(organization=org, email="", phone="", company=""))


@pytest.fixture
def full_lead(org, user, stages):
    post = ContentPostFactory(organization=org, social_account__organization=org)
    lead = LeadFactory(
        organization=org,
        value=Decimal("1250.50"),
        notes="Wants the premium plan",
        source="instagram",
        utm_source="ig",
        utm_medium="social",
        utm_campaign="spring",
        utm_term="crm",
        utm_content="reel",
        social_account=post.social_account,
        content_post=post,
        assigned_to=user,
    )
    move_lead_to_stage(org=org, actor=user, lead_id=lead.pk, stage_id=stages[3].pk)  # a CONVERTED stage
    add_activity(org=org, actor=user, lead_id=lead.pk, type="CALL", description="Called", metadata={"minutes": 7})
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"value": Decimal("900")})
    lead.refresh_from_db()
    return lead


@pytest.mark.parametrize("which", ["bare_lead", "full_lead"])
def test_list_items_match_drf(request, org, which):
    request.getfixturevalue(which)
    page = list(selectors.lead_list(org=org))
    serializer = s.LeadListItemSerializer(page, many=True)
    assert serializer.data == drf_generic(serializer)


@pytest.mark.parametrize("which", ["bare_lead", "full_lead"])
def test_detail_matches_drf(request, org, which):
    lead = request.getfixturevalue(which)
    serializer = s.LeadDetailSerializer(selectors.lead_detail(org=org, lead_id=lead.pk))
    assert serializer.data == drf_generic(serializer)
    assert len(serializer.data["activities"]) >= 2 if which == "full_lead" else 1


def test_lead_matches_drf(full_lead):
    serializer = s.LeadSerializer(full_lead)
    assert serializer.data == drf_generic(serializer)
    assert serializer.data["value"] == 900
    assert serializer.data["converted"] is True


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2025, 12, 13, 17, 38, 8, 665384, tzinfo=UTC),
        datetime(2025, 12, 13, 17, 38, 8, tzinfo=UTC),  # no microseconds: isoformat() is shorter
        datetime(1000, 1, 1, 0, 0, 1, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC),  # strftime writes year 999 as "999"
        datetime(9999, 12, 31, 8, 0, tzinfo=UTC),
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/St_Johns"])
def test_instants_match_drf_in_the_current_time_zone(instant, zone):
    post = SimpleNamespace(id="p", social_account_id="a", platform_post_id="x", content="", url="", created_at=instant)
    with timezone.override(zone):
        serializer = s.ContentPostSerializer(post)
        try:
            expected = drf_generic(serializer)
        except ValidationError:  # past year 9999 in that zone: DRF refuses it, as compiled does
            with pytest.raises(OverflowError):
                s.ContentPostSerializer(post).data  # noqa: B018
            return
        assert serializer.data == expected
