"""Forms of the lead list page: the filter bar (rendering only) and the bulk actions.

The filter bar's fields carry the API's parameter names, so what it submits
is the query string ``leads.filters.LeadFilter`` validates; it only offers
the org's own pipelines, stages, members and campaigns as choices. The bulk
form parses what a bulk action needs; ``leads.services`` does the work.
"""

import re

from django import forms
from django.db.models import Prefetch

from pipelines.models import LeadStatus, Pipeline, Stage
from vchata.accounts.models import Organization
from vchata.ids import id_pattern

from . import selectors
from .filters import MAX_SEARCH
from .models import LostReason
from .sources import source_choices

ANYONE = ("", "Anyone")


def stage_choices(pipelines: list[Pipeline]) -> list:
    """The stages grouped by pipeline (a pipeline's name only when there are several)."""
    if len(pipelines) == 1:
        return [(stage.pk, stage.name) for stage in pipelines[0].stages.all()]
    return [(pipeline.name, [(stage.pk, stage.name) for stage in pipeline.stages.all()]) for pipeline in pipelines]


def org_pipelines(org: Organization) -> list[Pipeline]:
    """The org's pipelines with their stages in order (two queries)."""
    stages = Prefetch("stages", queryset=Stage.objects.order_by("order", "id"))
    return list(Pipeline.objects.for_org(org).order_by("-is_default", "name", "id").prefetch_related(stages))


class LeadListFilterForm(forms.Form):
    """The filter bar; bound to the request's query string so it shows the current filters."""

    search = forms.CharField(
        label="Search",
        required=False,
        max_length=MAX_SEARCH,
        widget=forms.SearchInput(attrs={"placeholder": "Name, email, company, notes", "autocomplete": "off"}),
    )
    pipelineId = forms.ChoiceField(label="Pipeline", required=False)
    stageId = forms.ChoiceField(label="Stage", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *LeadStatus.choices])
    source = forms.ChoiceField(label="Source", required=False)
    assignedToId = forms.ChoiceField(label="Assignee", required=False)
    campaignId = forms.ChoiceField(label="Campaign", required=False)
    minValue = forms.DecimalField(
        label="Value from", required=False, widget=forms.NumberInput(attrs={"min": "0", "step": "any"})
    )
    maxValue = forms.DecimalField(
        label="Value to", required=False, widget=forms.NumberInput(attrs={"min": "0", "step": "any"})
    )
    expectedCloseAfter = forms.DateField(
        label="Closes from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expectedCloseBefore = forms.DateField(
        label="Closes before", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    createdAfter = forms.DateField(label="Created from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    createdBefore = forms.DateField(
        label="Created before", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, org: Organization, pipelines: list[Pipeline], members, **kwargs):
        super().__init__(data, auto_id="filter_%s", **kwargs)
        self.fields["pipelineId"].choices = [("", "Any pipeline"), *[(p.pk, p.name) for p in pipelines]]
        self.fields["stageId"].choices = [("", "Any stage"), *stage_choices(pipelines)]
        self.fields["source"].choices = [("", "Any source"), *source_choices(selectors.lead_sources(org=org))]
        self.fields["assignedToId"].choices = [ANYONE, *[(m.pk, m.name or m.email) for m in members]]
        self.fields["campaignId"].choices = [
            ("", "Any campaign"),
            *[(c.pk, c.name) for c in selectors.campaign_list(org=org)],
        ]

    @property
    def advanced_fields(self):
        """Everything but the search box, which stays in sight."""
        return [self[name] for name in self.fields if name != "search"]

    def active_count(self) -> int:
        return sum(1 for name in self.fields if name != "search" and (self.data.get(name) or "").strip())


class BulkAction:
    ASSIGN = "assign"
    STAGE = "stage"
    STATUS = "status"
    DELETE = "delete"
    CHOICES = [
        ("", "Choose an action"),
        (ASSIGN, "Assign to…"),
        (STAGE, "Move to stage…"),
        (STATUS, "Set status…"),
        (DELETE, "Delete"),
    ]


# At most a page of leads is selected at a time; a few pages' worth at most, so a form can't ask for the org.
MAX_SELECTED = 500
UNASSIGNED = "unassigned"
LEAD_ID = re.compile(id_pattern("lead"))


class LeadIdsField(forms.MultipleChoiceField):
    """Lead ids: which of them are the org's (and visible to the caller) is the view's question, not a choice list."""

    def valid_value(self, value) -> bool:
        return bool(LEAD_ID.fullmatch(str(value)))


class LeadBulkForm(forms.Form):
    action = forms.ChoiceField(label="Action", choices=BulkAction.CHOICES)
    lead = LeadIdsField(label="Leads", required=False)
    assigned_to = forms.ChoiceField(label="Assignee", required=False)
    stage = forms.ChoiceField(label="Stage", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Choose a status"), *LeadStatus.choices])
    lost_reason = forms.ModelChoiceField(
        label="Lost reason", queryset=LostReason.objects.none(), required=False, empty_label="No reason"
    )
    next = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)

    def __init__(self, data=None, *, org: Organization, pipelines: list[Pipeline], members, **kwargs):
        super().__init__(data, auto_id="bulk_%s", **kwargs)
        self.org = org
        self.fields["assigned_to"].choices = [
            ("", "Choose an assignee"),
            (UNASSIGNED, "Nobody (unassign)"),
            *[(m.pk, m.name or m.email) for m in members],
        ]
        self.fields["stage"].choices = [("", "Choose a stage"), *stage_choices(pipelines)]
        self.fields["lost_reason"].queryset = selectors.lost_reason_list(org=org).filter(is_active=True)
        self.members = {m.pk: m for m in members}
        self.stages = {stage.pk: stage for pipeline in pipelines for stage in pipeline.stages.all()}

    def clean_lead(self):
        ids = self.cleaned_data["lead"]
        if not ids:
            raise forms.ValidationError("Select at least one lead.")
        if len(ids) > MAX_SELECTED:
            raise forms.ValidationError(f"Select at most {MAX_SELECTED} leads at a time.")
        return list(dict.fromkeys(ids))

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        needed = {BulkAction.ASSIGN: "assigned_to", BulkAction.STAGE: "stage", BulkAction.STATUS: "status"}.get(action)
        if needed and not cleaned.get(needed):
            self.add_error(needed, f"Choose the {self.fields[needed].label.lower()} for the selected leads.")
        return cleaned

    def assignee(self):
        value = self.cleaned_data["assigned_to"]
        return None if value == UNASSIGNED else self.members[value]
