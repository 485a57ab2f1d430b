from django.urls import path

from . import api

urlpatterns = [
    path("auth/signup", api.SignupView.as_view(), name="auth-signup"),
    path("auth/token", api.TokenView.as_view(), name="auth-token"),
    path("auth/token/refresh", api.TokenRefresh.as_view(), name="auth-token-refresh"),
    path("auth/logout", api.LogoutView.as_view(), name="auth-logout"),
    path("auth/me", api.MeView.as_view(), name="auth-me"),
    path("organizations", api.OrganizationsView.as_view(), name="organizations"),
    path("organizations/<org_id:org_id>/members", api.MembersView.as_view(), name="organization-members"),
]
