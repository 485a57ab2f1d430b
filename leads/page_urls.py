from django.urls import path

from . import contact_page, list_views, search_page, task_views, views

urlpatterns = [
    path("<org_id:org_id>/search/", search_page.GlobalSearchView.as_view(), name="global-search"),
    path(
        "<org_id:org_id>/contacts/<contact_id:contact_id>/", contact_page.ContactView.as_view(), name="contact-detail"
    ),
    path(
        "<org_id:org_id>/contacts/<contact_id:contact_id>/edit/",
        contact_page.ContactEditView.as_view(),
        name="contact-edit",
    ),
    path("<org_id:org_id>/leads/", list_views.LeadListView.as_view(), name="lead-list"),
    path("<org_id:org_id>/leads/bulk/", list_views.LeadBulkView.as_view(), name="lead-bulk"),
    path("<org_id:org_id>/leads/views/", list_views.SavedViewCreateView.as_view(), name="lead-view-save"),
    path(
        "<org_id:org_id>/leads/views/<view_id:view_id>/delete/",
        list_views.SavedViewDeleteView.as_view(),
        name="lead-view-delete",
    ),
    path("<org_id:org_id>/leads/export.csv", list_views.LeadExportView.as_view(), name="lead-export"),
    path("<org_id:org_id>/leads/new/", views.NewLeadView.as_view(), name="lead-new"),
    path("<org_id:org_id>/leads/<lead_id:lead_id>/", views.LeadDetailView.as_view(), name="lead-detail"),
    path(
        "<org_id:org_id>/leads/<lead_id:lead_id>/activities/",
        views.LeadActivityView.as_view(),
        name="lead-log-activity",
    ),
    path("<org_id:org_id>/leads/<lead_id:lead_id>/timeline/", views.LeadTimelineView.as_view(), name="lead-timeline"),
    path("<org_id:org_id>/leads/<lead_id:lead_id>/edit/", views.LeadEditView.as_view(), name="lead-edit"),
    path("<org_id:org_id>/leads/<lead_id:lead_id>/contact/", views.LeadContactEditView.as_view(), name="lead-contact"),
    path("<org_id:org_id>/leads/<lead_id:lead_id>/work/", views.LeadStageOwnerView.as_view(), name="lead-work"),
    path("<org_id:org_id>/leads/<lead_id:lead_id>/status/", views.LeadStatusView.as_view(), name="lead-status"),
    path(
        "<org_id:org_id>/leads/<lead_id:lead_id>/tasks/", task_views.LeadTaskCreateView.as_view(), name="lead-task-add"
    ),
    path("<org_id:org_id>/tasks/<task_id:task_id>/done/", task_views.TaskDoneView.as_view(), name="task-done"),
    path("<org_id:org_id>/my-work/", task_views.MyWorkView.as_view(), name="my-work"),
]
