"""The settings page of the org's API keys (OWNER/ADMIN): list, create with scopes (the secret shown once), revoke."""

from django import forms
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from vchata.tenancy.pages import OrgPageMixin
from vchata.tenancy.permissions import Action

from .apikeys import create_api_key, revoke_api_key
from .models import ApiKey, ApiKeyScope


class NewApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100)
    scopes = forms.MultipleChoiceField(choices=ApiKeyScope.choices, widget=forms.CheckboxSelectMultiple)


class ApiKeysPage(OrgPageMixin, TemplateView):
    template_name = "integrations/settings_api_keys.html"
    required_action = Action.CONFIGURE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            keys=ApiKey.objects.for_org(self.org),
            new_key=kwargs.get("new_key") or NewApiKeyForm(),
            secret=kwargs.get("secret"),
        )
        return context

    def post(self, request, *args, **kwargs):
        new_key = NewApiKeyForm(request.POST)
        if not new_key.is_valid():
            return self.render_to_response(self.get_context_data(new_key=new_key), status=400)
        _, secret = create_api_key(org=self.org, actor=request.user, **new_key.cleaned_data)
        # Rendered, not redirected: the secret exists only in this answer.
        return self.render_to_response(self.get_context_data(secret=secret))


class RevokeApiKeyPage(OrgPageMixin, View):
    required_action = Action.CONFIGURE

    def post(self, request, org_id, key_id):
        revoke_api_key(org=self.org, actor=request.user, key_id=key_id)
        return redirect("settings-api-keys", org_id=self.org.pk)
