from django.urls import include, path

from . import contact_page, list_views, search_page, task_views, views

# What one lead's page posts to: ``…/leads/<lead_id>/<action>/``.
lead_urls = [
    path("", views.LeadDetailView.as_view(), name="lead-detail"),
    path("activities/", views.LeadActivityView.as_view(), name="lead-log-activity"),
    path("timeline/", views.LeadTimelineView.as_view(), name="lead-timeline"),
    path("edit/", views.LeadEditView.as_view(), name="lead-edit"),
    path("contact/", views.LeadContactEditView.as_view(), name="lead-contact"),
    path("work/", views.LeadStageOwnerView.as_view(), name="lead-work"),
    path("status/", views.LeadStatusView.as_view(), name="lead-status"),
    path("tasks/", task_views.LeadTaskCreateView.as_view(), name="lead-task-add"),
]

contact_urls = [
    path("", contact_page.ContactView.as_view(), name="contact-detail"),
    path("edit/", contact_page.ContactEditView.as_view(), name="contact-edit"),
]

# The lead list and what it posts to: ``…/leads/<action>``.
lead_list_urls = [
    path("", list_views.LeadListView.as_view(), name="lead-list"),
    path("bulk/", list_views.LeadBulkView.as_view(), name="lead-bulk"),
    path("views/", list_views.SavedViewCreateView.as_view(), name="lead-view-save"),
    path("views/<view_id:view_id>/delete/", list_views.SavedViewDeleteView.as_view(), name="lead-view-delete"),
    path("export.csv", list_views.LeadExportView.as_view(), name="lead-export"),
    path("new/", views.NewLeadView.as_view(), name="lead-new"),
    path("<lead_id:lead_id>/", include(lead_urls)),
]

urlpatterns = [
    path("<org_id:org_id>/search/", search_page.GlobalSearchView.as_view(), name="global-search"),
    path("<org_id:org_id>/contacts/<contact_id:contact_id>/", include(contact_urls)),
    path("<org_id:org_id>/leads/", include(lead_list_urls)),
    path("<org_id:org_id>/tasks/<task_id:task_id>/done/", task_views.TaskDoneView.as_view(), name="task-done"),
    path("<org_id:org_id>/my-work/", task_views.MyWorkView.as_view(), name="my-work"),
]
