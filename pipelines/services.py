"""Changes to pipelines and their stages. Lead state changes live in ``leads.services``."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, F, ProtectedError, Value, When

from vchata.accounts.models import Organization, User
from vchata.exceptions import Conflict, InvalidInput
from vchata.tenancy import get_in_org

from .models import DEFAULT_PIPELINE_NAME, DEFAULT_ROTTING_DAYS, DEFAULT_STAGES, Pipeline, Stage

PIPELINE_HAS_LEADS = "Pipeline still has leads; move or delete them first"
DEFAULT_PIPELINE_KEPT = "The default pipeline cannot be deleted; make another pipeline the default first"
STAGE_HAS_LEADS = "Stage still has leads; move them to another stage first"
LAST_STAGE_KEPT = "A pipeline must keep at least one stage"
# Stage orders are moved out of the way by this much while renumbering, so the
# (pipeline, order) unique constraint, checked row by row, never sees a clash.
_ORDER_PARKING = 1_000_000


@transaction.atomic
def create_pipeline(
    *,
    org: Organization,
    name: str,
    stages: Iterable[Mapping] | None = None,
    is_default: bool = False,
    rotting_days: int = DEFAULT_ROTTING_DAYS,
) -> Pipeline:
    """A pipeline with the given stages in list order, or the five default stages.

    A new default pipeline takes over from the org's current default.
    """
    if is_default:
        _clear_default(org)
    pipeline = Pipeline.objects.create(organization=org, name=name, is_default=is_default, rotting_days=rotting_days)
    stage_specs = list(stages) if stages else [{"name": n, "status": s, "probability": p} for n, s, p in DEFAULT_STAGES]
    Stage.objects.bulk_create(
        Stage(
            organization=org,
            pipeline=pipeline,
            name=spec["name"],
            order=index,
            status=spec.get("status") or None,
            probability=spec.get("probability") or 0,
            rotting_days=spec.get("rotting_days"),
        )
        for index, spec in enumerate(stage_specs, start=1)
    )
    return pipeline


def create_default_pipeline(*, org: Organization) -> Pipeline:
    return create_pipeline(org=org, name=DEFAULT_PIPELINE_NAME, is_default=True)


def give_new_organization_its_pipeline(sender, *, organization: Organization, **kwargs) -> None:
    """Receiver of ``accounts.signals.organization_created``: every new org starts with the default pipeline."""
    create_default_pipeline(org=organization)


def _clear_default(org: Organization, keep: Pipeline | None = None) -> None:
    """Unset the org's default pipeline (but ``keep``), holding the org row until commit.

    The org lock makes two concurrent "make default" calls run one after the
    other, so the second sees and clears the first one's new default instead
    of tripping the one-default-per-org constraint.
    """
    Organization.objects.select_for_update().filter(pk=org.pk).first()
    others = Pipeline.objects.for_org(org).filter(is_default=True)
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    others.update(is_default=False)


def _lock_pipeline(org: Organization, pipeline_id: str) -> Pipeline:
    """The org's pipeline, row-locked: stage edits of one pipeline run one at a time."""
    return get_in_org(Pipeline, org, pipeline_id, lock=True)


def _lock_stage(org: Organization, pipeline_id: str, stage_id: str) -> tuple[Pipeline, Stage]:
    pipeline = _lock_pipeline(org, pipeline_id)
    return pipeline, get_in_org(Stage.objects.filter(pipeline=pipeline), org, stage_id)


def _renumber(pipeline: Pipeline, stage_ids: Sequence[str]) -> None:
    """Give the pipeline's stages orders 1..n in the given id order (two UPDATEs, whatever n)."""
    stages = Stage.objects.filter(pipeline=pipeline)
    stages.update(order=F("order") + _ORDER_PARKING)
    stages.update(order=Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(stage_ids, start=1))))


def _stage_ids(pipeline: Pipeline) -> list[str]:
    return list(Stage.objects.filter(pipeline=pipeline).order_by("order").values_list("pk", flat=True))


