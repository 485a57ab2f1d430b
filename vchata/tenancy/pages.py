"""The base for browser pages under ``/app/<org_id>/``: session login, then org membership.

Pages resolve the organization with the same query as the API (``membership_of``),
so another org's URL is a plain 404 page, never a hint that it exists; so is
any row a page fetches with ``get_in_org``.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_htmx.http import HttpResponseClientRedirect

from vchata.accounts.models import Membership
from vchata.exceptions import NotFound

from . import permissions
from .membership import member_of

CURRENT_ORG_SESSION_KEY = "current_org_id"


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
                # A poll or a drag after the session expired: send the whole tab to the login page.
                return HttpResponseClientRedirect(self.get_login_url())
            return self.handle_no_permission()
        try:
            self.membership = member_of(request.user, kwargs[self.org_url_kwarg])
            self.org = self.membership.organization
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
