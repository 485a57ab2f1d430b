"""Tenancy in one place: the org-owned model base, its queryset, and the API base view.

Every tenant-owned row has ``organization``; every read goes through
``Model.objects.for_org(org)``; every org route resolves ``{orgId}`` and the
caller's membership once, in ``OrgScopedMixin.initial``, before any handler.
"""

from typing import TYPE_CHECKING, Self

from django.db import models
from rest_framework import viewsets
from rest_framework.views import APIView

from vchata.authentication import TokenOnlyJWTAuthentication, check_user, load_user
from vchata.exceptions import InvalidInput, NotFound

if TYPE_CHECKING:
    from vchata.accounts.models import Organization, User

ORG_NOT_FOUND = "Organization not found or you don't have access"


class OrgQuerySet(models.QuerySet):
    def for_org(self, org: "Organization") -> Self:
        return self.filter(organization=org)


class OrgOwned(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True


def membership_of(user_id, org_id: str):
    """The user's membership of the org with the organization and the user, in one query; None if not a member."""
    from vchata.accounts.models import Membership

    memberships = Membership.objects.select_related("organization", "user")
    return memberships.filter(user_id=user_id, organization_id=org_id).first()


def org_for_member(user: "User", org_id: str) -> "Organization":
    membership = membership_of(user.pk, org_id) if getattr(user, "is_authenticated", False) else None
    if membership is None:
        # Same answer for "no such org" and "not yours": ids must not be probed.
        raise NotFound(ORG_NOT_FOUND)
    return membership.organization


def get_in_org(model: type[models.Model], org: "Organization", pk: str, *, message: str | None = None):
    """The org's row with this id, or a 404 (another org's row looks absent)."""
    obj = model.objects.for_org(org).filter(pk=pk).first()
    if obj is None:
        raise NotFound(message or f"{model._meta.verbose_name.capitalize()} not found or you don't have access")
    return obj


def ref_in_org(model: type[models.Model], org: "Organization", pk, *, field: str, queryset=None):
    """Resolve an id sent in a request body; an unknown or foreign id is a 400 naming the field."""
    if pk in (None, ""):
        return None
    qs = queryset if queryset is not None else model.objects.for_org(org)
    obj = qs.filter(pk=pk).first() if isinstance(pk, str) else None
    if obj is None:
        raise InvalidInput([f"{field} does not match any {model._meta.verbose_name} in this organization"])
    return obj


class OrgScopedMixin:
    """Resolve ``org_id`` from the URL and check membership before any handler runs.

    Subclasses get ``self.org`` and ``self.membership``. Use ``get_in_org`` /
    ``Model.objects.for_org(self.org)`` for every read; never filter by
    organization by hand.
    """

    org_url_kwarg = "org_id"

    def get_authenticators(self):
        # The token is checked up front; the user row comes with the membership
        # (vchata/authentication.py). The schema pass keeps the default class: it is the
        # same bearer scheme, and two classes under one scheme name confuse drf-spectacular.
        if getattr(self, "swagger_fake_view", False):
            return super().get_authenticators()
        return [TokenOnlyJWTAuthentication()]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # token, permissions and throttles first
        if getattr(self, "swagger_fake_view", False):
            return
        membership = membership_of(request.user.pk, kwargs[self.org_url_kwarg])
        if membership is None:
            load_user(request.auth)  # a missing, inactive or revoked user is a 401, not a 404
            raise NotFound(ORG_NOT_FOUND)
        check_user(membership.user, request.auth)
        request.user = membership.user  # the model instance, for services and throttles downstream
        self.membership = membership
        self.org = membership.organization


class OrgScopedAPIView(OrgScopedMixin, APIView):
    pass


class OrgScopedViewSet(OrgScopedMixin, viewsets.ViewSet):
    pass
