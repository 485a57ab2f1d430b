"""The kanban board: the page, one column's next cards, card moves, and the live-update poll.

Views are thin: they resolve the org (``OrgPageMixin``), read through
``pipelines.board.selectors`` and change leads only through ``leads.services``.
htmx requests get fragments (``hx-swap-oob`` column updates); plain form posts
get a redirect back to the board, so every action also works without JS.
"""

from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from leads.models import Lead, LostReason
from leads.services import move_lead_to_stage
from leads.services.leads import LOST_REASON_REQUIRED
from pipelines.automation.selectors import rules_for_pipeline
from pipelines.models import LeadStatus, Pipeline, Stage
from vchata.exceptions import DomainError
from vchata.tenancy import get_in_org
from vchata.tenancy.pages import OrgPageMixin, org_memberships

from . import selectors
from .forms import BoardFilterForm, MoveCardForm, filter_querystring, filters_from_query

# Live updates: how often an open board asks whether anything changed.
POLL_SECONDS = 4
# A drop into Lost in an org that keeps lost reasons: the drag can't ask, the card's "Move to…" can.
ASK_WHY_LOST = "Say why it was lost: choose Lost and a reason in the card's “Move to…”."


def domain_message(exc: DomainError) -> str:
    return " ".join(exc.message) if isinstance(exc.message, list) else str(exc.message)


def board_url(org_id: str, pipeline_id: str, query: str = "") -> str:
    url = reverse("board", kwargs={"org_id": org_id, "pipeline_id": pipeline_id})
    return f"{url}?{query}" if query else url


class BoardMixin(OrgPageMixin):
    """Parses the board filters from the query string once for every board view."""

    def dispatch(self, request, *args, **kwargs):
        self.filters = filters_from_query(request.GET)
        self.filter_query = filter_querystring(self.filters)
        return super().dispatch(request, *args, **kwargs)

    def load_columns(self, pipeline: Pipeline, *, with_cards_for=None) -> list[selectors.BoardColumn]:
        """Every column header; cards only for the stages in ``with_cards_for`` (all when None)."""
        columns = selectors.board_columns(
            org=self.org, pipeline=pipeline, viewer=self.request.user, filters=self.filters, scope=self.lead_scope
        )
        pages = selectors.first_pages(
            org=self.org,
            pipeline=pipeline,
            stages=[column.stage for column in columns if with_cards_for is None or column.stage.pk in with_cards_for],
            viewer=self.request.user,
            filters=self.filters,
            scope=self.lead_scope,
        )
        for column in columns:
            column.cards, column.next_cursor = pages.get(column.stage.pk, ([], None))
        return columns

    def board_context(self, pipeline: Pipeline, columns, *, only=None) -> dict:
        """Template context; ``only`` limits the rendered columns (out-of-band updates) to those stage ids."""
        return {
            "org": self.org,
            "pipeline": pipeline,
            "columns": [column for column in columns if only is None or column.stage.pk in only],
            "stages": [column.stage for column in columns],
            "total_leads": sum(column.lead_count for column in columns),
            "total_value": sum((column.total_value for column in columns), Decimal("0")),
            "weighted_value": sum((column.weighted_value for column in columns), Decimal("0")),
            "filters": self.filters,
            "filter_query": self.filter_query,
        }


class BoardView(BoardMixin, TemplateView):
    template_name = "pipelines/board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pipeline = get_in_org(Pipeline, self.org, kwargs["pipeline_id"])
        columns = self.load_columns(pipeline)
        context.update(self.board_context(pipeline, columns))
        context.update(
            pipelines=selectors.pipelines_for_switcher(org=self.org),
            filter_form=BoardFilterForm(
                self.request.GET or None,
                members=selectors.org_members(org=self.org),
                sources=selectors.lead_sources(org=self.org),
            ),
            rules=list(rules_for_pipeline(org=self.org, pipeline=pipeline)),
            poll_seconds=POLL_SECONDS,
        )
        return context


class BoardColumnCardsView(BoardMixin, View):
    """``GET …/stages/<stage_id>/cards/?after=<cursor>``: the next page of one column ("Load more")."""

    def get(self, request, org_id, pipeline_id, stage_id):
        stage = get_in_org(Stage.objects.select_related("pipeline").filter(pipeline_id=pipeline_id), self.org, stage_id)
        try:
            cards, next_cursor = selectors.board_cards(
                org=self.org,
                stage=stage,
                viewer=request.user,
                filters=self.filters,
                after=request.GET.get("after"),
                scope=self.lead_scope,
            )
        except ValueError:
            return HttpResponseBadRequest("Invalid page cursor", content_type="text/plain")
        stages = list(Stage.objects.for_org(self.org).filter(pipeline_id=pipeline_id).order_by("order"))
        return render(
            request,
            "pipelines/_cards.html",
            {
                "org": self.org,
                "pipeline": stage.pipeline,
                "stage": stage,
                "stages": stages,
                "cards": cards,
                "next_cursor": next_cursor,
                "filter_query": self.filter_query,
                "first_page": False,
            },
        )


