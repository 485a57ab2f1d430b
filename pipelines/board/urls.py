from django.urls import path

from . import views

urlpatterns = [
    path("<org_id:org_id>/", views.OrgHomeView.as_view(), name="org-home"),
    path("<org_id:org_id>/pipelines/<pipeline_id:pipeline_id>/", views.BoardView.as_view(), name="board"),
    path(
        "<org_id:org_id>/pipelines/<pipeline_id:pipeline_id>/changes/",
        views.BoardChangesView.as_view(),
        name="board-changes",
    ),
    path(
        "<org_id:org_id>/pipelines/<pipeline_id:pipeline_id>/stages/<stage_id:stage_id>/cards/",
        views.BoardColumnCardsView.as_view(),
        name="board-column-cards",
    ),
    path(
        "<org_id:org_id>/pipelines/<pipeline_id:pipeline_id>/leads/<lead_id:lead_id>/move/",
        views.BoardMoveView.as_view(),
        name="board-move",
    ),
]
