"""Contacts: found by email or made, never duplicated by a race."""

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from vchata.accounts.models import Organization

from ..models import Contact


def _contact_by_email(org: Organization, email: str) -> Contact | None:
    # Written to match the partial unique index (organization, lower(email)) WHERE email <> '', and
    # unordered (at most one row matches): with an ORDER BY (``first()`` adds one) PostgreSQL walked
    # every contact of the organization in that order instead, 4.5 s at 800,000 contacts.
    matches = Contact.objects.for_org(org).exclude(email="").annotate(email_ci=Lower("email"))
    return next(iter(matches.filter(email_ci=email.lower()).order_by()[:1]), None)


def find_or_create_contact(
    *, org: Organization, name: str, email: str = "", phone: str = "", company: str = ""
) -> tuple[Contact, bool]:
    """The org's contact with this email (case-insensitive), or a new one.

    The per-org unique index on lower(email) settles a race between two
    requests creating the same new contact: the loser reuses the winner's row.
    """
    email = (email or "").strip()
    if email:
        existing = _contact_by_email(org, email)
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                organization=org, name=name, email=email, phone=phone or "", company=company or ""
            )
    except IntegrityError:
        contact = _contact_by_email(org, email)
        if contact is None:
            raise
        return contact, False
    return contact, True
