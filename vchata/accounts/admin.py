"""Admin for users, organizations and memberships, scoped by ``vchata.tenancy.admin``."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import transaction

from vchata.exceptions import DomainError
from vchata.tenancy import permissions
from vchata.tenancy.admin import (
    OrgConsistentForm,
    OrgScopedAdmin,
    ScopedInline,
    acting_membership,
    admin_link,
    count_of,
    error_message,
    managed_org_ids,
    may_in_admin,
    show_saved,
)
from vchata.tenancy.permissions import Action

from . import invitations, members
from .forms import AdminLoginForm, time_zone_field
from .models import Invitation, Membership, Organization, User
from .services import create_organization, update_organization

admin.site.login_form = AdminLoginForm  # throttled; the view is wrapped in vchata/urls.py
admin.site.site_header = "VChata CRM admin"
admin.site.site_title = "VChata CRM admin"
admin.site.index_title = "Run the CRM"
# The lead list needs the width more than a second copy of the index.
admin.site.enable_nav_sidebar = False


class EmailNormalizingMixin:
    def clean_email(self):
        # Stored lowercase (User.save); compare the same way so a case variant
        # is a form error, not an IntegrityError.
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("A user with this email already exists.")
        return email


class UserCreateForm(EmailNormalizingMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserEditForm(EmailNormalizingMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class UserMembershipInline(ScopedInline):
    """A person's memberships, read-only: roles change in the membership admin, through the member services."""

    model = Membership
    read_only = True
    can_delete = False
    org_lookup = "organization"
    fk_name = "user"
    fields = ("organization", "role", "created_at")
    readonly_fields = fields
    verbose_name = "membership"
    verbose_name_plural = "organizations"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")


@admin.register(User)
class UserAdmin(OrgScopedAdmin, DjangoUserAdmin):
    """Users sign in with their email. Members may look colleagues up; only superusers edit accounts.

    An org admin editing a person's email, password or superuser flag would
    reach into every other org that person belongs to.
    """

    form = UserEditForm
    add_form = UserCreateForm
    list_display = ("email", "name", "is_staff", "is_superuser", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "date_joined")
    search_fields = ("email", "name", "=id")
    search_help_text = "Email, name or exact user id"
    ordering = ("email",)
    date_hierarchy = "date_joined"
    readonly_fields = ("id", "last_login", "date_joined")
    filter_horizontal = ("groups", "user_permissions")
    inlines = [UserMembershipInline]
    fieldsets = (
        (None, {"fields": ("id", "email", "name", "password")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "usable_password", "password1", "password2")}),
    )

    def scope(self, request, qs):
        if request.user.is_superuser:
            return qs
        colleagues = Membership.objects.filter(organization_id__in=managed_org_ids(request)).values("user_id")
        return qs.filter(pk__in=colleagues)

    def _may(self, request, action, obj=None):
        if not may_in_admin(request, action):
            return False
        if obj is None or request.user.is_superuser:
            return True
        return self.scope(request, User.objects.filter(pk=obj.pk)).exists()

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class MembershipInline(ScopedInline):
    """The organization's members, read-only here: each links to its membership, where roles change."""

    model = Membership
    read_only = True
    can_delete = False
    fields = ("member", "role", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").order_by("role", "user__email")

    @admin.display(description="member")
    def member(self, obj):
        return admin_link(obj, obj.user.email)


class InvitationInline(ScopedInline):
    model = Invitation
    read_only = True
    can_delete = False
    fields = ("invitation", "role", "status", "expires_at")
    readonly_fields = fields
    ordering = ("-created_at",)

    def has_view_permission(self, request, obj=None):
        return obj is not None and may_in_admin(request, Action.MANAGE_MEMBERS, obj.pk)

    @admin.display(description="email")
    def invitation(self, obj):
        return admin_link(obj, obj.email)


class OrganizationForm(OrgConsistentForm):
    time_zone = time_zone_field()

    class Meta:
        model = Organization
        fields = ("name", "currency", "time_zone", "lead_visibility")


@admin.register(Organization)
class OrganizationAdmin(OrgScopedAdmin):
    org_lookup = "pk"
    change_action = Action.CHANGE_SETTINGS
    form = OrganizationForm
    list_display = ("name", "id", "currency", "lead_visibility", "member_count", "lead_count", "created_at")
    search_fields = ("name", "=id")
    search_help_text = "Name or exact organization id"
    list_filter = ("lead_visibility", "created_at")
    date_hierarchy = "created_at"
    readonly_fields = ("id", "created_at")
    fields = ("id", "name", "currency", "time_zone", "lead_visibility", "created_at")
    inlines = [MembershipInline, InvitationInline]

    def get_queryset(self, request):
        # Leads are counted by label: accounts sits below the leads app and imports none of it.
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=count_of(Membership, "organization"), lead_total=count_of("leads.Lead", "organization")
            )
        )

    @admin.display(description="members", ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    @admin.display(description="leads", ordering="lead_total")
    def lead_count(self, obj):
        return obj.lead_total

    def has_add_permission(self, request):
        # Whoever creates an org must own it; members create orgs in the app.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if change:
            # Through the service, as PATCH /organizations/{orgId} does.
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            update_organization(org=obj, actor=acting_membership(request, obj), changes=changes)
            obj.refresh_from_db()
            return
        # Through the service, as sign-up and the API do: the org gets what every org starts with.
        created = create_organization(owner=None, name=obj.name)
        Organization.objects.filter(pk=created.pk).update(
            currency=obj.currency, time_zone=obj.time_zone, lead_visibility=obj.lead_visibility
        )
        show_saved(obj, created)


class MembershipForm(OrgConsistentForm):
    class Meta:
        model = Membership
        fields = ("organization", "user", "role")


@admin.register(Membership)
class MembershipAdmin(OrgScopedAdmin):
    """Memberships, changed only through ``vchata.accounts.members``: the same rules as the API.

    Nobody is added here but by a superuser (an org's first owner): everyone
    else joins by accepting an invitation. An ADMIN can't touch an OWNER's
    membership nor grant OWNER; the last OWNER can't be demoted or removed.
    """

    form = MembershipForm
    list_display = ("user", "user_email", "organization", "role", "created_at")
    list_filter = ("role", ("organization", admin.RelatedOnlyFieldListFilter), "created_at")
    list_select_related = ("user", "organization")
    search_fields = ("user__email", "user__name", "organization__name", "=organization__id", "=user__id")
    search_help_text = "Member email or name, organization name, or exact ids"
    date_hierarchy = "created_at"
    autocomplete_fields = ("user", "organization")
    readonly_fields = ("created_at",)
    change_action = delete_action = Action.MANAGE_MEMBERS

    @admin.display(description="email", ordering="user__email")
    def user_email(self, obj):
        return obj.user.email

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        actor = acting_membership(request, obj.organization)
        return actor is not None and permissions.may_change_member(actor, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request) or bool(managed_org_ids(request))
        actor = acting_membership(request, obj.organization)
        if actor is None:
            return False
        return actor.user_id == obj.user_id or permissions.may_change_member(actor, obj)

    def get_readonly_fields(self, request, obj=None):
        return ("organization", "user", "created_at") if obj is not None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "role" in form.base_fields:
            actor = acting_membership(request, obj.organization)
            offered = set(permissions.grantable_roles(actor)) | {obj.role} if actor else {obj.role}
            form.base_fields["role"].choices = [c for c in Membership.Role.choices if c[0] in offered]
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)  # a superuser seating an org's first owner
            return
        members.change_role(
            org=obj.organization,
            actor=acting_membership(request, obj.organization),
            user_id=obj.user_id,
            role=form.cleaned_data["role"],
        )

    def delete_model(self, request, obj):
        members.remove_member(
            org=obj.organization, actor=acting_membership(request, obj.organization), user_id=obj.user_id
        )

    def get_actions(self, request):
        # One at a time (the delete page), through the service: "delete selected" would report
        # success for a batch the last-owner rule refused.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class InvitationForm(OrgConsistentForm):
    role = forms.ChoiceField(choices=[(role, role.label) for role in invitations.INVITABLE_ROLES])

    class Meta:
        model = Invitation
        fields = ("organization", "email", "role")