@transaction.atomic
def update_pipeline(*, org: Organization, actor: User | None, pipeline_id: str, changes: Mapping[str, Any]) -> Pipeline:
    """Rename a pipeline, change its ``rotting_days`` and/or make it the org's default.

    ``is_default=False`` on the default is refused.
    """
    pipeline = _lock_pipeline(org, pipeline_id)
    for field in ("name", "rotting_days"):
        if field in changes:
            setattr(pipeline, field, changes[field])
    if "is_default" in changes:
        if changes["is_default"] and not pipeline.is_default:
            _clear_default(org, keep=pipeline)
            pipeline.is_default = True
        elif not changes["is_default"] and pipeline.is_default:
            raise InvalidInput(["isDefault: make another pipeline the default instead"])
    pipeline.save()
    return pipeline


@transaction.atomic
def delete_pipeline(*, org: Organization, actor: User | None, pipeline_id: str) -> None:
    """Delete an empty, non-default pipeline with its stages and rules."""
    pipeline = _lock_pipeline(org, pipeline_id)
    if pipeline.is_default:
        raise Conflict(DEFAULT_PIPELINE_KEPT)
    if pipeline.leads.exists():
        raise Conflict(PIPELINE_HAS_LEADS)
    try:
        with transaction.atomic():
            pipeline.delete()
    except (ProtectedError, IntegrityError) as exc:  # a lead created since the check
        raise Conflict(PIPELINE_HAS_LEADS) from exc


@transaction.atomic
def create_stage(
    *,
    org: Organization,
    actor: User | None,
    pipeline_id: str,
    name: str,
    status: str | None = None,
    probability: int = 0,
    order: int | None = None,
    rotting_days: int | None = None,
) -> Stage:
    """Add a stage at position ``order`` (1 = first; default and beyond the end: last)."""
    pipeline = _lock_pipeline(org, pipeline_id)
    ids = _stage_ids(pipeline)
    position = len(ids) + 1 if order is None else min(max(order, 1), len(ids) + 1)
    stage = Stage.objects.create(
        organization=org,
        pipeline=pipeline,
        name=name,
        status=status or None,
        probability=probability or 0,
        rotting_days=rotting_days,
        order=_ORDER_PARKING * 2,
    )
    ids.insert(position - 1, stage.pk)
    _renumber(pipeline, ids)
    stage.refresh_from_db(fields=["order"])
    return stage


@transaction.atomic
def update_stage(
    *, org: Organization, actor: User | None, pipeline_id: str, stage_id: str, changes: Mapping[str, Any]
) -> Stage:
    """Change a stage's ``name``, ``status`` (set on entry; None for none), ``probability`` or ``rotting_days``.

    Leads already in the stage keep their status; the new one applies to leads entering it.
    """
    _, stage = _lock_stage(org, pipeline_id, stage_id)
    for field in ("name", "status", "probability", "rotting_days"):
        if field in changes:
            setattr(stage, field, changes[field])
    stage.status = stage.status or None
    stage.save()
    return stage


@transaction.atomic
def delete_stage(*, org: Organization, actor: User | None, pipeline_id: str, stage_id: str) -> None:
    """Delete a stage that holds no lead; the stages after it move up one place."""
    pipeline, stage = _lock_stage(org, pipeline_id, stage_id)
    if stage.leads.exists():
        raise Conflict(STAGE_HAS_LEADS)
    ids = _stage_ids(pipeline)
    if len(ids) == 1:
        raise Conflict(LAST_STAGE_KEPT)
    ids.remove(stage.pk)
    try:
        with transaction.atomic():
            stage.delete()
    except (ProtectedError, IntegrityError) as exc:  # a lead moved in since the check
        raise Conflict(STAGE_HAS_LEADS) from exc
    _renumber(pipeline, ids)


@transaction.atomic
def reorder_stages(*, org: Organization, actor: User | None, pipeline_id: str, stage_ids: Sequence[str]) -> Pipeline:
    """Put the pipeline's stages in the given order; ``stage_ids`` must list each of them exactly once."""
    pipeline = _lock_pipeline(org, pipeline_id)
    current = _stage_ids(pipeline)
    if len(stage_ids) != len(set(stage_ids)) or set(stage_ids) != set(current):
        raise InvalidInput(["stageIds must list every stage of the pipeline exactly once"])
    _renumber(pipeline, list(stage_ids))
    return pipeline
