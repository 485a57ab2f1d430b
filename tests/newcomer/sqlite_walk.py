"""A newcomer's first minutes on `make run`'s SQLite database, as a script: run by test_make_run_database.

Signs in as the demo user and uses the board, a lead page and the API's writes (create with a
contact, move, update, close), each answered without a 5xx. Prints one line per step; exits non-zero if any step failed.
"""

import sys

from django.test import Client

from leads.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD
from leads.models import Lead
from pipelines.models import Pipeline

FAILED = []


def check(step: str, response, expected: int) -> None:
    print(f"step {step}: {response.status_code}")
    if response.status_code != expected:
        FAILED.append(f"{step}: {response.status_code}, not {expected}")


def walk() -> None:
    page = Client(SERVER_NAME="localhost", raise_request_exception=False)  # a host `make run` serves
    check("sign in", page.post("/login", {"username": DEMO_EMAIL, "password": DEMO_PASSWORD}), 302)
    pipeline = Pipeline.objects.filter(is_default=True).select_related("organization").first()
    org = pipeline.organization
    app = f"/app/{org.pk}"
    board = f"{app}/pipelines/{pipeline.pk}/"
    stages = list(pipeline.stages.order_by("order").values_list("pk", flat=True))
    lead = Lead.objects.filter(organization=org, pipeline=pipeline).select_related("contact").first()
    pages = {
        "board": (board, {}, 200),
        "board search": (board, {"search": "a"}, 200),
        "board column's next cards": (f"{board}stages/{stages[0]}/cards/", {}, 200),
        "board poll": (f"{board}changes/", {}, 204),
        "lead page": (f"{app}/leads/{lead.pk}/", {}, 200),
        "lead timeline": (f"{app}/leads/{lead.pk}/timeline/", {}, 200),
        "contact page": (f"{app}/contacts/{lead.contact_id}/", {}, 200),
        "lead list": (f"{app}/leads/", {}, 200),
        "lead list search": (f"{app}/leads/", {"search": "a"}, 200),
        "lead list by stage": (f"{app}/leads/", {"stage": stages[1]}, 200),
        "my work": (f"{app}/my-work/", {}, 200),
        "analytics": (f"{app}/analytics/", {}, 200),
        "analytics of a pipeline, dated": (f"{app}/analytics/", {"pipeline": pipeline.pk, "start": "2024-01-01"}, 200),
    }
    for step, (url, query, expected) in pages.items():
        check(step, page.get(url, query), expected)
    check("global search", page.get(f"{app}/search/", {"search": "ana"}, HTTP_HX_REQUEST="true"), 200)
    moved = page.post(f"{board}leads/{lead.pk}/move/", {"stage": stages[2]}, HTTP_HX_REQUEST="true")
    check("board move", moved, 200)
    if Lead.objects.get(pk=lead.pk).stage_id != stages[2]:
        FAILED.append("board move: the lead did not move")

    api = Client(SERVER_NAME="localhost", raise_request_exception=False)
    token = api.post("/auth/token", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}, content_type="application/json")
    check("token", token, 200)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token.json()['access']}", "content_type": "application/json"}
    leads = f"/leads/{org.pk}"
    body = {"contact": {"name": "New Comer", "email": "new.comer@example.com"}, "pipelineId": pipeline.pk, "value": 900}
    created = api.post(f"{leads}/with-contact", body, **auth)
    check("create with contact", created, 201)
    lead_id = created.json()["lead"]["id"]
    check("move", api.post(f"{leads}/{lead_id}/move-stage", {"stageId": stages[1]}, **auth), 200)
    check("update", api.patch(f"{leads}/{lead_id}", {"value": 1200, "notes": "Called"}, **auth), 200)
    check("convert", api.patch(f"{leads}/{lead_id}", {"status": "CONVERTED"}, **auth), 200)
    check("list", api.get(leads, {"search": "comer"}, **{"HTTP_AUTHORIZATION": auth["HTTP_AUTHORIZATION"]}), 200)
    check("stats", api.get(f"{leads}/stats", **{"HTTP_AUTHORIZATION": auth["HTTP_AUTHORIZATION"]}), 200)


walk()
if FAILED:
    sys.exit("\n".join(FAILED))
