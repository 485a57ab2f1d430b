"""The admin's CSV import page: upload → preview → confirm (see ``leads.importing``).

The preview carries the file to the confirm step inside a signed form field,
so no upload is kept on disk between the two requests and any app server
can take the second one. Confirming plans the file again against the
database as it is then: rows that became invalid or duplicate since the
preview are caught before anything is written.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from pipelines.models import Pipeline
from vchata.accounts.models import Organization
from vchata.tenancy.admin import org_ids_allowing
from vchata.tenancy.permissions import Action

from ..importing import COLUMNS, MAX_ROWS, ImportFailed, decode_upload, plan_import, run_import
from ..models import Lead

SIGNING_SALT = "leads.admin-csv-import"
# Time allowed between the preview and the confirmation.
PREVIEW_MAX_AGE = 60 * 60


class UploadForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())
    pipeline = forms.ModelChoiceField(
        queryset=Pipeline.objects.none(), required=False, help_text="Empty: the organization's default pipeline."
    )
    file = forms.FileField(help_text=f"CSV, UTF-8, first line the column names; at most {MAX_ROWS} rows.")

    def __init__(self, *args, model_admin, request, **kwargs):
        super().__init__(*args, **kwargs)
        site = model_admin.admin_site
        for name, model in (("organization", Organization), ("pipeline", Pipeline)):
            related_admin = site._registry[model]
            field = self.fields[name]
            # Widget first: setting the queryset hands the widget its choices.
            field.widget = AutocompleteSelect(Lead._meta.get_field(name), site)
            field.queryset = related_admin.scope(request, model.objects.all())
        allowed = org_ids_allowing(request, Action.MANAGE_LEADS)
        if allowed is not None:  # importing takes a MANAGER or up in that organization
            self.fields["organization"].queryset = self.fields["organization"].queryset.filter(pk__in=allowed)

    def clean(self):
        cleaned = super().clean()
        org, pipeline = cleaned.get("organization"), cleaned.get("pipeline")
        if org is None:
            return cleaned
        if pipeline is None:
            pipeline = org.pipeline_set.filter(is_default=True).first()
            if pipeline is None:
                self.add_error("pipeline", "This organization has no default pipeline; choose one.")
        elif pipeline.organization_id != org.pk:
            self.add_error("pipeline", "Choose a pipeline of this organization.")
        cleaned["pipeline"] = pipeline
        upload = cleaned.get("file")
        if upload is not None:
            try:
                cleaned["text"] = decode_upload(upload.read())
            except ValueError as exc:
                self.add_error("file", str(exc))
        return cleaned


def import_view(model_admin, request):
    if not model_admin.has_bulk_permission(request):
        raise PermissionDenied
    if request.method == "POST" and "payload" in request.POST:
        return _confirm(model_admin, request)
    form = UploadForm(request.POST or None, request.FILES or None, model_admin=model_admin, request=request)
    if request.method == "POST" and form.is_valid():
        org, pipeline, text = (
            form.cleaned_data["organization"],
            form.cleaned_data["pipeline"],
            form.cleaned_data["text"],
        )
        return _preview(model_admin, request, plan_import(org=org, pipeline=pipeline, text=text), text)
    context = {
        **_base_context(model_admin, request, "Import leads from CSV"),
        "form": form,
        "columns": COLUMNS,
        "max_rows": MAX_ROWS,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/leads/lead/import_upload.html", context)


def _preview(model_admin, request, plan, text: str, failure: str = ""):
    payload = signing.dumps(
        {"org": plan.org.pk, "pipeline": plan.pipeline.pk, "user": request.user.pk, "text": text},
        salt=SIGNING_SALT,
        compress=True,
    )
    context = {
        **_base_context(model_admin, request, "Check the import"),
        "plan": plan,
        "payload": payload if plan.ready else "",
        "failure": failure,
    }
    return TemplateResponse(request, "admin/leads/lead/import_preview.html", context)


def _confirm(model_admin, request):
    try:
        data = signing.loads(request.POST["payload"], salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature:
        model_admin.message_user(request, "The preview has expired; upload the file again.", messages.ERROR)
        return HttpResponseRedirect(reverse("admin:leads_lead_import"))
    if data.get("user") != request.user.pk:
        raise PermissionDenied
    # Access is checked again: the user may have lost the org since the preview.
    org = model_admin.admin_site._registry[Organization].scope(request, Organization.objects.all())
    allowed = org_ids_allowing(request, Action.MANAGE_LEADS)
    org = org.filter(pk=data["org"]).first() if allowed is None or data["org"] in allowed else None
    pipeline = Pipeline.objects.filter(pk=data["pipeline"], organization=org).first() if org else None
    if org is None or pipeline is None:
        raise PermissionDenied
    plan = plan_import(org=org, pipeline=pipeline, text=data["text"])
    if not plan.ready:
        return _preview(model_admin, request, plan, data["text"])
    try:
        created = run_import(plan, actor=request.user)
    except ImportFailed as exc:
        return _preview(model_admin, request, plan, data["text"], failure=str(exc))
    skipped = len(plan.duplicate_rows)
    model_admin.message_user(
        request,
        f"Imported {created} lead{'s' if created != 1 else ''} into {org.name} / {pipeline.name}"
        + (f"; skipped {skipped} duplicate row{'s' if skipped != 1 else ''}." if skipped else "."),
        messages.SUCCESS,
    )
    changelist = reverse("admin:leads_lead_changelist")
    return HttpResponseRedirect(f"{changelist}?organization__id__exact={org.pk}&pipeline__id__exact={pipeline.pk}")


def _base_context(model_admin, request, title: str) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "has_view_permission": model_admin.has_view_permission(request),
    }
