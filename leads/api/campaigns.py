"""``/leads/{orgId}/campaigns…``: the organization's marketing campaigns."""

from drf_spectacular.utils import extend_schema

from vchata.responses import created, ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView, get_in_org
from vchata.tenancy.permissions import Action

from .. import selectors, services
from .. import serializers as s
from ..models import Campaign
from .base import paged, validated
from .leads import PAGE_PARAMETERS

CAMPAIGN_TAGS = ["campaigns"]


class CampaignsView(OrgScopedAPIView):
    @extend_schema(
        operation_id="campaigns_list",
        summary="List campaigns",
        parameters=PAGE_PARAMETERS,
        responses={200: s.CampaignListResponse, **errors(400, 404)},
        tags=CAMPAIGN_TAGS,
    )
    def get(self, request, org_id):
        return paged(
            message="Campaigns retrieved successfully",
            key="campaigns",
            serializer_class=s.CampaignSerializer,
            queryset=selectors.campaign_list(org=self.org),
            request=request,
        )

    @extend_schema(
        operation_id="campaigns_create",
        summary="Create a campaign",
        description="``utmCampaign`` is unique in the organization (409 when taken).",
        request=s.CampaignInput,
        responses={201: s.CampaignResponse, **errors(400, 403, 404, 409)},
        tags=CAMPAIGN_TAGS,
    )
    def post(self, request, org_id):
        self.require(Action.CONFIGURE)
        data = validated(s.CampaignInput, request, self.org)
        campaign = services.create_campaign(org=self.org, actor=request.user, **data)
        return created(message="Campaign created successfully", campaign=s.CampaignSerializer(campaign).data)


class CampaignView(OrgScopedAPIView):
    @extend_schema(
        operation_id="campaigns_retrieve",
        summary="Get a campaign",
        responses={200: s.CampaignResponse, **errors(404)},
        tags=CAMPAIGN_TAGS,
    )
    def get(self, request, org_id, campaign_id):
        campaign = get_in_org(Campaign, self.org, campaign_id)
        return ok(message="Campaign retrieved successfully", campaign=s.CampaignSerializer(campaign).data)

    @extend_schema(
        operation_id="campaigns_update",
        summary="Update a campaign",
        request=s.CampaignUpdateInput,
        responses={200: s.CampaignResponse, **errors(400, 403, 404, 409)},
        tags=CAMPAIGN_TAGS,
    )
    def patch(self, request, org_id, campaign_id):
        get_in_org(Campaign, self.org, campaign_id)
        self.require(Action.CONFIGURE)
        changes = validated(s.CampaignUpdateInput, request, self.org)
        campaign = services.update_campaign(org=self.org, actor=request.user, campaign_id=campaign_id, changes=changes)
        return ok(message="Campaign updated successfully", campaign=s.CampaignSerializer(campaign).data)

    @extend_schema(
        operation_id="campaigns_destroy",
        summary="Delete a campaign",
        description="Its leads stay, no longer linked to it.",
        responses={200: s.MessageOnlyResponse, **errors(403, 404)},
        tags=CAMPAIGN_TAGS,
    )
    def delete(self, request, org_id, campaign_id):
        get_in_org(Campaign, self.org, campaign_id)
        self.require(Action.CONFIGURE)
        services.delete_campaign(org=self.org, actor=request.user, campaign_id=campaign_id)
        return ok(message="Campaign deleted successfully")
