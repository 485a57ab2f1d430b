"""Tasks in the pages: add one on the lead page, tick one off (lead page or My work), and My work itself.

Every change goes through ``leads.services.tasks``; a task is reachable exactly
where its lead is (``lead_scope``), anything else is the 404 page.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from vchata.exceptions import NotFound
from vchata.tenancy.pages import OrgPageMixin
from vchata.tenancy.permissions import Action

from . import selectors, services
from .forms import TaskForm
from .views import LeadPageMixin

# Each part of My work shows this many tasks, soonest due first.
WORK_SECTION_SIZE = 50
WORK_SECTIONS = (("overdue", "Overdue"), ("today", "Today"), ("upcoming", "Upcoming"))


class LeadTaskCreateView(LeadPageMixin, TemplateView):
    """``POST …/leads/<lead_id>/tasks/``: a new task from the lead page's form."""

    http_method_names = ["post"]

    def change(self, request):
        lead = self.get_lead()
        self.require(Action.WORK_LEADS)
        form = TaskForm(request.POST, org=self.org)
        if not form.is_valid():
            return self.invalid(task_form=form)
        task = services.create_task(org=self.org, actor=request.user, lead_id=lead.pk, **form.cleaned_data)
        messages.success(request, f"Task added: {task.title}.")
        return redirect(self.lead_url("tasks"))


class TaskDoneView(OrgPageMixin, View):
    """``POST …/tasks/<task_id>/done/``: ``done=1`` completes the task, anything else reopens it.

    htmx (the My work checkboxes) gets the task's row back; a plain post goes
    back to ``next`` (a path of this site) or to the task's lead.
    """

    def post(self, request, org_id, task_id):
        try:
            task = selectors.task_in_org(org=self.org, task_id=task_id, scope=self.lead_scope)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        self.require(Action.WORK_LEADS)
        done = request.POST.get("done") == "1"
        services.update_task(org=self.org, actor=request.user, task_id=task.pk, changes={"done": done})
        task = selectors.task_in_org(org=self.org, task_id=task.pk)
        note = f"Done: {task.title}." if done else f"Reopened: {task.title}."
        if request.htmx:
            context = {"org": self.org, "task": task, "show_lead": request.POST.get("show_lead") == "1", "note": note}
            response = render(request, "leads/_task_row.html", context)
            # Completing a task writes a timeline entry: the lead page's timeline fetches itself again.
            response["HX-Trigger"] = "timeline-changed"
            return response
        messages.success(request, note)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
            target = reverse("lead-detail", kwargs={"org_id": self.org.pk, "lead_id": task.lead_id}) + "#tasks"
        return redirect(target)


class MyWorkView(OrgPageMixin, TemplateView):
    """``/app/<org_id>/my-work/``: the signed-in member's open tasks, overdue / today / upcoming (the org's days)."""

    template_name = "leads/my_work.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mine = selectors.task_list(org=self.org, scope=self.lead_scope)
        sections = []
        for due, title in WORK_SECTIONS:
            tasks = selectors.filter_tasks(
                mine, assignee_id=self.request.user.pk, due=due, done=False, time_zone=self.org.time_zone
            )
            rows = list(tasks[: WORK_SECTION_SIZE + 1])
            sections.append(
                {"key": due, "title": title, "tasks": rows[:WORK_SECTION_SIZE], "more": len(rows) > WORK_SECTION_SIZE}
            )
        context.update(nav="my-work", sections=sections, open_count=sum(len(s["tasks"]) for s in sections))
        return context
