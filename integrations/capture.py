"""Web-to-lead capture: a public form submission becomes a lead with its contact.

The lead is made through ``leads.services.create_lead_with_contact`` (a contact
with the same email is reused), with the form's source and pipeline, the five
utm fields and the attribution (click ids, landing page, referrer). The same
person sending the form again for the same pipeline gets a NOTE on their lead
instead of a second lead.
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from leads.models import Activity, Lead
from leads.serializers.leads import ATTRIBUTION_KEYS
from leads.services import add_activity, create_lead_with_contact
from pipelines.models import Pipeline
from vchata.actors import Actor, ActorKind, acting_as
from vchata.exceptions import Conflict, InvalidInput

from .models import LeadForm

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def form_pipeline(form: LeadForm) -> Pipeline:
    pipeline = form.pipeline or Pipeline.objects.for_org(form.organization).filter(is_default=True).first()
    if pipeline is None:
        raise InvalidInput(["This form has no pipeline to file leads in"])
    return pipeline


@transaction.atomic
def submit_form(*, form: LeadForm, data: Mapping[str, Any]) -> Lead:
    org, pipeline = form.organization, form_pipeline(form)
    contact = {key: data.get(key) or "" for key in ("name", "email", "phone", "company")}
    attribution = {key: data[key] for key in ATTRIBUTION_KEYS if data.get(key)}
    try:
        # The lead's record of creation names the form (there is no user behind a public form).
        with transaction.atomic(), acting_as(Actor(ActorKind.SYSTEM, form.pk, f"Web form {form.name}")):
            lead, _ = create_lead_with_contact(
                org=org,
                actor=None,
                contact=contact,
                pipeline=pipeline,
                source=form.source,
                notes=data.get("message") or "",
                attribution={**attribution, "formId": form.pk},
                **{field: data.get(field) for field in UTM_FIELDS},
            )
    except Conflict:
        # Known email, lead already in this pipeline: the new message goes on its timeline.
        lead = Lead.objects.for_org(org).get(contact__email__iexact=contact["email"], pipeline=pipeline)
        add_activity(
            org=org,
            actor=None,
            lead_id=lead.pk,
            type=Activity.Type.NOTE,
            description=data.get("message") or f"Sent the form {form.name} again",
            metadata={"formId": form.pk, **attribution},
        )
    return lead
