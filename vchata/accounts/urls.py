from django.urls import path

from . import api

urlpatterns = [
    path("auth/signup", api.SignupView.as_view(), name="auth-signup"),
    path("auth/token", api.TokenView.as_view(), name="auth-token"),
    path("auth/token/refresh", api.TokenRefresh.as_view(), name="auth-token-refresh"),
    path("auth/logout", api.LogoutView.as_view(), name="auth-logout"),
    path("auth/me", api.MeView.as_view(), name="auth-me"),
    path("organizations", api.OrganizationsView.as_view(), name="organizations"),
    path("organizations/<org_id:org_id>", api.OrganizationView.as_view(), name="organization"),
    path("organizations/<org_id:org_id>/members", api.MembersView.as_view(), name="organization-members"),
    path(
        "organizations/<org_id:org_id>/members/<user_id:user_id>", api.MemberView.as_view(), name="organization-member"
    ),
    path(
        "organizations/<org_id:org_id>/transfer-ownership",
        api.TransferOwnershipView.as_view(),
        name="organization-transfer-ownership",
    ),
    path("organizations/<org_id:org_id>/invitations", api.InvitationsView.as_view(), name="organization-invitations"),
    path(
        "organizations/<org_id:org_id>/invitations/<invitation_id:invitation_id>",
        api.InvitationView.as_view(),
        name="organization-invitation",
    ),
    path("invitations/accept", api.AcceptInvitationView.as_view(), name="invitations-accept"),
]
