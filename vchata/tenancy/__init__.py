"""Tenancy in one place: every org-owned row is reached through this package.

- ``models``: ``OrgOwned`` (the base of every tenant row), ``OrgQuerySet.for_org``
  and ``get_in_org``, the one fetch-by-id-or-404 of the project;
- ``membership``: the membership query behind every org route and page;
- ``api``: the base views of ``/…/{orgId}…`` API routes;
- ``pages``: the base of ``/app/<orgId>/…`` pages;
- ``admin``: the org-scoped Django admin base classes.

``vchata/tests/test_architecture.py`` fails if a route with an org id or an
admin of org-owned rows is not built on these.
"""

from .api import OrgScopedAPIView, OrgScopedGenericView, OrgScopedMixin
from .membership import ORG_NOT_FOUND, member_of, membership_of, org_for_member
from .models import OrgOwned, OrgQuerySet, get_in_org, not_found_message

__all__ = [
    "ORG_NOT_FOUND",
    "OrgOwned",
    "OrgQuerySet",
    "OrgScopedAPIView",
    "OrgScopedGenericView",
    "OrgScopedMixin",
    "get_in_org",
    "member_of",
    "membership_of",
    "not_found_message",
    "org_for_member",
]
