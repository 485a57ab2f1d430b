"""The lead page (details, timeline, stage history and its forms) and the new-lead form.

Every POST changes the lead through ``leads.services`` and redirects back
(post/redirect/get); an invalid form re-renders the page with its errors and
a 400, and a domain error (a rule of ``leads.services``) shows its message.
"""

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from pipelines.models import LeadStatus, Pipeline, Stage
from vchata.exceptions import Conflict, DomainError, NotFound
from vchata.tenancy.pages import OrgPageMixin

from . import selectors, services
from .forms import (
    ActivityForm,
    ContactForm,
    LeadEditForm,
    NewLeadForm,
    StageOwnerForm,
    StatusForm,
    TaskForm,
)
from .models import Contact, CustomField, Lead, StageVisit
from .timeline import lead_timeline

TIMELINE_PAGE = 50
# The lead page lists this many of the lead's tasks (open ones first).
TASKS_SHOWN = 30


def domain_messages(exc: DomainError) -> list[str]:
    return list(exc.message) if isinstance(exc.message, list) else [str(exc.message)]


def duration_label(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return "under an hour"
    if hours < 24:
        return f"{int(hours)} hour{'s' if int(hours) != 1 else ''}"
    days = hours / 24
    return f"{days:.1f} days"


def stage_history(lead: Lead) -> list[StageVisit]:
    """The lead's stage visits (``selectors.lead_history``), each with a ``duration`` in words."""
    now = timezone.now()
    visits = selectors.lead_history(lead=lead)
    for visit in visits:
        visit.duration = duration_label((visit.left_at or now) - visit.entered_at)
    return visits


def lead_contact_form(contact: Contact, data=None) -> ContactForm:
    # Its own ids: the lead page's other forms have fields of these names.
    initial = {name: getattr(contact, name) for name in services.CONTACT_FIELDS}
    return ContactForm(data, initial=initial, current_email=contact.email, auto_id="contact_%s")


class LeadPageMixin(OrgPageMixin):
    template_name = "leads/lead_detail.html"

    def post(self, request, *args, **kwargs):
        """Run the subclass's ``change()``; a rule the service enforces comes back as a message, never a 500.

        The forms already refuse what they can see is wrong; this catches what
        only the service can know (say, the lead was deleted a moment ago).
        """
        try:
            return self.change(request)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            for message in domain_messages(exc):
                messages.error(request, message)
            return redirect(self.lead_url())

    def get_lead(self) -> Lead:
        if not hasattr(self, "lead"):
            self.lead = selectors.lead_page(org=self.org, lead_id=self.kwargs["lead_id"], scope=self.lead_scope)
        return self.lead

    def lead_url(self, anchor: str = "") -> str:
        url = reverse("lead-detail", kwargs={"org_id": self.org.pk, "lead_id": self.kwargs["lead_id"]})
        return f"{url}#{anchor}" if anchor else url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lead = self.get_lead()
        stages = list(Stage.objects.for_org(self.org).filter(pipeline_id=lead.pipeline_id).order_by("order"))
        definitions = list(CustomField.objects.for_org(self.org).order_by("label"))
        forms = {
            "activity_form": ActivityForm(),
            "edit_form": LeadEditForm(org=self.org, lead=lead, custom_fields=definitions),
            "work_form": StageOwnerForm(org=self.org, lead=lead),
            "task_form": TaskForm(org=self.org, initial={"assigned_to": lead.assigned_to_id or self.request.user.pk}),
            "contact_form": lead_contact_form(lead.contact),
            "status_form": StatusForm(org=self.org),
        }
        forms.update(kwargs.get("bound_forms", {}))
        labels = {d.key: d.label for d in definitions}
        context.update(forms)
        context.update(
            self.timeline_context(lead, definitions, stages),
            nav="board",
            lead=lead,
            contact=lead.contact,
            pipeline=lead.pipeline,
            stages=stages,
            history=stage_history(lead),
            tasks=list(selectors.lead_tasks(lead=lead)[:TASKS_SHOWN]),
            custom_values=[(labels.get(key, key), value) for key, value in lead.custom_fields.items()],
            is_closed=lead.status in (LeadStatus.CONVERTED, LeadStatus.LOST),
            idle_days=max(0, (timezone.now() - (lead.last_activity_at or lead.created_at)).days),
        )
        return context

    def timeline_context(self, lead: Lead, definitions, stages) -> dict:
        page = self.timeline_page()
        entries, has_more = lead_timeline(
            org=self.org, lead=lead, page=page, per_page=TIMELINE_PAGE, custom_fields=definitions, stages=stages
        )
        return {"timeline": entries, "timeline_page": page, "timeline_has_more": has_more}

    def timeline_page(self) -> int:
        try:
            return max(1, int(self.request.GET.get("timeline", 1)))
        except ValueError:
            return 1

    def invalid(self, status: int = 400, **bound_forms):
        return self.render_to_response(self.get_context_data(bound_forms=bound_forms), status=status)


class LeadDetailView(LeadPageMixin, TemplateView):
    http_method_names = ["get", "head", "options"]


class LeadTimelineView(LeadPageMixin, TemplateView):
    """``GET …/leads/<lead_id>/timeline/``: the timeline panel alone, which the page fetches again (htmx)
    when something on it wrote an entry without a reload (a task ticked off: ``HX-Trigger: timeline-changed``)."""

    template_name = "leads/_timeline.html"
    http_method_names = ["get"]

    def get_context_data(self, **kwargs):
        lead = self.get_lead()
        stages = Stage.objects.for_org(self.org).filter(pipeline_id=lead.pipeline_id)
        definitions = CustomField.objects.for_org(self.org)
        return {"org": self.org, "lead": lead, **self.timeline_context(lead, definitions, stages)}


class LeadActivityView(LeadPageMixin, TemplateView):
    http_method_names = ["post"]

    def change(self, request):
        lead = self.get_lead()
        form = ActivityForm(request.POST)
        if not form.is_valid():
            return self.invalid(activity_form=form)
        services.add_activity(
            org=self.org,
            actor=request.user,
            lead_id=lead.pk,
            type=form.cleaned_data["type"],
            description=form.cleaned_data["description"],
        )
        messages.success(request, f"{dict(form.fields['type'].choices)[form.cleaned_data['type']]} logged.")
        return redirect(self.lead_url("timeline"))


class LeadEditView(LeadPageMixin, TemplateView):
    http_method_names = ["post"]

    def change(self, request):
        lead = self.get_lead()
        definitions = CustomField.objects.for_org(self.org).order_by("label")
        form = LeadEditForm(request.POST, org=self.org, lead=lead, custom_fields=definitions)
        if not form.is_valid():
            return self.invalid(edit_form=form)
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing changed.")
            return redirect(self.lead_url())
        try:
            services.update_lead(org=self.org, actor=request.user, lead_id=lead.pk, changes=changes)
        except DomainError as exc:
            for message in domain_messages(exc):
                form.add_error(None, message)
            return self.invalid(status=exc.status_code, edit_form=form)
        messages.success(request, "Lead details saved.")
        return redirect(self.lead_url())


class LeadContactEditView(LeadPageMixin, TemplateView):
    """``POST …/leads/<lead_id>/contact/``: the lead's contact edited in place (the contact page's service)."""

    http_method_names = ["post"]

    def change(self, request):
        lead = self.get_lead()
        form = lead_contact_form(lead.contact, request.POST)
        if not form.is_valid():
            return self.invalid(contact_form=form)
        try:
            services.update_contact(
                org=self.org, actor=request.user, contact_id=lead.contact_id, changes=form.cleaned_data
            )
        except Conflict as exc:
            form.add_error("email", exc.message)
            return self.invalid(status=409, contact_form=form)
        messages.success(request, "Contact saved.")
        return redirect(self.lead_url("contact"))


class LeadStageOwnerView(LeadPageMixin, TemplateView):
    """``POST …/leads/<lead_id>/work/``: move and/or reassign, each through its service, all or nothing."""

    http_method_names = ["post"]

    def change(self, request):
        lead = self.get_lead()
        form = StageOwnerForm(request.POST, org=self.org, lead=lead)
        if not form.is_valid():
            return self.invalid(work_form=form)
        stage, user = form.cleaned_data["stage"], form.cleaned_data["assigned_to"]
        done = []
        try:
            with transaction.atomic():
                if form.moves():
                    services.move_lead_to_stage(
                        org=self.org,
                        actor=request.user,
                        lead_id=lead.pk,
                        stage_id=stage.pk,
                        notes=form.cleaned_data["notes"],
                    )
                    done.append(f"Moved to {stage.name}.")
                if form.reassigns():
                    services.update_lead(
                        org=self.org, actor=request.user, lead_id=lead.pk, changes={"assigned_to": user}
                    )
                    done.append(f"Assigned to {user.name or user.email}." if user else "Lead unassigned.")
        except NotFound:
            raise  # the lead went a moment ago: the page's 404 (``post``), not a form error
        except DomainError as exc:
            for message in domain_messages(exc):
                form.add_error(None, message)
            return self.invalid(status=exc.status_code, work_form=form)
        if done:
            messages.success(request, " ".join(done))
        else:
            messages.info(request, "Nothing changed.")
        return redirect(self.lead_url())


class LeadStatusView(LeadPageMixin, TemplateView):
    """Mark converted / lost, or reopen: one service call, which moves the lead into the stage for that status."""

    http_method_names = ["post"]
    labels = {LeadStatus.CONVERTED: "converted", LeadStatus.LOST: "lost"}

    def change(self, request):
        lead = self.get_lead()
        form = StatusForm(request.POST, org=self.org)
        if not form.is_valid():
            messages.error(request, "Choose a valid status and reason.")
            return redirect(self.lead_url())
        status, reason = form.cleaned_data["status"], form.cleaned_data["lost_reason"]
        if status in services.CLOSED_STATUSES:
            services.close_lead(
                org=self.org,
                actor=request.user,
                lead_id=lead.pk,
                status=status,
                lost_reason=reason if status == LeadStatus.LOST else None,
            )
        elif status == LeadStatus.NEW:
            services.reopen_lead(org=self.org, actor=request.user, lead_id=lead.pk)
        else:
            services.update_lead(org=self.org, actor=request.user, lead_id=lead.pk, changes={"status": status})
        label = self.labels.get(status)
        if status == LeadStatus.LOST and reason is not None:
            label = f"lost ({reason.name})"
        messages.success(request, f"Lead marked {label}." if label else "Lead reopened.")
        return redirect(self.lead_url())


class NewLeadView(OrgPageMixin, TemplateView):
    template_name = "leads/lead_new.html"

    def build_form(self, data=None) -> NewLeadForm:
        pipelines = list(Pipeline.objects.for_org(self.org).order_by("-is_default", "name"))
        stages = list(Stage.objects.for_org(self.org).order_by("pipeline_id", "order"))
        wanted = self.request.GET.get("pipeline")
        initial = {
            "pipeline": next((p.pk for p in pipelines if p.pk == wanted), pipelines[0].pk if pipelines else None),
            "assigned_to": self.request.user.pk,
        }
        return NewLeadForm(
            data,
            initial=initial,
            org=self.org,
            pipelines=pipelines,
            stages=stages,
            custom_fields=CustomField.objects.for_org(self.org).order_by("label"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.build_form())
        context["nav"] = "board"
        return context

    def post(self, request, org_id):
        form = self.build_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        contact = form.contact_fields()
        reused = bool(contact["email"]) and (
            Contact.objects.for_org(self.org)
            .annotate(email_ci=Lower("email"))
            .filter(email_ci=contact["email"].lower())
            .exists()
        )
        try:
            lead, contact_row = services.create_lead_with_contact(
                org=self.org, actor=request.user, contact=contact, **form.lead_fields()
            )
        except Conflict as exc:
            existing = self.existing_lead(contact["email"], form.cleaned_data["pipeline"])
            return self.render_to_response(
                self.get_context_data(form=form, duplicate_message=str(exc.message), existing_lead=existing),
                status=409,
            )
        except DomainError as exc:
            for message in domain_messages(exc):
                form.add_error(None, message)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status_code)
        note = f" The existing contact {contact_row.name} ({contact_row.email}) was reused." if reused else ""
        messages.success(request, f"Lead created for {contact_row.name}.{note}")
        return redirect("lead-detail", org_id=self.org.pk, lead_id=lead.pk)

    def existing_lead(self, email: str, pipeline: Pipeline) -> Lead | None:
        if not email:
            return None
        return (
            Lead.objects.for_org(self.org)
            .annotate(email_ci=Lower("contact__email"))
            .filter(pipeline=pipeline, email_ci=email.lower())
            .select_related("contact")
            .first()
        )
