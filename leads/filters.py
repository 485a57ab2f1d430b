"""The lead list's query parameters (API.md, ``GET /leads/{orgId}``), as a django-filter FilterSet.

Id filters choose among the request organization's rows only, so another
organization's id is refused like an unknown one. Every bad value is a 400
naming the parameter; nothing is silently ignored. Each filter and ordering
is backed by an index of ``leads.models.Lead`` that starts with the organization
(``search``: the trigram index of ``leads.search``).
"""

from datetime import UTC

import django_filters
from django import forms
from django.db.models import F
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django_filters.rest_framework import DjangoFilterBackend

from pipelines.models import LeadStatus, Pipeline, Stage
from vchata.accounts.models import Organization, User
from vchata.pagination import KeysetOrder

from . import search
from .models import Campaign, Lead, LostReason

MAX_SEARCH = 200
DEFAULT_ORDERING = "-createdAt"
# Best match of ``search`` first (leads.search.rank), then newest first; only with a search.
RELEVANCE = "relevance"
ORDERINGS = (
    "createdAt, -createdAt, updatedAt, -updatedAt, value, -value, expectedCloseDate, -expectedCloseDate, relevance"
)
# Sorted with leads that have no expected close date last, whichever way.
UNDATED_LAST = frozenset({"expected_close_date"})


def _not_in_org(param: str, noun: str) -> dict[str, str]:
    return {"invalid_choice": f"{param} does not match any {noun} in this organization"}


def _text(param: str, max_length: int) -> dict[str, str]:
    return {
        "max_length": f"{param} must be at most {max_length} characters long",
        "null_characters_not_allowed": f"{param} may not contain null characters",
    }


def _amount(param: str) -> dict[str, str]:
    return {
        "invalid": f"{param} must be a number",
        "max_digits": f"{param} must be a number of at most 12 digits",
        "max_decimal_places": f"{param} must have at most 2 decimal places",
        "max_whole_digits": f"{param} must be a number of at most 12 digits",
    }


def _date(param: str) -> dict[str, str]:
    return {"invalid": f"{param} must be an ISO 8601 date, such as 2024-01-15"}


def _percent(param: str) -> dict[str, str]:
    return {
        "invalid": f"{param} must be a whole number from 0 to 100",
        "min_value": f"{param} must be a whole number from 0 to 100",
        "max_value": f"{param} must be a whole number from 0 to 100",
    }


class ProbabilityFilter(django_filters.NumberFilter):
    """A lead's chance of closing, 0–100: its own ``probability`` when set, else its stage's (as forecasts weigh it)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=0, max_value=100, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        chance = Coalesce("probability", "stage__probability")
        return qs.alias(effective_probability=chance).filter(**{f"effective_probability__{self.lookup_expr}": value})


def _instant(param: str) -> dict[str, str]:
    return {"invalid": f"{param} must be an ISO 8601 date or date-time, such as 2024-01-15T10:30:00Z"}


class InstantField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 instant that UTC can hold: ``9999-12-31T23:59:59-05:00`` is past year 9999 in UTC."""

    def to_python(self, value):
        instant = super().to_python(value)
        if instant is None:
            return None
        try:
            return instant.astimezone(UTC)
        except OverflowError as exc:  # found by the bad-input sweep: was a 500 on SQLite
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = InstantField


class LeadOrdering(django_filters.OrderingFilter):
    """``createdAt``/``updatedAt``/``value`` either way, ties broken by id in the same direction.

    Leads without a value count as the lowest: first for ``value``, last for
    ``-value``; that is one index (``lead_org_value_id_idx``) read either way.
    ``relevance`` (one way only) ranks the matches of ``search``, newest first within a rank.
    """

    def build_choices(self, fields, labels):
        return [(param, label) for param, label in super().build_choices(fields, labels) if param != f"-{RELEVANCE}"]

    def get_ordering_value(self, param: str) -> OrderBy:
        descending = param.startswith("-")
        field = self.param_map[param.lstrip("-")]
        if field == "value":
            return F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_first=True)
        if field in UNDATED_LAST:
            return F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        return F(field).desc() if descending else F(field).asc()

    def filter(self, qs, value):
        params = value or [DEFAULT_ORDERING]
        ordering = [self.get_ordering_value(param) for param in params]
        if params[0] == RELEVANCE:
            qs = qs.annotate(search_rank=search.rank(self.parent.form.cleaned_data["search"]))
            return qs.order_by(*ordering, *search.WITHIN_A_RANK)
        # A tie-breaker in the direction of the first key keeps pages stable and the index usable.
        id_order = F("id").desc() if params[0].startswith("-") else F("id").asc()
        return qs.order_by(*ordering, id_order)


class LeadFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        ordering = cleaned.get("ordering") or []
        if RELEVANCE in ordering and ordering[0] != RELEVANCE:
            self.add_error("ordering", f"ordering={RELEVANCE} must come first")
        elif RELEVANCE in ordering and not cleaned.get("search"):
            self.add_error("ordering", f"ordering={RELEVANCE} ranks the matches of search: send search too")
        return cleaned


class LeadFilter(django_filters.FilterSet):
    """Built per request with ``org=``: the id filters choose among that organization's rows."""

    pipelineId = django_filters.ModelChoiceFilter(
        field_name="pipeline", queryset=Pipeline.objects.none(), error_messages=_not_in_org("pipelineId", "pipeline")
    )
    stageId = django_filters.ModelChoiceFilter(
        field_name="stage", queryset=Stage.objects.none(), error_messages=_not_in_org("stageId", "stage")
    )
    status = django_filters.ChoiceFilter(
        choices=LeadStatus.choices,
        error_messages={"invalid_choice": f"status must be one of {', '.join(LeadStatus.values)}"},
    )
    source = django_filters.CharFilter(max_length=100, error_messages=_text("source", 100))
    assignedToId = django_filters.ModelChoiceFilter(
        field_name="assigned_to",
        queryset=User.objects.none(),
        error_messages=_not_in_org("assignedToId", "member"),
    )
    utmCampaign = django_filters.CharFilter(
        field_name="utm_campaign", max_length=200, error_messages=_text("utmCampaign", 200)
    )
    campaignId = django_filters.ModelChoiceFilter(
        field_name="campaign", queryset=Campaign.objects.none(), error_messages=_not_in_org("campaignId", "campaign")
    )
    minValue = django_filters.NumberFilter(
        field_name="value", lookup_expr="gte", max_digits=12, decimal_places=2, error_messages=_amount("minValue")
    )
    maxValue = django_filters.NumberFilter(
        field_name="value", lookup_expr="lte", max_digits=12, decimal_places=2, error_messages=_amount("maxValue")
    )
    createdAfter = InstantFilter(
        field_name="created_at",
        lookup_expr="gte",
        error_messages=_instant("createdAfter"),
        help_text="Leads created at or after this instant (a date means its midnight, UTC).",
    )
    createdBefore = InstantFilter(
        field_name="created_at",
        lookup_expr="lt",
        error_messages=_instant("createdBefore"),
        help_text="Leads created strictly before this instant (a date means its midnight, UTC).",
    )
    expectedCloseAfter = django_filters.DateFilter(
        field_name="expected_close_date",
        lookup_expr="gte",
        error_messages=_date("expectedCloseAfter"),
        help_text="Leads expected to close on or after this date.",
    )
    expectedCloseBefore = django_filters.DateFilter(
        field_name="expected_close_date",
        lookup_expr="lt",
        error_messages=_date("expectedCloseBefore"),
        help_text="Leads expected to close strictly before this date (as createdBefore).",
    )
    lostReasonId = django_filters.ModelChoiceFilter(
        field_name="lost_reason",
        queryset=LostReason.objects.none(),
        error_messages=_not_in_org("lostReasonId", "lost reason"),
        help_text="Lost leads with this reason (retired reasons included).",
    )
    minProbability = ProbabilityFilter(
        lookup_expr="gte",
        error_messages=_percent("minProbability"),
        help_text="Leads whose probability (their own, else their stage's) is at least this.",
    )
    maxProbability = ProbabilityFilter(
        lookup_expr="lte",
        error_messages=_percent("maxProbability"),
        help_text="Leads whose probability (their own, else their stage's) is at most this.",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_SEARCH,
        error_messages=_text("search", MAX_SEARCH),
        help_text="Case-insensitive text in the contact's name, email or company, or in the notes.",
    )
    ordering = LeadOrdering(
        fields=(
            ("created_at", "createdAt"),
            ("updated_at", "updatedAt"),
            ("value", "value"),
            ("expected_close_date", "expectedCloseDate"),
            ("search_rank", RELEVANCE),
        ),
        field_labels={
            "created_at": "Created",
            "updated_at": "Last updated",
            "value": "Value",
            "expected_close_date": "Expected close date",
            "search_rank": "Best match of search",
        },
        error_messages={"invalid_choice": f"ordering must be one of {ORDERINGS}"},
        help_text="Default -createdAt. expectedCloseDate: soonest first, undated last (either way; no cursor). "
        "relevance: the best matches of search first (a word of the contact's name "
        "starting with it, then the name, email, company, notes), newest first within each; no cursor.",
    )

    class Meta:
        model = Lead
        fields = []
        form = LeadFilterForm

    def __init__(self, data=None, *args, org: Organization, **kwargs):
        # Only the filters the request sends, and the ordering (it applies its default): the FilterSet
        # deep-copies each of its filters, builds their form fields and a form class per request, a
        # fifth of a list request for twenty filters of which a request sends one or two. An instance
        # attribute, read in place of the class's by FilterSet.__init__.
        self.base_filters = {
            name: f for name, f in type(self).base_filters.items() if name in (data or ()) or name == "ordering"
        }
        super().__init__(data, *args, **kwargs)
        self.org = org
        # Only the ids the request sends are looked up, so only their querysets are built (every list
        # request paid for all four): each is narrowed to the org, and an absent one is never read.
        sent = self.data or {}
        if "pipelineId" in sent:
            self.filters["pipelineId"].queryset = Pipeline.objects.for_org(org)
        if "stageId" in sent:
            self.filters["stageId"].queryset = Stage.objects.for_org(org)
        if "campaignId" in sent:
            self.filters["campaignId"].queryset = Campaign.objects.for_org(org)
        if "lostReasonId" in sent:
            self.filters["lostReasonId"].queryset = LostReason.objects.for_org(org)
        if "assignedToId" in sent:
            self.filters["assignedToId"].queryset = User.objects.filter(memberships__organization=org)

    def filter_search(self, queryset, name, value):
        return search.matching_leads(queryset, value)


