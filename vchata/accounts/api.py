"""Auth and organization routes (``/auth/…``, ``/organizations/…``)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from vchata.exceptions import Forbidden, InvalidInput
from vchata.inputs import validated
from vchata.responses import created, ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView

from . import serializers as s
from .models import Membership
from .services import add_member, create_organization, sign_up


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
    throttle_scope = "auth"


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
    @extend_schema(responses={200: s.MeResponse, **errors()}, tags=["auth"])
    def get(self, request):
        memberships = Membership.objects.filter(user=request.user).select_related("organization")
        return ok(
            message="User retrieved successfully",
            user=s.UserSerializer(request.user).data,
            organizations=s.MyOrganizationSerializer(memberships.order_by("organization__name"), many=True).data,
        )


class OrganizationsView(APIView):
    @extend_schema(
        request=s.OrganizationInput, responses={201: s.OrganizationResponse, **errors(400)}, tags=["organizations"]
    )
    def post(self, request):
        data = validated(s.OrganizationInput, request.data)
        org = create_organization(owner=request.user, name=data["name"])
        return created(message="Organization created successfully", organization=s.OrganizationSerializer(org).data)


class MembersView(OrgScopedAPIView):
    @extend_schema(responses={200: s.MembersResponse, **errors(404)}, tags=["organizations"])
    def get(self, request, org_id):
        memberships = Membership.objects.filter(organization=self.org).select_related("user").order_by("created_at")
        return ok(message="Members retrieved successfully", members=s.MemberSerializer(memberships, many=True).data)

    @extend_schema(
        request=s.AddMemberInput,
        responses={201: s.MemberResponse, **errors(400, 403, 404, 409)},
        tags=["organizations"],
    )
    def post(self, request, org_id):
        data = validated(s.AddMemberInput, request.data)
        membership = add_member(org=self.org, actor_membership=self.membership, email=data["email"], role=data["role"])
        return created(message="Member added successfully", member=s.MemberSerializer(membership).data)
