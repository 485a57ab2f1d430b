"""Auth and organization routes (``/auth/…``, ``/organizations/…``)."""

from types import SimpleNamespace

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from vchata.authentication import TokenOnlyJWTAuthentication, check_user, load_user
from vchata.exceptions import Forbidden, InvalidInput
from vchata.inputs import validated
from vchata.responses import created, ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView
from vchata.tenancy.permissions import Action

from . import invitations, members
from . import serializers as s
from .login_throttle import TokenAccountThrottle
from .models import Invitation, Membership
from .selectors import me_rows
from .services import create_organization, sign_up, update_organization


def tokens_for(user) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class SignupView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "auth"

    @extend_schema(request=s.SignupInput, responses={201: s.SignupResponse, **errors(400, 403, 409)}, tags=["auth"])
    def post(self, request):
        if not settings.SIGNUP_ENABLED:
            raise Forbidden("Sign-up is disabled on this server")
        data = validated(s.SignupInput, request.data)
        user, org = sign_up(
            email=data["email"],
            password=data["password"],
            name=data["name"],
            organization_name=data["organizationName"],
        )
        return created(
            message="Account created successfully",
            user=s.UserSerializer(user).data,
            organization=s.OrganizationSerializer(org).data,
            **tokens_for(user),
        )


@extend_schema(tags=["auth"], responses={200: s.TokenPairSerializer, **errors(400)})
class TokenView(TokenObtainPairView):
    serializer_class = s.TokenObtainInput
    throttle_scope = "auth"
    # Per client IP (the scope), and per account across every IP.
    throttle_classes = [*TokenObtainPairView.throttle_classes, TokenAccountThrottle]


@extend_schema(tags=["auth"], responses={200: s.TokenPairSerializer, **errors(400)})
class TokenRefresh(TokenRefreshView):
    serializer_class = s.TokenRefreshInput


class LogoutView(APIView):
    """Blacklist a refresh token so it can never mint access tokens again."""

    @extend_schema(request=s.LogoutInput, responses={200: s.MessageResponse, **errors(400)}, tags=["auth"])
    def post(self, request):
        data = validated(s.LogoutInput, request.data)
        try:
            token = RefreshToken(data["refresh"])
        except TokenError as exc:
            raise InvalidInput(["refresh is not a valid refresh token"]) from exc
        if str(token.get("user_id")) != str(request.user.pk):
            raise InvalidInput(["refresh belongs to another user"])
        token.blacklist()
        return ok(message="Logged out successfully")


class MeView(APIView):
    """The caller and their organizations from one query.

    The token is checked up front without reading the user (``TokenOnlyJWTAuthentication``); the
    user's row comes with the memberships, and ``check_user`` applies the same checks
    ``JWTAuthentication`` would. A missing or inactive user goes through ``load_user``, whose
    401 envelopes are the documented ones.
    """

    def get_authenticators(self):
        if getattr(self, "swagger_fake_view", False):
            return super().get_authenticators()
        return [TokenOnlyJWTAuthentication()]

    @extend_schema(responses={200: s.MeResponse, **errors()}, tags=["auth"])
    def get(self, request):
        rows = me_rows(request.user.pk)
        if not rows or not rows[0][3]:
            load_user(request.auth)  # raises the 401 for a missing or inactive user
        user_id, email, name, is_active, password = rows[0][:5]
        check_user(SimpleNamespace(is_active=is_active, password=password), request.auth)
        return ok(
            message="User retrieved successfully",
            user={"id": user_id, "email": email, "name": name},
            organizations=[
                {"id": org_id, "name": org_name, "role": role, "currency": currency, "leadVisibility": visibility}
                for *_, org_id, org_name, role, currency, visibility in rows
                if org_id is not None
            ],
        )


class OrganizationsView(APIView):
    @extend_schema(
        request=s.OrganizationInput, responses={201: s.OrganizationResponse, **errors(400)}, tags=["organizations"]
    )
    def post(self, request):
        data = validated(s.OrganizationInput, request.data)
        org = create_organization(owner=request.user, name=data["name"])
        return created(message="Organization created successfully", organization=s.OrganizationSerializer(org).data)


class OrganizationView(OrgScopedAPIView):
    @extend_schema(
        operation_id="organization_retrieve",
        responses={200: s.OrganizationResponse, **errors(404)},
        tags=["organizations"],
    )
    def get(self, request, org_id):
        return ok(message="Organization retrieved successfully", organization=s.OrganizationSerializer(self.org).data)

    @extend_schema(
        operation_id="organization_update",
        summary="Change the organization's name, currency or lead visibility (OWNER, ADMIN)",
        request=s.OrganizationUpdateInput,
        responses={200: s.OrganizationResponse, **errors(400, 403, 404)},
        tags=["organizations"],
    )
    def patch(self, request, org_id):
        self.require(Action.CHANGE_SETTINGS)
        changes = validated(s.OrganizationUpdateInput, request.data)
        org = update_organization(org=self.org, actor=self.membership, changes=changes)
        return ok(message="Organization updated successfully", organization=s.OrganizationSerializer(org).data)


def invited(view, request):
    """``POST …/invitations`` (and the old ``POST …/members``): invite, answer the invitation (never its token)."""
    view.require(Action.MANAGE_MEMBERS)
    data = validated(s.InvitationInput, request.data)
    invitation = invitations.invite(
        org=view.org,
        actor=view.membership,
        email=data["email"],
        role=data["role"],
        site_url=invitations.site_url_for(request),
    )
    return created(message="Invitation sent", invitation=s.InvitationSerializer(invitation).data)


