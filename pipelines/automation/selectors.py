"""Reads of automation rules."""

from django.db.models import Prefetch, QuerySet

from pipelines.models import Pipeline
from vchata.accounts.models import Organization

from .models import Rule, RuleAssignee


def rules_for_pipeline(*, org: Organization, pipeline: Pipeline) -> QuerySet[Rule]:
    """The pipeline's automation rules in evaluation order, with what ``describe()`` and the API read.

    Three queries however many rules: the rules (with their trigger and action
    stage and user), their condition stages, their round-robin assignees.
    """
    return (
        Rule.objects.for_org(org)
        .filter(pipeline=pipeline)
        .select_related("trigger_stage", "action_stage", "action_user")
        .prefetch_related("condition_stages", Prefetch("assignees", RuleAssignee.objects.select_related("user")))
        .order_by("order", "created_at")
    )
