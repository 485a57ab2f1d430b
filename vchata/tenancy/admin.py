"""The org-scoped Django admin: the one place the admin decides who sees which rows.

Superusers see everything. Other staff see and edit only the organizations
they are OWNER or ADMIN of: changelists, change forms, foreign-key choices,
autocomplete results and object URLs are all narrowed through
``OrgScopedAdmin.scope()``; another org's object is a 404, as in the API.

Access is by org role, not Django model permissions: an org admin who is
``is_staff`` needs no permission rows to run their org from the admin, and a
member without ``is_staff`` cannot sign in to the admin at all.
"""

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect

from vchata.accounts.models import Membership
from vchata.exceptions import DomainError

MANAGER_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)
_CACHE_ATTR = "_vchata_managed_org_ids"


def managed_org_ids(request) -> frozenset[str]:
    """Ids of the orgs the request's user may administer; one query per request."""
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(
            Membership.objects.filter(user=request.user, role__in=MANAGER_ROLES).values_list(
                "organization_id", flat=True
            )
        )
        setattr(request, _CACHE_ATTR, cached)
    return cached


def may_administer(request) -> bool:
    """Whether the user may use the admin at all (the site itself already requires ``is_staff``)."""
    user = request.user
    return user.is_active and user.is_staff and (user.is_superuser or bool(managed_org_ids(request)))


def org_id_of(obj: Model, org_lookup: str) -> str | None:
    """Follow ``org_lookup`` ("organization", "conversation__organization", "pk") from ``obj``."""
    *path, last = org_lookup.split("__")
    for name in path:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj.pk if last == "pk" else getattr(obj, f"{last}_id", None)


