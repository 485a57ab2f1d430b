from django.urls import path

from . import invite_pages, views
from . import settings_pages as settings
from .login_throttle import login_throttled

ORG = "app/<org_id:org_id>"
MEMBERS = f"{ORG}/settings/members"

urlpatterns = [
    path("", views.root, name="root"),
    path("login", login_throttled(views.LoginView.as_view()), name="login"),
    path("logout", views.LogoutView.as_view(), name="logout"),
    path("invite/<str:token>", invite_pages.InvitePageView.as_view(), name="invite"),
    path("app/", views.AppHomeView.as_view(), name="app-home"),
    path(f"{ORG}/settings/", settings.OrganizationSettingsView.as_view(), name="org-settings"),
    path(f"{MEMBERS}/", settings.MembersView.as_view(), name="org-members"),
    path(f"{MEMBERS}/invite/", settings.InviteView.as_view(), name="org-invite"),
    path(f"{MEMBERS}/transfer/", settings.TransferOwnershipView.as_view(), name="org-transfer"),
    path(f"{MEMBERS}/<user_id:user_id>/role/", settings.ChangeRoleView.as_view(), name="org-member-role"),
    path(f"{MEMBERS}/<user_id:user_id>/remove/", settings.RemoveMemberView.as_view(), name="org-member-remove"),
    path(
        f"{ORG}/settings/invitations/<invitation_id:invitation_id>/revoke/",
        settings.RevokeInvitationView.as_view(),
        name="org-invitation-revoke",
    ),
    path(f"{ORG}/leave/", settings.LeaveView.as_view(), name="org-leave"),
]
