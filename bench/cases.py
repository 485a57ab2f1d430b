"""The measured cases: each request to the app next to its floor, and the table they make."""

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from leads.counting import lead_changes, lead_counts
from leads.models import Lead
from vchata.counts import CountCache
from vchata.pagination import decode_cursor

from . import floors
from .client import InProcess, Request
from .measure import Result, count_queries, time_pair
from .scenario import Scenario

LIST_DETAIL_BOARD = 2.0
ANALYTICS = 1.5
NO_TARGET = float("inf")


@dataclass
class Case:
    name: str
    request: Callable[[], Request]  # a fresh request per call (writes need new bodies)
    floor: Callable[[], bytes]
    target: float
    expect: int = 200
    compare: bool = True  # the floor's JSON must equal the app's
    notes: list[str] = field(default_factory=list)


def _cycle_stages(stage_ids: list[str]) -> Callable[[], str]:
    """Alternates between two stages, so every call is an effective move."""
    targets = itertools.cycle([stage_ids[2], stage_ids[1]])
    return lambda: next(targets)


def build_cases(s: Scenario) -> list[Case]:
    leads = f"/leads/{s.org_id}"
    board = f"/app/{s.org_id}/pipelines/{s.board_pipeline_id}/"
    stage = s.stage_ids[1]
    app_move, floor_move = _cycle_stages(s.stage_ids), _cycle_stages(s.stage_ids)
    app_n, floor_n = itertools.count(), itertools.count()

    def new_contact(counter, tag: str) -> dict:
        n = next(counter)
        return {"name": f"Bench {tag} {n}", "email": f"bench-{tag}-{n}-{id(counter)}@new.test", "company": "Bench"}

    def analytics(name: str, route: str, floor: Callable[[], bytes], query: str = "") -> Case:
        return Case(name, lambda: Request("GET", f"{leads}/{route}", query), floor, ANALYTICS)

    pipeline_query = f"pipelineId={s.board_pipeline_id}"
    # What an up-to-date board sends, read once when the poll cases start (after the write cases ran).
    poll_query = functools.cache(lambda: _fingerprint_query(s))
    deep_cursor = _cursor_of_page(s, 10_000)
    position = decode_cursor(deep_cursor, floors.NEWEST_FIRST, Lead)
    deep_position = (position.key, position.pk, position.offset)
    return [
        Case(
            "list: first page, limit 50",
            lambda: Request("GET", leads, "limit=50"),
            lambda: floors.lead_list(s.org_id),
            LIST_DETAIL_BOARD,
        ),
        Case(
            "list: first page, total not cached",
            lambda: _after_a_write(lead_counts, s, Request("GET", leads, "limit=50")),
            lambda: floors.lead_list(s.org_id),
            LIST_DETAIL_BOARD,
        ),
        Case(
            "list: by stage",
            lambda: Request("GET", leads, f"stageId={stage}&limit=50"),
            lambda: floors.lead_list(s.org_id, stage_id=stage),
            LIST_DETAIL_BOARD,
        ),
        Case(
            "list: search text",
            lambda: Request("GET", leads, f"search={s.search}&limit=50"),
            lambda: floors.lead_list(s.org_id, search=s.search),
            LIST_DETAIL_BOARD,
        ),
        Case(
            "list: page 1,000",
            lambda: Request("GET", leads, "page=1000&limit=50"),
            lambda: floors.lead_list(s.org_id, page=1000),
            LIST_DETAIL_BOARD,
        ),
        Case(
            "list: page 10,000 (linearity)",
            lambda: Request("GET", leads, "page=10000&limit=50"),
            lambda: floors.lead_list(s.org_id, page=10000),
            LIST_DETAIL_BOARD,
        ),
        Case(
            "list: page 10,000 by cursor",
            lambda: Request("GET", leads, f"limit=50&cursor={deep_cursor}"),
            lambda: floors.lead_list(s.org_id, after=deep_position),
            LIST_DETAIL_BOARD,
        ),
        Case(
            "detail: 200 activities",
            lambda: Request("GET", f"{leads}/{s.detail_lead_id}"),
            lambda: floors.lead_detail(s.org_id, s.detail_lead_id),
            LIST_DETAIL_BOARD,
        ),
        Case(
            "move-stage",
            lambda: Request("POST", f"{leads}/{s.move_lead_ids[0]}/move-stage", body={"stageId": app_move()}),
            lambda: floors.move_stage(s.org_id, s.owner_id, s.move_lead_ids[1], floor_move()),
            NO_TARGET,
            compare=False,
        ),
        Case(
            "create with-contact",
            lambda: Request(
                "POST",
                f"{leads}/with-contact",
                body={
                    "contact": new_contact(app_n, "app"),
                    "pipelineId": s.board_pipeline_id,
                    "source": "website",
                    "value": 1200,
                },
            ),
            lambda: floors.create_with_contact(
                s.org_id, s.owner_id, s.board_pipeline_id, new_contact(floor_n, "floor"), "website", 1200
            ),
            NO_TARGET,
            expect=201,
            compare=False,
        ),
        analytics("analytics: stats", "stats", lambda: floors.stats(s.org_id)),
        analytics("analytics: sources", "analytics/sources", lambda: floors.sources(s.org_id)),
        analytics("analytics: campaigns", "analytics/campaigns", lambda: floors.campaigns(s.org_id)),
        analytics(
            "analytics: pipeline",
            "analytics/pipeline",
            lambda: floors.pipeline(s.org_id, s.board_pipeline_id),
            pipeline_query,
        ),
        analytics(
            "analytics: funnel",
            "analytics/funnel",
            lambda: floors.funnel(s.org_id, s.board_pipeline_id),
            pipeline_query,
        ),
        Case(
            f"board page ({s.board_leads:,} leads)",
            lambda: Request("GET", board),
            lambda: floors.board(s.org_id, s.board_pipeline_id),
            LIST_DETAIL_BOARD,
            compare=False,
        ),
        Case(
            "board live-update poll",
            lambda: Request("GET", f"{board}changes/", poll_query()),
            lambda: floors.board_changes(s.org_id, s.board_pipeline_id),
            LIST_DETAIL_BOARD,
            expect=204,
            compare=False,
        ),
        Case(
            "board poll, right after a write",
            lambda: _after_a_write(lead_changes, s, Request("GET", f"{board}changes/", poll_query())),
            lambda: floors.board_changes(s.org_id, s.board_pipeline_id),
            LIST_DETAIL_BOARD,
            expect=204,
            compare=False,
        ),
    ]


