from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from vchata.inputs import StrictInput
from vchata.schema import envelope

from .invitations import INVITABLE_ROLES
from .models import Invitation, Membership, Organization, User, validate_currency, validate_time_zone


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name"]


class OrganizationSerializer(serializers.ModelSerializer):
    timeZone = serializers.CharField(source="time_zone")
    leadVisibility = serializers.ChoiceField(source="lead_visibility", choices=Organization.LeadVisibility.choices)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "currency", "timeZone", "leadVisibility", "createdAt"]


class MemberSerializer(serializers.Serializer):
    id = serializers.CharField(source="user.id")
    name = serializers.CharField(source="user.name")
    email = serializers.EmailField(source="user.email")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MyOrganizationSerializer(serializers.Serializer):
    id = serializers.CharField(source="organization.id")
    name = serializers.CharField(source="organization.name")
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    currency = serializers.CharField(source="organization.currency")
    leadVisibility = serializers.ChoiceField(
        source="organization.lead_visibility", choices=Organization.LeadVisibility.choices
    )


class SignupInput(StrictInput):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    name = serializers.CharField(max_length=150)
    organizationName = serializers.CharField(max_length=200)


class OrganizationInput(StrictInput):
    name = serializers.CharField(max_length=200)


class OrganizationUpdateInput(StrictInput):
    name = serializers.CharField(max_length=200, required=False)
    currency = serializers.CharField(
        min_length=3, max_length=3, required=False, help_text="An ISO 4217 code, such as USD or EUR."
    )
    timeZone = serializers.CharField(
        source="time_zone",
        max_length=64,
        required=False,
        help_text="An IANA time zone name, such as Europe/Madrid: the zone whose days My work, the tasks' "
        "due filter and the daily digest count by.",
    )
    leadVisibility = serializers.ChoiceField(
        source="lead_visibility",
        choices=Organization.LeadVisibility.choices,
        required=False,
        help_text="ASSIGNED: a MEMBER sees only the leads assigned to them and unassigned ones.",
    )

    def validate_currency(self, value):
        try:
            validate_currency(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(f"currency must be an ISO 4217 code such as USD, not {value!r}") from exc
        return value

    def validate_timeZone(self, value):
        try:
            validate_time_zone(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                f"timeZone must be an IANA time zone name such as Europe/Madrid, not {value!r}"
            ) from exc
        return value


class InvitationInput(StrictInput):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=INVITABLE_ROLES, required=False, default=Membership.Role.MEMBER)


class RoleInput(StrictInput):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class TransferOwnershipInput(StrictInput):
    userId = serializers.CharField(max_length=64, help_text="The member who becomes an OWNER; you become an ADMIN.")


class AcceptInvitationInput(StrictInput):
    token = serializers.CharField(max_length=200, help_text="The token of the emailed link <SITE_URL>/invite/<token>.")


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=Invitation.Status.choices)
    expiresAt = serializers.DateTimeField(source="expires_at")
    createdAt = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "expiresAt", "createdAt"]


class LogoutInput(StrictInput):
    refresh = serializers.CharField(max_length=2000)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


# Response shapes, for the schema.
SignupResponse = envelope(
    "SignupResponse",
    user=UserSerializer(),
    organization=OrganizationSerializer(),
    access=serializers.CharField(),
    refresh=serializers.CharField(),
)


MeResponse = envelope("MeResponse", user=UserSerializer(), organizations=MyOrganizationSerializer(many=True))


OrganizationResponse = envelope("OrganizationResponse", organization=OrganizationSerializer())


MemberResponse = envelope("MemberResponse", member=MemberSerializer())


MembersResponse = envelope("MembersResponse", members=MemberSerializer(many=True))


MessageResponse = envelope("MessageResponse")


InvitationResponse = envelope("InvitationResponse", invitation=InvitationSerializer())


InvitationsResponse = envelope("InvitationsResponse", invitations=InvitationSerializer(many=True))


AcceptedInvitationResponse = envelope(
    "AcceptedInvitationResponse",
    organization=OrganizationSerializer(),
    role=serializers.ChoiceField(choices=Membership.Role.choices),
)


class TokenRefreshInput(StrictInput, TokenRefreshSerializer):
    """simplejwt's refresh, also refusing tokens of a deleted user or from before a password change.

    simplejwt looks the user up with ``.get()`` (a deleted user was a 500) and
    checks the password-change claim only on access tokens.
    """

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])
        user = User.objects.filter(pk=refresh.payload.get(jwt_settings.USER_ID_CLAIM)).first()
        revoked = (
            jwt_settings.CHECK_REVOKE_TOKEN
            and user is not None
            and (refresh.payload.get(jwt_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password))
        )
        if user is None or revoked or not jwt_settings.USER_AUTHENTICATION_RULE(user):
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")
        return super().validate(attrs)


class TokenObtainInput(StrictInput, TokenObtainPairSerializer):
    """simplejwt's email and password, refusing keys it doesn't take like every other body."""
