from django.db import models
from django.db.models import Q

from vchata.ids import PrefixedIdField
from vchata.tenancy import OrgOwned


class LeadStatus(models.TextChoices):
    """A lead's status. Lives here because a stage may set one on entry."""

    NEW = "NEW"
    QUALIFIED = "QUALIFIED"
    CONTACTED = "CONTACTED"
    CONVERTED = "CONVERTED"
    LOST = "LOST"


class Pipeline(OrgOwned):
    id = PrefixedIdField(prefix="pipeline")
    name = models.CharField(max_length=120)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            # At most one default pipeline per organization.
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_default=True), name="pipeline_one_default_per_org"
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

    class Meta:
        ordering = ["pipeline", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_order_unique_per_pipeline"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_0_100"),
        ]

    def __str__(self):
        return self.name


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