# Each single ordering of the list as a keyset for ``cursor`` (vchata.pagination):
# the same key, direction and NULL placement as LeadOrdering sorts by.
LEAD_KEYSETS = {
    param: KeysetOrder(param, field, descending=param.startswith("-"), nulls_lowest=field == "value")
    for name, field in (("createdAt", "created_at"), ("updatedAt", "updated_at"), ("value", "value"))
    for param in (name, f"-{name}")
}


def lead_keyset(query_params) -> KeysetOrder | None:
    """The keyset of the request's (already validated) ordering; None for several keys, which have no cursor."""
    params = [param.strip() for param in (query_params.get("ordering") or "").split(",") if param.strip()]
    params = params or [DEFAULT_ORDERING]
    return LEAD_KEYSETS.get(params[0]) if len(params) == 1 else None


# Every parameter that narrows the list (not page, limit, ordering or cursor): the cached total's key.
COUNTED_PARAMS = tuple(name for name in LeadFilter.base_filters if name != "ordering")


def searching(query_params) -> bool:
    """Whether the list is a search: its total is then read with its page, from one scan of the search index."""
    return bool((query_params.get("search") or "").strip())


def count_filters(query_params) -> list[tuple[str, list[str]]]:
    return [(name, query_params.getlist(name)) for name in COUNTED_PARAMS if name in query_params]


class OrgFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that hands the view's organization to the FilterSet."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "org": view.org}
