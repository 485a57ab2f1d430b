"""The lead list's cached total (``vchata.counts``) and the writes that invalidate it.

Any write that can change the number of an organization's leads matching some
filter bumps that organization's generation when it commits:

- a lead saved or deleted (but not a save of ``last_activity_at`` alone, which
  every logged activity does and no filter reads);
- a contact renamed or deleted (``search`` matches its name, email, company);
- a row deleted whose deletion cascades onto leads or sets their link to NULL
  (organization, campaign, social account, post, conversation, assignee), and
  pipelines and stages, which protect their leads but are bumped for safety;
- queryset writes (``update``/``bulk_update``/raw SQL) send no signal: the
  code making them calls ``bump_lead_counts`` itself.

``lead_changes`` is bumped by every save or delete of a lead or a stage; what
``while_leads_unchanged`` keeps (the board's column fingerprints, which open
boards poll) lives under it.
"""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete

from vchata.counts import CountCache
from vchata.tenancy.permissions import ALL_LEADS, LeadScope

T = TypeVar("T")

lead_counts = CountCache("leads")
# Any change to any of the org's leads, or to a pipeline's set of stages: what open boards
# poll for (``pipelines.board.selectors.board_fingerprints``). Unlike the totals, a logged activity
# counts: it moves the lead's ``updated_at`` and so its column's fingerprint.
lead_changes = CountCache("lead-changes")

# Saves of only these fields (add_activity's) leave every filtered count as it was.
_COUNT_NEUTRAL_FIELDS = frozenset({"last_activity_at", "updated_at"})


def bump_lead_counts(org_id: str) -> None:
    """Forget the organization's cached lead totals once the current transaction commits."""
    lead_counts.bump(org_id)


def _lead_changed(sender, instance, **kwargs):
    lead_changes.bump(instance.organization_id)


def lead_total(
    queryset: QuerySet,
    *,
    org_id: str,
    filters,
    scope: LeadScope = ALL_LEADS,
    compute: Callable[[], int] | None = None,
) -> int:
    """The exact number of leads in ``queryset``, from the cache when LEAD_COUNT_CACHE is on and it is current.

    ``scope`` is the leads the viewer sees (``queryset`` is already narrowed to
    them): each scope has entries of its own, so a MEMBER who sees only their
    leads never gets the organization's total, nor anyone else's.
    ``compute``: how to count when it must (``vchata.pagination``'s total read with its page); else COUNT.
    """
    if not settings.LEAD_COUNT_CACHE:
        return compute() if compute is not None else queryset.count()
    return lead_counts.count(
        queryset,
        scope_id=org_id,
        filters=[*filters, ("visibleTo", [scope.key])] if scope.restricted else filters,
        min_cached=settings.LEAD_COUNT_CACHE_MIN,
        timeout=settings.LEAD_COUNT_CACHE_TTL,
        compute=compute,
    )


def while_leads_unchanged(org_id: str, name: str, compute: Callable[[], T], scope: LeadScope = ALL_LEADS) -> T:
    """``compute()``, kept in the shared cache (with LEAD_COUNT_CACHE) until any lead or stage of the org changes.

    A restricted ``scope`` keeps its own value: what it computes covers fewer leads.
    """
    if not settings.LEAD_COUNT_CACHE:
        return compute()
    key = lead_changes.value_key(org_id, f"{name}:{scope.key}" if scope.restricted else name)
    return lead_changes.remember(org_id, key, compute, timeout=settings.LEAD_COUNT_CACHE_TTL)


def _lead_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= _COUNT_NEUTRAL_FIELDS:
        return
    bump_lead_counts(instance.organization_id)


def _stage_saved(sender, instance, created=False, **kwargs):
    if not created:  # a new stage has no lead yet
        bump_lead_counts(instance.organization_id)


def _contact_saved(sender, instance, created=False, **kwargs):
    if not created:  # a new contact has no lead yet
        bump_lead_counts(instance.organization_id)


def _org_row_deleted(sender, instance, **kwargs):
    bump_lead_counts(instance.organization_id)


def _organization_deleted(sender, instance, **kwargs):
    bump_lead_counts(instance.pk)


def _user_deleting(sender, instance, **kwargs):
    # Deleting a user sets assigned_to NULL on their leads with one UPDATE and no signal.
    from .models import Lead

    org_ids = Lead.objects.filter(assigned_to=instance).order_by().values_list("organization_id", flat=True)
    for org_id in set(org_ids):
        bump_lead_counts(org_id)


def connect_signals() -> None:
    from django.contrib.auth import get_user_model

    from pipelines.models import Pipeline, Stage
    from vchata.accounts.models import Organization

    from .models import Campaign, Contact, ContentPost, Conversation, Lead, SocialAccount

    uid = "leads.counting"
    post_save.connect(_lead_saved, sender=Lead, dispatch_uid=f"{uid}.lead_saved")
    post_delete.connect(_org_row_deleted, sender=Lead, dispatch_uid=f"{uid}.lead_deleted")
    post_save.connect(_contact_saved, sender=Contact, dispatch_uid=f"{uid}.contact_saved")
    for model in (Contact, Campaign, SocialAccount, ContentPost, Conversation, Pipeline, Stage):
        post_delete.connect(_org_row_deleted, sender=model, dispatch_uid=f"{uid}.{model.__name__}_deleted")
    post_delete.connect(_organization_deleted, sender=Organization, dispatch_uid=f"{uid}.organization_deleted")
    # A stage's probability is the probability filter's value for the leads without their own.
    post_save.connect(_stage_saved, sender=Stage, dispatch_uid=f"{uid}.stage_saved")
    for model in (Lead, Stage):
        for signal in (post_save, post_delete):
            signal.connect(_lead_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}_changed")
    pre_delete.connect(_user_deleting, sender=get_user_model(), dispatch_uid=f"{uid}.user_deleting")
