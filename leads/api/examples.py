"""Request and response examples of the leads API, taken from the product documentation."""

from drf_spectacular.utils import OpenApiExample

CONTACT = {
    "id": "contact_456",
    "name": "John Doe",
    "email": "john@example.com",
    "phone": "+1234567890",
    "company": "Acme Corp",
}

CREATE_LEAD_REQUEST = OpenApiExample(
    "Create a lead",
    request_only=True,
    value={
        "contactId": "contact_456",
        "pipelineId": "pipeline_789",
        "source": "website",
        "value": 1000,
        "notes": "Interested in premium package",
        "utmSource": "google",
        "utmMedium": "cpc",
        "utmCampaign": "premium_ads",
    },
)
CREATE_LEAD_RESPONSE = OpenApiExample(
    "Lead created",
    response_only=True,
    status_codes=["201"],
    value={
        "success": True,
        "lead": {
            "id": "lead_123",
            "contactId": "contact_456",
            "pipelineId": "pipeline_789",
            "stageId": "clxyz123456789abcdef",
            "source": "website",
            "value": 1000,
            "status": "NEW",
            "notes": "Interested in premium package",
            "utmSource": "google",
            "utmMedium": "cpc",
            "utmCampaign": "premium_ads",
            "createdAt": "2024-01-15T10:30:00Z",
        },
        "message": "Lead created successfully",
    },
)

WITH_CONTACT_REQUEST = OpenApiExample(
    "Create a lead and its contact",
    request_only=True,
    value={
        "contact": {k: v for k, v in CONTACT.items() if k != "id"},
        "pipelineId": "pipeline_789",
        "source": "website",
        "value": 1000,
        "notes": "New lead from contact form",
    },
)
WITH_CONTACT_RESPONSE = OpenApiExample(
    "Lead and contact created",
    response_only=True,
    status_codes=["201"],
    value={
        "success": True,
        "lead": {
            "id": "lead_123",
            "contactId": "contact_456",
            "pipelineId": "pipeline_789",
            "stageId": "clxyz123456789abcdef",
            "source": "website",
            "value": 1000,
            "status": "NEW",
            "createdAt": "2024-01-15T10:30:00Z",
        },
        "contact": {**CONTACT, "createdAt": "2024-01-15T10:30:00Z"},
        "message": "Lead and contact created successfully",
    },
)

LIST_RESPONSE = OpenApiExample(
    "Leads",
    response_only=True,
    status_codes=["200"],
    value={
        "success": True,
        "leads": [
            {
                "id": "lead_123",
                "contactId": "contact_456",
                "pipelineId": "pipeline_789",
                "stageId": "clxyz987654321fedcba",
                "source": "website",
                "value": 1500,
                "status": "QUALIFIED",
                "assignedToId": "user_789",
                "contact": CONTACT,
                "pipeline": {
                    "id": "pipeline_789",
                    "name": "Sales Pipeline",
                    "stages": [{"id": "clxyz987654321fedcba", "name": "Qualified", "order": 2}],
                },
                "socialAccount": {
                    "id": "social_123",
                    "platform": "FACEBOOK",
                    "platformId": "123456789",
                    "name": "Acme Corp Facebook",
                },
                "contentPost": {
                    "id": "post_456",
                    "platformPostId": "987654321",
                    "content": "Check out our new product!",
                    "url": "https://facebook.com/posts/987654321",
                },
                "createdAt": "2024-01-15T10:30:00Z",
                "updatedAt": "2024-01-20T15:30:00Z",
            }
        ],
        "pagination": {"total": 1, "page": 1, "limit": 10, "hasMore": False},
        "message": "Leads retrieved successfully",
    },
)

DETAIL_RESPONSE = OpenApiExample(
    "Lead",
    response_only=True,
    status_codes=["200"],
    value={
        "success": True,
        "lead": {
            "id": "lead_123",
            "contactId": "contact_456",
            "pipelineId": "pipeline_789",
            "stageId": "clxyz987654321fedcba",
            "source": "website",
            "value": 1500,
            "status": "QUALIFIED",
            "assignedToId": "user_789",
            "notes": "Interested in premium package",
            "utmSource": "google",
            "utmMedium": "cpc",
            "utmCampaign": "premium_ads",
            "converted": False,
            "convertedAt": None,
            "contact": CONTACT,
            "pipeline": {"id": "pipeline_789", "name": "Sales Pipeline"},
            "stage": {"id": "clxyz987654321fedcba", "name": "Qualified", "order": 2},
            "activities": [
                {
                    "id": "activity_123",
                    "type": "EMAIL_SENT",
                    "description": "Follow-up email sent",
                    "createdAt": "2024-01-16T10:00:00Z",
                }
            ],
            "createdAt": "2024-01-15T10:30:00Z",
            "updatedAt": "2024-01-20T15:30:00Z",
        },
        "message": "Lead retrieved successfully",
    },
)

