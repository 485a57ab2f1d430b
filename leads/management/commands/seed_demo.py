"""``manage.py seed_demo``: a living demo CRM, created once (running it again changes nothing)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from leads.models import (
    Activity,
    Campaign,
    ContentPost,
    Conversation,
    Lead,
    LeadChange,
    Message,
    SocialAccount,
    StageVisit,
)
from leads.services import add_activity, create_lead_with_contact, move_lead_to_stage, update_lead
from vchata.accounts.models import Membership, Organization, User
from vchata.accounts.services import create_organization

DEMO_EMAIL = "demo@vchata.dev"
DEMO_PASSWORD = "demo-pass-2024"
ADMIN_EMAIL = "admin@vchata.dev"
ADMIN_PASSWORD = "admin-pass-2024"
# Staff but not superuser: ADMIN of the demo org only, so the admin shows just that org.
OPS_EMAIL = "ops@vchata.dev"
OPS_PASSWORD = "ops-pass-2024"
DEMO_ORG = "Northwind Demo"

FIRST = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "Mateo",
    "Isabella",
    "Lucas",
    "Mia",
    "Amelia",
    "Ethan",
    "Harper",
    "Aria",
    "Kai",
    "Zoe",
    "Leo",
    "Nora",
    "Hugo",
    "Ines",
    "Yuki",
    "Omar",
    "Priya",
]
LAST = [
    "Garcia",
    "Smith",
    "Chen",
    "Okafor",
    "Müller",
    "Rossi",
    "Silva",
    "Kowalski",
    "Nguyen",
    "Haddad",
    "Johansson",
    "Patel",
    "Dubois",
    "Tanaka",
    "Murphy",
    "Novak",
    "Fischer",
    "Costa",
]
COMPANIES = [
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Stark Logistics",
    "Wayne Foods",
    "Hooli",
    "Vandelay Imports",
    "Pied Piper",
    "Soylent Labs",
    "Wonka Retail",
    "Tyrell Systems",
    "Cyberdyne",
]
SOURCES = ["website"] * 5 + ["social_media"] * 3 + ["referral"] * 2 + ["event", "cold_outreach"]
CAMPAIGNS = [
    ("Summer Sale 2024", "summer_sale_2024", "google", "cpc"),
    ("Premium Ads", "premium_ads", "facebook", "paid_social"),
    ("Newsletter Q3", "newsletter_q3", "newsletter", "email"),
]
NOTES = [
    "Interested in premium package",
    "Asked for a pricing sheet",
    "Wants a demo next week",
    "Budget approved for Q3",
    "Comparing us with a competitor",
    "Came from the webinar",
]
ACTIVITY_TEXT = {
    Activity.Type.CALL: "Discovery call — discussed needs and timeline",
    Activity.Type.EMAIL_SENT: "Sent follow-up email with pricing",
    Activity.Type.MEETING: "Product demo with the team",
    Activity.Type.NOTE: "Decision maker is the COO",
    Activity.Type.SMS: "Texted to confirm the meeting time",
}


class Command(BaseCommand):
    help = "Create demo data (users, an organization, contacts, leads, activities). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=48, help="How many leads to create (first run only).")

    def handle(self, *args, leads: int, **options):
        with transaction.atomic():
            created = self._seed(leads)
        state = "Created" if created else "Demo data already present; nothing changed."
        self.stdout.write(self.style.SUCCESS(state if not created else f"{state} demo organization '{DEMO_ORG}'."))
        self.stdout.write(f"  Sales rep login:  {DEMO_EMAIL} / {DEMO_PASSWORD}  (http://127.0.0.1:8000/login)")
        self.stdout.write(f"  Admin login:      {ADMIN_EMAIL} / {ADMIN_PASSWORD}  (http://127.0.0.1:8000/admin/)")
        self.stdout.write(
            f"  Org admin login:  {OPS_EMAIL} / {OPS_PASSWORD}  (http://127.0.0.1:8000/admin/, sees {DEMO_ORG} only)"
        )

    def _user(self, email, password, name, **flags) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, name=name, **flags)
        return user

    def _ops_user(self, org: Organization) -> None:
        ops = self._user(OPS_EMAIL, OPS_PASSWORD, "Oscar Ops", is_staff=True)
        Membership.objects.get_or_create(organization=org, user=ops, defaults={"role": Membership.Role.ADMIN})

    def _seed(self, lead_count: int) -> bool:
        demo = self._user(DEMO_EMAIL, DEMO_PASSWORD, "Dana Demo")
        self._user(ADMIN_EMAIL, ADMIN_PASSWORD, "Ada Admin", is_staff=True, is_superuser=True)
        existing = Organization.objects.filter(name=DEMO_ORG, memberships__user=demo).first()
        if existing is not None:
            self._ops_user(existing)
            return False

        rng = random.Random(2024)
        org = create_organization(owner=demo, name=DEMO_ORG)
        reps = [demo] + [
            self._user(f"{first.lower()}@vchata.dev", DEMO_PASSWORD, f"{first} {last}")
            for first, last in [("Sam", "Rivera"), ("Kim", "Lee")]
        ]
        for rep in reps[1:]:
            Membership.objects.get_or_create(organization=org, user=rep, defaults={"role": Membership.Role.MEMBER})
        self._ops_user(org)
        pipeline = org.pipeline_set.get(is_default=True)
        stages = list(pipeline.stages.order_by("order"))
        campaigns = [Campaign.objects.create(organization=org, name=n, utm_campaign=key) for n, key, _, _ in CAMPAIGNS]
        account = SocialAccount.objects.create(
            organization=org, platform="INSTAGRAM", platform_id="northwind.demo", name="Northwind on Instagram"
        )
        post = ContentPost.objects.create(
            organization=org,
            social_account=account,
            platform_post_id="3141592653",
            content="Our spring collection is here!",
            url="https://instagram.com/p/3141592653",
        )

        now = timezone.now()
        for index in range(lead_count):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            source = rng.choice(SOURCES)
            campaign_name, utm_key, utm_source, utm_medium = (
                rng.choice(CAMPAIGNS) if rng.random() < 0.6 else (None, None, None, None)
            )
            lead, _ = create_lead_with_contact(
                org=org,
                actor=demo,
                contact={
                    "name": f"{first} {last}",
                    "email": f"{first}.{last}.{index}@example.com".lower(),
                    "phone": f"+1555{rng.randint(1000000, 9999999)}",
                    "company": rng.choice(COMPANIES),
                },
                pipeline=pipeline,
                source=source,
                value=Decimal(rng.choice([500, 750, 1000, 1500, 2500, 4000, 8000])),
                notes=rng.choice(NOTES),
                utm_source=utm_source,
                utm_medium=utm_medium,
                utm_campaign=utm_key,
                assigned_to=rng.choice(reps),
                social_account=account if source == "social_media" else None,
                content_post=post if source == "social_media" else None,
            )
            # Walk the lead forward a random number of stages, with activities on the way.
            target = rng.choices(range(len(stages)), weights=[30, 25, 20, 15, 10])[0]
            lost = target == len(stages) - 1
            path = stages[1 : rng.randint(1, 3)] + [stages[-1]] if lost else stages[1 : target + 1]
            for stage in path:
                kind = rng.choice(list(ACTIVITY_TEXT))
                add_activity(
                    org=org, actor=lead.assigned_to, lead_id=lead.pk, type=kind, description=ACTIVITY_TEXT[kind]
                )
                move_lead_to_stage(org=org, actor=demo, lead_id=lead.pk, stage_id=stage.pk)
            if campaign_name is None and rng.random() < 0.2:
                update_lead(org=org, actor=demo, lead_id=lead.pk, changes={"campaign": rng.choice(campaigns)})
            self._spread_in_time(lead, now - timedelta(days=rng.randint(1, 90)), rng)

        conversation = Conversation.objects.create(
            organization=org,
            social_account=account,
            content_post=post,
            participant_name="Jane Smith",
            participant_handle="@janesmith",
            participant_email="jane.smith@example.com",
        )
        Message.objects.create(
            conversation=conversation,
            direction="IN",
            text="Hi! Is the spring bundle in stock?",
            sent_at=now - timedelta(hours=3),
        )
        Message.objects.create(
            conversation=conversation, direction="OUT", text="It is! Want a quote?", sent_at=now - timedelta(hours=2)
        )
        return True

    @staticmethod
    def _spread_in_time(lead: Lead, created: "timezone.datetime", rng: random.Random) -> None:
        """Back-date a freshly seeded lead so the demo has history: stage visits days apart, and each
        activity and change record at the time of the action that wrote it (the timeline shows a move once)."""
        visits = list(StageVisit.objects.filter(lead=lead).order_by("entered_at", "id"))
        # Entry times spread between creation and now (never in the future).
        now = timezone.now()
        span = now - created
        offsets = [0.0] + sorted(rng.uniform(0.05, 0.95) for _ in visits[1:])
        entries = [created + span * offset for offset in offsets]
        for visit, entered, left in zip(visits, entries, entries[1:] + [None], strict=True):
            visit.entered_at = entered
            if visit.left_at is not None:
                visit.left_at = left
            visit.save(update_fields=["entered_at", "left_at"])
        last = entries[-1]

        # Seeding wrote, in order: the creation, then per move a logged activity and the move; then maybe a
        # campaign change. The k-th move happened when the k-th visit was entered; what was logged before
        # it, halfway since the previous one.
        moves = iter(entries[1:])
        previous = created
        for activity in Activity.objects.filter(lead=lead).order_by("created_at", "id"):
            if activity.type == Activity.Type.STAGE_CHANGED:
                previous = next(moves, last)
                when = previous
            elif activity.type in Activity.SYSTEM_TYPES:
                when = previous
            else:
                following = entries[entries.index(previous) + 1] if previous in entries[:-1] else now
                when = previous + (following - previous) / 2
            Activity.objects.filter(pk=activity.pk).update(created_at=when)
        change_times = iter([created, *entries[1:]])
        for change in LeadChange.objects.filter(lead=lead).order_by("created_at", "id"):
            LeadChange.objects.filter(pk=change.pk).update(created_at=next(change_times, last))

        lead.refresh_from_db(fields=["status"])
        Lead.objects.filter(pk=lead.pk).update(
            created_at=created,
            updated_at=last,
            last_activity_at=last,
            converted_at=last if lead.status == "CONVERTED" else None,
        )
