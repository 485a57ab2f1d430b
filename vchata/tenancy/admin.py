"""The org-scoped Django admin: the one place the admin decides who sees which rows.

Superusers see everything. Other staff see only the organizations they are
members of: changelists, change forms, foreign-key choices, autocomplete
results and object URLs are all narrowed through ``OrgScopedAdmin.scope()``;
another org's object is a 404, as in the API, and so is a lead a MEMBER
doesn't see under ASSIGNED visibility (``lead_prefix``).

What they may do with what they see is decided by their role in the object's
organization, by ``vchata.tenancy.permissions``, exactly as in the API: each
admin names the action viewing, adding, changing and deleting take
(``view_action``, ``add_action``, …; configuration by default). Django model
permissions play no part: an org admin who is ``is_staff`` needs no
permission rows, and a member without ``is_staff`` can't sign in to the admin.
Superusers act with an OWNER's rights (``acting_membership``), through the
same services, so even they can't leave an organization without an OWNER.
"""

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from vchata.accounts.models import Membership, Organization
from vchata.exceptions import DomainError

from . import permissions
from .permissions import Action

_CACHE_ATTR = "_vchata_admin_memberships"


def admin_memberships(request) -> dict[str, Membership]:
    """The user's memberships (with their organizations) by organization id; one query per request."""
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is None:
        rows = Membership.objects.filter(user=request.user).select_related("organization")
        cached = {membership.organization_id: membership for membership in rows}
        setattr(request, _CACHE_ATTR, cached)
    return cached


def managed_org_ids(request) -> frozenset[str]:
    """Ids of the orgs whose rows the request's user sees in the admin (those they are a member of)."""
    return frozenset(admin_memberships(request))


def acting_membership(request, org: Organization) -> Membership | None:
    """The membership the request acts with in ``org``; a superuser holds an OWNER's rights (an unsaved row)."""
    membership = admin_memberships(request).get(org.pk)
    if membership is None and request.user.is_superuser:
        membership = Membership(organization=org, user=request.user, role=Membership.Role.OWNER)
    return membership


def org_ids_allowing(request, action: Action) -> frozenset[str] | None:
    """The orgs in which the user may do ``action``; None for a superuser (all of them)."""
    if request.user.is_superuser:
        return None
    return frozenset(org_id for org_id, m in admin_memberships(request).items() if permissions.may(m, action))


def may_in_admin(request, action: Action, org_id: str | None = None) -> bool:
    """Whether the user may do ``action`` in ``org_id`` (None: in some organization)."""
    if not may_administer(request):
        return False
    allowed = org_ids_allowing(request, action)
    if allowed is None:
        return True
    return bool(allowed) if org_id is None else org_id in allowed


def may_administer(request) -> bool:
    """Whether the user may use the admin at all (the site itself already requires ``is_staff``)."""
    user = request.user
    return user.is_active and user.is_staff and (user.is_superuser or bool(admin_memberships(request)))


def org_id_of(obj: Model, org_lookup: str) -> str | None:
    """Follow ``org_lookup`` ("organization", "conversation__organization", "pk") from ``obj``."""
    *path, last = org_lookup.split("__")
    for name in path:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj.pk if last == "pk" else getattr(obj, f"{last}_id", None)


def admin_link(obj, text=None):
    """A link to ``obj``'s change page ("—" for None)."""
    if obj is None:
        return "—"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else obj)


