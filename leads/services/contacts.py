"""Contacts: found by email or made, never duplicated by a race; edited and deleted."""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.db.models.functions import Lower

from vchata.accounts.models import Organization, User
from vchata.exceptions import Conflict
from vchata.statements import insert_new, saved
from vchata.tenancy import get_in_org

from ..models import Contact, Lead
from .changes import record_change
from .common import save_unique

CONTACT_EMAIL_EXISTS = "A contact with this email already exists"
CONTACT_HAS_LEADS = "Contact still has leads; delete them first"
CONTACT_FIELDS = ("name", "email", "phone", "company")
# A contact edit's fields as a lead's change record names them.
CHANGE_PREFIX = "contact."


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

    The new row is offered first: the per-org unique index on lower(email) turns it away when
    the email is known (also to a request that made it a moment ago, a race), and only then is
    the known contact read. A new contact costs one statement and no savepoint.
    """
    email = (email or "").strip()
    contact = Contact(organization=org, name=name, email=email, phone=phone or "", company=company or "")
    if insert_new(contact):
        saved(contact, created=True)
        return contact, True
    existing = _contact_by_email(org, email)
    if existing is None:  # the row that turned it away is gone again (deleted meanwhile): offer it once more
        return find_or_create_contact(org=org, name=name, email=email, phone=phone, company=company)
    return existing, False


@transaction.atomic
def update_contact(*, org: Organization, actor: User | None, contact_id: str, changes: Mapping[str, Any]) -> Contact:
    """Change a contact's ``name``, ``email``, ``phone`` or ``company`` (``None`` or "" clears the last three).

    Emails stay unique in the organization whatever their case, since creating a lead
    with a contact reuses the contact by email: another contact's email is a 409. Each of
    the contact's leads gets a change record (``contact.name`` …) when something changed.
    """
    contact = get_in_org(Contact, org, contact_id, lock=True)
    before = _tracked(contact)
    for name in CONTACT_FIELDS:
        if name in changes:
            setattr(contact, name, (changes[name] or "").strip())
    if contact.email:
        holder = _contact_by_email(org, contact.email)
        if holder is not None and holder.pk != contact.pk:
            raise Conflict(CONTACT_EMAIL_EXISTS)
    save_unique(contact, CONTACT_EMAIL_EXISTS)
    after = _tracked(contact)
    if after != before:
        # Each of the contact's leads keeps the edit in its own history (a contact has a lead per pipeline at most).
        for lead in Lead.objects.for_org(org).filter(contact=contact).only("id", "organization_id"):
            record_change(org=org, lead=lead, user=actor, cause={}, before=before, after=after)
    return contact


def _tracked(contact: Contact) -> dict[str, str]:
    return {CHANGE_PREFIX + name: getattr(contact, name) for name in CONTACT_FIELDS}


@transaction.atomic
def delete_contact(*, org: Organization, actor: User | None, contact_id: str) -> None:
    """Delete a contact no lead is for (409 otherwise: its leads' history needs it)."""
    contact = get_in_org(Contact, org, contact_id, lock=True)
    if Lead.objects.for_org(org).filter(contact=contact).exists():
        raise Conflict(CONTACT_HAS_LEADS)
    try:
        with transaction.atomic():
            contact.delete()
    except (ProtectedError, IntegrityError) as exc:  # a lead made for it since the check
        raise Conflict(CONTACT_HAS_LEADS) from exc
