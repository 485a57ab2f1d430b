"""Admin for users, organizations and memberships, scoped by ``vchata.tenancy.admin``."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from vchata.tenancy.admin import (
    InlineConstraintsForm,
    OrgConsistentForm,
    OrgScopedAdmin,
    ScopedInline,
    count_of,
    managed_org_ids,
    may_administer,
)

from .models import Membership, Organization, User
from .services import create_organization

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
    model = Membership
    form = InlineConstraintsForm
    org_lookup = "organization"
    fk_name = "user"
    fields = ("organization", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("organization",)
    verbose_name = "membership"
    verbose_name_plural = "organizations"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(OrgScopedAdmin, DjangoUserAdmin):
    """Users sign in with their email. Org admins may look members up; only superusers edit accounts.

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
        members = Membership.objects.filter(organization_id__in=managed_org_ids(request)).values("user_id")
        return qs.filter(pk__in=members)

    def _may(self, request, obj=None):
        if not may_administer(request):
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
    model = Membership
    form = InlineConstraintsForm
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").order_by("role", "user__email")


@admin.register(Organization)
class OrganizationAdmin(OrgScopedAdmin):
    org_lookup = "pk"
    list_display = ("name", "id", "member_count", "lead_count", "created_at")
    search_fields = ("name", "=id")
    search_help_text = "Name or exact organization id"
    list_filter = ("created_at",)
    date_hierarchy = "created_at"
    readonly_fields = ("id", "created_at")
    fields = ("id", "name", "created_at")
    inlines = [MembershipInline]

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
        # Whoever creates an org must own it; org admins create orgs in the app.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # Through the service, as sign-up and the API do: the org gets what every org starts with.
        created = create_organization(owner=None, name=obj.name)
        obj.pk, obj._state.adding = created.pk, False
        obj.refresh_from_db()


class MembershipForm(OrgConsistentForm):
    class Meta:
        model = Membership
        fields = ("organization", "user", "role")


@admin.register(Membership)
class MembershipAdmin(OrgScopedAdmin):
    form = MembershipForm
    list_display = ("user", "user_email", "organization", "role", "created_at")
    list_filter = ("role", ("organization", admin.RelatedOnlyFieldListFilter), "created_at")
    list_select_related = ("user", "organization")
    search_fields = ("user__email", "user__name", "organization__name", "=organization__id", "=user__id")
    search_help_text = "Member email or name, organization name, or exact ids"
    date_hierarchy = "created_at"
    autocomplete_fields = ("user", "organization")
    readonly_fields = ("created_at",)

    @admin.display(description="email", ordering="user__email")
    def user_email(self, obj):
        return obj.user.email