def error_message(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return "; ".join(message) if isinstance(message, list | tuple) else str(message)


def changed_values(form, fields) -> dict:
    """The cleaned values of ``fields`` the form changed: the ``changes`` an update service takes."""
    return {name: form.cleaned_data[name] for name in fields if name in form.changed_data}


def show_saved(obj: Model, row: Model) -> None:
    """Point the admin's object at the row a service wrote, so the admin's messages and redirects follow it."""
    obj.pk, obj._state.adding = row.pk, False
    obj.refresh_from_db()


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


class OrgNamedListFilter(admin.RelatedOnlyFieldListFilter):
    """A related-row filter offering only the rows of the listed ones, named with their org when they span several.

    A staff user of two orgs otherwise sees "Sales Pipeline" twice and can't
    tell which is whose. Subclasses name a row (``label``) and say what that
    reads (``related``); the choices are one query.
    """

    related: tuple[str, ...] = ()

    def label(self, row) -> str:
        return str(row)

    def sort_key(self, row):
        return str(row)

    def field_choices(self, field, request, model_admin):
        used = model_admin.get_queryset(request).order_by().values(f"{self.field_path}__pk")
        rows = list(
            field.related_model._default_manager.filter(pk__in=used).select_related("organization", *self.related)
        )
        several = len({row.organization_id for row in rows}) > 1
        rows.sort(key=lambda row: (row.organization.name if several else "", self.sort_key(row)))
        return [
            (row.pk, f"{row.organization.name} — {self.label(row)}" if several else self.label(row)) for row in rows
        ]


class OrgConsistentForm(forms.ModelForm):
    """Refuse links to rows of another organization than the object's own, and orgs the user may not act in.

    A staff user who administers two orgs gets both orgs' rows as choices; a
    contact of org A must still never be attached to a lead of org B. The
    admin sets ``allowed_org_ids`` to the orgs in which the user's role allows
    this add or change (None: any): a MANAGER of org A and OWNER of org B
    can't create a pipeline in A by picking it.
    """

    allowed_org_ids: frozenset[str] | None = None

    def clean(self):
        cleaned = super().clean()
        org_id = self._org_id(cleaned)
        if org_id is None:
            return cleaned
        if self.allowed_org_ids is not None and org_id not in self.allowed_org_ids:
            raise ValidationError("Your role in this organization doesn't allow this change.", code="forbidden")
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
    (``"organization"`` by default), and ``lead_prefix`` to the path to the
    lead (``""`` on leads, ``"lead__"`` on activities) when the rows follow a
    lead's visibility. Override ``scope()`` when rows belong to orgs some other
    way (users belong through memberships). ``read_only`` admins show history
    that only services write. The ``*_action`` attributes name what each kind
    of access takes in the object's organization (``vchata.tenancy.permissions``).
    """

    org_lookup = "organization"
    lead_prefix: str | None = None
    read_only = False
    form = OrgConsistentForm
    view_action = Action.WORK_LEADS
    add_action = Action.CONFIGURE
    change_action = Action.CONFIGURE
    delete_action = Action.CONFIGURE

    # --- scope -----------------------------------------------------------------

    def scope(self, request, qs: QuerySet) -> QuerySet:
        if request.user.is_superuser:
            return qs
        memberships = admin_memberships(request)
        qs = qs.filter(**{f"{self.org_lookup}__in": list(memberships)})
        if self.lead_prefix is not None:
            qs = qs.filter(
                permissions.lead_scope_across(memberships.values(), org_field=self.org_lookup, prefix=self.lead_prefix)
            )
        return qs

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

    def _may(self, request, action: Action, obj=None) -> bool:
        """``action`` in ``obj``'s organization (without ``obj``: in some organization)."""
        return may_in_admin(request, action, None if obj is None else org_id_of(obj, self.org_lookup))

    def has_module_permission(self, request):
        return may_administer(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request, self.view_action, obj)

    def has_add_permission(self, request):
        return not self.read_only and self._may(request, self.add_action)

    def has_change_permission(self, request, obj=None):
        return not self.read_only and self._may(request, self.change_action, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.read_only and self._may(request, self.delete_action, obj)

    def has_bulk_permission(self, request):
        """Bulk actions (``permissions=["bulk"]``) and imports: ``Action.MANAGE_LEADS``."""
        return not self.read_only and self._may(request, Action.MANAGE_LEADS)

    # --- deletes (through the model's service where it has one) -------------------

    def delete_row(self, request, obj) -> None:
        """Delete one row. Admins of rows a service deletes (renumbering, cleaning up, refusing) call it here."""
        obj.delete()

    def delete_model(self, request, obj):
        self.delete_row(request, obj)

    def delete_queryset(self, request, queryset):
        if type(self).delete_row is OrgScopedAdmin.delete_row:
            return super().delete_queryset(request, queryset)
        # Row by row through the service, all or nothing: one refusal keeps every row.
        with transaction.atomic():
            for obj in queryset.order_by("pk"):
                self.delete_row(request, obj)
        return None

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
        if issubclass(form, OrgConsistentForm):
            action = self.change_action if obj is not None else self.add_action
            form = type(form.__name__, (form,), {"allowed_org_ids": org_ids_allowing(request, action)})
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

    def changelist_view(self, request, extra_context=None):
        # Bulk deletes, list edits and actions go through services too; a refusal
        # rolls the whole batch back (each writer is atomic) and ends in a message.
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as exc:
            self.message_user(request, f"Nothing was changed: {error_message(exc)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        # The service deleting the row may refuse (the last OWNER, a pipeline with leads): a message, not a 500.
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, f"Nothing was deleted: {error_message(exc)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ScopedInline(ScopedFieldsMixin, admin.TabularInline):
    """An inline of an org-scoped parent: seen with the parent, edited by whoever may change the parent."""

    extra = 0
    read_only = False
    # Set when the parent can be seen by someone who must not see all its rows
    # (a member's memberships in orgs the viewer doesn't belong to).
    org_lookup: str | None = None
    # Set (with org_lookup) when the rows are leads or follow one: a MEMBER sees only the leads they see.
    lead_prefix: str | None = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.org_lookup is None or request.user.is_superuser:
            return qs
        memberships = admin_memberships(request)
        qs = qs.filter(**{f"{self.org_lookup}__in": list(memberships)})
        if self.lead_prefix is not None:
            qs = qs.filter(
                permissions.lead_scope_across(memberships.values(), org_field=self.org_lookup, prefix=self.lead_prefix)
            )
        return qs

    def _parent_admin(self):
        return self.admin_site._registry.get(self.parent_model)

    def _may_change_parent(self, request, obj) -> bool:
        parent = self._parent_admin()
        if parent is None:
            return may_administer(request)
        return parent.has_change_permission(request, obj) if obj is not None else parent.has_add_permission(request)

    def has_view_permission(self, request, obj=None):
        parent = self._parent_admin()
        return parent.has_view_permission(request, obj) if parent is not None else may_administer(request)

    def has_add_permission(self, request, obj=None):
        return not self.read_only and self._may_change_parent(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self.read_only and self._may_change_parent(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.read_only and self._may_change_parent(request, obj)


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
