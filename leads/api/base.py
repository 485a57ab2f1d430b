"""Helpers shared by the API views of this package: validated input, paged answers, a lead's sub-lists."""

from collections.abc import Callable

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.response import Response

from vchata.inputs import validated as validated_input
from vchata.pagination import Page, paginate
from vchata.responses import ok
from vchata.tenancy import OrgScopedAPIView

from .. import selectors
from ..models import Lead


def validated(serializer_class: type[serializers.Serializer], request, org) -> dict:
    """The body checked by ``serializer_class``, which resolves ids through ``org``."""
    return validated_input(serializer_class, request.data, org=org, request=request)


def paged(
    *, message: str, key: str, serializer_class, queryset, request, paginator: Callable[..., Page] = paginate
) -> Response:
    """One page of ``queryset`` (``page``/``limit`` from the query string) in the list envelope."""
    page: Page = paginator(queryset, request.query_params)
    return ok(message=message, **{key: serializer_class(page.items, many=True).data, "pagination": page.meta})


# ``GET``: one page of a lead's own rows (its activities, changes, tasks), 404 for a lead the caller
# can't see. A subclass names them (``rows``, ``key``, ``message``, ``item_serializer``) and documents
# its route with ``extend_schema_view(get=extend_schema(…))``. (A comment, not a docstring: the
# schema shows a view's docstring as its routes' description.)
class LeadSubListView(OrgScopedAPIView):
    key: str
    message: str
    item_serializer: type[serializers.Serializer]

    def rows(self, lead: Lead) -> QuerySet:
        raise NotImplementedError

    def get(self, request, org_id, lead_id):
        lead = selectors.lead_in_org(org=self.org, lead_id=lead_id, scope=self.lead_scope)
        return paged(
            message=self.message,
            key=self.key,
            serializer_class=self.item_serializer,
            queryset=self.rows(lead),
            request=request,
        )
