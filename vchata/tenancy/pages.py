"""The base for browser pages under ``/app/<org_id>/``: session login, then org membership.

Pages resolve the organization with the same query as the API (``membership_of``),
so another org's URL is a plain 404 page, never a hint that it exists; so is
any row a page fetches with ``get_in_org``.
"""

from urllib.parse import urlsplit

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from vchata.accounts.models import Membership
from vchata.exceptions import NotFound

from . import permissions
from .membership import member_of
from .time_zones import activate_org_time_zone

CURRENT_ORG_SESSION_KEY = "current_org_id"
SESSION_ENDED = "Your session ended — sign in again. Nothing was saved."


def session_ended(request, login_url: str) -> HttpResponse:
    """The 401 an htmx request gets without a session: the message, and ``HX-Login`` to come back to the page.

    The way back is the page the browser shows (``HX-Current-URL``, path and query, so its filters
    survive), not the fragment that was asked for.
    """
    current = urlsplit(request.htmx.current_url or "")
    same_site = not current.netloc or current.netloc == request.get_host()
    back = f"{current.path}?{current.query}" if current.query else current.path
    response = HttpResponse(SESSION_ENDED, status=401, content_type="text/plain; charset=utf-8")
    response["HX-Login"] = redirect_to_login(back if same_site and back else request.get_full_path(), login_url).url
    return response


def org_memberships(user) -> list[Membership]:
    """The user's memberships with their organizations, for the org switcher."""
    return list(Membership.objects.filter(user=user).select_related("organization").order_by("organization__name"))


class OrgPageMixin(LoginRequiredMixin):
    """Resolve ``org_id`` from the URL for a signed-in member before any handler runs.

    Subclasses get ``self.org`` and ``self.membership``. Read rows through
    ``get_in_org``, ``Model.objects.for_org(self.org)`` or the app's selectors;
    never filter by organization by hand. A ``NotFound`` from any of them is the 404 page.
    ``required_action`` guards a whole page; ``require(action)`` one step of it
    (the 403 page). Leads are read through ``lead_scope``.
    """

    org_url_kwarg = "org_id"
    required_action: permissions.Action | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                # A poll, a move or a tick after the session ended (signed out in another tab, expired):
                # the page says so and offers a way back (static/js/app.js) rather than jumping to /login.
                return session_ended(request, self.get_login_url())
            return self.handle_no_permission()
        try:
            self.membership = member_of(request.user, kwargs[self.org_url_kwarg])
            self.org = self.membership.organization
            activate_org_time_zone(self.org)
            if request.session.get(CURRENT_ORG_SESSION_KEY) != self.org.pk:
                # Remembered so /app/ (and the login redirect) return to the org last worked in.
                request.session[CURRENT_ORG_SESSION_KEY] = self.org.pk
            if self.required_action is not None:
                self.require(self.required_action)
            return super().dispatch(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    def require(self, action: permissions.Action) -> None:
        """The 403 page unless the member's role allows ``action`` (``vchata.tenancy.permissions``)."""
        if not permissions.may(self.membership, action):
            raise PermissionDenied(permissions.REFUSALS[action])

    def may(self, action: permissions.Action) -> bool:
        return permissions.may(self.membership, action)

    @property
    def lead_scope(self) -> permissions.LeadScope:
        return permissions.lead_scope(self.membership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["org"] = self.org
        context["memberships"] = org_memberships(self.request.user)
        context["can"] = {action.value: permissions.may(self.membership, action) for action in permissions.Action}
        return context


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: an htmx post from a tab whose session (and CSRF cookie) is gone is a session end.

    Signing out rotates the CSRF token, so a board's drop or a tick after that fails the CSRF
    check before any view runs; it gets the same 401 and way back as a GET (``session_ended``).
    Anything else is Django's usual 403 page.
    """
    from django.conf import settings
    from django.views.csrf import csrf_failure as default_failure

    user = getattr(request, "user", None)
    if getattr(request, "htmx", False) and not (user and user.is_authenticated):
        return session_ended(request, settings.LOGIN_URL)
    return default_failure(request, reason=reason)
