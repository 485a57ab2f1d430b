"""Reads of the leads API: querysets shaped so a page costs the same few queries at any size.

Each function takes the organization explicitly and starts from
``Model.objects.for_org(org)``; rows of other organizations are never seen.
Filtering and pagination of the lists happen in the views (``leads.filters``,
``vchata.pagination``) on the querysets returned here.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from vchata.accounts.models import Organization
from vchata.exceptions import NotFound
from vchata.tenancy import get_in_org
from vchata.tenancy.models import not_found_message
from vchata.tenancy.permissions import ALL_LEADS, LeadScope

from . import lead_rows
from .lead_rows import ActivityRow, LeadRow
from .models import (
    Activity,
    Campaign,
    Contact,
    ContentPost,
    Conversation,
    CustomField,
    Lead,
    LeadChange,
    LostReason,
    Message,
    SocialAccount,
    StageVisit,
    Task,
)

# How many of its newest activities the lead detail carries; the activities route pages through all.
DETAIL_ACTIVITIES = 100

# Everything a lead of the list shows is one join away; select_related keeps the page to one query.
_LEAD_RELATIONS = ("contact", "pipeline", "stage", "social_account", "content_post")


def lead_list(*, org: Organization, scope: LeadScope = ALL_LEADS) -> QuerySet[Lead]:
    """The org's leads ``scope`` sees, with contact, pipeline, stage, social account and post (one query a page)."""
    return Lead.objects.for_org(org).filter(scope.q()).select_related(*_LEAD_RELATIONS)


def lead_detail(*, org: Organization, lead_id: str, scope: LeadScope = ALL_LEADS) -> Lead:
    """One lead with its relations and newest activities (``recent_activities``): two queries whatever its history.

    The activities are a plain ``ORDER BY … LIMIT`` walking the ``(lead, -created_at, -id)``
    index, which stops after DETAIL_ACTIVITIES rows; a sliced ``Prefetch`` numbers every
    activity of the lead with a window function first, a cost that grows with its history.
    """
    lead = get_in_org(lead_list(org=org, scope=scope), org, lead_id)
    lead.recent_activities = list(lead_activities(lead=lead)[:DETAIL_ACTIVITIES])
    return lead


def lead_answer(*, org: Organization, lead_id: str, scope: LeadScope = ALL_LEADS) -> LeadRow | Lead:
    """``lead_detail`` as rows (``leads.lead_rows``) for the API's answer: two statements, no model instances."""
    if lead_rows.readable_here():
        lead = lead_rows.lead_with_activities(org_id=org.pk, lead_id=lead_id, scope=scope)
        if lead is None:
            raise NotFound(not_found_message(Lead))
        return lead
    lead = get_in_org(lead_list(org=org, scope=scope), org, lead_id)
    newest = lead_activities(lead=lead.pk).values_list(*ActivityRow._fields)[:DETAIL_ACTIVITIES]
    activities = [ActivityRow._make(row) for row in newest]
    lead.recent_activities = activities  # another database than PostgreSQL: a model instance
    return lead


def lead_page(*, org: Organization, lead_id: str, scope: LeadScope = ALL_LEADS) -> Lead:
    """One lead with everything the lead page shows beside it (assignee, campaign too): one query."""
    return get_in_org(lead_list(org=org, scope=scope).select_related("assigned_to", "campaign"), org, lead_id)


def lead_in_org(*, org: Organization, lead_id: str, scope: LeadScope = ALL_LEADS) -> Lead:
    """The lead, or ``NotFound`` when it isn't the org's or ``scope`` doesn't see it (the same answer)."""
    return get_in_org(Lead.objects.filter(scope.q()), org, lead_id)


def lead_activities(*, lead: Lead | str) -> QuerySet[Activity]:
    """A lead's activities (of a lead or its id), newest first (walks the ``(lead, -created_at, -id)`` index)."""
    return Activity.objects.filter(lead=lead).order_by("-created_at", "-id")


def lead_changes(*, lead: Lead) -> QuerySet[LeadChange]:
    """A lead's change records, newest first (walks the ``(lead, -created_at, -id)`` index)."""
    return LeadChange.objects.filter(lead=lead).order_by("-created_at", "-id")


# A change record is written at the end of its action, after the action's activities.
_SAME_ACTION = timedelta(seconds=1)
_NEVER = datetime(9999, 1, 1, tzinfo=UTC)


def timeline_activities(*, lead: Lead) -> QuerySet[Activity]:
    """The activities the lead page's timeline shows beside the change records, newest first.

    What people log always; the system's STAGE_CHANGED, STATUS_CHANGED, ASSIGNED, CREATED and
    CONVERTED rows only from before the lead's first change record (older leads, whose history
    predates the records): from then on a change record tells each of those actions once.
    """
    first_change = LeadChange.objects.filter(lead=lead).order_by("created_at").values("created_at")[:1]
    since = Coalesce(
        ExpressionWrapper(Subquery(first_change) - Value(_SAME_ACTION), output_field=DateTimeField()),
        Value(_NEVER),
    )
    logged = ~Q(type__in=Activity.SYSTEM_TYPES)
    return lead_activities(lead=lead).filter(logged | Q(created_at__lt=since))


