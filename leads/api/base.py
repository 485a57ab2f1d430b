"""Helpers shared by the API views of this package: validated input and paged answers."""

from collections.abc import Callable

from rest_framework import serializers
from rest_framework.response import Response

from vchata.inputs import validated as validated_input
from vchata.pagination import Page, paginate
from vchata.responses import ok


def validated(serializer_class: type[serializers.Serializer], request, org) -> dict:
    """The body checked by ``serializer_class``, which resolves ids through ``org``."""
    return validated_input(serializer_class, request.data, org=org, request=request)


def paged(
    *, message: str, key: str, serializer_class, queryset, request, paginator: Callable[..., Page] = paginate
) -> Response:
    """One page of ``queryset`` (``page``/``limit`` from the query string) in the list envelope."""
    page: Page = paginator(queryset, request.query_params)
    return ok(message=message, **{key: serializer_class(page.items, many=True).data, "pagination": page.meta})
