"""Rules for tests, made through ``create_rule`` as the API makes them."""

import factory

from pipelines.automation.models import Rule
from pipelines.automation.services import create_rule


class RuleFactory(factory.django.DjangoModelFactory):
    """``RuleFactory(pipeline=p, trigger=T.LEAD_CREATED, action=A.SET_STATUS, action_status="QUALIFIED")``.

    ``pipeline``, ``trigger`` and ``action`` are required; pass the model's other
    fields (and ``condition_stages``, ``assignees``) as keywords.
    """

    class Meta:
        model = Rule

    name = factory.LazyAttribute(lambda rule: f"{rule.trigger} → {rule.action}")

    @classmethod
    def _create(cls, model_class, *, pipeline, **fields):
        return create_rule(org=pipeline.organization, pipeline=pipeline, fields=fields)
