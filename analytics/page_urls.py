from django.urls import path

from . import views

urlpatterns = [
    path("<org_id:org_id>/analytics/", views.DashboardView.as_view(), name="analytics-dashboard"),
]
