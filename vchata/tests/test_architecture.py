"""The structure holds: every org route and every admin of org-owned rows is built on ``vchata.tenancy``.

These walk what the project actually serves (the URL resolver, the admin
registry), so a new route or admin that skips the tenancy base fails here
before it can leak another organization's rows.
"""

from collections.abc import Iterator

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from vchata.accounts.models import Organization
from vchata.tenancy import OrgScopedMixin
from vchata.tenancy.admin import OrgScopedAdmin, ScopedInline
from vchata.tenancy.pages import OrgPageMixin

ORG_SCOPED_BASES = (OrgScopedMixin, OrgPageMixin)


def routes(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from routes(entry, route)
        else:
            yield route, entry


def view_class(pattern: URLPattern) -> type | None:
    callback = pattern.callback
    return getattr(callback, "view_class", None) or getattr(callback, "cls", None)


def org_routes() -> list[tuple[str, URLPattern]]:
    return [(route, pattern) for route, pattern in routes(get_resolver()) if "<org_id:" in route]


def test_the_walk_finds_the_org_routes_it_guards():
    found = {route for route, _ in org_routes()}
    # A walk that found nothing would pass the test below whatever the code did.
    assert "leads/<org_id:org_id>" in found
    assert "app/<org_id:org_id>/pipelines/<pipeline_id:pipeline_id>/" in found
    assert len(found) > 30


@pytest.mark.parametrize(("route", "pattern"), org_routes(), ids=lambda value: str(value))
def test_every_route_with_an_org_id_is_org_scoped(route, pattern):
    cls = view_class(pattern)

    assert cls is not None and issubclass(cls, ORG_SCOPED_BASES), (
        f"{route} ({pattern.callback.__module__}) must be a view built on vchata.tenancy "
        "(OrgScopedAPIView / OrgScopedGenericView for the API, OrgPageMixin for pages)"
    )


def org_owned_models() -> set[type[models.Model]]:
    """Models with rows of one organization: an ``organization`` key, or a required key to such a model."""

    def points_at(model: type[models.Model], targets: set) -> bool:
        return any(
            field.many_to_one and not field.null and field.related_model in targets
            for field in model._meta.get_fields()
            if field.concrete
        )

    owned = {Organization} | {
        model for model in apps.get_models() if any(f.name == "organization" for f in model._meta.get_fields())
    }
    while True:
        more = {model for model in apps.get_models() if model not in owned and points_at(model, owned)}
        if not more:
            return owned
        owned |= more


def test_the_org_owned_models_include_rows_reached_through_a_parent():
    owned = {model._meta.label for model in org_owned_models()}

    assert {"leads.Lead", "leads.Message", "automation.RuleAssignee", "accounts.Membership"} <= owned
    assert "accounts.User" not in owned  # people belong to orgs through memberships, scoped by UserAdmin.scope()


def registered_admins() -> list[tuple[type[models.Model], admin.ModelAdmin]]:
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(
    ("model", "model_admin"),
    [(m, a) for m, a in registered_admins() if m in org_owned_models()],
    ids=lambda value: getattr(getattr(value, "_meta", None), "label", ""),
)
def test_every_admin_of_org_owned_rows_is_org_scoped(model, model_admin):
    assert isinstance(model_admin, OrgScopedAdmin), f"{model._meta.label}'s admin must subclass OrgScopedAdmin"
    for inline in model_admin.inlines:
        assert issubclass(inline, ScopedInline), f"{inline.__name__} must subclass ScopedInline"
    # Its org_lookup must lead from the model to an organization.
    target = model
    *path, last = model_admin.org_lookup.split("__")
    for name in path:
        target = target._meta.get_field(name).related_model
    assert last == "pk" and target is Organization or target._meta.get_field(last).related_model is Organization