class MembersView(OrgScopedAPIView):
    @extend_schema(responses={200: s.MembersResponse, **errors(404)}, tags=["organizations"])
    def get(self, request, org_id):
        memberships = Membership.objects.filter(organization=self.org).select_related("user").order_by("created_at")
        return ok(message="Members retrieved successfully", members=s.MemberSerializer(memberships, many=True).data)

    @extend_schema(
        operation_id="organizations_members_invite",
        summary="Invite a member (the same as POST …/invitations)",
        description="Nobody is added without consent: this sends an invitation, which the invitee accepts.",
        deprecated=True,
        request=s.InvitationInput,
        responses={201: s.InvitationResponse, **errors(400, 403, 404, 409)},
        tags=["organizations"],
    )
    def post(self, request, org_id):
        return invited(self, request)


class MemberView(OrgScopedAPIView):
    @extend_schema(
        operation_id="organizations_member_update",
        summary="Change a member's role",
        description="OWNER and ADMIN; only an OWNER grants, changes or removes the OWNER role. "
        "Demoting the last OWNER: 409.",
        request=s.RoleInput,
        responses={200: s.MemberResponse, **errors(400, 403, 404, 409)},
        tags=["organizations"],
    )
    def patch(self, request, org_id, user_id):
        members.member(org=self.org, user_id=user_id)  # 404 before 403
        self.require(Action.MANAGE_MEMBERS)
        data = validated(s.RoleInput, request.data)
        membership = members.change_role(org=self.org, actor=self.membership, user_id=user_id, role=data["role"])
        return ok(message="Member updated successfully", member=s.MemberSerializer(membership).data)

    @extend_schema(
        operation_id="organizations_member_remove",
        summary="Remove a member, or leave (your own id)",
        description="Removing an OWNER takes an OWNER; the last OWNER can't leave (409).",
        responses={200: s.MessageResponse, **errors(403, 404, 409)},
        tags=["organizations"],
    )
    def delete(self, request, org_id, user_id):
        members.remove_member(org=self.org, actor=self.membership, user_id=user_id)
        left = user_id == request.user.pk
        return ok(message="You left the organization" if left else "Member removed successfully")


class TransferOwnershipView(OrgScopedAPIView):
    @extend_schema(
        operation_id="organizations_transfer_ownership",
        summary="Hand the organization to another member (OWNER only)",
        description="The member becomes an OWNER and you an ADMIN.",
        request=s.TransferOwnershipInput,
        responses={200: s.MemberResponse, **errors(400, 403, 404)},
        tags=["organizations"],
    )
    def post(self, request, org_id):
        self.require(Action.MANAGE_OWNERS)
        data = validated(s.TransferOwnershipInput, request.data)
        owner = members.transfer_ownership(org=self.org, actor=self.membership, user_id=data["userId"])
        return ok(message="Ownership transferred", member=s.MemberSerializer(owner).data)


class InvitationsView(OrgScopedAPIView):
    @extend_schema(
        operation_id="organizations_invitations_list",
        summary="The organization's invitations, newest first (OWNER, ADMIN)",
        responses={200: s.InvitationsResponse, **errors(403, 404)},
        tags=["organizations"],
    )
    def get(self, request, org_id):
        self.require(Action.MANAGE_MEMBERS)
        rows = Invitation.objects.filter(organization=self.org).order_by("-created_at", "-id")[:200]
        return ok(
            message="Invitations retrieved successfully", invitations=s.InvitationSerializer(rows, many=True).data
        )

    @extend_schema(
        operation_id="organizations_invitations_create",
        summary="Invite someone by email (OWNER, ADMIN)",
        description="The same 201 whether the address has an account or not. The link reaches the invitee by "
        "email only; inviting the same address again replaces the open invitation. An existing member: 409.",
        request=s.InvitationInput,
        responses={201: s.InvitationResponse, **errors(400, 403, 404, 409)},
        tags=["organizations"],
    )
    def post(self, request, org_id):
        return invited(self, request)


class InvitationView(OrgScopedAPIView):
    @extend_schema(
        operation_id="organizations_invitations_revoke",
        summary="Revoke an invitation (OWNER, ADMIN)",
        responses={200: s.InvitationResponse, **errors(403, 404, 409)},
        tags=["organizations"],
    )
    def delete(self, request, org_id, invitation_id):
        invitation = invitations.revoke_invitation(org=self.org, actor=self.membership, invitation_id=invitation_id)
        return ok(message="Invitation revoked", invitation=s.InvitationSerializer(invitation).data)


class AcceptInvitationView(APIView):
    @extend_schema(
        operation_id="invitations_accept",
        summary="Accept an invitation as the signed-in user",
        description="The user's email must be the invited one (else 403). Unknown token: 404; used, revoked or "
        "expired: 410.",
        request=s.AcceptInvitationInput,
        responses={200: s.AcceptedInvitationResponse, **errors(400, 403, 404, 409, 410)},
        tags=["organizations"],
    )
    def post(self, request):
        data = validated(s.AcceptInvitationInput, request.data)
        membership = invitations.accept_invitation(user=request.user, token=data["token"])
        return ok(
            message="Invitation accepted",
            organization=s.OrganizationSerializer(membership.organization).data,
            role=membership.role,
        )
