"""The analytics reports: a few aggregate queries each, whatever the number of leads.

Every figure is computed by the database (conditional ``Count``, ``Sum``,
``Avg`` over ``values().annotate()`` groups); Python only rounds the handful
of numbers that come back, adds up per-stage rows into pipeline totals, and
puts stage or campaign names next to them. The query count of a report does
not depend on the number of leads (tests pin it).

Definitions (the API schema repeats them):

- ``conversionRate``: leads whose status is CONVERTED ÷ leads × 100, one
  decimal, 0 when there are no leads.
- ``totalValue``: sum of the leads' values; ``averageValue``: mean over the
  leads that have a value (a lead with no value is unknown, not worth 0);
  both 2 decimals at most, 0 when no lead has a value.
- Durations are mean days, one decimal, 0 when there is nothing to measure.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from django.db.models import Avg, Count, DateTimeField, DecimalField, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from leads.models import Campaign, Lead, StageVisit
from pipelines.models import LeadStatus, Pipeline, Stage
from pipelines.weighting import weighted_value

from .filters import LeadFilter
from .rollup_sql import CAMPAIGN_TOTALS, LEAD_TOTALS, PATH_TOTALS, VISIT_TOTALS
from .rollups import rolled

ONE_DECIMAL = Decimal("0.1")
CENTS = Decimal("0.01")
MICROSECONDS_PER_DAY = Decimal(86_400 * 1_000_000)
CLOSED_STATUSES = (LeadStatus.CONVERTED, LeadStatus.LOST)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- rounding -----------------------------------------------------------------


def rate(part: int, whole: int) -> float:
    """``part`` ÷ ``whole`` as a percentage with one decimal (half up); 0 when ``whole`` is 0."""
    if not whole:
        return 0.0
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP))


def money(amount: Decimal | float | int | None) -> Decimal:
    """An amount rounded to cents (half up); None (nothing to sum) is 0."""
    if amount is None:
        return Decimal("0.00")
    # SQLite hands back floats for decimal sums; str() keeps their shortest exact spelling.
    return Decimal(str(amount)).quantize(CENTS, ROUND_HALF_UP)


def average_money(total: Decimal | float | None, count: int) -> Decimal:
    if not count or total is None:
        return Decimal("0.00")
    return (Decimal(str(total)) / count).quantize(CENTS, ROUND_HALF_UP)


def days(duration: timedelta | None) -> float:
    """A duration in days with one decimal (half up); None (nothing measured) is 0."""
    if duration is None:
        return 0.0
    micros = (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds
    return float((Decimal(micros) / MICROSECONDS_PER_DAY).quantize(ONE_DECIMAL, ROUND_HALF_UP))


# --- shared aggregate expressions -------------------------------------------------


def _lead_figures() -> dict:
    """Per group of leads: how many, how many converted, the sum of values and how many have one."""
    return {
        "lead_count": Count("*"),
        "converted_count": Count("pk", filter=Q(status=LeadStatus.CONVERTED)),
        "value_total": Sum("value"),
        "valued_count": Count("value"),
    }


@dataclass(frozen=True)
class LeadFigures:
    count: int
    conversion_rate: float
    average_value: Decimal
    total_value: Decimal

    @classmethod
    def from_row(cls, row: dict) -> "LeadFigures":
        return cls(
            count=row["lead_count"],
            conversion_rate=rate(row["converted_count"], row["lead_count"]),
            average_value=average_money(row["value_total"], row["valued_count"]),
            total_value=money(row["value_total"]),
        )


def _leads(lead_filter: LeadFilter):
    # Explicit ordering of nothing: Lead's default ordering must not leak into GROUP BY.
    return Lead.objects.filter(lead_filter.q()).order_by()


# --- stats ----------------------------------------------------------------------


@dataclass(frozen=True)
class LeadStats:
    total_leads: int
    new_leads: int
    qualified_leads: int
    contacted_leads: int
    converted_leads: int
    lost_leads: int
    conversion_rate: float
    average_value: Decimal
    total_value: Decimal


def lead_stats(lead_filter: LeadFilter) -> LeadStats:
    """Counts by current status and value figures: one query (of the rollup when there is one)."""
    statuses = [f"{status.lower()}_count" for status in LeadStatus.values]
    rows = rolled(LEAD_TOTALS, lead_filter, measures=("lead_count", "valued_count", "value_total", *statuses))
    if rows is not None:
        (row,) = rows
        row = row | {f"status_{status}": row[f"{status.lower()}_count"] for status in LeadStatus.values}
        row["converted_count"] = row["status_CONVERTED"]
    else:
        row = _leads(lead_filter).aggregate(
            **_lead_figures(),
            **{f"status_{status}": Count("pk", filter=Q(status=status)) for status in LeadStatus.values},
        )
    figures = LeadFigures.from_row(row)
    return LeadStats(
        total_leads=figures.count,
        new_leads=row["status_NEW"],
        qualified_leads=row["status_QUALIFIED"],
        contacted_leads=row["status_CONTACTED"],
        converted_leads=row["status_CONVERTED"],
        lost_leads=row["status_LOST"],
        conversion_rate=figures.conversion_rate,
        average_value=figures.average_value,
        total_value=figures.total_value,
    )


# --- sources --------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFigures:
    source: str | None
    figures: LeadFigures


def source_breakdown(lead_filter: LeadFilter) -> list[SourceFigures]:
    """One row per source (no source is one row, ``source`` null), count descending: one query (rollup if it can)."""
    rows = rolled(
        LEAD_TOTALS,
        lead_filter,
        group_by=("source",),
        measures=("lead_count", "converted_count", "valued_count", "value_total"),
        having="sum(lead_count) > 0",
        order_by="lead_count DESC, source ASC NULLS LAST",
    )
    if rows is None:
        rows = (
            _leads(lead_filter)
            .values("source")
            .annotate(**_lead_figures())
            .order_by("-lead_count", F("source").asc(nulls_last=True))
        )
    return [SourceFigures(source=row["source"], figures=LeadFigures.from_row(row)) for row in rows]


# --- campaigns ------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignFigures:
    campaign_id: str
    campaign_name: str
    figures: LeadFigures


def campaign_breakdown(lead_filter: LeadFilter) -> list[CampaignFigures]:
    """One row per campaign that has leads, lead count descending (ties by utm key): one query from the rollup.

    A lead belongs to the campaign its ``campaignId`` names; a lead without
    one belongs to the campaign whose ``utmCampaign`` key equals its
    ``utmCampaign``. So each lead counts for at most one campaign.
    """
    # A campaign's utm key is unique in its org, so the key stands for the campaign: the lead's own
    # campaign's key when it has a campaignId (a join), else its utmCampaign. Grouping by that key
    # needs no per-lead lookup. The rollup keeps the same key per group (rollup_sql.CAMPAIGN_KEY);
    # joining the groups to the org's campaigns by key names them and drops untracked keys.
    rows = rolled(
        CAMPAIGN_TOTALS,
        lead_filter,
        group_by=("campaign_key",),
        measures=("lead_count", "converted_count", "valued_count", "value_total"),
        join=(
            "JOIN leads_campaign AS k ON k.organization_id = %s AND k.utm_campaign = g.campaign_key",
            [lead_filter.org.pk],
        ),
        joined=("k.id", "k.name"),
        having="sum(g.lead_count) > 0",
        order_by="lead_count DESC, campaign_key",
    )
    if rows is None:
        campaigns = Campaign.objects.for_org(lead_filter.org)
        by_key = {key: (pk, name) for pk, name, key in campaigns.values_list("id", "name", "utm_campaign")}
        rows = [
            row | {"id": by_key[row["campaign_key"]][0], "name": by_key[row["campaign_key"]][1]}
            for row in _leads(lead_filter)
            .filter(Q(campaign__isnull=False) | Q(utm_campaign__in=campaigns.values("utm_campaign")))
            .annotate(campaign_key=Coalesce("campaign__utm_campaign", "utm_campaign"))
            .values("campaign_key")
            .annotate(**_lead_figures())
            .order_by("-lead_count", "campaign_key")
        ]
    return [
        CampaignFigures(campaign_id=row["id"], campaign_name=row["name"], figures=LeadFigures.from_row(row))
        for row in rows
    ]


# --- pipeline -------------------------------------------------------------------


@dataclass(frozen=True)
class StageFigures:
    id: str
    name: str
    lead_count: int
    average_time_in_stage: float


@dataclass(frozen=True)
class PipelinePerformance:
    id: str
    name: str
    stages: list[StageFigures]
    overall_conversion_rate: float
    average_time_to_convert: float


def _visits(lead_filter: LeadFilter, pipeline: Pipeline):
    visits = StageVisit.objects.filter(organization=lead_filter.org, stage__pipeline=pipeline).order_by()
    if lead_filter.narrows_leads:
        visits = visits.filter(lead_filter.q("lead__"))
    return visits


def _time_spent(now: datetime):
    """A visit's length: to ``left_at``, or to ``now`` while the lead is still in the stage."""
    return Coalesce("left_at", Value(now, output_field=DateTimeField())) - F("entered_at")