def _after_a_write(generation: CountCache, s: Scenario, request: Request) -> Request:
    """``request`` as it comes right after a lead write: what the org kept under ``generation`` is gone."""
    generation.bump(s.org_id)
    return request


def _cursor_of_page(s: Scenario, page: int) -> str:
    """The nextCursor the app gives on the page before ``page``: what a client walking by cursor would hold."""
    reply = InProcess(s.token).send(Request("GET", f"/leads/{s.org_id}", f"page={page - 1}&limit=50"))
    return reply.json()["pagination"]["nextCursor"]


def _fingerprint_query(s: Scenario) -> str:
    """The poll of a board that is up to date (the common case: nothing changed, 204)."""
    from pipelines.board import selectors

    org = Lead.objects.get(pk=s.detail_lead_id).organization
    pipeline = org.pipeline_set.get(pk=s.board_pipeline_id)
    current = selectors.board_fingerprints(org=org, pipeline=pipeline)
    return "&".join(f"fp={stage_id}:{fp}" for stage_id, fp in current.items())


def _same(app_body: bytes, floor_body: bytes) -> bool:
    return orjson.loads(app_body) == orjson.loads(floor_body)


def run_cases(s: Scenario, *, repeats: int, only: str = "") -> list[tuple[Result, str]]:
    client = InProcess(s.token, s.session_cookie)
    results = []
    for case in build_cases(s):
        if only and only not in case.name:
            continue
        first = client.send(case.request())
        if first.status != case.expect:
            raise RuntimeError(f"{case.name}: answered {first.status}: {first.body[:300]!r}")
        agreement = "—"
        if case.compare:
            agreement = "same" if _same(client.send(case.request()).body, case.floor()) else "DIFFERS"
        queries = count_queries(client, case.request(), expect=case.expect)
        app, floor = time_pair(lambda case=case: client.send(case.request()), case.floor, repeats)
        result = Result(case.name, app, floor, queries, case.target)
        results.append((result, agreement))
        print(f"  {case.name:<34} app {app.median_ms:8.2f} ms   floor {floor.median_ms:8.2f} ms", flush=True)
    return results


def fixed_costs(s: Scenario, *, repeats: int) -> str:
    """What every request pays before any work of its own: the stack, then authentication and membership."""
    client = InProcess(s.token, s.session_cookie)
    bare = Request("GET", "/bench/ceiling")
    me = Request("GET", "/auth/me")
    bare_time, me_time = time_pair(lambda: client.send(bare), lambda: client.send(me), repeats)
    return (
        "Fixed cost per request, in-process: "
        f"bare Django view {bare_time.median_ms:.2f} ms (p95 {bare_time.p95_ms:.2f}); "
        f"GET /auth/me (JWT, user, memberships) {me_time.median_ms:.2f} ms (p95 {me_time.p95_ms:.2f})"
    )


def latency_table(results: list[tuple[Result, str]]) -> str:
    header = (
        f"| {'case':<34} | {'app median':>10} | {'app p95':>9} | {'queries':>7} | {'floor median':>12} | "
        f"{'floor p95':>9} | {'ratio':>6} | {'target':>6} | {'met':<4} | {'floor = app':<11} |"
    )
    lines = [header, "|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|"]
    for result, agreement in results:
        target = "—" if result.target == NO_TARGET else f"≤{result.target:g}×"
        met = "—" if result.target == NO_TARGET else ("yes" if result.met else "NO")
        lines.append(
            f"| {result.name:<34} | {result.app.median_ms:7.2f} ms | {result.app.p95_ms:6.2f} ms | "
            f"{result.queries:>7} | {result.floor.median_ms:9.2f} ms | {result.floor.p95_ms:6.2f} ms | "
            f"{result.ratio:5.2f}× | {target:>6} | {met:<4} | {agreement:<11} |"
        )
    return "\n".join(lines)