@admin.action(description="Revoke selected invitations", permissions=["revoke"])
def revoke_invitations(modeladmin, request, queryset):
    try:
        with transaction.atomic():
            rows = list(queryset.select_related("organization"))
            for invitation in rows:
                invitations.revoke_invitation(
                    org=invitation.organization,
                    actor=acting_membership(request, invitation.organization),
                    invitation_id=invitation.pk,
                )
    except DomainError as exc:
        modeladmin.message_user(request, f"Nothing was revoked: {error_message(exc)}", messages.ERROR)
        return
    modeladmin.message_user(request, f"Revoked {len(rows)} invitation{'s' if len(rows) != 1 else ''}.")


@admin.register(Invitation)
class InvitationAdmin(OrgScopedAdmin):
    """Invitations are made and revoked through ``vchata.accounts.invitations`` (the email goes out from there)."""

    form = InvitationForm
    view_action = add_action = Action.MANAGE_MEMBERS
    list_display = ("email", "organization", "role", "status", "invited_by", "expires_at", "created_at")
    list_filter = ("role", ("organization", admin.RelatedOnlyFieldListFilter), "created_at")
    list_select_related = ("organization", "invited_by")
    search_fields = ("email", "=id", "=organization__id")
    search_help_text = "Email, or exact invitation or organization id"
    date_hierarchy = "created_at"
    autocomplete_fields = ("organization",)
    actions = [revoke_invitations]
    readonly_fields = (
        "id",
        "organization",
        "email",
        "role",
        "status",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )

    def get_fields(self, request, obj=None):
        return ("organization", "email", "role") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    @admin.display(description="status")
    def status(self, obj):
        return obj.status

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return may_in_admin(request, Action.MANAGE_MEMBERS)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = invitations.invite(
            org=data["organization"],
            actor=acting_membership(request, data["organization"]),
            email=data["email"],
            role=data["role"],
            site_url=invitations.site_url_for(request),
        )
        show_saved(obj, created)
