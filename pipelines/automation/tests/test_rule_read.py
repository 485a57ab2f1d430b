"""The hand-written read of the rules an event wakes gives what the ORM query it replaces gives."""

from functools import reduce
from operator import or_

import pytest
from django.db.models import Q

from pipelines.automation.models import Rule
from pipelines.automation.rule_read import active_rules
from pipelines.models import Pipeline

from .factories import RuleFactory

pytestmark = pytest.mark.django_db

T, A = Rule.Trigger, Rule.Action


def orm_rules(org, pipeline_id, listening, exclude=()):
    return list(
        Rule.objects.for_org(org)
        .filter(reduce(or_, (Q(**values) for values in listening)), pipeline_id=pipeline_id, is_active=True)
        .exclude(pk__in=exclude)
        .select_related("action_user")
        .prefetch_related("condition_stages")
        .order_by("order", "created_at")
    )


def shape(rules):
    return [
        (rule.pk, rule.action_user.pk if rule.action_user else None, sorted(s.pk for s in rule.condition_stages.all()))
        for rule in rules
    ]


def test_the_rules_read_match_the_orm_query(org, pipeline, stages, member, django_assert_num_queries):
    entered = {"trigger": T.STAGE_ENTERED, "trigger_stage_id": stages[2].pk}
    status = {"trigger": T.STATUS_CHANGED, "trigger_status": "CONTACTED"}
    assign = RuleFactory(
        pipeline=pipeline,
        action=A.ASSIGN_TO,
        action_user=member,
        order=2,
        trigger=T.STAGE_ENTERED,
        trigger_stage=stages[2],
    )
    staged = RuleFactory(
        pipeline=pipeline,
        action=A.SET_STATUS,
        action_status="QUALIFIED",
        order=1,
        condition_stages=[stages[0]],
        **status,
    )
    RuleFactory(pipeline=pipeline, action=A.SET_STATUS, action_status="LOST", is_active=False, **status)
    RuleFactory(pipeline=pipeline, action=A.SET_STATUS, action_status="LOST", trigger=T.LEAD_CREATED)
    other = Pipeline.objects.create(organization=org, name="Other")
    RuleFactory(
        pipeline=other, action=A.SET_STATUS, action_status="LOST", trigger=T.STATUS_CHANGED, trigger_status="CONTACTED"
    )

    for listening, exclude in (
        ([entered, status], ()),
        ([status], ()),
        ([entered, status], (staged.pk,)),
        ([entered], ()),
    ):
        with django_assert_num_queries(2):  # the rules with their users, their condition stages
            got = active_rules(org.pk, pipeline.pk, listening, exclude=exclude)
        assert shape(got) == shape(orm_rules(org, pipeline.pk, listening, exclude))
    assert [rule.pk for rule in active_rules(org.pk, pipeline.pk, [entered, status])] == [staged.pk, assign.pk]
    with django_assert_num_queries(1):  # none found: no prefetch
        assert active_rules(org.pk, pipeline.pk, [{"trigger": T.ACTIVITY_ADDED, "trigger_activity_type": "CALL"}]) == []
