"""What the cases need from the generated org: ids, credentials, search terms."""

from dataclasses import dataclass

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from rest_framework_simplejwt.tokens import RefreshToken

from leads.models import Contact, Lead
from pipelines.models import Stage

from .org import BenchOrg

# A surname of the generated contacts: about one contact in 900 has it, as when a rep looks someone up.
SEARCH = "Holberg"
# The contact whose address and company the other two searches type part of (a seventh into the contacts).
SEARCHED_CONTACT = 1 / 7


@dataclass(frozen=True)
class Scenario:
    org_id: str
    owner_id: str
    token: str
    session_cookie: str
    board_pipeline_id: str
    board_leads: int
    stage_ids: list[str]  # of the board pipeline, in order
    detail_lead_id: str
    move_lead_ids: tuple[str, str]  # one for the app, one for the floor
    search: str
    search_hits: int
    search_email: str  # an email fragment: the start of one contact's address, up to the "@"
    search_company: str  # a company without its legal suffix ("Blue Labs", not "Blue Labs Inc")

    @classmethod
    def build(cls, bench: BenchOrg) -> "Scenario":
        pipeline = bench.pipelines[0]
        stage_ids = list(Stage.objects.filter(pipeline=pipeline).order_by("order").values_list("id", flat=True))
        board_leads = Lead.objects.for_org(bench.org).filter(pipeline=pipeline).count()
        first_mover = min(1000, board_leads // 2)  # a small org (the suite's) has fewer than 1,000
        movers = list(
            Lead.objects.for_org(bench.org)
            .filter(pipeline=pipeline)
            .exclude(pk=bench.detail_lead_id)
            .order_by("id")
            .values_list("id", flat=True)[first_mover : first_mover + 2]
        )
        session = SessionStore()
        session[SESSION_KEY] = bench.owner.pk
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = bench.owner.get_session_auth_hash()
        session.create()
        contacts = Contact.objects.for_org(bench.org).order_by("id")
        searched = contacts[int(contacts.count() * SEARCHED_CONTACT)]
        return cls(
            org_id=bench.org.pk,
            owner_id=bench.owner.pk,
            token=str(RefreshToken.for_user(bench.owner).access_token),
            session_cookie=f"sessionid={session.session_key}",
            board_pipeline_id=pipeline.pk,
            board_leads=board_leads,
            stage_ids=stage_ids,
            detail_lead_id=bench.detail_lead_id,
            move_lead_ids=(movers[0], movers[1]),
            search=SEARCH,
            search_hits=Contact.objects.for_org(bench.org).filter(name__icontains=SEARCH).count(),
            search_email=searched.email.split("@")[0] + "@",
            search_company=searched.company.rsplit(" ", 1)[0],
        )
