"""The settings page of the org's lead forms: each form's endpoint and copy-paste snippet.

A minimal page until the settings pages are built; OWNERs and ADMINs may add a form here.
"""

from django import forms
from django.shortcuts import redirect
from django.views.generic import TemplateView

from vchata.tenancy.pages import OrgPageMixin
from vchata.tenancy.permissions import Action

from . import services
from .models import LeadForm
from .snippets import form_snippet


class NewLeadFormForm(forms.Form):
    name = forms.CharField(max_length=200)


class LeadFormsPage(OrgPageMixin, TemplateView):
    template_name = "integrations/settings_forms.html"

    def can_manage(self) -> bool:
        return self.may(Action.CONFIGURE)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = []
        for form in LeadForm.objects.for_org(self.org):
            endpoint = self.request.build_absolute_uri(f"/forms/{form.key}")
            rows.append({"form": form, "endpoint": endpoint, "snippet": form_snippet(endpoint=endpoint)})
        context.update(forms=rows, can_manage=self.can_manage(), new_form=kwargs.get("new_form") or NewLeadFormForm())
        return context

    def post(self, request, *args, **kwargs):
        self.require(Action.CONFIGURE)
        new_form = NewLeadFormForm(request.POST)
        if not new_form.is_valid():
            return self.render_to_response(self.get_context_data(new_form=new_form), status=400)
        services.create_lead_form(org=self.org, actor=request.user, name=new_form.cleaned_data["name"])
        return redirect("settings-forms", org_id=self.org.pk)
