"""The API base views of org routes: ``{orgId}`` and the caller's membership resolved once, before any handler."""

from django.conf import settings
from django.utils.module_loading import import_string
from rest_framework.generics import GenericAPIView
from rest_framework.views import APIView

from vchata.actors import start_acting, stop_acting
from vchata.authentication import TokenOnlyJWTAuthentication, check_user, load_user
from vchata.exceptions import NotFound

from . import permissions
from .membership import ORG_NOT_FOUND, membership_of


class OrgScopedMixin:
    """Resolve ``org_id`` from the URL and check membership before any handler runs.

    Subclasses get ``self.org`` and ``self.membership``. Use ``get_in_org`` /
    ``Model.objects.for_org(self.org)`` (or the app's selectors) for every
    read; never filter by organization by hand. Handlers call ``require(action)``
    once the rows they act on are found (a 404 comes before a 403), and read
    leads through ``lead_scope``.
    """

    org_url_kwarg = "org_id"

    def get_authenticators(self):
        # The token is checked up front; the user row comes with the membership
        # (vchata/authentication.py). The schema pass keeps the default class: it is the
        # same bearer scheme, and two classes under one scheme name confuse drf-spectacular.
        if getattr(self, "swagger_fake_view", False):
            return super().get_authenticators()
        return [*(import_string(path)() for path in settings.ORG_ROUTE_AUTHENTICATORS), TokenOnlyJWTAuthentication()]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # token, permissions and throttles first
        if getattr(self, "swagger_fake_view", False):
            return
        if hasattr(request.auth, "membership_for"):  # an API key (integrations.authentication) binds itself
            self.membership = request.auth.membership_for(kwargs[self.org_url_kwarg], self, request.method)
            self.org = self.membership.organization
            # The key, not its creator, is who makes this request's changes (vchata.actors).
            self._acting_token = start_acting(request.auth.actor)
            return
        membership = membership_of(request.user.pk, kwargs[self.org_url_kwarg])
        if membership is None:
            load_user(request.auth)  # a missing, inactive or revoked user is a 401, not a 404
            raise NotFound(ORG_NOT_FOUND)
        check_user(membership.user, request.auth)
        request.user = membership.user  # the model instance, for services and throttles downstream
        self.membership = membership
        self.org = membership.organization

    def finalize_response(self, request, response, *args, **kwargs):
        token = getattr(self, "_acting_token", None)
        if token is not None:
            self._acting_token = None
            stop_acting(token)
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in getattr(request, "rate_limit_headers", {}).items():
            response[name] = value  # keyed requests: their allowance (integrations.throttling)
        return response

    def require(self, action: permissions.Action) -> None:
        """A 403 unless the caller's role allows ``action`` (``vchata.tenancy.permissions``)."""
        permissions.require(self.membership, action)

    @property
    def lead_scope(self) -> permissions.LeadScope:
        """The leads the caller sees (all of the org's, or under ASSIGNED visibility a MEMBER's own)."""
        return permissions.lead_scope(self.membership)


class OrgScopedAPIView(OrgScopedMixin, APIView):
    pass


class OrgScopedGenericView(OrgScopedMixin, GenericAPIView):
    """An org route with filter backends (django-filter) on ``base_queryset()``.

    Subclasses define ``model`` and ``base_queryset()``; the schema pass gets
    an empty queryset since it has no organization.
    """

    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.base_queryset()

    def base_queryset(self):
        raise NotImplementedError
