"""The organization's settings pages (OWNER and ADMIN): name, currency, lead visibility, members, invitations.

Every change goes through the same services as the API (``update_organization``,
``vchata.accounts.members``, ``vchata.accounts.invitations``), so a page can't
do what the API refuses; a refusal comes back as a message on the page.
Forms post and redirect back (post/redirect/get).
"""

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from vchata.exceptions import DomainError, NotFound
from vchata.tenancy import permissions
from vchata.tenancy.pages import OrgPageMixin
from vchata.tenancy.permissions import Action

from . import invitations, members
from .forms import InviteForm, OrganizationSettingsForm, RoleForm, TransferForm
from .models import Invitation, Membership
from .services import update_organization

ROLE_ORDER = Case(
    *[When(role=role, then=Value(index)) for index, role in enumerate(Membership.Role.values)],
    output_field=IntegerField(),
)
INVITATIONS_SHOWN = 50


def refusal(exc: DomainError) -> str:
    return " ".join(exc.message) if isinstance(exc.message, list) else str(exc.message)


class OrganizationSettingsView(OrgPageMixin, TemplateView):
    """``/app/<org_id>/settings/``: name, currency and who sees which leads."""

    template_name = "accounts/settings.html"
    required_action = Action.CHANGE_SETTINGS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", OrganizationSettingsForm(instance=self.org))
        context.update(nav="settings", tab="organization")
        return context

    def post(self, request, org_id):
        form = OrganizationSettingsForm(request.POST, instance=self.org)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if changes:
            update_organization(org=self.org, actor=self.membership, changes=changes)
            messages.success(request, "Settings saved.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("org-settings", org_id=self.org.pk)


class MembersView(OrgPageMixin, TemplateView):
    """``/app/<org_id>/settings/members/``: members with their roles, open invitations, and the invite form."""

    template_name = "accounts/members.html"
    required_action = Action.MANAGE_MEMBERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = (
            Membership.objects.filter(organization=self.org)
            .select_related("user")
            .order_by(ROLE_ORDER, "user__name", "user__email")
        )
        grantable = permissions.grantable_roles(self.membership)
        member_rows = [
            {
                "membership": row,
                "is_me": row.user_id == self.membership.user_id,
                "may_change": permissions.may_change_member(self.membership, row),
                "role_form": RoleForm(
                    initial={"role": row.role}, roles=[*grantable, row.role], auto_id=f"id_role_{row.user_id}_%s"
                ),
            }
            for row in rows
        ]
        invite_form = kwargs.get("invite_form") or InviteForm()
        invite_form.fields["role"].choices = [
            (value, label) for value, label in invite_form.fields["role"].choices if value in grantable
        ]
        pending = Invitation.objects.filter(organization=self.org, accepted_at=None, revoked_at=None)
        context.update(
            nav="settings",
            tab="members",
            member_rows=member_rows,
            invitations=list(pending.select_related("invited_by").order_by("-created_at")[:INVITATIONS_SHOWN]),
            invite_form=invite_form,
            may_transfer=permissions.may(self.membership, Action.MANAGE_OWNERS),
        )
        return context


class MembersActionView(OrgPageMixin, View):
    """A POST of the members page: invite, change a role, remove, transfer ownership, revoke an invitation."""

    http_method_names = ["post"]
    required_action = Action.MANAGE_MEMBERS

    def post(self, request, org_id, **kwargs):
        try:
            message = self.change(request, **kwargs)
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, refusal(exc))
        else:
            if message:
                messages.success(request, message)
        return redirect(reverse("org-members", kwargs={"org_id": self.org.pk}))

    def change(self, request, **kwargs) -> str:
        raise NotImplementedError


class InviteView(MembersActionView):
    def post(self, request, org_id, **kwargs):
        form = InviteForm(request.POST)
        if not form.is_valid():
            page = MembersView(request=request, kwargs=self.kwargs, membership=self.membership, org=self.org)
            return render(request, "accounts/members.html", page.get_context_data(invite_form=form), status=400)
        return super().post(request, org_id, form=form)

    def change(self, request, form) -> str:
        invitation = invitations.invite(
            org=self.org,
            actor=self.membership,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            site_url=invitations.site_url_for(request),
        )
        return f"Invitation sent to {invitation.email}."


class ChangeRoleView(MembersActionView):
    def change(self, request, user_id) -> str:
        target = members.member(org=self.org, user_id=user_id)
        form = RoleForm(request.POST, roles=list(Membership.Role.values))
        if not form.is_valid():
            raise DomainError("Choose a valid role.")
        membership = members.change_role(
            org=self.org, actor=self.membership, user_id=target.user_id, role=form.cleaned_data["role"]
        )
        return f"{membership.user.name or membership.user.email} is now {membership.get_role_display()}."


class RemoveMemberView(MembersActionView):
    def change(self, request, user_id) -> str:
        target = members.member(org=self.org, user_id=user_id)
        members.remove_member(org=self.org, actor=self.membership, user_id=target.user_id)
        return f"{target.user.name or target.user.email} was removed from {self.org.name}."


class TransferOwnershipView(MembersActionView):
    required_action = Action.MANAGE_OWNERS

    def change(self, request) -> str:
        form = TransferForm(request.POST)
        if not form.is_valid():
            raise DomainError("Choose the member to hand the organization to.")
        owner = members.transfer_ownership(org=self.org, actor=self.membership, user_id=form.cleaned_data["user"])
        return f"{owner.user.name or owner.user.email} now owns {self.org.name}; you are an admin."


class RevokeInvitationView(MembersActionView):
    def change(self, request, invitation_id) -> str:
        invitation = invitations.revoke_invitation(org=self.org, actor=self.membership, invitation_id=invitation_id)
        return f"The invitation to {invitation.email} was revoked."


class LeaveView(OrgPageMixin, TemplateView):
    """``/app/<org_id>/leave/``: any member may leave (the last OWNER can't: make someone else OWNER first)."""

    template_name = "accounts/leave.html"

    def post(self, request, org_id):
        try:
            members.remove_member(org=self.org, actor=self.membership, user_id=request.user.pk)
        except DomainError as exc:
            messages.error(request, refusal(exc))
            return redirect("org-leave", org_id=self.org.pk)
        messages.success(request, f"You left {self.org.name}.")
        return redirect("app-home")
