from django.urls import path

from . import views

urlpatterns = [
    path("<org_id:org_id>/settings/forms/", views.LeadFormsPage.as_view(), name="settings-forms"),
]
