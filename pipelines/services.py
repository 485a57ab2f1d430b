"""Changes to pipelines and their stages. Lead state changes live in ``leads.services``."""

from collections.abc import Iterable, Mapping

from django.db import transaction

from vchata.accounts.models import Organization

from .models import DEFAULT_PIPELINE_NAME, DEFAULT_STAGES, Pipeline, Stage


@transaction.atomic
def create_pipeline(
    *, org: Organization, name: str, stages: Iterable[Mapping] | None = None, is_default: bool = False
) -> Pipeline:
    """A pipeline with the given stages in list order, or the five default stages."""
    pipeline = Pipeline.objects.create(organization=org, name=name, is_default=is_default)
    stage_specs = list(stages) if stages else [{"name": n, "status": s, "probability": p} for n, s, p in DEFAULT_STAGES]
    Stage.objects.bulk_create(
        Stage(
            organization=org,
            pipeline=pipeline,
            name=spec["name"],
            order=index,
            status=spec.get("status") or None,
            probability=spec.get("probability") or 0,
        )
        for index, spec in enumerate(stage_specs, start=1)
    )
    return pipeline


def create_default_pipeline(*, org: Organization) -> Pipeline:
    return create_pipeline(org=org, name=DEFAULT_PIPELINE_NAME, is_default=True)
