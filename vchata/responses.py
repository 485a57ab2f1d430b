"""The success envelope: ``{"success": true, <resource>: ..., "message": ...}``."""

from rest_framework import status as http_status
from rest_framework.response import Response


def ok(*, message: str, status: int = http_status.HTTP_200_OK, **payload) -> Response:
    return Response({"success": True, **payload, "message": message}, status=status)


def created(*, message: str, **payload) -> Response:
    return ok(message=message, status=http_status.HTTP_201_CREATED, **payload)
