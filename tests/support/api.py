"""Helpers for API tests: URLs and the error envelope."""

import re

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def leads_url(org, *parts: str) -> str:
    return "/".join([f"/leads/{org.pk}", *parts])


def error(response) -> list[str] | str:
    """The message of an error envelope, after checking the envelope itself."""
    body = response.json()
    assert body["success"] is False
    assert body["statusCode"] == response.status_code
    return body["message"]


def problems(response) -> list[str]:
    """The sentences of a 400: a list, or one string when a service found the single problem."""
    assert response.status_code == 400
    message = error(response)
    return message if isinstance(message, list) else [message]


# The fields of a lead in every answer that carries one (API.md, Leads).
LEAD_KEYS = {
    "id",
    "contactId",
    "pipelineId",
    "stageId",
    "source",
    "value",
    "status",
    "assignedToId",
    "notes",
    "utmSource",
    "utmMedium",
    "utmCampaign",
    "utmTerm",
    "utmContent",
    "campaignId",
    "socialAccountId",
    "contentPostId",
    "conversationId",
    "converted",
    "convertedAt",
    "lostReasonId",
    "title",
    "expectedCloseDate",
    "probability",
    "customFields",
    "lastActivityAt",
    "attribution",
    "createdAt",
    "updatedAt",
}