def lead_history(*, lead: Lead) -> list[StageVisit]:
    """The lead's stage visits, oldest first, each with ``days`` spent (until now for the open one)."""
    now = timezone.now()
    visits = list(StageVisit.objects.filter(lead=lead).select_related("stage").order_by("entered_at", "id"))
    for visit in visits:
        visit.days = round(((visit.left_at or now) - visit.entered_at).total_seconds() / 86400, 1)
    return visits


def lead_sources(*, org: Organization, limit: int = 100) -> list[str]:
    """The distinct sources of the org's leads, for the source filter.

    A plain ``SELECT DISTINCT`` reads every lead of the org. This recursive
    query hops from one source to the next along the ``(organization, source, …)``
    index instead (a "loose index scan"), so it costs one index probe per
    distinct source however many leads there are. Same SQL on PostgreSQL and SQLite.
    """
    table = connection.ops.quote_name(Lead._meta.db_table)
    sql = f"""
        WITH RECURSIVE sources(source) AS (
            SELECT MIN(source) FROM {table} WHERE organization_id = %s AND source > ''
            UNION ALL
            SELECT (SELECT MIN(source) FROM {table} WHERE organization_id = %s AND source > sources.source)
            FROM sources WHERE sources.source IS NOT NULL
        )
        SELECT source FROM sources WHERE source IS NOT NULL LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, org.pk, limit])
        return [row[0] for row in cursor.fetchall()]


def campaign_list(*, org: Organization) -> QuerySet[Campaign]:
    return Campaign.objects.for_org(org).order_by("name", "id")


def lost_reason_list(*, org: Organization) -> QuerySet[LostReason]:
    return LostReason.objects.for_org(org).order_by("order", "name", "id")


def _contact_leads(scope: LeadScope = ALL_LEADS) -> QuerySet[Lead]:
    """The leads of the outer query's contact row (``OuterRef``) that ``scope`` sees, unordered.

    By contact id alone (a contact's leads are its org's): the ``contact_id`` index answers it.
    """
    return Lead.objects.filter(contact_id=OuterRef("pk")).filter(scope.q()).order_by()


def visible_contacts(queryset: QuerySet[Contact], scope: LeadScope) -> QuerySet[Contact]:
    """The contacts ``scope`` sees: all of them, or (restricted) those with a lead it sees and those with no lead.

    A contact whose only leads are someone else's stays hidden (a 404), as those leads are; one
    with no lead at all belongs to nobody's work, like an unassigned lead, so everyone sees it.
    """
    if not scope.restricted:
        return queryset
    return queryset.filter(Exists(_contact_leads(scope)) | ~Exists(_contact_leads()))


def contact_search(text: str) -> Q:
    """Contacts whose name, email or company (or phone, for a text with a digit) contain ``text``, any case.

    ``icontains`` is ``UPPER(col::text) LIKE UPPER(…)`` on PostgreSQL, the expression of the
    per-column trigram indexes of leads migrations 0003 (name, email, company) and 0013 (phone),
    so a search is a bitmap OR of index scans. Phone is searched only when the text could be
    part of a number.
    """
    condition = Q(name__icontains=text) | Q(email__icontains=text) | Q(company__icontains=text)
    if any(character.isdigit() for character in text):
        condition |= Q(phone__icontains=text)
    return condition


def contact_list(*, org: Organization, scope: LeadScope = ALL_LEADS, search: str = "") -> QuerySet[Contact]:
    """The org's contacts ``scope`` sees, by name, each with ``lead_count`` (of the leads ``scope`` sees).

    One query a page: the count is a correlated subquery per contact shown (an index probe).
    """
    contacts = visible_contacts(Contact.objects.for_org(org), scope)
    if search:
        contacts = contacts.filter(contact_search(search))
    lead_count = _contact_leads(scope).values("contact_id").annotate(n=Count("pk")).values("n")
    return contacts.annotate(lead_count=Coalesce(Subquery(lead_count, output_field=IntegerField()), 0)).order_by(
        "name", "id"
    )


def contact_in_org(*, org: Organization, contact_id: str, scope: LeadScope = ALL_LEADS) -> Contact:
    """The contact, or ``NotFound`` when it isn't the org's or ``scope`` doesn't see it (the same answer)."""
    return get_in_org(visible_contacts(Contact.objects.all(), scope), org, contact_id)