def _stage_occupancy(lead_filter: LeadFilter) -> dict[str, dict]:
    """Per stage: its leads, the converted ones and their summed time to convert (one query)."""
    rows = rolled(
        LEAD_TOTALS, lead_filter, group_by=("stage_id",), measures=("lead_count", "converted_count", "convert_micros")
    )
    if rows is not None:
        return {
            row["stage_id"]: row | {"time_to_convert": timedelta(microseconds=int(row["convert_micros"]))}
            for row in rows
        }
    converted = Q(status=LeadStatus.CONVERTED)
    # One pass over the leads, grouped by stage; the pipeline's totals are sums of these few
    # per-stage rows (counts and summed durations), so the leads are read once, not twice.
    return {
        row["stage_id"]: row
        for row in _leads(lead_filter)
        .values("stage_id")
        .annotate(
            lead_count=Count("*"),
            converted_count=Count("pk", filter=converted),
            time_to_convert=Sum(F("converted_at") - F("created_at"), filter=converted),
        )
    }


def _time_in_stage(lead_filter: LeadFilter, pipeline: Pipeline, stage_ids: list[str], now: datetime) -> dict:
    """Per stage of ``pipeline``: the mean length of its visits, open ones counted to ``now`` (one query)."""
    # Visits are narrowed by their lead only when the filter narrows leads (as ``_visits`` does).
    visit_filter = lead_filter if lead_filter.narrows_leads else LeadFilter(org=lead_filter.org)
    rows = rolled(
        VISIT_TOTALS,
        visit_filter,
        group_by=("stage_id",),
        measures=("closed_count", "closed_micros", "open_count", "open_entered_micros"),
        stage_ids=stage_ids,
    )
    if rows is None:
        return dict(
            _visits(lead_filter, pipeline)
            .values("stage_id")
            .annotate(mean=Avg(_time_spent(now)))
            .values_list("stage_id", "mean")
        )
    now_micros = (now - EPOCH) // timedelta(microseconds=1)
    dwell = {}
    for row in rows:
        visits = row["closed_count"] + row["open_count"]
        if visits:
            micros = row["closed_micros"] + row["open_count"] * now_micros - row["open_entered_micros"]
            dwell[row["stage_id"]] = timedelta(microseconds=int(micros)) / visits
    return dwell