class BoardChangesView(BoardMixin, View):
    """``GET …/changes/?fp=<stage_id>:<fingerprint>…``: what an open board polls.

    One cheap grouped aggregate decides; nothing changed answers 204 (htmx
    swaps nothing). Otherwise only the changed columns are re-rendered, as
    out-of-band swaps of their header and card list, so the viewer's scroll
    position and filters stay as they are.
    """

    def get(self, request, org_id, pipeline_id):
        pipeline = get_in_org(Pipeline.objects.only("id", "name", "rotting_days"), self.org, pipeline_id)
        current = selectors.board_fingerprints(org=self.org, pipeline=pipeline, scope=self.lead_scope)
        seen = dict(item.partition(":")[::2] for item in request.GET.getlist("fp"))
        if set(current) != set(seen):
            # Stages were added or removed: only a full reload shows that correctly.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        changed = {stage_id for stage_id, fingerprint in current.items() if seen[stage_id] != fingerprint}
        if not changed:
            return HttpResponse(status=204)
        columns = self.load_columns(pipeline, with_cards_for=changed)
        return render(request, "pipelines/_columns_oob.html", self.board_context(pipeline, columns, only=changed))


class BoardMoveView(BoardMixin, View):
    """``…/leads/<lead_id>/move/``: every card's "Move to…" control, and where a drop is saved.

    GET is the plain form (a page of its own without JS; htmx loads the bare
    form into the card). POST with ``stage`` moves the lead: the same request
    for a drop, a keyboard choice and a no-JS form post.
    """

    def get(self, request, org_id, pipeline_id, lead_id):
        leads = Lead.objects.select_related("contact", "stage", "pipeline").filter(pipeline_id=pipeline_id)
        lead = get_in_org(leads.filter(self.lead_scope.q()), self.org, lead_id)
        stages = list(Stage.objects.for_org(self.org).filter(pipeline_id=pipeline_id).order_by("order"))
        template = "pipelines/_move_form.html" if request.htmx else "pipelines/move.html"
        # "Move to…" offers the next stage first: moving a lead on is what it is usually opened for.
        ids = [stage.pk for stage in stages]
        here = ids.index(lead.stage_id) if lead.stage_id in ids else -1
        suggested = ids[here + 1] if 0 <= here < len(ids) - 1 else lead.stage_id
        context = {
            "org": self.org,
            "pipeline": lead.pipeline,
            "lead": lead,
            "stages": stages,
            "suggested_stage_id": suggested,
            "lost_reasons": list(LostReason.objects.for_org(self.org).filter(is_active=True).order_by("order")),
            "filter_query": self.filter_query,
            "nav": "board",
        }
        if not request.htmx:
            context["memberships"] = org_memberships(request.user)
        return render(request, template, context)

    def post(self, request, org_id, pipeline_id, lead_id):
        pipeline = get_in_org(Pipeline.objects.only("id", "name", "rotting_days"), self.org, pipeline_id)
        form = MoveCardForm(request.POST)
        from_stage_id = (
            Lead.objects.for_org(self.org)
            .filter(self.lead_scope.q(), pk=lead_id, pipeline=pipeline)
            .values_list("stage_id", flat=True)
            .first()
        )
        if from_stage_id is None:
            return self.failed("This lead no longer exists on this board. Reload to see the latest.", status=404)
        if not form.is_valid():
            return self.failed("Choose a stage to move the lead to.")
        stage_id = form.cleaned_data["stage"]
        try:
            lead = move_lead_to_stage(
                org=self.org,
                actor=request.user,
                lead_id=lead_id,
                stage_id=stage_id,
                lost_reason=self.lost_reason(form.cleaned_data["lost_reason"], stage_id),
            )
        except DomainError as exc:
            if LOST_REASON_REQUIRED in domain_message(exc):
                return self.failed(ASK_WHY_LOST)
            message = "That stage is not part of this pipeline." if exc.status_code == 400 else domain_message(exc)
            return self.failed(message, status=exc.status_code)
        name = lead.contact.name
        if not request.htmx:
            messages.success(request, f"Moved {name} to {lead.stage.name}.")
            return redirect(board_url(org_id, pipeline_id, self.filter_query))
        touched = {from_stage_id, lead.stage_id}
        columns = self.load_columns(pipeline, with_cards_for=touched)
        context = self.board_context(pipeline, columns, only=touched)
        context["announcement"] = f"Moved {name} to {lead.stage.name}."
        return render(request, "pipelines/_columns_oob.html", context)

    def lost_reason(self, reason_id: str, stage_id: str) -> LostReason | None:
        """The reason sent with a move into a stage that marks the lead LOST (the form sends one with any move)."""
        if not reason_id or not Stage.objects.for_org(self.org).filter(pk=stage_id, status=LeadStatus.LOST).exists():
            return None
        return get_in_org(LostReason.objects.filter(is_active=True), self.org, reason_id)

    def failed(self, message: str, status: int = 400):
        if self.request.htmx:
            # board.js shows this text and puts the dragged card back where it was.
            return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
        messages.error(self.request, message)
        return redirect(board_url(self.kwargs["org_id"], self.kwargs["pipeline_id"], self.filter_query))


def board_url_for(org) -> str | None:
    """The org's default pipeline board (or its first pipeline's), None when it has none."""
    pipeline = Pipeline.objects.for_org(org).order_by("-is_default", "name").only("id").first()
    if pipeline is None:
        return None
    return reverse("board", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})


class OrgHomeView(OrgPageMixin, View):
    """``/app/<org_id>/``: where the org switcher points; opens the org's default board."""

    def get(self, request, org_id):
        url = board_url_for(self.org)
        if url is None:
            raise Http404("This organization has no pipeline yet")
        return redirect(url)