def contact_detail(*, org: Organization, contact_id: str, scope: LeadScope = ALL_LEADS) -> Contact:
    """One contact with ``lead_count`` and ``visible_leads`` (those ``scope`` sees, newest first): two queries.

    A contact has at most one lead per pipeline, so the leads are bounded by the org's pipelines.
    """
    contact = get_in_org(contact_list(org=org, scope=scope), org, contact_id)
    contact.visible_leads = list(
        Lead.objects.for_org(org)
        .filter(contact=contact)
        .filter(scope.q())
        .select_related("pipeline", "stage")
        .order_by("-created_at", "-id")
    )
    return contact


def custom_field_list(*, org: Organization) -> QuerySet[CustomField]:
    return CustomField.objects.for_org(org).order_by("label", "id")


def social_account_list(*, org: Organization) -> QuerySet[SocialAccount]:
    return SocialAccount.objects.for_org(org).order_by("name", "id")


def content_post_list(*, org: Organization) -> QuerySet[ContentPost]:
    return ContentPost.objects.for_org(org).order_by("-created_at", "-id")


def conversation_list(*, org: Organization) -> QuerySet[Conversation]:
    """Newest first, each with the lead made from it (if any) in the same query."""
    return Conversation.objects.for_org(org).select_related("lead").order_by("-created_at", "-id")


def conversation_detail(*, org: Organization, conversation_id: str) -> Conversation:
    queryset = conversation_list(org=org).prefetch_related(
        Prefetch("messages", queryset=Message.objects.order_by("sent_at", "id"))
    )
    return get_in_org(queryset, org, conversation_id)


# --- tasks ----------------------------------------------------------------------------
#
# ``due`` splits a list into three parts that never overlap, by the organization's
# day (its ``time_zone``, UTC unless set): ``overdue`` is every open task due before
# now; ``today`` the rest of the tasks due today there; ``upcoming`` everything due
# after today.

TASK_DUE_CHOICES = ("overdue", "today", "upcoming")


def org_day(now: datetime, time_zone: str = "UTC") -> tuple[datetime, datetime]:
    """The start of ``now``'s day in ``time_zone`` and of the next one (23 or 25 hours later on a DST change)."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone).date()
    start = datetime.combine(local, time(), tzinfo=zone)
    end = datetime.combine(local + timedelta(days=1), time(), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def task_list(*, org: Organization, scope: LeadScope = ALL_LEADS) -> QuerySet[Task]:
    """The org's tasks on leads ``scope`` sees, soonest due first, each with its lead and contact (one query)."""
    return Task.objects.for_org(org).filter(scope.q("lead__")).select_related("lead__contact").order_by("due_at", "id")


def filter_tasks(
    tasks: QuerySet[Task],
    *,
    assignee_id: str | None = None,
    due: str | None = None,
    done: bool | None = None,
    now: datetime | None = None,
    time_zone: str = "UTC",
) -> QuerySet[Task]:
    """Narrow ``tasks`` to one assignee, one ``due`` part (``TASK_DUE_CHOICES``, days in ``time_zone``)
    and done or open ones."""
    if assignee_id is not None:
        tasks = tasks.filter(assigned_to_id=assignee_id)
    if done is not None:
        tasks = tasks.filter(completed_at__isnull=not done)
    if due is not None:
        now = now or timezone.now()
        start, end = org_day(now, time_zone)
        overdue = Q(completed_at__isnull=True, due_at__lt=now)
        if due == "overdue":
            tasks = tasks.filter(overdue)
        elif due == "today":
            tasks = tasks.filter(due_at__gte=start, due_at__lt=end).exclude(overdue)
        else:
            tasks = tasks.filter(due_at__gte=end)
    return tasks


def lead_tasks(*, lead: Lead) -> QuerySet[Task]:
    """A lead's tasks: open ones first, soonest due first (walks ``(lead, completed_at, due_at, id)``)."""
    return (
        Task.objects.filter(lead=lead)
        .select_related("lead__contact")
        .order_by(F("completed_at").desc(nulls_first=True), "due_at", "id")
    )


def task_in_org(*, org: Organization, task_id: str, scope: LeadScope = ALL_LEADS) -> Task:
    """The task, or ``NotFound`` when it isn't the org's or is on a lead ``scope`` doesn't see."""
    return get_in_org(Task.objects.filter(scope.q("lead__")).select_related("lead__contact"), org, task_id)


def next_open_tasks(org: Organization, lead_ids: Iterable[str]) -> dict[str, Task]:
    """Each lead's next open task (soonest due), for a set of leads, in one query: ``{lead_id: task}``.

    Leads with no open task are absent. The board cards show these.
    """
    lead_ids = list(lead_ids)
    if not lead_ids:
        return {}
    first = Window(RowNumber(), partition_by=[F("lead_id")], order_by=[F("due_at").asc(), F("id").asc()])
    rows = (
        Task.objects.for_org(org)
        .filter(lead_id__in=lead_ids, completed_at__isnull=True)
        .annotate(rank=first)
        .filter(rank=1)
    )
    return {task.lead_id: task for task in rows}
