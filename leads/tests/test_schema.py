"""The OpenAPI schema documents every leads, pipelines and conversations route with its real shapes."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

LEAD = "/leads/{org_id}/{lead_id}"
PIPELINE = "/pipelines/{org_id}/{pipeline_id}"
# (path, method): (success status, response component, request component or None)
ROUTES = {
    ("/leads/{org_id}", "get"): ("200", "LeadListResponse", None),
    ("/leads/{org_id}", "post"): ("201", "LeadCreatedResponse", "CreateLeadInputRequest"),
    ("/leads/{org_id}/with-contact", "post"): ("201", "LeadWithContactResponse", "CreateLeadWithContactInputRequest"),
    ("/leads/{org_id}/convert-conversation", "post"): (
        "201",
        "LeadWithContactResponse",
        "ConvertConversationInputRequest",
    ),
    (LEAD, "get"): ("200", "LeadDetailResponse", None),
    (LEAD, "patch"): ("200", "LeadDetailResponse", "PatchedUpdateLeadInputRequest"),
    (LEAD, "delete"): ("200", "MessageOnlyResponse", None),
    (f"{LEAD}/activities", "get"): ("200", "ActivityListResponse", None),
    (f"{LEAD}/activities", "post"): ("201", "ActivityResponse", "AddActivityInputRequest"),
    (f"{LEAD}/history", "get"): ("200", "LeadHistoryResponse", None),
    (f"{LEAD}/move-stage", "post"): ("200", "LeadMovedResponse", "MoveStageInputRequest"),
    ("/leads/{org_id}/campaigns", "get"): ("200", "CampaignListResponse", None),
    ("/leads/{org_id}/campaigns", "post"): ("201", "CampaignResponse", "CampaignInputRequest"),
    ("/leads/{org_id}/campaigns/{campaign_id}", "get"): ("200", "CampaignResponse", None),
    ("/leads/{org_id}/campaigns/{campaign_id}", "patch"): (
        "200",
        "CampaignResponse",
        "PatchedCampaignUpdateInputRequest",
    ),
    ("/leads/{org_id}/campaigns/{campaign_id}", "delete"): ("200", "MessageOnlyResponse", None),
    ("/leads/{org_id}/custom-fields", "get"): ("200", "CustomFieldListResponse", None),
    ("/leads/{org_id}/custom-fields", "post"): ("201", "CustomFieldResponse", "CustomFieldInputRequest"),
    ("/leads/{org_id}/custom-fields/{field_id}", "patch"): (
        "200",
        "CustomFieldResponse",
        "PatchedCustomFieldUpdateInputRequest",
    ),
    ("/leads/{org_id}/custom-fields/{field_id}", "delete"): ("200", "MessageOnlyResponse", None),
    ("/conversations/{org_id}/social-accounts", "get"): ("200", "SocialAccountListResponse", None),
    ("/conversations/{org_id}/social-accounts", "post"): ("201", "SocialAccountResponse", "SocialAccountInputRequest"),
    ("/conversations/{org_id}/posts", "get"): ("200", "ContentPostListResponse", None),
    ("/conversations/{org_id}/posts", "post"): ("201", "ContentPostResponse", "ContentPostInputRequest"),
    ("/conversations/{org_id}", "get"): ("200", "ConversationListResponse", None),
    ("/conversations/{org_id}", "post"): ("201", "ConversationResponse", "ConversationInputRequest"),
    ("/conversations/{org_id}/{conv_id}", "get"): ("200", "ConversationResponse", None),
    ("/pipelines/{org_id}", "get"): ("200", "PipelineListResponse", None),
    ("/pipelines/{org_id}", "post"): ("201", "PipelineResponse", "PipelineInputRequest"),
    (PIPELINE, "get"): ("200", "PipelineResponse", None),
    (PIPELINE, "patch"): ("200", "PipelineResponse", "PatchedPipelineUpdateInputRequest"),
    (PIPELINE, "delete"): ("200", "PipelineMessageResponse", None),
    (f"{PIPELINE}/stages", "post"): ("201", "StageResponse", "StageInputRequest"),
    (f"{PIPELINE}/stages/{{stage_id}}", "patch"): ("200", "StageResponse", "PatchedStageUpdateInputRequest"),
    (f"{PIPELINE}/stages/{{stage_id}}", "delete"): ("200", "PipelineMessageResponse", None),
    (f"{PIPELINE}/stages/reorder", "post"): ("200", "PipelineResponse", "ReorderStagesInputRequest"),
}


@pytest.fixture(scope="module")
def schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(generated)
    return generated


def _ref(content: dict) -> str:
    return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


@pytest.mark.parametrize(("path", "method"), list(ROUTES))
def test_route_is_documented_with_its_request_response_and_error_envelopes(schema, path, method):
    status, response, request = ROUTES[(path, method)]
    operation = schema["paths"][path][method]

    assert _ref(operation["responses"][status]["content"]) == response
    assert _ref(operation["responses"]["404"]["content"]) == "ErrorEnvelope"
    assert _ref(operation["responses"]["401"]["content"]) == "ErrorEnvelope"
    if request:
        assert _ref(operation["requestBody"]["content"]) == request


def test_lead_list_documents_every_filter_and_pagination(schema):
    names = {p["name"] for p in schema["paths"]["/leads/{org_id}"]["get"]["parameters"]}

    assert names >= {
        "pipelineId",
        "stageId",
        "status",
        "source",
        "assignedToId",
        "utmCampaign",
        "campaignId",
        "minValue",
        "maxValue",
        "createdAfter",
        "createdBefore",
        "search",
        "ordering",
        "page",
        "limit",
    }


def test_documented_routes_carry_the_documentations_examples(schema):
    create = schema["paths"]["/leads/{org_id}"]["post"]
    moved = schema["paths"]["/leads/{org_id}/{lead_id}/move-stage"]["post"]["responses"]["200"]

    example = next(iter(create["requestBody"]["content"]["application/json"]["examples"].values()))["value"]
    assert example["utmCampaign"] == "premium_ads"
    moved_example = next(iter(moved["content"]["application/json"]["examples"].values()))["value"]
    assert moved_example["message"] == "Lead moved to new stage successfully"


def test_money_is_a_nullable_number(schema):
    value = schema["components"]["schemas"]["Lead"]["properties"]["value"]

    assert (value["type"], value["nullable"], value["minimum"]) == ("number", True, 0)