def pipeline_performance(lead_filter: LeadFilter, *, now: datetime | None = None) -> PipelinePerformance:
    """Stage occupancy and dwell time, conversion rate and time to convert: three queries.

    ``lead_filter.pipeline`` must be set (the view defaults it to the org's default pipeline).
    """
    pipeline = lead_filter.pipeline
    now = now or timezone.now()
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("order").values("id", "name"))
    per_stage = _stage_occupancy(lead_filter)
    dwell = _time_in_stage(lead_filter, pipeline, [stage["id"] for stage in stages], now)
    lead_count = sum(row["lead_count"] for row in per_stage.values())
    converted_count = sum(row["converted_count"] for row in per_stage.values())
    convert_time = sum((row["time_to_convert"] or timedelta() for row in per_stage.values()), timedelta())
    return PipelinePerformance(
        id=pipeline.pk,
        name=pipeline.name,
        stages=[
            StageFigures(
                id=stage["id"],
                name=stage["name"],
                lead_count=per_stage[stage["id"]]["lead_count"] if stage["id"] in per_stage else 0,
                average_time_in_stage=days(dwell.get(stage["id"])),
            )
            for stage in stages
        ],
        overall_conversion_rate=rate(converted_count, lead_count),
        average_time_to_convert=days(convert_time / converted_count if converted_count else None),
    )