UPDATE_REQUEST = OpenApiExample(
    "Update a lead",
    request_only=True,
    value={"value": 2000, "status": "CONTACTED", "assignedToId": "user_456", "notes": "Updated notes after phone call"},
)
UPDATE_RESPONSE = OpenApiExample(
    "Lead updated",
    response_only=True,
    status_codes=["200"],
    value={
        "success": True,
        "lead": {
            "id": "lead_123",
            "value": 2000,
            "status": "CONTACTED",
            "assignedToId": "user_456",
            "notes": "Updated notes after phone call",
            "updatedAt": "2024-01-20T16:00:00Z",
        },
        "message": "Lead updated successfully",
    },
)

DELETE_RESPONSE = OpenApiExample(
    "Lead deleted",
    response_only=True,
    status_codes=["200"],
    value={"success": True, "message": "Lead deleted successfully"},
)

ACTIVITY_METADATA = {"emailSubject": "Re: Your inquiry about our services", "emailId": "email_789"}
ACTIVITY_REQUEST = OpenApiExample(
    "Log an email",
    request_only=True,
    value={
        "type": "EMAIL_SENT",
        "description": "Follow-up email sent regarding pricing",
        "metadata": ACTIVITY_METADATA,
    },
)
ACTIVITY_RESPONSE = OpenApiExample(
    "Activity added",
    response_only=True,
    status_codes=["201"],
    value={
        "success": True,
        "activity": {
            "id": "activity_123",
            "leadId": "lead_123",
            "type": "EMAIL_SENT",
            "description": "Follow-up email sent regarding pricing",
            "metadata": ACTIVITY_METADATA,
            "createdAt": "2024-01-20T16:00:00Z",
        },
        "message": "Activity added successfully",
    },
)

CHANGES_RESPONSE = OpenApiExample(
    "A lead's changes",
    response_only=True,
    status_codes=["200"],
    value={
        "success": True,
        "changes": [
            {
                "id": "change_01j9zq8x6v2k3m4n5p6q7r8s9t",
                "leadId": "lead_123",
                "type": "UPDATED",
                "actor": {"kind": "USER", "id": "user_123", "name": "Ana Diaz"},
                "changes": {
                    "value": {"from": 500, "to": 12500},
                    "status": {"from": "CONTACTED", "to": "CONVERTED"},
                    "stageId": {"from": "stage_contacted", "to": "stage_converted"},
                },
                "createdAt": "2024-01-21T09:30:00Z",
            },
            {
                "id": "change_01j9zq8x6v2k3m4n5p6q7r8s9s",
                "leadId": "lead_123",
                "type": "UPDATED",
                "actor": {"kind": "API_KEY", "id": "key_456", "name": "Zapier"},
                "changes": {"customFields.seats": {"from": 3, "to": 5}},
                "createdAt": "2024-01-20T16:00:00Z",
            },
        ],
        "pagination": {"total": 2, "page": 1, "limit": 20, "hasMore": False},
        "message": "Lead changes retrieved successfully",
    },
)

MOVE_REQUEST = OpenApiExample(
    "Move to a stage",
    request_only=True,
    value={"stageId": "clxyz111222333444555", "notes": "Lead moved to qualified stage after initial contact"},
)
MOVE_RESPONSE = OpenApiExample(
    "Lead moved",
    response_only=True,
    status_codes=["200"],
    value={
        "success": True,
        "lead": {
            "id": "lead_123",
            "stageId": "clxyz111222333444555",
            "status": "QUALIFIED",
            "updatedAt": "2024-01-20T16:00:00Z",
        },
        "message": "Lead moved to new stage successfully",
    },
)

CONVERT_REQUEST = OpenApiExample(
    "Convert an Instagram conversation",
    request_only=True,
    value={
        "conversationId": "conv_123",
        "pipelineId": "pipeline_789",
        "source": "social_media",
        "value": 1500,
        "notes": "Converted from Instagram DM conversation",
    },
)
CONVERT_RESPONSE = OpenApiExample(
    "Conversation converted",
    response_only=True,
    status_codes=["201"],
    value={
        "success": True,
        "lead": {
            "id": "lead_456",
            "contactId": "contact_789",
            "pipelineId": "pipeline_789",
            "source": "social_media",
            "value": 1500,
            "status": "NEW",
            "createdAt": "2024-01-20T16:00:00Z",
        },
        "contact": {"id": "contact_789", "name": "Jane Smith", "email": "jane@example.com", "phone": "+1987654321"},
        "message": "Conversation converted to lead successfully",
    },
)

NOT_FOUND = OpenApiExample(
    "Lead not found",
    response_only=True,
    status_codes=["404"],
    value={
        "success": False,
        "statusCode": 404,
        "message": "Lead not found or you don't have access",
        "error": "Not Found",
    },
)
BAD_REQUEST = OpenApiExample(
    "Invalid input",
    response_only=True,
    status_codes=["400"],
    value={
        "success": False,
        "statusCode": 400,
        "message": ["pipelineId is required", "contactId does not match any contact in this organization"],
        "error": "Bad Request",
    },
)
LEAD_EXISTS = OpenApiExample(
    "Lead already exists",
    response_only=True,
    status_codes=["409"],
    value={
        "success": False,
        "statusCode": 409,
        "message": "Lead already exists for this contact and pipeline",
        "error": "Conflict",
    },
)
