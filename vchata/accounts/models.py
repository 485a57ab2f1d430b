import functools
import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from iso4217 import Currency

from vchata.ids import PrefixedIdField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("Users must have an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address."""

    id = PrefixedIdField(prefix="user")
    email = models.EmailField(max_length=254, unique=True, help_text="Stored lowercase; the login.")
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    def __str__(self):
        return self.name or self.email

    def save(self, *args, **kwargs):
        # Emails are compared case-insensitively; storing them lowercase lets
        # the plain unique index enforce that.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def initials(self) -> str:
        parts = (self.name or self.email).replace("@", " ").split()
        return "".join(part[0] for part in parts[:2]).upper()


def validate_currency(code: str) -> None:
    """An ISO 4217 currency code (``USD``, ``EUR``), uppercase as the standard writes them."""
    try:
        Currency(code)
    except ValueError as exc:
        raise ValidationError(f"{code!r} is not an ISO 4217 currency code", code="invalid_currency") from exc


def validate_time_zone(name: str) -> None:
    """An IANA time zone name (``Europe/Madrid``, ``UTC``), as the tz database spells it."""
    if name not in available_time_zones():
        raise ValidationError(f"{name!r} is not an IANA time zone name", code="invalid_time_zone")


@functools.cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class Organization(models.Model):
    class LeadVisibility(models.TextChoices):
        ALL = "ALL", "Everyone sees every lead"
        ASSIGNED = "ASSIGNED", "Members see their own and unassigned leads"

    id = PrefixedIdField(prefix="org")
    name = models.CharField(max_length=200)
    currency = models.CharField(
        max_length=3, default="USD", validators=[validate_currency], help_text="ISO 4217 code money is shown in."
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA name of the zone whose days My work and the daily task digest count by.",
    )
    lead_visibility = models.CharField(
        max_length=10,
        choices=LeadVisibility.choices,
        default=LeadVisibility.ALL,
        help_text="ASSIGNED: a MEMBER sees only the leads assigned to them and unassigned ones.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(User, through="Membership", related_name="organizations")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lead_visibility__in=["ALL", "ASSIGNED"]), name="organization_lead_visibility_known"
            ),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        # What each may do is decided in one place: vchata.tenancy.permissions.
        OWNER = "OWNER"
        ADMIN = "ADMIN"
        MANAGER = "MANAGER"
        MEMBER = "MEMBER", "Member (sales rep)"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user_per_org"),
            models.CheckConstraint(
                condition=models.Q(role__in=["OWNER", "ADMIN", "MANAGER", "MEMBER"]), name="membership_role_known"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def can_manage(self) -> bool:
        """Whether this member may configure the organization (pipelines, rules, webhooks, API keys …).

        Kept for callers written before ``vchata.tenancy.permissions``; new code asks
        ``permissions.may(membership, Action.CONFIGURE)`` (or the action it needs) instead.
        """
        from vchata.tenancy.permissions import Action, may

        return may(self, Action.CONFIGURE)


class Invitation(models.Model):
    """An offer to join an organization with a role, accepted (once) by whoever owns the email address.

    Only a hash of the token is stored: the token itself exists only in the
    email sent to the invitee (a link ``<SITE_URL>/invite/<token>``).
    """

    class Status(models.TextChoices):
        PENDING = "PENDING"
        ACCEPTED = "ACCEPTED"
        REVOKED = "REVOKED"
        EXPIRED = "EXPIRED"

    id = PrefixedIdField(prefix="invite")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254, help_text="Stored lowercase; only this address can accept.")
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="invitation_org_created_idx")]
        constraints = [
            # One open invitation per address and org: inviting again replaces it (services.invite).
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(condition=~models.Q(role="OWNER"), name="invitation_role_not_owner"),
        ]

    def __str__(self):
        return f"{self.email} to {self.organization} ({self.role})"

    def status_at(self, now) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= now:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())


class SavedView(models.Model):
    """A list view someone saved in an organization: its filters, search and order, as the list's query string.

    Each person's own: nobody else lists, opens or deletes it. The query string is
    stored as the page cleaned it (``leads.lead_list.clean_params``) and validated
    again whenever it is opened, so a view saved before a filter changed can't break the page.
    """

    id = PrefixedIdField(prefix="view")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_views")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=2000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Also the index that lists a person's views in an org by name.
            models.UniqueConstraint(fields=["user", "organization", "name"], name="savedview_unique_name_per_user_org"),
        ]

    def __str__(self):
        return self.name
