"""The kanban board pages: rendering, filters, paging, moves and the live-update poll."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads.models import Activity, Lead
from leads.tests.factories import ContactFactory, LeadFactory, TaskFactory
from pipelines.board.selectors import CARDS_PER_PAGE, board_fingerprints
from pipelines.services import create_pipeline, create_stage
from vchata.accounts.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def board_url(org, pipeline, **query):
    url = reverse("board", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def move_url(org, pipeline, lead):
    return reverse("board-move", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk, "lead_id": lead.pk})


def card_html(html: str, lead) -> str:
    start = html.rindex("<article", 0, html.index(f'data-lead-id="{lead.pk}"'))
    return html[start : html.index("</article>", start)]


def fingerprints_query(org, pipeline, stages):
    current = board_fingerprints(org=org, pipeline=pipeline)
    return "&".join(f"fp={stage.pk}:{current.get(stage.pk, '0.0')}" for stage in stages)


def test_board_shows_every_stage_in_order_with_count_and_total(browser, org, pipeline, stages):
    LeadFactory(organization=org, stage=stages[1], value=Decimal("1500"))
    LeadFactory(organization=org, stage=stages[1], value=Decimal("250.50"))
    LeadFactory(organization=org, stage=stages[0], value=None)

    response = browser.get(board_url(org, pipeline))

    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f'data-stage-id="{stage.pk}"') for stage in stages]
    assert positions == sorted(positions)
    columns = {c.stage.pk: c for c in response.context["columns"]}
    assert (columns[stages[1].pk].lead_count, columns[stages[1].pk].total_value) == (2, Decimal("1750.50"))
    assert (columns[stages[0].pk].lead_count, columns[stages[0].pk].total_value) == (1, Decimal("0"))
    assert 'title="$1,750.50">$1.8K<' in html  # column totals compact in the org currency, the full amount on hover


def test_card_shows_contact_company_value_source_assignee_and_idle_days(browser, org, stages, user):
    contact = ContactFactory(organization=org, name="Ada Lovelace", company="Analytical Engines")
    lead = LeadFactory(organization=org, contact=contact, value=Decimal("4200"), source="referral", assigned_to=user)
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=lead.created_at - timedelta(days=9))

    html = browser.get(board_url(org, lead.pipeline)).content.decode()

    card = card_html(html, lead)
    for text in ("Ada Lovelace", "Analytical Engines", "4,200", "Referral", user.initials):
        assert text in card
    assert "9 days since last activity" in card
    assert 'class="card card--stale"' in card


def test_fresh_card_is_not_marked_stale(browser, org, pipeline):
    lead = LeadFactory(organization=org)

    html = browser.get(board_url(org, pipeline)).content.decode()

    assert "card--stale" not in html
    assert f'data-lead-id="{lead.pk}"' in html
    assert "Active today" in html


def idle_lead(org, days: int, **fields) -> Lead:
    lead = LeadFactory(organization=org, **fields)
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=lead.created_at - timedelta(days=days))
    return lead


def stale_flags(browser, org, pipeline) -> dict[str, bool]:
    columns = browser.get(board_url(org, pipeline)).context["columns"]
    return {card.pk: card.stale for column in columns for card in column.cards}


@pytest.mark.parametrize("closed", [3, 4])  # the Converted and Lost stages
def test_a_closed_lead_is_never_stale(browser, org, pipeline, stages, closed):
    lead = idle_lead(org, 400, stage=stages[closed])

    html = browser.get(board_url(org, pipeline)).content.decode()

    assert "400 days since last activity" in card_html(html, lead)
    assert "card--stale" not in card_html(html, lead)


def test_an_open_task_keeps_an_idle_lead_fresh(browser, org, pipeline):
    planned = idle_lead(org, 30)
    TaskFactory(lead=planned, due_at=planned.created_at - timedelta(days=2))  # overdue, but still a next step
    done = idle_lead(org, 30)
    TaskFactory(lead=done, completed_at=done.created_at)

    assert stale_flags(browser, org, pipeline) == {planned.pk: False, done.pk: True}


def test_a_stage_override_beats_the_pipelines_rotting_days(browser, org, pipeline, stages):
    pipeline.rotting_days = 30
    pipeline.save()
    stages[1].rotting_days = 2
    stages[1].save()
    in_default = idle_lead(org, 10, stage=stages[0])
    in_override = idle_lead(org, 2, stage=stages[1])
    fresh_in_override = idle_lead(org, 1, stage=stages[1])

    assert stale_flags(browser, org, pipeline) == {
        in_default.pk: False,
        in_override.pk: True,
        fresh_in_override.pk: False,
    }


def test_load_more_cards_mark_staleness_by_the_stages_rotting_days(browser, org, pipeline, stages):
    stages[0].rotting_days = 1
    stages[0].save()
    leads = [idle_lead(org, 1) for _ in range(CARDS_PER_PAGE + 1)]
    first_page = browser.get(board_url(org, pipeline)).context["columns"][0]
    url = reverse("board-column-cards", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk, "stage_id": stages[0].pk})

    response = browser.get(url, {"after": first_page.next_cursor})

    (last,) = response.context["cards"]
    assert (last.pk, last.stale) == (leads[0].pk, True)


def test_board_of_another_org_is_not_found(browser, other_org):
    foreign = other_org.pipeline_set.get()

    response = browser.get(board_url(other_org, foreign))

    assert response.status_code == 404


def test_pipeline_of_another_org_under_own_org_is_not_found(browser, org, other_org):
    foreign = other_org.pipeline_set.get()

    response = browser.get(board_url(org, foreign))

    assert response.status_code == 404


def test_anonymous_visitor_is_sent_to_login(org, pipeline):
    response = Client().get(board_url(org, pipeline))

    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=")


def test_anonymous_htmx_poll_gets_a_401_with_the_way_back_to_the_page_and_its_filters(org, pipeline):
    url = reverse("board-changes", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})
    page = f"http://testserver{board_url(org, pipeline)}?source=referral&q=ada"

    response = Client().get(url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)

    assert response.status_code == 401
    assert "Your session ended — sign in again" in response.content.decode()
    assert response["HX-Login"] == "/login?next=" + quote(f"{board_url(org, pipeline)}?source=referral&q=ada", safe="/")
    assert "HX-Redirect" not in response


def test_the_way_back_never_leaves_the_site(org, pipeline, stages):
    lead = LeadFactory(organization=org, stage=stages[0])
    move = move_url(org, pipeline, lead)

    response = Client().post(
        move, {"stage": stages[1].pk}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/x"
    )

    assert response.status_code == 401
    assert response["HX-Login"] == "/login?next=" + quote(move, safe="/")
    lead.refresh_from_db()
    assert lead.stage == stages[0]


def test_member_sees_the_board(org, pipeline, member):
    client = Client()
    client.force_login(member)

    assert client.get(board_url(org, pipeline)).status_code == 200


def test_board_query_count_grows_with_neither_cards_nor_columns(
    browser, org, user, pipeline, stages, django_assert_num_queries
):
    for stage in stages:
        LeadFactory(organization=org, stage=stage)
    # session, user, membership+org, org switcher, pipeline, stage headers (one aggregate),
    # every column's cards (one UNION ALL of a LIMIT walk per column, with each card's next task id),
    # source choices, assignee choices, automation rules, pipeline switcher. (The tasks themselves are
    # one more query when a card shown has one: leads/tests/test_task_pages.py.)
    with django_assert_num_queries(11):
        browser.get(board_url(org, pipeline))
    for stage in stages:
        for _ in range(12):
            LeadFactory(organization=org, stage=stage)
    extra = create_stage(org=org, actor=user, pipeline_id=pipeline.pk, name="Negotiation")
    LeadFactory(organization=org, stage=extra)
    with django_assert_num_queries(11):
        response = browser.get(board_url(org, pipeline))
    assert [len(column.cards) for column in response.context["columns"]] == [13] * len(stages) + [1]


def test_columns_show_fifty_cards_and_a_load_more_button(browser, org, pipeline, stages):
    for _ in range(CARDS_PER_PAGE + 3):
        LeadFactory(organization=org, stage=stages[0])

    response = browser.get(board_url(org, pipeline))

    first = next(c for c in response.context["columns"] if c.stage.pk == stages[0].pk)
    assert len(first.cards) == CARDS_PER_PAGE
    assert first.lead_count == CARDS_PER_PAGE + 3
    assert "Load more" in response.content.decode()


def test_load_more_returns_the_rest_without_repeats(browser, org, pipeline, stages):
    for _ in range(CARDS_PER_PAGE + 3):
        LeadFactory(organization=org, stage=stages[0])
    first = next(c for c in browser.get(board_url(org, pipeline)).context["columns"] if c.stage.pk == stages[0].pk)
    url = reverse("board-column-cards", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk, "stage_id": stages[0].pk})

    response = browser.get(url, {"after": first.next_cursor}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    shown = {lead.pk for lead in first.cards} | {lead.pk for lead in response.context["cards"]}
    assert shown == set(Lead.objects.filter(stage=stages[0]).values_list("pk", flat=True))
    assert response.context["next_cursor"] is None
    assert "Load more" not in response.content.decode()


def test_leads_changed_at_the_same_instant_page_by_id_without_gaps_or_repeats(browser, org, pipeline, stages):
    # A bulk edit stamps many leads with one updated_at: the page walks the stage's
    # (stage, -updated_at) index and orders each tie by id, so the cursor skips nothing.
    for _ in range(CARDS_PER_PAGE + 3):
        LeadFactory(organization=org, stage=stages[0])
    Lead.objects.filter(stage=stages[0]).update(updated_at=timezone.now())
    first = next(c for c in browser.get(board_url(org, pipeline)).context["columns"] if c.stage.pk == stages[0].pk)
    url = reverse("board-column-cards", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk, "stage_id": stages[0].pk})

    rest = browser.get(url, {"after": first.next_cursor}, HTTP_HX_REQUEST="true").context["cards"]

    shown = [lead.pk for lead in [*first.cards, *rest]]
    assert shown == sorted(Lead.objects.filter(stage=stages[0]).values_list("pk", flat=True), reverse=True)


@pytest.mark.parametrize("cursor", ["yesterday", "12.user_x", f"{10**20}.lead_x"])
def test_load_more_with_a_malformed_cursor_is_a_400(browser, org, pipeline, stages, cursor):
    url = reverse("board-column-cards", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk, "stage_id": stages[0].pk})

    assert browser.get(url, {"after": cursor}).status_code == 400


def test_load_more_for_a_stage_of_another_org_is_not_found(browser, org, pipeline, other_org):
    foreign_stage = other_org.pipeline_set.get().stages.first()
    url = reverse(
        "board-column-cards", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk, "stage_id": foreign_stage.pk}
    )

    assert browser.get(url).status_code == 404


def test_filter_mine_shows_only_my_leads(browser, org, pipeline, user, member):
    mine = LeadFactory(organization=org, assigned_to=user)
    theirs = LeadFactory(organization=org, assigned_to=member)

    html = browser.get(board_url(org, pipeline, assignee="mine")).content.decode()

    assert f'data-lead-id="{mine.pk}"' in html
    assert f'data-lead-id="{theirs.pk}"' not in html


def test_filter_by_assignee_id_unassigned_and_source(browser, org, pipeline, member):
    theirs = LeadFactory(organization=org, assigned_to=member, source="event")
    nobody = LeadFactory(organization=org, source="website")

    by_member = browser.get(board_url(org, pipeline, assignee=member.pk)).content.decode()
    unassigned = browser.get(board_url(org, pipeline, assignee="none")).content.decode()
    by_source = browser.get(board_url(org, pipeline, source="event")).content.decode()

    assert f'data-lead-id="{theirs.pk}"' in by_member and f'data-lead-id="{nobody.pk}"' not in by_member
    assert f'data-lead-id="{nobody.pk}"' in unassigned and f'data-lead-id="{theirs.pk}"' not in unassigned
    assert f'data-lead-id="{theirs.pk}"' in by_source and f'data-lead-id="{nobody.pk}"' not in by_source


def test_search_matches_contact_name_email_and_company_and_narrows_the_counts(browser, org, pipeline, stages):
    hit = LeadFactory(organization=org, contact=ContactFactory(organization=org, company="Zebra Foods"))
    LeadFactory(organization=org, contact=ContactFactory(organization=org, company="Acme"))

    response = browser.get(board_url(org, pipeline, q="zebra"))

    html = response.content.decode()
    assert f'data-lead-id="{hit.pk}"' in html
    assert response.context["columns"][0].lead_count == 1


def test_a_searched_column_pages_its_matches_only_newest_first(browser, org, pipeline, stages):
    hits = [
        LeadFactory(organization=org, stage=stages[0], contact=ContactFactory(organization=org, company="Zebra Inc"))
        for _ in range(CARDS_PER_PAGE + 3)
    ]
    LeadFactory.create_batch(3, organization=org, stage=stages[0])
    LeadFactory(organization=org, stage=stages[1], contact=ContactFactory(organization=org, company="Zebra Two"))

    response = browser.get(board_url(org, pipeline, q="zebra"))
    first, second = response.context["columns"][:2]
    url = reverse("board-column-cards", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk, "stage_id": stages[0].pk})
    rest = browser.get(url, {"after": first.next_cursor, "q": "zebra"}, HTTP_HX_REQUEST="true").context["cards"]

    newest_first = Lead.objects.filter(pk__in=[h.pk for h in hits]).order_by("-updated_at", "-id")
    assert [c.pk for c in [*first.cards, *rest]] == list(newest_first.values_list("pk", flat=True))
    assert len(first.cards) == CARDS_PER_PAGE
    assert [c.contact.company for c in second.cards] == ["Zebra Two"]


def test_move_form_moves_the_lead_and_records_the_activity(browser, org, pipeline, stages, user):
    lead = LeadFactory(organization=org, stage=stages[0])

    response = browser.post(move_url(org, pipeline, lead), {"stage": stages[2].pk})

    assert response.status_code == 302
    assert response["Location"] == board_url(org, pipeline)
    lead.refresh_from_db()
    assert lead.stage == stages[2]
    activity = Activity.objects.get(lead=lead, type=Activity.Type.STAGE_CHANGED)
    assert activity.actor == user


def test_move_without_js_keeps_the_filters_in_the_redirect(browser, org, pipeline, stages):
    lead = LeadFactory(organization=org, stage=stages[0])

    response = browser.post(move_url(org, pipeline, lead) + "?assignee=mine&q=acme", {"stage": stages[1].pk})

    assert response["Location"] == board_url(org, pipeline) + "?assignee=mine&q=acme"


def test_htmx_move_answers_both_columns_out_of_band(browser, org, pipeline, stages):
    lead = LeadFactory(organization=org, stage=stages[0], value=Decimal("900"))
    LeadFactory(organization=org, stage=stages[3])

    response = browser.post(move_url(org, pipeline, lead), {"stage": stages[1].pk}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="col-head-{stages[0].pk}" hx-swap-oob="true"' in html
    assert f'id="col-head-{stages[1].pk}" hx-swap-oob="true"' in html
    assert f'id="col-head-{stages[3].pk}"' not in html
    columns = {c.stage.pk: c for c in response.context["columns"]}
    assert columns[stages[1].pk].lead_count == 1 and columns[stages[1].pk].total_value == Decimal("900")
    assert columns[stages[0].pk].lead_count == 0
    assert f'data-lead-id="{lead.pk}"' in html


def test_move_to_a_stage_of_another_pipeline_fails_with_a_message_and_changes_nothing(browser, org, pipeline, stages):
    lead = LeadFactory(organization=org, stage=stages[0])
    other = create_pipeline(org=org, name="Partners")

    response = browser.post(move_url(org, pipeline, lead), {"stage": other.stages.first().pk}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "not part of this pipeline" in response.content.decode()
    lead.refresh_from_db()
    assert lead.stage == stages[0]
    assert not Activity.objects.filter(lead=lead, type=Activity.Type.STAGE_CHANGED).exists()


def test_move_of_another_orgs_lead_is_not_found_and_changes_nothing(browser, org, pipeline, other_org):
    foreign = LeadFactory(organization=other_org)
    foreign_stage = foreign.pipeline.stages.order_by("order").last()

    response = browser.post(move_url(org, pipeline, foreign), {"stage": foreign_stage.pk}, HTTP_HX_REQUEST="true")

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.stage.order == 1


def test_move_in_another_org_url_is_not_found(browser, other_org):
    foreign = LeadFactory(organization=other_org)
    stage = foreign.pipeline.stages.order_by("order").last()

    response = browser.post(move_url(other_org, foreign.pipeline, foreign), {"stage": stage.pk})

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.stage.order == 1


def test_move_without_a_stage_is_a_400(browser, org, pipeline):
    lead = LeadFactory(organization=org)

    response = browser.post(move_url(org, pipeline, lead), {}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400


def test_move_requires_the_csrf_token(user, org, pipeline, stages):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    lead = LeadFactory(organization=org, stage=stages[0])

    response = client.post(move_url(org, pipeline, lead), {"stage": stages[1].pk})

    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.stage == stages[0]


def test_move_query_count_does_not_grow_with_cards(browser, org, pipeline, stages, django_assert_num_queries):
    lead = LeadFactory(organization=org, stage=stages[0])
    LeadFactory(organization=org, stage=stages[1])
    with CaptureQueriesContext(connection) as few:
        browser.post(move_url(org, pipeline, lead), {"stage": stages[1].pk}, HTTP_HX_REQUEST="true")
    for _ in range(20):
        LeadFactory(organization=org, stage=stages[0])
        LeadFactory(organization=org, stage=stages[1])
    with django_assert_num_queries(len(few.captured_queries)):
        browser.post(move_url(org, pipeline, lead), {"stage": stages[0].pk}, HTTP_HX_REQUEST="true")


def test_poll_answers_204_when_nothing_changed(browser, org, pipeline, stages, django_assert_num_queries):
    LeadFactory(organization=org, stage=stages[0])
    url = reverse("board-changes", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})
    query = fingerprints_query(org, pipeline, stages)

    # session, user, membership+org, pipeline, one grouped aggregate.
    with django_assert_num_queries(5):
        response = browser.get(f"{url}?{query}", HTTP_HX_REQUEST="true")

    assert response.status_code == 204


def test_poll_redraws_only_the_columns_another_rep_changed(org, pipeline, stages, browser, member):
    moving = LeadFactory(organization=org, stage=stages[0])
    LeadFactory(organization=org, stage=stages[4])
    url = reverse("board-changes", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})
    query = fingerprints_query(org, pipeline, stages)
    from leads.services import move_lead_to_stage

    move_lead_to_stage(org=org, actor=member, lead_id=moving.pk, stage_id=stages[2].pk)
    response = browser.get(f"{url}?{query}", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert {c.stage.pk for c in response.context["columns"]} == {stages[0].pk, stages[2].pk}
    assert f'id="col-cards-{stages[2].pk}" hx-swap-oob="innerHTML"' in html
    assert f'data-lead-id="{moving.pk}"' in html
    assert f"col-head-{stages[4].pk}" not in html


def test_poll_sees_a_new_lead(browser, org, pipeline, stages):
    url = reverse("board-changes", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})
    query = fingerprints_query(org, pipeline, stages)

    lead = LeadFactory(organization=org, stage=stages[1])
    response = browser.get(f"{url}?{query}", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert f'data-lead-id="{lead.pk}"' in response.content.decode()


def test_poll_keeps_the_viewers_filters(browser, org, pipeline, stages, user, member):
    url = reverse("board-changes", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})
    query = fingerprints_query(org, pipeline, stages)

    mine = LeadFactory(organization=org, stage=stages[0], assigned_to=user)
    theirs = LeadFactory(organization=org, stage=stages[0], assigned_to=member)
    html = browser.get(f"{url}?{query}&assignee=mine", HTTP_HX_REQUEST="true").content.decode()

    assert f'data-lead-id="{mine.pk}"' in html
    assert f'data-lead-id="{theirs.pk}"' not in html


def test_poll_asks_for_a_reload_when_stages_changed(browser, org, pipeline, stages):
    LeadFactory(organization=org, stage=stages[-1])  # the viewer's board predates this stage
    url = reverse("board-changes", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})
    query = fingerprints_query(org, pipeline, stages[:-1])

    response = browser.get(f"{url}?{query}", HTTP_HX_REQUEST="true")

    assert response["HX-Refresh"] == "true"


def test_poll_of_another_org_is_not_found(browser, other_org):
    foreign = other_org.pipeline_set.get()
    url = reverse("board-changes", kwargs={"org_id": other_org.pk, "pipeline_id": foreign.pk})

    assert browser.get(url, HTTP_HX_REQUEST="true").status_code == 404


def test_pipeline_switcher_lists_the_orgs_pipelines_only(browser, org, pipeline, other_org):
    create_pipeline(org=org, name="Partnerships")

    html = browser.get(board_url(org, pipeline)).content.decode()

    assert "Partnerships" in html
    assert "Switch pipeline" in html


def test_org_switcher_lists_every_org_of_the_user(browser, org, pipeline, user):
    second = OrganizationFactory(name="Second Shop")
    MembershipFactory(organization=second, user=user)

    html = browser.get(board_url(org, pipeline)).content.decode()

    assert "Second Shop" in html


def test_board_lists_what_runs_on_the_pipeline(browser, org, pipeline, stages):
    from pipelines.automation.models import Rule
    from pipelines.automation.tests.factories import RuleFactory

    RuleFactory(
        pipeline=pipeline,
        name="Qualify on a meeting",
        trigger=Rule.Trigger.ACTIVITY_ADDED,
        trigger_activity_type="MEETING",
        action=Rule.Action.MOVE_TO_STAGE,
        action_stage=stages[1],
    )

    html = browser.get(board_url(org, pipeline)).content.decode()

    assert "What runs on this pipeline" in html
    assert "Qualify on a meeting" in html
    assert "Qualified" in html[html.index("Qualify on a meeting") :]


def test_move_to_without_js_is_a_page_with_a_plain_form(browser, org, pipeline, stages):
    lead = LeadFactory(organization=org, stage=stages[1])

    response = browser.get(move_url(org, pipeline, lead) + "?q=acme")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and f"Move {lead.contact.name}" in html
    assert f'action="{move_url(org, pipeline, lead)}?q=acme"' in html
    assert "csrfmiddlewaretoken" in html
    assert f'<option value="{stages[2].pk}" selected>' in html  # the next stage is offered first


def test_move_to_with_htmx_is_the_bare_form(browser, org, pipeline, stages):
    lead = LeadFactory(organization=org, stage=stages[0])

    html = browser.get(move_url(org, pipeline, lead), HTTP_HX_REQUEST="true").content.decode()

    assert "<html" not in html
    assert html.count("<option") == len(stages)
    assert "autofocus" in html


def test_move_to_form_of_another_orgs_lead_is_not_found(browser, org, pipeline, other_org):
    foreign = LeadFactory(organization=other_org)

    assert browser.get(move_url(org, pipeline, foreign)).status_code == 404


def test_an_htmx_post_without_session_or_csrf_cookie_is_a_session_end_not_a_bare_403(org, pipeline, stages):
    lead = LeadFactory(organization=org, stage=stages[0])
    client = Client(enforce_csrf_checks=True)

    response = client.post(move_url(org, pipeline, lead), {"stage": stages[1].pk}, HTTP_HX_REQUEST="true")

    assert response.status_code == 401
    assert response["HX-Login"].startswith("/login?next=")
    lead.refresh_from_db()
    assert lead.stage == stages[0]


def test_move_to_preselects_the_next_stage_and_keeps_the_last_where_it_is(browser, org, pipeline, stages):
    first = LeadFactory(organization=org, stage=stages[0])
    last = LeadFactory(organization=org, stage=stages[-1])

    offered = browser.get(move_url(org, pipeline, first), HTTP_HX_REQUEST="true").content.decode()
    at_end = browser.get(move_url(org, pipeline, last), HTTP_HX_REQUEST="true").content.decode()

    assert f'<option value="{stages[1].pk}" selected>' in offered
    assert f'<option value="{stages[0].pk}">{stages[0].name} (now)</option>' in offered
    assert f'<option value="{stages[-1].pk}" selected>' in at_end
    assert offered.count(" selected") == 1
