"""Forms of the lead pages. They only parse and validate input; ``leads.services`` does the work.

Choices (stages, members, campaigns) are always read through ``for_org``, so
an id from another organization is simply not a valid choice.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import validate_email

from pipelines.models import LeadStatus, Pipeline, Stage
from vchata.accounts.models import User

from .models import Activity, Campaign, CustomField, Lead, LostReason, Task
from .sources import source_choices
from .task_display import TYPE_LABELS

CUSTOM_PREFIX = "cf_"
BOOLEAN_CHOICES = [("", "—"), ("true", "Yes"), ("false", "No")]
LOGGABLE_TYPES = [(value, label) for value, label in Activity.Type.choices if value not in Activity.SYSTEM_TYPES]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.name or obj.email


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Stage) -> str:
        return obj.name


def members_of(org) -> Any:
    return User.objects.filter(memberships__organization=org).order_by("name", "email").only("id", "name", "email")


def value_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label="Value",
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


def custom_form_field(definition: CustomField) -> forms.Field:
    common = {"label": definition.label, "required": definition.required}
    match definition.type:
        case CustomField.Type.NUMBER:
            return forms.FloatField(**common)
        case CustomField.Type.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case CustomField.Type.BOOLEAN:
            return forms.ChoiceField(choices=BOOLEAN_CHOICES, **common)
        case CustomField.Type.SELECT:
            options = [(option, option) for option in definition.options or []]
            return forms.ChoiceField(choices=[("", "—"), *options], **common)
        case _:
            return forms.CharField(max_length=2000, **common)


def _to_json(definition: CustomField, value: Any) -> Any:
    """A cleaned form value as the JSON value ``validate_custom_fields`` expects (None = unset)."""
    if value in (None, ""):
        return None
    match definition.type:
        case CustomField.Type.NUMBER:
            return int(value) if float(value).is_integer() else value
        case CustomField.Type.DATE:
            return value.isoformat()
        case CustomField.Type.BOOLEAN:
            return value == "true"
    return value


def to_initial(definition: CustomField, value: Any) -> Any:
    if definition.type == CustomField.Type.BOOLEAN and isinstance(value, bool):
        return "true" if value else "false"
    return value


class CustomFieldsMixin:
    """Adds one ``cf_<key>`` form field per custom field definition of the org."""

    def add_custom_fields(self, definitions: Iterable[CustomField], current: dict | None = None) -> None:
        self.custom_definitions = list(definitions)
        current = current or {}
        for definition in self.custom_definitions:
            name = CUSTOM_PREFIX + definition.key
            self.fields[name] = custom_form_field(definition)
            if definition.key in current:
                self.initial[name] = to_initial(definition, current[definition.key])

    @property
    def custom_field_names(self) -> list[str]:
        return [CUSTOM_PREFIX + definition.key for definition in self.custom_definitions]

    def custom_values(self) -> dict[str, Any]:
        return {d.key: _to_json(d, self.cleaned_data.get(CUSTOM_PREFIX + d.key)) for d in self.custom_definitions}

    def custom_bound_fields(self):
        return [self[name] for name in self.custom_field_names]


UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class AttributionFields(forms.Form):
    """The UTM fields, shared by the new-lead and edit forms."""

    utm_source = forms.CharField(label="UTM source", required=False, max_length=200)
    utm_medium = forms.CharField(label="UTM medium", required=False, max_length=200)
    utm_campaign = forms.CharField(label="UTM campaign", required=False, max_length=200)
    utm_term = forms.CharField(label="UTM term", required=False, max_length=200)
    utm_content = forms.CharField(label="UTM content", required=False, max_length=200)

    def utm_bound_fields(self):
        return [self[name] for name in UTM_FIELDS]


class NewLeadForm(CustomFieldsMixin, AttributionFields):
    """Contact and lead in one step, like ``POST /leads/{orgId}/with-contact``."""

    contact_name = forms.CharField(label="Contact name", max_length=200)
    email = forms.EmailField(label="Email", required=False, max_length=254)
    phone = forms.CharField(label="Phone", required=False, max_length=40, widget=forms.TelInput())
    company = forms.CharField(label="Company", required=False, max_length=200)
    pipeline = forms.ModelChoiceField(label="Pipeline", queryset=Pipeline.objects.none(), empty_label=None)
    stage = forms.ChoiceField(label="Stage", required=False)
    value = value_field()
    source = forms.ChoiceField(label="Source", required=False)
    assigned_to = MemberChoiceField(
        label="Assignee", queryset=User.objects.none(), required=False, empty_label="Unassigned"
    )
    campaign = forms.ModelChoiceField(
        label="Campaign", queryset=Campaign.objects.none(), required=False, empty_label="No campaign"
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, org, pipelines, stages, custom_fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["pipeline"].queryset = Pipeline.objects.for_org(org)
        self.fields["assigned_to"].queryset = members_of(org)
        self.fields["campaign"].queryset = Campaign.objects.for_org(org)
        self.fields["source"].choices = [("", "No source"), *source_choices()]
        # Stages of every pipeline, grouped, so one select works whichever pipeline is chosen.
        self.stages = {stage.pk: stage for stage in stages}
        names = {pipeline.pk: pipeline.name for pipeline in pipelines}
        grouped: dict[str, list] = {}
        for stage in stages:
            grouped.setdefault(names.get(stage.pipeline_id, ""), []).append((stage.pk, stage.name))
        self.fields["stage"].choices = [("", "First stage of the pipeline"), *grouped.items()]
        self.add_custom_fields(custom_fields)

    def clean(self):
        cleaned = super().clean()
        pipeline, stage_id = cleaned.get("pipeline"), cleaned.get("stage")
        stage = self.stages.get(stage_id) if stage_id else None
        if pipeline is not None and stage is not None and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", f"Choose a stage of the {pipeline.name} pipeline.")
        cleaned["stage_obj"] = stage
        return cleaned

    def lead_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            "pipeline": data["pipeline"],
            "stage": data["stage_obj"],
            "value": data["value"],
            "source": data["source"] or None,
            "assigned_to": data["assigned_to"],
            "campaign": data["campaign"],
            "notes": data["notes"],
            "custom_fields": {key: value for key, value in self.custom_values().items() if value is not None},
        }
        fields.update({name: data[name] or None for name in UTM_FIELDS})
        return fields

    def contact_fields(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "name": data["contact_name"],
            "email": data["email"],
            "phone": data["phone"],
            "company": data["company"],
        }


class ActivityForm(forms.Form):
    type = forms.ChoiceField(label="Type", choices=LOGGABLE_TYPES, initial=Activity.Type.NOTE)
    description = forms.CharField(label="What happened", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


# The edit form's lead fields; those handed over as they are (in the others an empty text is None).
EDITED_FIELDS = ("title", "value", "expected_close_date", "probability", "source", "campaign", "notes", *UTM_FIELDS)
KEPT_AS_GIVEN = ("value", "expected_close_date", "probability", "campaign", "notes")


class LeadEditForm(CustomFieldsMixin, AttributionFields):
    title = forms.CharField(label="Deal", required=False, max_length=200, help_text="What is being sold, if named.")
    value = value_field()
    expected_close_date = forms.DateField(
        label="Expected close", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    probability = forms.IntegerField(
        label="Probability (%)",
        required=False,
        min_value=0,
        max_value=100,
        help_text="Empty: the stage's probability.",
    )
    source = forms.ChoiceField(label="Source", required=False)
    campaign = forms.ModelChoiceField(
        label="Campaign", queryset=Campaign.objects.none(), required=False, empty_label="No campaign"
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, org, lead: Lead, custom_fields, **kwargs):
        initial = {
            "title": lead.title or "",
            "value": lead.value,
            "expected_close_date": lead.expected_close_date,
            "probability": lead.probability,
            "source": lead.source or "",
            "campaign": lead.campaign_id,
            "notes": lead.notes,
            **{name: getattr(lead, name) or "" for name in UTM_FIELDS},
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.for_org(org)
        # The known sources, and the lead's own if the API set another one (so saving keeps it).
        self.fields["source"].choices = [("", "No source"), *source_choices([lead.source] if lead.source else [])]
        self.add_custom_fields(custom_fields, lead.custom_fields)

    def changes(self) -> dict[str, Any]:
        """Only the fields that changed, as ``update_lead`` expects (model field names)."""
        data = self.cleaned_data
        changes: dict[str, Any] = {}
        for name in (
            "title",
            "value",
            "expected_close_date",
            "probability",
            "source",
            "campaign",
            "notes",
            *UTM_FIELDS,
        ):
            if name in self.changed_data:
                value = data[name]
                changes[name] = value if name in KEPT_AS_GIVEN else (value or None)
        custom = {k: v for k, v in self.custom_values().items() if CUSTOM_PREFIX + k in self.changed_data}
        if custom:
            changes["custom_fields"] = custom
        return changes


class StageOwnerForm(forms.Form):
    """The lead page's "Stage and owner": move it, reassign it, or both, in one submit.

    Each changed part is its own service call (so its own timeline entry); a note goes with a move.
    """

    stage = StageChoiceField(label="Stage", queryset=Stage.objects.none(), empty_label=None)
    notes = forms.CharField(label="Note with the move (optional)", required=False, max_length=1000)
    assigned_to = MemberChoiceField(
        label="Assignee", queryset=User.objects.none(), required=False, empty_label="Unassigned"
    )

    def __init__(self, *args, org, lead: Lead, **kwargs):
        kwargs.setdefault("auto_id", "work_%s")  # the page's other forms have "notes" and "assigned_to" fields too
        super().__init__(*args, initial={"stage": lead.stage_id, "assigned_to": lead.assigned_to_id}, **kwargs)
        self.lead = lead
        self.fields["stage"].queryset = Stage.objects.for_org(org).filter(pipeline_id=lead.pipeline_id)
        self.fields["assigned_to"].queryset = members_of(org)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("notes") and not self.moves():
            self.add_error("notes", "A note goes with a move: choose another stage, or leave the note empty.")
        return cleaned

    def moves(self) -> bool:
        stage = self.cleaned_data.get("stage")
        return stage is not None and stage.pk != self.lead.stage_id

    def reassigns(self) -> bool:
        user = self.cleaned_data.get("assigned_to")
        return (user.pk if user else None) != self.lead.assigned_to_id


class StatusForm(forms.Form):
    """The "Mark converted" / "Mark lost" / "Reopen" buttons: each posts one status (lost with its reason)."""

    status = forms.ChoiceField(choices=LeadStatus.choices)
    lost_reason = forms.ModelChoiceField(
        label="Why was it lost?", queryset=LostReason.objects.none(), required=False, empty_label="Choose a reason"
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lost_reason"].queryset = LostReason.objects.for_org(org).filter(is_active=True).order_by("order")


class TaskForm(forms.Form):
    """A next step on the lead page: what, when, for whom (``leads.services.create_task``)."""

    # Labels of their own: the lead page has other "Type" and "Title" fields.
    type = forms.ChoiceField(label="Task", choices=[(value, TYPE_LABELS[value]) for value in Task.Type.values])
    title = forms.CharField(label="Next step", max_length=200)
    due_at = forms.DateTimeField(
        label="Due", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    assigned_to = MemberChoiceField(label="For", queryset=User.objects.none(), required=False, empty_label="Nobody")

    def __init__(self, *args, org, **kwargs):
        # Its own ids: the lead page's other forms have "type" and "assigned_to" fields too.
        kwargs.setdefault("auto_id", "task_%s")
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = members_of(org)


class ContactForm(forms.Form):
    """A contact's details, on the contact page and the lead page (``leads.services.update_contact``)."""

    name = forms.CharField(label="Name", max_length=200)
    email = forms.CharField(
        label="Email",
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email"}),
    )
    phone = forms.CharField(label="Phone", required=False, max_length=40, widget=forms.TelInput())
    company = forms.CharField(label="Company", required=False, max_length=200)

    def __init__(self, *args, current_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.current_email = current_email

    def clean_email(self):
        # An address kept as it was is not judged again: imports and older forms stored some Django's
        # validator refuses (a non-ASCII local part), and they must not block editing the phone.
        email = self.cleaned_data["email"]
        if email and email != self.current_email:
            validate_email(email)
        return email
