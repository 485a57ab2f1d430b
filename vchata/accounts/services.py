"""Users, organizations and memberships."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from vchata.exceptions import Conflict, InvalidInput
from vchata.tenancy import permissions

from .models import Membership, Organization, User
from .signals import organization_created

EMAIL_TAKEN = "An account with this email already exists"


@transaction.atomic
def create_organization(*, owner: User | None, name: str) -> Organization:
    """A new organization owned by ``owner``, with what every org starts with, in one transaction.

    ``owner`` is None only for a superuser creating an org in the admin (who
    then adds its first owner there). What an org starts with (its default
    pipeline) is made by the receivers of ``organization_created``.
    """
    org = Organization.objects.create(name=name)
    if owner is not None:
        Membership.objects.create(organization=org, user=owner, role=Membership.Role.OWNER)
    organization_created.send(sender=Organization, organization=org, owner=owner)
    return org


@transaction.atomic
def sign_up(*, email: str, password: str, name: str, organization_name: str) -> tuple[User, Organization]:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(EMAIL_TAKEN)
    candidate = User(email=email, name=name)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise InvalidInput([f"password: {message}" for message in exc.messages]) from exc
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, name=name)
    except IntegrityError as exc:  # two sign-ups with one email at once
        raise Conflict(EMAIL_TAKEN) from exc
    org = create_organization(owner=user, name=organization_name)
    return user, org


@transaction.atomic
def update_organization(*, org: Organization, actor: Membership, changes: dict) -> Organization:
    """Change the organization's ``name``, ``currency``, ``time_zone`` or ``lead_visibility`` (OWNER and ADMIN)."""
    permissions.require(actor, permissions.Action.CHANGE_SETTINGS)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    for name in ("name", "currency", "time_zone", "lead_visibility"):
        if name in changes:
            setattr(org, name, changes[name])
    try:
        org.full_clean(exclude=["id"])
    except DjangoValidationError as exc:
        raise InvalidInput(
            [f"{field}: {message}" for field, errors in exc.message_dict.items() for message in errors]
        ) from exc
    org.save()
    return org