def error_message(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return "; ".join(message) if isinstance(message, list | tuple) else str(message)


def count_of(model: type[Model] | str, fk: str, **filters) -> Coalesce:
    """Per-row count of ``model`` rows (a model or an "app_label.Model" label) pointing here, as a correlated subquery.

    Subqueries rather than ``Count()`` over joins, so two counts on one row
    don't multiply each other and the changelist stays one query.
    """
    if isinstance(model, str):
        model = apps.get_model(model)
    counted = (
        model.objects.filter(**{fk: OuterRef("pk")}, **filters)
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


class OrgConsistentForm(forms.ModelForm):
    """Refuse links to rows of another organization than the object's own.

    A staff user who administers two orgs gets both orgs' rows as choices; a
    contact of org A must still never be attached to a lead of org B.
    """

    def clean(self):
        cleaned = super().clean()
        org_id = self._org_id(cleaned)
        if org_id is None:
            return cleaned
        for name, field in self.fields.items():
            value = cleaned.get(name)
            if not isinstance(field, forms.ModelChoiceField) or value is None:
                continue
            values = value if isinstance(field, forms.ModelMultipleChoiceField) else [value]
            for related in values:
                related_org = getattr(related, "organization_id", org_id)
                if related_org != org_id:
                    self.add_error(name, f"Choose a {related._meta.verbose_name} of this organization.")
                    break
        return cleaned

    def _org_id(self, cleaned) -> str | None:
        organization = cleaned.get("organization") if "organization" in self.fields else None
        if organization is not None:
            return organization.pk
        return getattr(self.instance, "organization_id", None)


class InlineConstraintsForm(forms.ModelForm):
    """An inline row that also checks unique constraints naming the parent key.

    Django leaves the parent key out of an inline form's constraint checks,
    so a second membership of the same user would reach the database and
    fail there instead of on the form.
    """

    def _post_clean(self):
        super()._post_clean()
        try:
            self.instance.validate_constraints(exclude=self._get_validation_exclusions())
        except ValidationError as exc:
            self._update_errors(exc)


class ScopedFieldsMixin:
    """Foreign-key and many-to-many choices come from the related admin's scope."""

    def get_field_queryset(self, db, db_field, request):
        related_admin = self.admin_site._registry.get(db_field.remote_field.model)
        if isinstance(related_admin, OrgScopedAdmin):
            qs = related_admin.scope(request, db_field.remote_field.model._default_manager.using(db).all())
            ordering = related_admin.get_ordering(request)
            return qs.order_by(*ordering) if ordering else qs
        return super().get_field_queryset(db, db_field, request)


class OrgScopedAdmin(ScopedFieldsMixin, admin.ModelAdmin):
    """Base of every admin of tenant data.

    Set ``org_lookup`` to the path from the model to its organization
    (``"organization"`` by default). Override ``scope()`` when rows belong to
    orgs some other way (users belong through memberships). ``read_only``
    admins show history that only services write.
    """

    org_lookup = "organization"
    read_only = False
    form = OrgConsistentForm

    # --- scope -----------------------------------------------------------------

    def scope(self, request, qs: QuerySet) -> QuerySet:
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.org_lookup}__in": managed_org_ids(request)})

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        # Django redirects to the index for a missing object; another org's
        # object must look exactly like one that doesn't exist: a 404.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with this id.")
        return obj

    # --- permissions (by org role, see the module docstring) ---------------------

    def _may(self, request, obj=None) -> bool:
        if not may_administer(request):
            return False
        if obj is None or request.user.is_superuser:
            return True
        return org_id_of(obj, self.org_lookup) in managed_org_ids(request)

    def has_module_permission(self, request):
        return may_administer(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request):
        return not self.read_only and self._may(request)

    def has_change_permission(self, request, obj=None):
        return not self.read_only and self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.read_only and self._may(request, obj)

    def get_deleted_objects(self, objs, request):
        # History rows (read-only admins) go with the object they belong to:
        # nobody may delete them on their own, so they mustn't block that.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        history = {
            str(model._meta.verbose_name)
            for model, model_admin in self.admin_site._registry.items()
            if getattr(model_admin, "read_only", False)
        }
        return deleted, counts, perms_needed - history, protected

    # --- forms -------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "organization" in form.base_fields:
            # Disabled rather than read-only so constraints that start with
            # ``organization`` are still validated by the form.
            field = form.base_fields["organization"]
            field.disabled = True
            for flag in ("can_add_related", "can_change_related", "can_delete_related", "can_view_related"):
                setattr(field.widget, flag, False)  # the wrapper's icons: nothing to pick
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A service refusing a change (a race the form could not see) or the
        # database refusing it ends in a message, not a 500; the surrounding
        # transaction has rolled everything back.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (DomainError, IntegrityError) as exc:
            self.message_user(request, f"Nothing was saved: {error_message(exc)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ScopedInline(ScopedFieldsMixin, admin.TabularInline):
    """An inline of an org-scoped parent; access follows the parent's admin."""

    extra = 0
    read_only = False
    # Set when the parent can be seen by someone who must not see all its rows
    # (a member's memberships in orgs the viewer doesn't run).
    org_lookup: str | None = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.org_lookup is None or request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.org_lookup}__in": managed_org_ids(request)})

    def has_view_permission(self, request, obj=None):
        return may_administer(request)

    def has_add_permission(self, request, obj=None):
        return not self.read_only and may_administer(request)

    def has_change_permission(self, request, obj=None):
        return not self.read_only and may_administer(request)

    def has_delete_permission(self, request, obj=None):
        return not self.read_only and may_administer(request)


class CappedInlineFormSet(BaseInlineFormSet):
    """Shows only the first ``cap`` related rows (the inline's ordering decides which)."""

    cap = 25

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            # Slice after the parent filter: a sliced queryset can't be filtered.
            self._queryset = super().get_queryset()[: self.cap]
        return self._queryset


class HistoryInline(ScopedInline):
    """Read-only, newest first, capped: a lead's recent history without loading all of it."""

    read_only = True
    cap = 25
    can_delete = False
    formset = CappedInlineFormSet
    classes = ["history-inline"]

    class Media:
        css = {"all": ["admin/vchata/history.css"]}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.cap = self.cap
        return formset
