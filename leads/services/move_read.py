"""The read a move starts with, in one statement: the lead locked, with its target and current stages.

Hand-written SQL (the ORM's compilation cost more than the statement): the stages come through LEFT
JOINs of the locked lead, ``FOR UPDATE OF`` the lead only. A lead a concurrent move changed meanwhile
is read again as it is now, and not skipped: a stage that no longer matches it joins as NULL (the
current stage is then read apart, the target refused as not of the lead's pipeline, as it is not).
"""

from functools import cache

from django.db import connections, router

from pipelines.models import Stage
from vchata.accounts.models import Organization
from vchata.exceptions import NotFound
from vchata.raw_joins import aliased_columns, joined_instance
from vchata.tenancy.models import not_found_message
from vchata.tenancy.permissions import LeadScope

from ..models import Lead


@cache
def _sql(restricted: bool, across_pipelines: bool, lock: str) -> str:
    lead_columns = ", ".join(f'l."{field.column}"' for field in Lead._meta.concrete_fields)
    target, current = aliased_columns(Stage, "t"), aliased_columns(Stage, "c")
    same_pipeline = "" if across_pipelines else " AND {0}.pipeline_id = l.pipeline_id"
    scope = " AND (l.assigned_to_id = %s OR l.assigned_to_id IS NULL)" if restricted else ""
    return (
        f"SELECT {lead_columns}, {target}, {current} FROM {Lead._meta.db_table} AS l "
        f"LEFT JOIN {Stage._meta.db_table} AS t ON t.id = %s AND t.organization_id = l.organization_id"
        + same_pipeline.format("t")
        + f" LEFT JOIN {Stage._meta.db_table} AS c ON c.id = l.stage_id AND c.organization_id = l.organization_id"
        + same_pipeline.format("c")
        + f" WHERE l.organization_id = %s AND l.id = %s{scope}{lock}"
    )


def lock_for_move(
    org: Organization, lead_id: str, stage_id: str, scope: LeadScope, *, across_pipelines: bool
) -> tuple[Lead, Stage | None, Stage | None]:
    """``(lead, target, current)``: the org's lead ``scope`` sees, locked (else NotFound), and the
    stages ``stage_id`` and the lead's own when they are the org's and in the lead's pipeline
    (any of the org's pipelines with ``across_pipelines``), else None."""
    if not isinstance(lead_id, str):
        raise NotFound(not_found_message(Lead))
    params = [stage_id, org.pk, lead_id] + ([scope.assignee_id] if scope.restricted else [])
    using = router.db_for_write(Lead)
    # SQLite (`make run`) has no row locks: its writers take turns on the whole database anyway.
    lock = " FOR UPDATE OF l" if connections[using].features.has_select_for_update_of else ""
    rows = Lead.objects.raw(_sql(scope.restricted, across_pipelines, lock), params).using(using)
    found = list(rows)
    if not found:
        raise NotFound(not_found_message(Lead))
    [lead] = found
    return lead, joined_instance(lead, Stage, "t"), joined_instance(lead, Stage, "c")
