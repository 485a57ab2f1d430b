from django.urls import path

from . import api_key_pages, views

urlpatterns = [
    path("<org_id:org_id>/settings/forms/", views.LeadFormsPage.as_view(), name="settings-forms"),
    path("<org_id:org_id>/settings/api-keys/", api_key_pages.ApiKeysPage.as_view(), name="settings-api-keys"),
    path(
        "<org_id:org_id>/settings/api-keys/<key_id:key_id>/revoke",
        api_key_pages.RevokeApiKeyPage.as_view(),
        name="settings-api-key-revoke",
    ),
]
