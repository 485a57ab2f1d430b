"""Shared pieces of the OpenAPI description: the error envelope and helpers."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorEnvelope = inline_serializer(
    name="ErrorEnvelope",
    fields={
        "success": serializers.BooleanField(default=False),
        "statusCode": serializers.IntegerField(),
        "message": serializers.JSONField(help_text="A sentence, or a list of sentences (one per problem)."),
        "error": serializers.CharField(),
    },
)

_ERROR_TEXT = {
    400: "Invalid input",
    401: "Missing or invalid access token",
    403: "Not allowed",
    404: "Not found, or not in an organization you belong to",
    409: "Conflicts with existing data",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Envelope responses for the given status codes (401 and 429 are always added)."""
    wanted = sorted(set(codes) | {401, 429})
    return {code: OpenApiResponse(ErrorEnvelope, description=_ERROR_TEXT.get(code, "Error")) for code in wanted}
