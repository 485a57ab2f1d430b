"""The header's global search: leads and contacts matching the text, as an htmx dropdown on every page.

Two reads: the lead search index (``leads.search``, the same matching and
ranking as the list's ``search``) over the leads the viewer sees, and the
contact search (``selectors.contact_list``, on the contacts' trigram indexes)
over the contacts the viewer sees, so a contact of someone else's leads
stays hidden under ASSIGNED visibility as those leads do.
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views import View

from vchata.tenancy.pages import OrgPageMixin

from . import search, selectors
from .filters import MAX_SEARCH

# Best matches shown in the dropdown; the lead list has the rest.
SHOWN = 8
SHOWN_CONTACTS = 5
# One character matches nearly everything: wait for a second one.
MIN_TEXT = 2


def global_search(*, org, scope, text: str) -> tuple[list, list]:
    """The best ``SHOWN`` matching leads, and the first ``SHOWN_CONTACTS`` matching contacts by name."""
    leads = list(search.ranked_leads(selectors.lead_list(org=org, scope=scope), text)[:SHOWN])
    contacts = list(selectors.contact_list(org=org, scope=scope, search=text)[:SHOWN_CONTACTS])
    return leads, contacts


class GlobalSearchView(OrgPageMixin, View):
    """``GET …/search/?search=<text>``: the dropdown (htmx), or the lead list searching for it (a plain visit)."""

    http_method_names = ["get", "head"]

    def get(self, request, org_id):
        text = " ".join((request.GET.get("search") or "").split())[:MAX_SEARCH]
        if not request.htmx:
            url = reverse("lead-list", kwargs={"org_id": self.org.pk})
            return redirect(f"{url}?{request.GET.urlencode()}" if text else url)
        leads, contacts = (
            global_search(org=self.org, scope=self.lead_scope, text=text) if len(text) >= MIN_TEXT else ([], [])
        )
        response = render(
            request,
            "leads/_global_search.html",
            {"org": self.org, "text": text, "leads": leads, "contacts": contacts, "too_short": len(text) < MIN_TEXT},
        )
        patch_vary_headers(response, ("HX-Request",))
        return response
