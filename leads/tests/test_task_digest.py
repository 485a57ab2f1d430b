"""The daily task digest: each member's overdue and today's open tasks, by email, once a day from their morning."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from leads.digest import send_task_digests
from leads.models import TaskDigest
from leads.services import update_lead
from leads.tests.factories import LeadFactory, TaskFactory
from vchata.accounts.models import Organization

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 5, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://crm.example.com"


@pytest.fixture
def lead(org, user):
    return LeadFactory(organization=org, actor=user)


def test_a_member_gets_their_overdue_and_todays_open_tasks_in_text_and_html(org, user, member, lead):
    TaskFactory(lead=lead, assigned_to=user, title="Chase the invoice", due_at=NOW - timedelta(days=2))
    TaskFactory(lead=lead, assigned_to=user, title="Demo call", type="MEETING", due_at=NOW + timedelta(hours=3))
    TaskFactory(lead=lead, assigned_to=user, title="Next week", due_at=NOW + timedelta(days=7))
    TaskFactory(lead=lead, assigned_to=user, title="Done already", due_at=NOW - timedelta(hours=1), completed_at=NOW)
    TaskFactory(lead=lead, assigned_to=member, title="Someone else's", due_at=NOW - timedelta(hours=1))

    sent = send_task_digests(now=NOW)

    assert sent == 2
    email = next(m for m in mail.outbox if m.to == [user.email])
    assert email.subject == f"{org.name}: 2 tasks for today (1 overdue)"
    assert "Overdue (1):" in email.body and "Chase the invoice" in email.body
    assert "Today (1):" in email.body and "Meeting: Demo call" in email.body and "at 15:00" in email.body
    assert "Next week" not in email.body and "Done already" not in email.body and "Someone else" not in email.body
    assert f"https://crm.example.com/app/{org.pk}/leads/{lead.pk}/" in email.body
    html, kind = email.alternatives[0]
    assert kind == "text/html"
    assert "Chase the invoice" in html and "Demo call" in html and "Next week" not in html
    assert email.from_email == settings.DEFAULT_FROM_EMAIL


def test_running_twice_a_day_sends_once_and_the_next_day_again(org, user, lead):
    TaskFactory(lead=lead, assigned_to=user, due_at=NOW - timedelta(days=1))

    assert send_task_digests(now=NOW) == 1
    assert send_task_digests(now=NOW + timedelta(hours=2)) == 0
    assert send_task_digests(now=NOW + timedelta(days=1)) == 1
    assert len(mail.outbox) == 2
    assert TaskDigest.objects.filter(user=user).count() == 2


def test_nobody_with_nothing_due_gets_an_email(org, user, lead):
    TaskFactory(lead=lead, assigned_to=user, due_at=NOW + timedelta(days=2))
    TaskFactory(lead=lead, assigned_to=None, due_at=NOW - timedelta(days=2))

    assert send_task_digests(now=NOW) == 0
    assert mail.outbox == []


def test_under_assigned_visibility_a_task_on_a_lead_the_member_cannot_see_stays_out(org, user, member, lead):
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"assigned_to": user})
    TaskFactory(lead=lead, assigned_to=member, title="Hidden", due_at=NOW - timedelta(hours=1))
    own = LeadFactory(organization=org)
    TaskFactory(lead=own, assigned_to=member, title="Visible", due_at=NOW - timedelta(hours=1))

    send_task_digests(now=NOW)

    (email,) = mail.outbox
    assert "Visible" in email.body and "Hidden" not in email.body


def test_a_member_who_left_the_org_gets_nothing(org, user, member, lead):
    TaskFactory(lead=lead, assigned_to=member, due_at=NOW - timedelta(hours=1))
    org.memberships.filter(user=member).delete()

    assert send_task_digests(now=NOW) == 0


def test_a_failed_send_drops_its_claim_so_the_next_run_retries(org, user, lead, settings):
    TaskFactory(lead=lead, assigned_to=user, due_at=NOW - timedelta(hours=1))
    settings.EMAIL_BACKEND = "leads.tests.test_task_digest.BrokenBackend"

    assert send_task_digests(now=NOW) == 0
    assert not TaskDigest.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_task_digests(now=NOW) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP is down")


def test_the_command_and_the_scheduled_task_send_them(org, user, lead, capsys):
    TaskFactory(lead=lead, assigned_to=user, due_at=datetime.now(UTC) - timedelta(minutes=5))

    call_command("send_task_digests")

    assert capsys.readouterr().out.strip() == "Sent 1 task digest."
    assert len(mail.outbox) == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["task-digests"]
    assert schedule["task"] == "leads.tasks.send_task_digests"
    from leads.tasks import send_task_digests as task

    assert task.apply().get() == 0  # already sent today


def test_today_is_the_organizations_day_in_its_time_zone(org, user, lead):
    Organization.objects.filter(pk=org.pk).update(time_zone="Asia/Tokyo")  # UTC+9: NOW is 21:00 there
    TaskFactory(lead=lead, assigned_to=user, title="Late call", due_at=NOW + timedelta(hours=2, minutes=30))
    TaskFactory(lead=lead, assigned_to=user, title="Tomorrow in Tokyo", due_at=NOW + timedelta(hours=3, minutes=30))

    assert send_task_digests(now=NOW) == 1

    email = mail.outbox[0]
    # 14:30 UTC is 23:30 in Tokyo (today there); 15:30 UTC is past midnight there, though still today in UTC.
    assert "Late call" in email.body and "at 23:30" in email.body and "Tomorrow in Tokyo" not in email.body
    assert "(Asia/Tokyo)" in email.body
    assert TaskDigest.objects.get().day == NOW.date()


def test_an_org_ahead_of_utc_gets_its_next_days_digest_while_utc_is_still_on_the_day_before(org, user, lead):
    Organization.objects.filter(pk=org.pk).update(time_zone="Pacific/Auckland")  # UTC+12 in May
    TaskFactory(lead=lead, assigned_to=user, title="Evening in Auckland", due_at=NOW + timedelta(hours=20))
    seven_there = NOW + timedelta(hours=7)  # 19:00 UTC on May 10 is 07:00 on May 11 in Auckland

    assert send_task_digests(now=seven_there) == 1
    assert "Evening in Auckland" in mail.outbox[0].body
    assert TaskDigest.objects.get().day == (NOW + timedelta(days=1)).date()


def test_each_organization_gets_its_digests_from_its_own_morning(org, user, lead, other_org):
    """The hourly run sends an org's digests once its clock reads TASK_DIGEST_HOUR (7:00), whatever UTC says."""
    Organization.objects.filter(pk=org.pk).update(time_zone="Asia/Tokyo")  # UTC+9
    TaskFactory(lead=lead, assigned_to=user, title="Tokyo call", due_at=NOW + timedelta(hours=2))
    utc_member = other_org.memberships.get().user
    TaskFactory(lead=LeadFactory(organization=other_org), assigned_to=utc_member, title="UTC call", due_at=NOW)
    midnight_utc = datetime(2030, 5, 10, 0, 0, tzinfo=UTC)

    assert send_task_digests(now=midnight_utc - timedelta(hours=3)) == 0  # 06:00 in Tokyo, 21:00 in UTC
    assert send_task_digests(now=midnight_utc - timedelta(hours=2)) == 1  # 07:00 in Tokyo
    assert [email.to for email in mail.outbox] == [[user.email]]
    assert send_task_digests(now=midnight_utc + timedelta(hours=6)) == 0  # 06:00 UTC: not yet; Tokyo's is sent
    assert send_task_digests(now=midnight_utc + timedelta(hours=8)) == 1  # a missed 07:00 run is made up at 08:00
    assert [email.to for email in mail.outbox] == [[user.email], [utc_member.email]]


def test_the_command_sends_what_is_due_without_waiting_for_the_morning(org, user, lead, settings):
    settings.TASK_DIGEST_HOUR = 24  # a morning that never comes
    TaskFactory(lead=lead, assigned_to=user, due_at=timezone.now() - timedelta(hours=1))

    assert send_task_digests() == 0
    call_command("send_task_digests", stdout=io.StringIO())
    assert len(mail.outbox) == 1
