"""Shared pieces of the OpenAPI description: the error envelope and helpers."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from vchata.pagination import PaginationSerializer

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


# Errors the middleware and the parser give any route that takes a body, before its view runs.
_BODY_ERRORS = {
    "400": "Malformed JSON, or JSON the API cannot store (NUL, lone surrogates, out-of-range numbers, deep nesting)",
    "411": "Chunked request body: send it with a Content-Length header",
    "413": _ERROR_TEXT[413],
    "415": _ERROR_TEXT[415],
}


def document_body_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation with a request body documents 400/411/413/415."""
    envelope = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in _BODY_ERRORS.items():
                responses.setdefault(code, {"description": description, "content": envelope})
    return result


def envelope(name: str, **payload: serializers.Field) -> type[serializers.Serializer]:
    """The success envelope ``{success, <payload…>, message}`` as a named schema component."""
    fields = {"success": serializers.BooleanField(), **payload, "message": serializers.CharField()}
    return type(name, (serializers.Serializer,), fields)


def paged(
    name: str,
    key: str,
    item: serializers.Serializer,
    *,
    pagination: serializers.Serializer | None = None,
    **extra: serializers.Field,
) -> type[serializers.Serializer]:
    """The list envelope: ``{success, <key>: [...], pagination, message}``.

    ``pagination``: ``CursorPaginationSerializer()`` for a list that takes ``cursor``.
    """
    return envelope(name, **extra, **{key: item, "pagination": pagination or PaginationSerializer()})
