"""Sign in, sign out, and the ``/app/`` entry points that pick an organization and its board."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.views import View

from vchata.tenancy.pages import CURRENT_ORG_SESSION_KEY, org_memberships

from .forms import LoginForm, OrganizationForm
from .login_throttle import login_throttled
from .services import create_organization


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


# /admin/login/ (vchata/urls.py, ahead of the admin's own routes): the admin's login, throttled.
admin_login = login_throttled(admin.site.login)


class LogoutView(View):
    """GET asks for confirmation; POST (CSRF-checked) signs out."""

    def get(self, request):
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        return render(request, "accounts/logout.html")

    def post(self, request):
        logout(request)
        messages.success(request, "You have been signed out.")
        return redirect(settings.LOGOUT_REDIRECT_URL)


class AppHomeView(LoginRequiredMixin, View):
    """``/app/``: the board of the org last worked in (or the first one); a clear page when there is none."""

    def get(self, request):
        memberships = org_memberships(request.user)
        if not memberships:
            return render(request, "accounts/no_org.html", {"form": OrganizationForm()})
        remembered = request.session.get(CURRENT_ORG_SESSION_KEY)
        org = next((m.organization for m in memberships if m.organization_id == remembered), None)
        org = org or memberships[0].organization
        return redirect("org-home", org_id=org.pk)

    def post(self, request):
        """Create a first organization (the same operation as ``POST /organizations``)."""
        form = OrganizationForm(request.POST)
        if not form.is_valid():
            return render(request, "accounts/no_org.html", {"form": form}, status=400)
        org = create_organization(owner=request.user, name=form.cleaned_data["name"])
        messages.success(request, f"Organization “{org.name}” created with a default sales pipeline.")
        return redirect("org-home", org_id=org.pk)


def root(request):
    return redirect("app-home")
