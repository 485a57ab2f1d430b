"""The contact page: a contact's details (editable) and the leads for them the viewer sees.

Reads through the contact selectors (the org's contacts ``lead_scope`` sees,
so another rep's contact under ASSIGNED visibility is the same 404 as
another org's); the edit goes through ``services.update_contact``.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

from vchata.exceptions import Conflict, DomainError, NotFound
from vchata.tenancy.pages import OrgPageMixin

from . import selectors, services
from .forms import ContactForm
from .models import Lead


def contact_leads(*, org, contact, scope):
    """The contact's leads ``scope`` sees, newest first, with what the table shows (one query)."""
    return (
        Lead.objects.for_org(org)
        .filter(scope.q(), contact=contact)
        .select_related("pipeline", "stage", "assigned_to")
        .order_by("-created_at", "-id")
    )


class ContactView(OrgPageMixin, TemplateView):
    template_name = "leads/contact_detail.html"
    http_method_names = ["get", "head"]

    def get_contact(self):
        if not hasattr(self, "contact"):
            try:
                self.contact = selectors.contact_in_org(
                    org=self.org, contact_id=self.kwargs["contact_id"], scope=self.lead_scope
                )
            except NotFound as exc:
                raise Http404(exc.message) from exc
        return self.contact

    def contact_url(self) -> str:
        return reverse("contact-detail", kwargs={"org_id": self.org.pk, "contact_id": self.kwargs["contact_id"]})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contact = self.get_contact()
        form = kwargs.get("form") or ContactForm(
            initial={"name": contact.name, "email": contact.email, "phone": contact.phone, "company": contact.company}
        )
        context.update(
            nav="leads",
            contact=contact,
            form=form,
            leads=list(contact_leads(org=self.org, contact=contact, scope=self.lead_scope)),
        )
        return context


class ContactEditView(ContactView):
    """``POST …/contacts/<id>/edit/``: save the details; back to the contact page (or ``next``, a page of this site)."""

    http_method_names = ["post"]

    def post(self, request, org_id, contact_id):
        contact = self.get_contact()
        form = ContactForm(request.POST, current_email=contact.email)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            services.update_contact(org=self.org, actor=request.user, contact_id=contact.pk, changes=form.cleaned_data)
        except Conflict as exc:
            form.add_error("email", exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, "Contact saved.")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
            target = self.contact_url()
        return redirect(target or self.contact_url())
