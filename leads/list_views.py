"""The lead list page: the table (htmx swaps it as filters change), bulk actions and the CSV export.

Reads go through ``leads.lead_list`` (the API's selectors, filters, search and
visibility); every bulk change through ``leads.services``, all of one action
in one transaction, so a refusal anywhere changes nothing and says why.
"""

import csv

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.generic import TemplateView
from django_htmx.http import push_url

from pipelines.models import LeadStatus
from vchata.accounts.saved_views import delete_view, save_view, saved_views
from vchata.exceptions import DomainError, InvalidInput, NotFound
from vchata.tenancy.pages import OrgPageMixin
from vchata.tenancy.permissions import Action

from . import services
from .forms import members_of
from .lead_list import clean_params, filtered, list_page, relevance_available, sort_links, with_params
from .list_forms import BulkAction, LeadBulkForm, LeadListFilterForm, org_pipelines
from .models import Lead


def list_url(org_id: str, params: QueryDict | None = None) -> str:
    url = reverse("lead-list", kwargs={"org_id": org_id})
    query = params.urlencode() if params else ""
    return f"{url}?{query}" if query else url


def domain_messages(exc: DomainError) -> list[str]:
    return list(exc.message) if isinstance(exc.message, list) else [str(exc.message)]


class LeadListView(OrgPageMixin, TemplateView):
    """``/app/<org>/leads/``: the whole page, or (an htmx request) only its results, with the URL to push."""

    template_name = "leads/lead_list.html"
    results_template = "leads/_lead_results.html"

    def get(self, request, *args, **kwargs):
        self.result = list_page(org=self.org, scope=self.lead_scope, params=request.GET, page=request.GET.get("page"))
        partial = request.htmx and not request.htmx.history_restore_request
        if partial:
            response = render(request, self.results_template, self.results_context())
            page = self.result.page if self.result.page > 1 else None
            push_url(response, list_url(self.org.pk, QueryDict(with_params(self.result.params, page=page))))
        else:
            response = self.render_to_response(self.get_context_data(**kwargs))
        if not self.result.valid:
            response.status_code = 400
        patch_vary_headers(response, ("HX-Request",))
        return response

    def results_context(self) -> dict:
        result = self.result
        return {
            "org": self.org,
            "result": result,
            "sort": sort_links(result),
            "query": result.params.urlencode(),
            "previous_query": with_params(result.params, page=result.page - 1) if result.page > 1 else "",
            "next_query": with_params(result.params, page=result.page + 1) if result.page < result.pages else "",
            "offer_relevance": relevance_available(result.params),
            "relevance_query": with_params(result.params, ordering="relevance"),
            "can_bulk": self.may(Action.MANAGE_LEADS),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pipelines = org_pipelines(self.org)
        members = list(members_of(self.org))
        context.update(self.results_context())
        views = list(saved_views(user=self.request.user, org=self.org))
        current = self.result.params.urlencode()
        context.update(
            nav="leads",
            saved_views=views,
            active_view=next((view for view in views if view.query == current), None),
            filter_form=LeadListFilterForm(self.result.params, org=self.org, pipelines=pipelines, members=members),
        )
        if context["can_bulk"]:
            context["bulk_form"] = LeadBulkForm(
                org=self.org, pipelines=pipelines, members=members, initial={"next": self.result.params.urlencode()}
            )
        return context


class LeadBulkView(OrgPageMixin, View):
    """``POST …/leads/bulk/``: one action on the selected leads the caller sees, then back to the same list."""

    required_action = Action.MANAGE_LEADS
    http_method_names = ["post"]

    def post(self, request, org_id):
        form = LeadBulkForm(request.POST, org=self.org, pipelines=org_pipelines(self.org), members=members_of(self.org))
        back = redirect(list_url(self.org.pk, clean_params(QueryDict(request.POST.get("next", "")))))
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return back
        ids = list(
            Lead.objects.for_org(self.org)
            .filter(self.lead_scope.q(), pk__in=form.cleaned_data["lead"])
            .order_by("created_at", "id")
            .values_list("pk", flat=True)
        )
        if not ids:
            messages.error(request, "None of the selected leads exist any more. Reload to see the latest.")
            return back
        try:
            with transaction.atomic():
                done = self.apply(form, ids)
        except DomainError as exc:
            for message in domain_messages(exc):
                messages.error(request, f"Nothing was changed: {message}")
            return back
        missing = len(form.cleaned_data["lead"]) - len(ids)
        suffix = f" ({missing} of the selected no longer exist{'s' if missing == 1 else ''})" if missing else ""
        messages.success(request, done + suffix)
        return back

    def apply(self, form: LeadBulkForm, ids: list[str]) -> str:
        """Run the action on every lead; the message saying what changed."""
        action, data, org, actor = form.cleaned_data["action"], form.cleaned_data, self.org, self.request.user
        count = len(ids)
        leads = f"{count} lead{'s' if count != 1 else ''}"
        if action == BulkAction.ASSIGN:
            assignee = form.assignee()
            for lead_id in ids:
                services.update_lead(org=org, actor=actor, lead_id=lead_id, changes={"assigned_to": assignee})
            return f"Assigned {leads} to {assignee.name or assignee.email}." if assignee else f"Unassigned {leads}."
        if action == BulkAction.STAGE:
            stage = form.stages[data["stage"]]
            elsewhere = Lead.objects.filter(pk__in=ids).exclude(pipeline_id=stage.pipeline_id).count()
            if elsewhere:
                raise InvalidInput([f"{elsewhere} of the selected leads are not in the pipeline of {stage.name}"])
            lost_reason = data["lost_reason"] if stage.status == LeadStatus.LOST else None
            for lead_id in ids:
                services.move_lead_to_stage(
                    org=org, actor=actor, lead_id=lead_id, stage_id=stage.pk, lost_reason=lost_reason
                )
            return f"Moved {leads} to {stage.name}."
        if action == BulkAction.STATUS:
            changes = {"status": data["status"]}
            if data["status"] == LeadStatus.LOST:
                changes["lost_reason"] = data["lost_reason"]
            for lead_id in ids:
                services.update_lead(org=org, actor=actor, lead_id=lead_id, changes=changes)
            return f"Set {leads} to {LeadStatus(data['status']).label}."
        for lead_id in ids:
            services.delete_lead(org=org, actor=actor, lead_id=lead_id)
        return f"Deleted {leads}."


class SavedViewCreateView(OrgPageMixin, View):
    """``POST …/leads/views/``: save the current filters, search and order under a name (the caller's own)."""

    http_method_names = ["post"]

    def post(self, request, org_id):
        query = clean_params(QueryDict(request.POST.get("query", "")))
        name = request.POST.get("name", "")
        try:
            view = save_view(user=request.user, org=self.org, name=name, query=query.urlencode())
        except DomainError as exc:
            for message in domain_messages(exc):
                messages.error(request, message)
            return redirect(list_url(self.org.pk, query))
        messages.success(request, f"Saved the view “{view.name}”.")
        return redirect(list_url(self.org.pk, query))


class SavedViewDeleteView(OrgPageMixin, View):
    """``POST …/leads/views/<view_id>/delete/``: delete one of the caller's own views (anyone else's is a 404)."""

    http_method_names = ["post"]

    def post(self, request, org_id, view_id):
        try:
            delete_view(user=request.user, org=self.org, view_id=view_id)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        messages.success(request, "Deleted the saved view.")
        return redirect(list_url(self.org.pk, clean_params(QueryDict(request.POST.get("query", "")))))


class LeadExportView(OrgPageMixin, View):
    """``GET …/leads/export.csv``: every lead of the current view (filters, search, order), streamed."""

    http_method_names = ["get", "head"]
    COLUMNS = (
        "Lead id",
        "Contact",
        "Email",
        "Phone",
        "Company",
        "Deal",
        "Pipeline",
        "Stage",
        "Status",
        "Source",
        "Value",
        "Currency",
        "Assignee",
        "Expected close",
        "Created",
    )

    def get(self, request, org_id):
        params = clean_params(request.GET)
        filterset = filtered(org=self.org, scope=self.lead_scope, params=params)
        if not filterset.is_valid():
            errors = "; ".join(message for found in filterset.errors.values() for message in found)
            return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        response = StreamingHttpResponse(self.rows(filterset.qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="leads-{timezone.now():%Y-%m-%d}.csv"'
        return response

    def rows(self, queryset):
        echo = _Echo()
        writer = csv.writer(echo)
        yield writer.writerow(self.COLUMNS)
        currency = self.org.currency
        for lead in queryset.iterator(chunk_size=500):
            contact = lead.contact
            assignee = lead.assigned_to
            yield writer.writerow(
                [
                    _cell(value)
                    for value in (
                        lead.pk,
                        contact.name,
                        contact.email,
                        contact.phone,
                        contact.company,
                        lead.title or "",
                        lead.pipeline.name,
                        lead.stage.name,
                        lead.get_status_display(),
                        lead.source or "",
                        "" if lead.value is None else f"{lead.value:.2f}",
                        currency,
                        (assignee.name or assignee.email) if assignee else "",
                        lead.expected_close_date.isoformat() if lead.expected_close_date else "",
                        lead.created_at.isoformat(),
                    )
                ]
            )


class _Echo:
    """A file that hands back what is written: ``csv.writer`` formats a row, the response streams it."""

    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    """A spreadsheet must not run a cell as a formula: text starting with = + - @ (or a tab/CR) gets a leading '."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
