from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery

from vchata.ids import PrefixedIdField
from vchata.tenancy import OrgOwned


class LeadStatus(models.TextChoices):
    """A lead's status. Lives here because a stage may set one on entry."""

    NEW = "NEW"
    QUALIFIED = "QUALIFIED"
    CONTACTED = "CONTACTED"
    CONVERTED = "CONVERTED"
    LOST = "LOST"


# An open lead with no activity and no open task for this many days is "rotting" (stale on the board).
DEFAULT_ROTTING_DAYS = 7
MAX_ROTTING_DAYS = 365


class Pipeline(OrgOwned):
    id = PrefixedIdField(prefix="pipeline")
    name = models.CharField(max_length=120)
    is_default = models.BooleanField(default=False)
    rotting_days = models.PositiveSmallIntegerField(
        default=DEFAULT_ROTTING_DAYS,
        db_default=DEFAULT_ROTTING_DAYS,
        help_text="Days without activity or an open task after which an open lead is stale; stages may override it.",
    )

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            # At most one default pipeline per organization.
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_default=True), name="pipeline_one_default_per_org"
            ),
            models.CheckConstraint(
                condition=Q(rotting_days__gte=1, rotting_days__lte=MAX_ROTTING_DAYS),
                name="pipeline_rotting_days_1_365",
            ),
        ]

    def __str__(self):
        return self.name


class Stage(OrgOwned):
    id = PrefixedIdField(prefix="stage")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=120)
    order = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=LeadStatus.choices, blank=True, null=True)
    probability = models.PositiveSmallIntegerField(default=0)
    rotting_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Overrides the pipeline's rotting days for leads in this stage; empty: the pipeline's.",
    )

    class Meta:
        ordering = ["pipeline", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_order_unique_per_pipeline"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_0_100"),
            models.CheckConstraint(
                condition=Q(rotting_days__isnull=True) | Q(rotting_days__gte=1, rotting_days__lte=MAX_ROTTING_DAYS),
                name="stage_rotting_days_1_365",
            ),
        ]

    def __str__(self):
        return self.name


def with_first_stage(pipelines: QuerySet[Pipeline]) -> QuerySet[Pipeline]:
    """``pipelines`` with their first stage's id and status read in the same query (see ``first_stage``)."""
    first = Stage.objects.filter(pipeline=OuterRef("pk")).order_by("order", "id")
    return pipelines.annotate(
        first_stage_id=Subquery(first.values("id")[:1]), first_stage_status=Subquery(first.values("status")[:1])
    )


def pipeline_with_first_stage(org_id: str, pipeline_id: str) -> "Pipeline | None":
    """One of the org's pipelines as ``with_first_stage`` reads it, None when the org has no such one.

    Hand-written (a new lead's request reads it): compiling the annotated query cost more than running it.
    """
    table, stages = Pipeline._meta.db_table, Stage._meta.db_table
    columns = ", ".join(f'p."{field.column}"' for field in Pipeline._meta.concrete_fields)
    first = f'FROM {stages} AS s WHERE s.pipeline_id = p.id ORDER BY s."order", s.id LIMIT 1'
    sql = (
        f"SELECT {columns}, (SELECT s.id {first}) AS first_stage_id, (SELECT s.status {first}) AS first_stage_status "
        f"FROM {table} AS p WHERE p.organization_id = %s AND p.id = %s"
    )
    return next(iter(Pipeline.objects.raw(sql, [org_id, pipeline_id])), None)


def first_stage(pipeline: Pipeline) -> Stage | None:
    """The pipeline's first stage, None when it has none.

    Read with ``with_first_stage``, it costs no query: the stage is made from the columns read
    (a new lead needs its id and status; its other fields load when first used).
    """
    if not hasattr(pipeline, "first_stage_id"):
        return pipeline.stages.order_by("order", "id").first()
    if pipeline.first_stage_id is None:
        return None
    known = {
        "organization_id": pipeline.organization_id,
        "id": pipeline.first_stage_id,
        "pipeline_id": pipeline.pk,
        "status": pipeline.first_stage_status,
    }
    # from_db takes the values in the model's field order.
    names = [f.attname for f in Stage._meta.concrete_fields if f.attname in known]
    return Stage.from_db(pipeline._state.db, names, [known[name] for name in names])


DEFAULT_PIPELINE_NAME = "Sales Pipeline"
# (name, status set on entry, probability %) in board order.
DEFAULT_STAGES = [
    ("New", LeadStatus.NEW, 10),
    ("Qualified", LeadStatus.QUALIFIED, 30),
    ("Contacted", LeadStatus.CONTACTED, 60),
    ("Converted", LeadStatus.CONVERTED, 100),
    ("Lost", LeadStatus.LOST, 0),
]


def logged_activity_types() -> list[tuple[str, str]]:
    """The choices of migrations 0002 and 0003, which name this function; kept only for them.

    Rules (now in ``automation``) take theirs from ``leads.models.LOGGED_ACTIVITY_CHOICES``.
    Looked up through the app registry so this module still imports nothing from ``leads``.
    """
    from django.apps import apps

    activity = apps.get_model("leads", "Activity")
    return [(value, label) for value, label in activity.Type.choices if value not in activity.SYSTEM_TYPES]