# --- funnel (ours) --------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    id: str
    name: str
    order: int
    probability: int
    is_exit: bool
    reached: int
    conversion_rate: float | None


@dataclass(frozen=True)
class Funnel:
    pipeline_id: str
    pipeline_name: str
    total_leads: int
    stages: list[FunnelStep]
    open_leads: int
    open_value: Decimal
    weighted_value: Decimal


def _open_leads(lead_filter: LeadFilter, probabilities: dict[str, int]) -> dict:
    """How many leads are open, their value and their value weighted by their stage's probability (one query)."""
    rows = rolled(
        LEAD_TOTALS,
        lead_filter,
        group_by=("stage_id",),
        measures=("new_count", "qualified_count", "contacted_count", "open_value_total"),
    )
    if rows is None:
        return (
            _leads(lead_filter)
            .exclude(status__in=CLOSED_STATUSES)
            .aggregate(
                open_count=Count("*"),
                open_value=Sum("value"),
                weighted=Sum(
                    F("value") * F("stage__probability"), output_field=DecimalField(max_digits=20, decimal_places=2)
                ),
            )
        )
    # A stage outside the pipeline (a lead filed in the wrong one) has its own probability.
    strays = {row["stage_id"] for row in rows} - probabilities.keys()
    if strays:
        probabilities = probabilities | dict(Stage.objects.filter(pk__in=strays).values_list("id", "probability"))
    return {
        "open_count": sum(row["new_count"] + row["qualified_count"] + row["contacted_count"] for row in rows),
        "open_value": sum((row["open_value_total"] for row in rows), Decimal(0)),
        "weighted": sum((row["open_value_total"] * probabilities[row["stage_id"]] for row in rows), Decimal(0)),
    }


def _reached_live(lead_filter: LeadFilter, steps: list[dict], exits: list[dict]) -> dict:
    """Per lead (one GROUP BY over the visits), then counted per stage in the same statement."""
    per_lead = (
        _visits(lead_filter, lead_filter.pipeline)
        .values("lead_id")
        .annotate(
            progress=Max("stage__order", filter=~Q(stage__status=LeadStatus.LOST)),
            **{f"visits_to_exit_{i}": Count("pk", filter=Q(stage_id=stage["id"])) for i, stage in enumerate(exits)},
        )
    )
    return per_lead.aggregate(
        total=Count("*"),
        **{f"step_{i}": Count("lead_id", filter=Q(progress__gte=stage["order"])) for i, stage in enumerate(steps)},
        **{f"exit_{i}": Count("lead_id", filter=Q(**{f"visits_to_exit_{i}__gt": 0})) for i in range(len(exits))},
    )


def _reached(lead_filter: LeadFilter, steps: list[dict], exits: list[dict]) -> dict:
    """The funnel's counts from the leads grouped by the set of stages they visited (one query)."""
    # Visits are narrowed by their lead only when the filter narrows leads (as ``_visits`` does).
    path_filter = lead_filter if lead_filter.narrows_leads else LeadFilter(org=lead_filter.org)
    ids = [stage["id"] for stage in (*steps, *exits)]
    rows = rolled(
        PATH_TOTALS,
        path_filter,
        group_by=("stage_ids",),
        measures=("lead_count",),
        where=(("stage_ids && %s::varchar[]", [ids]),),
    )
    if rows is None:
        return _reached_live(lead_filter, steps, exits)
    reached = {"total": 0} | {f"step_{i}": 0 for i in range(len(steps))} | {f"exit_{i}": 0 for i in range(len(exits))}
    order = {stage["id"]: stage["order"] for stage in steps}
    for row in rows:
        visited, leads = set(row["stage_ids"]), row["lead_count"]
        reached["total"] += leads
        progress = max((order[stage_id] for stage_id in visited if stage_id in order), default=None)
        for i, stage in enumerate(steps):
            reached[f"step_{i}"] += leads if progress is not None and progress >= stage["order"] else 0
        for i, stage in enumerate(exits):
            reached[f"exit_{i}"] += leads if stage["id"] in visited else 0
    return reached


