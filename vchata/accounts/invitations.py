"""Invitations: nobody becomes a member of an organization without accepting one.

- ``invite`` (OWNER/ADMIN) makes a single-use token, valid ``INVITATION_DAYS``,
  and emails the link ``<SITE_URL>/invite/<token>`` through Django's email
  framework once the transaction commits. Only the token's SHA-256 is stored:
  the token is never in a database row, an API answer or a log.
- The answer is the same whether the address has an account or not, so
  inviting can't be used to find out who uses the product.
- ``accept_invitation`` joins the signed-in user whose email it names;
  ``sign_up_invited`` creates that user first (the ``/invite/<token>`` page).
  Unknown tokens are a 404; used, revoked and expired ones a 410.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from vchata.exceptions import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from vchata.tenancy import permissions

from .models import Invitation, Membership, Organization, User
from .services import EMAIL_TAKEN

logger = logging.getLogger("vchata.invitations")

INVITATION_DAYS = 7
INVITABLE_ROLES = [Membership.Role.ADMIN, Membership.Role.MANAGER, Membership.Role.MEMBER]
INVITATION_NOT_FOUND = "Invitation not found or you don't have access"
ALREADY_MEMBER = "{email} is already a member of this organization"


class InvitationGone(DomainError):
    """A token that once worked: used, revoked or expired."""

    status_code = 410


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def site_url_for(request) -> str:
    """Where emailed links point: ``SITE_URL``, else the scheme and host the request came in on."""
    return settings.SITE_URL or request.build_absolute_uri("/")


def invitation_link(token: str, site_url: str) -> str:
    return f"{site_url.rstrip('/')}/invite/{token}"


def _send(invitation: Invitation, token: str, site_url: str) -> None:
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.invited_by,
        "link": invitation_link(token, site_url),
        "days": INVITATION_DAYS,
    }
    try:
        send_mail(
            subject=f"You're invited to join {invitation.organization.name} on VChata CRM",
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,  # DEFAULT_FROM_EMAIL
            recipient_list=[invitation.email],
        )
    except Exception:  # the invitation stands; inviting again sends a fresh link
        logger.exception("Invitation email to %s could not be sent", invitation.email)


@transaction.atomic
def invite(*, org: Organization, actor: Membership, email: str, role: str, site_url: str) -> Invitation:
    """Invite ``email`` as ``role``; an open invitation to the same address is replaced (its link stops working)."""
    permissions.require(actor, permissions.Action.MANAGE_MEMBERS)
    if role not in INVITABLE_ROLES:
        raise InvalidInput([f"role must be one of {', '.join(INVITABLE_ROLES)}"])
    email = email.strip().lower()
    if Membership.objects.filter(organization=org, user__email=email).exists():
        raise Conflict(ALREADY_MEMBER.format(email=email))
    now = timezone.now()
    Invitation.objects.filter(organization=org, email=email, accepted_at=None, revoked_at=None).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organization=org,
                email=email,
                role=role,
                token_hash=token_hash(token),
                invited_by=actor.user,
                expires_at=now + timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError as exc:  # the same address invited twice at the same moment
        raise Conflict(f"{email} is being invited right now; try again") from exc
    transaction.on_commit(lambda: _send(invitation, token, site_url))
    return invitation


@transaction.atomic
def revoke_invitation(*, org: Organization, actor: Membership, invitation_id: str) -> Invitation:
    """Revoke an open invitation so its link can't be used; an accepted one can't be revoked (409)."""
    invitation = (
        Invitation.objects.select_for_update().filter(organization=org, pk=invitation_id).first()
        if isinstance(invitation_id, str)
        else None
    )
    if invitation is None:
        raise NotFound(INVITATION_NOT_FOUND)
    permissions.require(actor, permissions.Action.MANAGE_MEMBERS)
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted: remove the member instead")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def open_invitation(token: str, *, lock: bool = False) -> Invitation:
    """The pending invitation of ``token``: ``NotFound`` if unknown, ``InvitationGone`` if used, revoked or expired."""
    rows = Invitation.objects.select_related("organization", "invited_by")
    if lock:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(token_hash=token_hash(token or "")).first()
    if invitation is None:
        raise NotFound("Invitation not found")
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise InvitationGone("This invitation has already been used")
    if status == Invitation.Status.REVOKED:
        raise InvitationGone("This invitation has been revoked")
    if status == Invitation.Status.EXPIRED:
        raise InvitationGone("This invitation has expired: ask for a new one")
    return invitation


def _join(invitation: Invitation, user: User) -> Membership:
    if Membership.objects.filter(organization=invitation.organization, user=user).exists():
        raise Conflict(f"You are already a member of {invitation.organization.name}")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                organization=invitation.organization, user=user, role=invitation.role
            )
    except IntegrityError as exc:
        raise Conflict(f"You are already a member of {invitation.organization.name}") from exc
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def accept_invitation(*, user: User, token: str) -> Membership:
    """Join the invitation's organization as ``user``, whose email must be the one invited (else 403)."""
    invitation = open_invitation(token, lock=True)
    if invitation.email != user.email.lower():
        raise Forbidden("This invitation was sent to another email address: sign in with that one to accept it")
    return _join(invitation, user)


@transaction.atomic
def sign_up_invited(*, token: str, name: str, password: str) -> tuple[User, Membership]:
    """Create the account of the invited address and join: the ``/invite/<token>`` page's sign-up."""
    invitation = open_invitation(token, lock=True)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise Conflict(EMAIL_TAKEN)
    candidate = User(email=invitation.email, name=name)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise InvalidInput([f"password: {message}" for message in exc.messages]) from exc
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=invitation.email, password=password, name=name)
    except IntegrityError as exc:
        raise Conflict(EMAIL_TAKEN) from exc
    return user, _join(invitation, user)
