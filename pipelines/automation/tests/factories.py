"""Rules for tests, made through ``create_rule`` as the API makes them."""

from pipelines.automation.models import Rule
from pipelines.automation.services import create_rule
from pipelines.models import Pipeline


def make_rule(*, pipeline: Pipeline, trigger: str, action: str, name: str = "", **fields) -> Rule:
    """A rule of ``pipeline``; pass the model's other fields as keywords.

    ``make_rule(pipeline=p, trigger=T.LEAD_CREATED, action=A.SET_STATUS, action_status="QUALIFIED")``
    """
    fields = {"name": name or f"{trigger} → {action}", "trigger": trigger, "action": action, **fields}
    return create_rule(org=pipeline.organization, pipeline=pipeline, fields=fields)