def pipeline_funnel(lead_filter: LeadFilter) -> Funnel:
    """How far leads got through the pipeline, and what the open ones are worth: three queries.

    A lead's progress is the highest ``order`` among the stages it has ever
    visited, leaving out exit stages (stages that set LOST: being lost is not
    progress). A step is *reached* by every lead whose progress is at or past
    it, so a lead that skipped a stage still passed it, and a lead that went
    back or revisited a stage counts once. An exit stage is reached by the
    leads that ever visited it. ``conversionRate`` is the share of a step's
    leads that reached the next step; null for the last step and for exits.
    """
    pipeline = lead_filter.pipeline
    stages = list(
        Stage.objects.filter(pipeline=pipeline).order_by("order").values("id", "name", "order", "status", "probability")
    )
    exits = [stage for stage in stages if stage["status"] == LeadStatus.LOST]
    steps = [stage for stage in stages if stage["status"] != LeadStatus.LOST]

    reached = _reached(lead_filter, steps, exits) if stages else {"total": 0}
    open_leads = _open_leads(lead_filter, {stage["id"]: stage["probability"] for stage in stages})

    counts = {stage["id"]: reached[f"step_{i}"] for i, stage in enumerate(steps)}
    counts |= {stage["id"]: reached[f"exit_{i}"] for i, stage in enumerate(exits)}
    next_step = {stage["id"]: following["id"] for stage, following in pairwise(steps)}
    weighted = open_leads["weighted"]
    return Funnel(
        pipeline_id=pipeline.pk,
        pipeline_name=pipeline.name,
        total_leads=reached["total"],
        stages=[
            FunnelStep(
                id=stage["id"],
                name=stage["name"],
                order=stage["order"],
                probability=stage["probability"],
                is_exit=stage["status"] == LeadStatus.LOST,
                reached=counts[stage["id"]],
                conversion_rate=(
                    rate(counts[next_step[stage["id"]]], counts[stage["id"]]) if stage["id"] in next_step else None
                ),
            )
            for stage in stages
        ],
        open_leads=open_leads["open_count"],
        open_value=money(open_leads["open_value"]),
        weighted_value=money(None if weighted is None else Decimal(str(weighted)) / 100),
    )


# --- weighted pipeline (the board's figure) ---------------------------------------------


@dataclass(frozen=True)
class WeightedPipeline:
    total_value: Decimal
    weighted_value: Decimal


def weighted_pipeline(lead_filter: LeadFilter) -> WeightedPipeline:
    """The pipeline's leads on its stages, every status, as the board's header sums them: one query.

    Per stage the board's weighted value (each lead's own probability where set, else the stage's),
    then summed, so the dashboard's tile and the board's header show the same figure.
    """
    pipeline = lead_filter.pipeline
    rows = rolled(
        LEAD_TOTALS,
        lead_filter,
        group_by=("stage_id",),
        measures=("value_total", "own_chance_value", "stage_chance_value"),
        join=("JOIN pipelines_stage AS s ON s.id = g.stage_id AND s.pipeline_id = %s", [pipeline.pk]),
        joined=("s.probability",),
    )
    if rows is None:
        live = (
            _leads(lead_filter)
            .filter(stage__pipeline=pipeline)
            .values("stage_id", stage_probability=F("stage__probability"))
            .annotate(
                value_total=Sum("value"),
                own_chance_value=Sum(
                    F("value") * F("probability"), output_field=DecimalField(max_digits=20, decimal_places=2)
                ),
                stage_chance_value=Sum("value", filter=Q(probability__isnull=True)),
            )
        )
        # Named as the rollup's join names it (an annotation can't take the lead's own field name).
        rows = [{**row, "probability": row["stage_probability"]} for row in live]
    return WeightedPipeline(
        total_value=money(sum((row["value_total"] or 0 for row in rows), Decimal(0))),
        weighted_value=sum(
            (
                weighted_value(
                    own_chance_value=row["own_chance_value"],
                    stage_chance_value=row["stage_chance_value"],
                    stage_probability=row["probability"],
                )
                for row in rows
            ),
            Decimal("0"),
        ),
    )
