"""Tasks in the pages: next task on the board cards, the lead page's task list and form, and My work."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leads import selectors
from leads.models import Activity, Task
from leads.task_display import due_label
from leads.tests.factories import LeadFactory, TaskFactory
from tests.support.api import TIMESTAMP
from vchata.accounts.models import Organization

pytestmark = pytest.mark.django_db

# The timeline panel alone: session, user, membership, the lead, its timeline (activities, changes), stages,
# custom fields.
TIMELINE_PANEL_QUERIES = 8


def board_url(org, pipeline):
    return reverse("board", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})


def card_html(html: str, lead) -> str:
    start = html.rindex("<article", 0, html.index(f'data-lead-id="{lead.pk}"'))
    return html[start : html.index("</article>", start)]


def done_url(org, task):
    return reverse("task-done", kwargs={"org_id": org.pk, "task_id": task.pk})


def my_work_url(org):
    return reverse("my-work", kwargs={"org_id": org.pk})


@pytest.mark.parametrize(
    ("due", "label"),
    [
        (datetime(2030, 3, 6, 10, 0, tzinfo=UTC), "today 10:00"),
        (datetime(2030, 3, 7, 9, 5, tzinfo=UTC), "tomorrow 09:05"),
        (datetime(2030, 3, 5, 17, 30, tzinfo=UTC), "yesterday 17:30"),
        (datetime(2030, 3, 9, 8, 0, tzinfo=UTC), "Sat 08:00"),
        (datetime(2030, 4, 12, 8, 0, tzinfo=UTC), "Apr 12, 08:00"),
        (datetime(2031, 1, 2, 8, 0, tzinfo=UTC), "Jan 2, 2031"),
    ],
)
def test_due_labels_read_as_a_rep_says_them(due, label):
    assert due_label(due, now=datetime(2030, 3, 6, 12, 0, tzinfo=UTC)) == label


def test_card_shows_its_leads_soonest_open_task(browser, org, pipeline, stages, user):
    lead = LeadFactory(organization=org, stage=stages[0])
    tomorrow_ten = (timezone.now() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    TaskFactory(lead=lead, type=Task.Type.CALL, title="Ring", due_at=tomorrow_ten)
    TaskFactory(lead=lead, type=Task.Type.EMAIL, title="Later", due_at=tomorrow_ten + timedelta(days=3))
    TaskFactory(lead=lead, title="Done one", due_at=tomorrow_ten - timedelta(days=5), completed_at=timezone.now())

    card = card_html(browser.get(board_url(org, pipeline)).content.decode(), lead)

    assert "Call · tomorrow 10:00" in card
    assert "card__task--overdue" not in card
    assert "Later" not in card and "Done one" not in card


def test_cards_tell_task_times_on_the_organizations_clock(browser, org, pipeline, stages):
    """A rep in Tokyo reads a call due at 15:00 UTC as due at midnight, the next day."""
    Organization.objects.filter(pk=org.pk).update(time_zone="Asia/Tokyo")
    lead = LeadFactory(organization=org, stage=stages[0])
    due = (timezone.now() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
    TaskFactory(lead=lead, type=Task.Type.CALL, due_at=due)

    card = card_html(browser.get(board_url(org, pipeline)).content.decode(), lead)

    with timezone.override("Asia/Tokyo"):
        in_tokyo = due_label(due)
    assert "00:00" in in_tokyo and f"Call · {in_tokyo}" in card
    assert "15:00" not in card


def test_an_org_pages_time_zone_ends_with_its_response(browser, api, org, pipeline):
    """The API and the admin answer in UTC even right after a page of an org elsewhere (same thread)."""
    Organization.objects.filter(pk=org.pk).update(time_zone="America/New_York")
    lead = LeadFactory(organization=org)
    browser.get(board_url(org, pipeline))

    assert timezone.get_current_timezone_name() == "UTC"
    answer = api.get(f"/leads/{org.pk}/{lead.pk}")
    assert answer.status_code == 200, answer.content[:300]
    assert TIMESTAMP.match(answer.json()["lead"]["createdAt"])


def test_card_marks_an_overdue_task(browser, org, pipeline, stages):
    lead = LeadFactory(organization=org, stage=stages[0])
    TaskFactory(lead=lead, type=Task.Type.MEETING, due_at=timezone.now() - timedelta(hours=2))
    quiet = LeadFactory(organization=org, stage=stages[0])

    html = browser.get(board_url(org, pipeline)).content.decode()

    assert "card__task--overdue" in card_html(html, lead)
    assert "Overdue" in card_html(html, lead)
    assert "card__task" not in card_html(html, quiet)


# The board page since every column's first page is one query (848c66d); the cards' tasks are one more
# (when a card shown has one: the cards' query names each one's next task).
BOARD_QUERIES = 12


def test_board_reads_every_cards_task_in_one_query(browser, org, pipeline, stages, django_assert_num_queries):
    for stage in stages:
        TaskFactory(lead=LeadFactory(organization=org, stage=stage))
    browser.get(board_url(org, pipeline))
    with django_assert_num_queries(BOARD_QUERIES) as few:
        browser.get(board_url(org, pipeline))
    task_queries = [q for q in few.captured_queries if q["sql"].startswith('SELECT "leads_task"')]
    assert len(task_queries) == 1
    for stage in stages:
        for _ in range(6):
            TaskFactory(lead=LeadFactory(organization=org, stage=stage))
    with django_assert_num_queries(BOARD_QUERIES):
        browser.get(board_url(org, pipeline))


def test_load_more_cards_carry_their_tasks(browser, org, pipeline, stages):
    from pipelines.board.selectors import CARDS_PER_PAGE

    oldest = LeadFactory(organization=org, stage=stages[0])
    TaskFactory(lead=oldest, type=Task.Type.CALL)
    for _ in range(CARDS_PER_PAGE):
        LeadFactory(organization=org, stage=stages[0])
    html = browser.get(board_url(org, pipeline)).content.decode()
    more = html[html.index("?after=") + len("?after=") :].split('"')[0]
    url = reverse("board-column-cards", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk, "stage_id": stages[0].pk})

    page = browser.get(f"{url}?after={more}", HTTP_HX_REQUEST="true").content.decode()

    assert "Call · tomorrow" in card_html(page, oldest)


def test_lead_page_lists_open_then_done_tasks_and_adds_one(browser, org, user):
    lead = LeadFactory(organization=org)
    TaskFactory(lead=lead, title="Send the quote", completed_at=timezone.now())
    TaskFactory(lead=lead, title="Book the demo")
    url = reverse("lead-detail", kwargs={"org_id": org.pk, "lead_id": lead.pk})

    html = browser.get(url).content.decode()
    assert html.index("Book the demo") < html.index("Send the quote")

    response = browser.post(
        reverse("lead-task-add", kwargs={"org_id": org.pk, "lead_id": lead.pk}),
        {"type": "MEETING", "title": "Site visit", "due_at": "2031-05-04T10:00", "assigned_to": user.pk},
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#tasks")
    task = Task.objects.get(lead=lead, title="Site visit")
    assert (task.type, task.assigned_to, task.created_by) == ("MEETING", user, user)
    assert task.due_at == datetime(2031, 5, 4, 10, 0, tzinfo=UTC)


def test_a_task_without_title_or_due_is_a_400_with_errors_and_adds_nothing(browser, org):
    lead = LeadFactory(organization=org)

    response = browser.post(
        reverse("lead-task-add", kwargs={"org_id": org.pk, "lead_id": lead.pk}),
        {"type": "CALL", "title": "", "due_at": "not a date"},
    )

    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert b"Enter a valid date/time" in response.content
    assert not Task.objects.filter(lead=lead).exists()


def test_a_task_for_someone_outside_the_org_is_refused(browser, org, other_org):
    lead = LeadFactory(organization=org)
    outsider = other_org.memberships.get().user

    response = browser.post(
        reverse("lead-task-add", kwargs={"org_id": org.pk, "lead_id": lead.pk}),
        {"type": "CALL", "title": "Ring", "due_at": "2031-05-04T10:00", "assigned_to": outsider.pk},
    )

    assert response.status_code == 400
    assert not Task.objects.filter(lead=lead).exists()


def test_ticking_a_task_with_htmx_answers_its_row_and_logs_the_activity(browser, org, user):
    task = TaskFactory(lead=LeadFactory(organization=org), assigned_to=user, title="Ring Ada")

    response = browser.post(done_url(org, task), {"done": "1", "show_lead": "1"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="task is-done"' in html and "checked" in html
    assert "Done: Ring Ada." in html  # the toast
    task.refresh_from_db()
    assert task.completed_at is not None
    assert Activity.objects.filter(lead=task.lead, type=Activity.Type.TASK).count() == 1
    assert response["HX-Trigger"] == "timeline-changed"  # the lead page's timeline fetches itself again


def timeline_url(org, lead):
    return reverse("lead-timeline", kwargs={"org_id": org.pk, "lead_id": lead.pk})


def test_the_timeline_panel_alone_has_the_ticked_tasks_entry(browser, org, user, django_assert_num_queries):
    task = TaskFactory(lead=LeadFactory(organization=org), assigned_to=user, title="Ring Ada")
    browser.post(done_url(org, task), {"done": "1"}, HTTP_HX_REQUEST="true")

    with django_assert_num_queries(TIMELINE_PANEL_QUERIES):
        response = browser.get(timeline_url(org, task.lead), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="panel" id="timeline"')
    assert 'hx-trigger="timeline-changed from:body"' in html
    assert "Ring Ada" in html and "<html" not in html


def test_another_orgs_timeline_panel_is_not_found(browser, org, other_org):
    assert browser.get(timeline_url(org, LeadFactory(organization=other_org))).status_code == 404


def test_unticking_reopens_and_a_plain_post_goes_back_to_next(browser, org):
    task = TaskFactory(lead=LeadFactory(organization=org), completed_at=timezone.now())

    response = browser.post(done_url(org, task), {"next": my_work_url(org)})

    assert response.status_code == 302
    assert response["Location"] == my_work_url(org)
    task.refresh_from_db()
    assert task.completed_at is None


def test_done_never_redirects_off_site(browser, org):
    task = TaskFactory(lead=LeadFactory(organization=org))

    response = browser.post(done_url(org, task), {"done": "1", "next": "https://evil.example/"})

    assert response["Location"].startswith(f"/app/{org.pk}/leads/{task.lead_id}/")


def test_another_orgs_task_is_not_found_and_unchanged(browser, org, other_org):
    task = TaskFactory(lead=LeadFactory(organization=other_org))

    assert browser.post(done_url(org, task), {"done": "1"}).status_code == 404
    assert browser.post(done_url(other_org, task), {"done": "1"}).status_code == 404
    task.refresh_from_db()
    assert task.completed_at is None


def test_a_member_cannot_tick_a_task_on_a_lead_they_do_not_see(org, user, member):
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    task = TaskFactory(lead=LeadFactory(organization=org, assigned_to=user))
    client = Client()
    client.force_login(member)

    assert client.post(done_url(org, task), {"done": "1"}).status_code == 404
    task.refresh_from_db()
    assert task.completed_at is None


def test_my_work_splits_my_open_tasks_into_overdue_today_and_upcoming(browser, org, user, member):
    now = timezone.now()
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    lead = LeadFactory(organization=org)
    overdue = TaskFactory(lead=lead, assigned_to=user, title="Late call", due_at=now - timedelta(minutes=5))
    today = TaskFactory(
        lead=lead, assigned_to=user, title="Due tonight", due_at=start_of_day + timedelta(hours=23, minutes=59)
    )
    upcoming = TaskFactory(lead=lead, assigned_to=user, title="Next week", due_at=now + timedelta(days=7))
    TaskFactory(lead=lead, assigned_to=member, title="Someone else's")
    TaskFactory(lead=lead, assigned_to=user, title="Already done", completed_at=now)

    response = browser.get(my_work_url(org))

    html = response.content.decode()
    assert response.status_code == 200
    sections = {key: html[html.index(f'id="work-{key}"') :] for key in ("overdue", "today", "upcoming")}
    assert overdue.title in sections["overdue"][: sections["overdue"].index("</section>")]
    if today.due_at > now:  # (a run in the last minute of a UTC day would make it overdue)
        assert today.title in sections["today"][: sections["today"].index("</section>")]
    assert upcoming.title in sections["upcoming"][: sections["upcoming"].index("</section>")]
    assert "Someone else&#x27;s" not in html and "Already done" not in html
    assert lead.contact.name in html
    assert 'aria-current="page">My work</a>' in html


def section_of(html: str, key: str) -> str:
    start = html.index(f'id="work-{key}"')
    return html[start : html.index("</section>", start)]


def test_my_work_counts_days_in_the_organizations_time_zone(browser, org, user, django_assert_num_queries):
    Organization.objects.filter(pk=org.pk).update(time_zone="Asia/Karachi")  # UTC+5, no daylight saving
    _, local_end = selectors.org_day(timezone.now(), "Asia/Karachi")
    lead = LeadFactory(organization=org)
    # Just before and just after midnight in Karachi (19:00 UTC): UTC would call both today, or both upcoming.
    TaskFactory(lead=lead, assigned_to=user, title="Before midnight there", due_at=local_end - timedelta(minutes=2))
    TaskFactory(lead=lead, assigned_to=user, title="After midnight there", due_at=local_end + timedelta(minutes=2))

    with django_assert_num_queries(7):  # session, user, membership, org switcher, three sections
        html = browser.get(my_work_url(org)).content.decode()

    assert "Before midnight there" in section_of(html, "today")
    assert "After midnight there" in section_of(html, "upcoming")


@pytest.mark.parametrize(
    ("zone", "due", "part"),
    [
        ("UTC", datetime(2030, 3, 6, 23, 30, tzinfo=UTC), "today"),
        ("Europe/Madrid", datetime(2030, 3, 6, 23, 30, tzinfo=UTC), "upcoming"),  # 00:30 on the 7th there
        ("America/New_York", datetime(2030, 3, 7, 3, 0, tzinfo=UTC), "today"),  # 22:00 on the 6th there
        ("UTC", datetime(2030, 3, 7, 3, 0, tzinfo=UTC), "upcoming"),
    ],
)
def test_the_due_filter_splits_by_the_given_zones_day(org, user, zone, due, part):
    task = TaskFactory(lead=LeadFactory(organization=org), assigned_to=user, due_at=due)
    now = datetime(2030, 3, 6, 20, 0, tzinfo=UTC)

    found = {
        key: list(selectors.filter_tasks(Task.objects.all(), due=key, now=now, time_zone=zone))
        for key in ("overdue", "today", "upcoming")
    }

    assert {key for key, tasks in found.items() if task in tasks} == {part}


def test_a_day_that_turns_the_clocks_back_is_25_hours_long():
    start, end = selectors.org_day(datetime(2030, 10, 27, 12, 0, tzinfo=UTC), "Europe/Madrid")

    assert (start, end - start) == (datetime(2030, 10, 26, 22, 0, tzinfo=UTC), timedelta(hours=25))


def test_my_work_query_count_does_not_grow_with_tasks(browser, org, user, django_assert_num_queries):
    lead = LeadFactory(organization=org)
    TaskFactory(lead=lead, assigned_to=user)
    browser.get(my_work_url(org))
    with django_assert_num_queries(7) as few:  # session, user, membership, org switcher, three sections
        browser.get(my_work_url(org))
    for days in range(-3, 10):
        TaskFactory(lead=LeadFactory(organization=org), assigned_to=user, due_at=timezone.now() + timedelta(days=days))
    with django_assert_num_queries(len(few.captured_queries)):
        browser.get(my_work_url(org))


def test_the_lead_pages_ids_are_unique(browser, org):
    import re

    lead = LeadFactory(organization=org)
    TaskFactory(lead=lead)
    html = browser.get(reverse("lead-detail", kwargs={"org_id": org.pk, "lead_id": lead.pk})).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
