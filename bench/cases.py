"""The measured cases: each request to the app next to its floor (and the old way's live SQL), and their table.

A case is a request, its floor (``bench/floors.py``: the same answer with the
least work) and optionally ``live``: the same answer computed the way it was
before an optimisation (the live aggregate a rollup replaces, the search
before its index), so the table shows app, old way and floor side by side.
Every body is compared with the floor's before anything is timed.
"""

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import orjson

from leads.counting import lead_changes, lead_counts
from leads.models import Lead
from vchata.counts import CountCache
from vchata.pagination import decode_cursor

from . import board_page, floors, sales_floors
from .client import InProcess, Request
from .measure import Result, count_queries, statements, time_all, time_pair
from .scenario import Scenario

LIST_DETAIL_BOARD = 2.0
WRITES = 2.0
ANALYTICS = 1.5
NO_TARGET = float("inf")
SEARCH_MS = 50.0


def same_json(app_body: bytes, floor_body: bytes) -> bool:
    return orjson.loads(app_body) == orjson.loads(floor_body)


def same_shape(app_body: bytes, floor_body: bytes) -> bool:
    """The same keys and kinds of value all the way down: for writes, whose ids and instants are new each time."""

    def shape(value):
        if isinstance(value, dict):
            return {key: shape(item) for key, item in value.items()}
        if isinstance(value, list):
            return [shape(item) for item in value]
        return type(value).__name__

    return shape(orjson.loads(app_body)) == shape(orjson.loads(floor_body))


def same_body(app_body: bytes, floor_body: bytes) -> bool:
    return app_body == floor_body


@dataclass
class Case:
    name: str
    request: Callable[[], Request]  # a fresh request per call (writes need new bodies)
    floor: Callable[[], bytes]
    target: float
    expect: int = 200
    compare: Callable[[bytes, bytes], bool] = same_json  # how the floor's body must match the app's
    live: Callable[[], bytes] | None = None  # the old way's live SQL: a third column
    # How the old way's body must match the floor's (default: as the app's does; the dashboard's is no page).
    compare_live: Callable[[bytes, bytes], bool] | None = None
    target_ms: float | None = None  # a ceiling on the app's median too
    notes: list[str] = field(default_factory=list)


def _cycle_stages(stage_ids: list[str]) -> Callable[[], str]:
    """Alternates between two stages, so every call is an effective move."""
    targets = itertools.cycle([stage_ids[2], stage_ids[1]])
    return lambda: next(targets)


def build_cases(s: Scenario) -> list[Case]:
    leads = f"/leads/{s.org_id}"
    board = f"/app/{s.org_id}/pipelines/{s.board_pipeline_id}/"
    stage = s.stage_ids[1]

    def search(label: str, text: str) -> Case:
        return Case(
            f"search: {label}",
            lambda: Request("GET", leads, f"search={quote(text)}&limit=50"),
            lambda: floors.lead_search(s.org_id, text),
            LIST_DETAIL_BOARD,
            live=lambda: floors.lead_search_the_old_way(s.org_id, text),
            target_ms=SEARCH_MS,
        )

    app_move, floor_move = _cycle_stages(s.stage_ids), _cycle_stages(s.stage_ids)
    app_n, floor_n = itertools.count(), itertools.count()

    def new_contact(counter, tag: str) -> dict:
        n = next(counter)
        return {"name": f"Bench {tag} {n}", "email": f"bench-{tag}-{n}-{id(counter)}@new.test", "company": "Bench"}

    def analytics(name: str, route: str, floor: Callable[[], bytes], query: str = "", **rolled) -> Case:
        return Case(name, lambda: Request("GET", f"{leads}/{route}", query), floor, ANALYTICS, **rolled)

    pipeline_query = f"pipelineId={s.board_pipeline_id}"
    # What an up-to-date board sends, read once when the poll cases start (after the write cases ran).
    poll_query = functools.cache(lambda: _fingerprint_query(s))
    # Read when the case first runs (an org of fewer than 500,000 leads has no page 10,000 to point at).
    deep_cursor = functools.cache(lambda: _cursor_of_page(s, 10_000))
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
            lambda: floors.lead_list(s.org_id, cache_total=False),
            LIST_DETAIL_BOARD,
        ),
        Case(
            "list: by stage",
            lambda: Request("GET", leads, f"stageId={stage}&limit=50"),
            lambda: floors.lead_list(s.org_id, stage_id=stage),
            LIST_DETAIL_BOARD,
        ),
        search("name", s.search),
        search("email fragment", s.search_email),
        search("company", s.search_company),
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
            lambda: Request("GET", leads, f"limit=50&cursor={deep_cursor()}"),
            lambda: floors.lead_list(s.org_id, after=_position(deep_cursor())),
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
            WRITES,
            compare=same_shape,
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
            WRITES,
            expect=201,
            compare=same_shape,
        ),
        # Served from the rollup: its floor reads the rollup too, the old way's live SQL is the third column.
        analytics(
            "analytics: stats",
            "stats",
            lambda: floors.stats_rolled(s.org_id),
            live=lambda: floors.stats(s.org_id),
            target_ms=20,
        ),
        analytics(
            "analytics: sources",
            "analytics/sources",
            lambda: floors.sources_rolled(s.org_id),
            live=lambda: floors.sources(s.org_id),
            target_ms=20,
        ),
        analytics(
            "analytics: campaigns",
            "analytics/campaigns",
            lambda: floors.campaigns_rolled(s.org_id),
            live=lambda: floors.campaigns(s.org_id),
            target_ms=20,
        ),
        analytics(
            "analytics: pipeline",
            "analytics/pipeline",
            lambda: floors.pipeline_rolled(s.org_id, s.board_pipeline_id),
            pipeline_query,
            live=lambda: floors.pipeline(s.org_id, s.board_pipeline_id),
            target_ms=20,
        ),
        analytics(
            "analytics: funnel",
            "analytics/funnel",
            lambda: floors.funnel(s.org_id, s.board_pipeline_id, rolled=True),
            pipeline_query,
            live=lambda: floors.funnel(s.org_id, s.board_pipeline_id),
            target_ms=20,
        ),
        analytics(
            "analytics: forecast",
            "analytics/forecast",
            lambda: sales_floors.forecast(s.org_id),
            live=lambda: sales_floors.forecast(s.org_id, rolled=False),
            target_ms=20,
        ),
        analytics(
            "analytics: win-loss",
            "analytics/win-loss",
            lambda: sales_floors.win_loss(s.org_id),
            live=lambda: sales_floors.win_loss(s.org_id, rolled=False),
            target_ms=20,
        ),
        # The dashboard page as a whole: its floor is every panel's floor; the page must show their total.
        Case(
            "analytics: dashboard page",
            lambda: Request("GET", f"/app/{s.org_id}/analytics/", "pipeline=all"),
            lambda: dashboard_floor(s),
            NO_TARGET,
            compare=shows_the_total,
            live=lambda: dashboard_floor(s, rolled=False),
            compare_live=same_json_lines,
            target_ms=100,
        ),
        Case(
            f"board page ({s.board_leads:,} leads)",
            lambda: Request("GET", board),
            lambda: board_page.board(s.org_id, s.board_pipeline_id, s.owner_id),
            LIST_DETAIL_BOARD,
            compare=board_page.same_page,
            live=lambda: board_page.board(
                s.org_id, s.board_pipeline_id, s.owner_id, columns_sql=board_page.LIVE_COLUMNS
            ),
            target_ms=20,
        ),
        Case(
            "board live-update poll",
            lambda: Request("GET", f"{board}changes/", poll_query()),
            lambda: floors.board_changes(s.org_id, s.board_pipeline_id, _seen(poll_query())),
            LIST_DETAIL_BOARD,
            expect=204,
            compare=same_body,
        ),
        Case(
            "board poll, right after a write",
            lambda: _after_a_write(lead_changes, s, Request("GET", f"{board}changes/", poll_query())),
            lambda: floors.board_changes(s.org_id, s.board_pipeline_id, _seen(poll_query()), cached=False),
            LIST_DETAIL_BOARD,
            expect=204,
            compare=same_body,
        ),
    ]


def dashboard_floor(s: Scenario, *, rolled: bool = True) -> bytes:
    """The dashboard's figures (stats, sources, campaigns, pipeline, funnel, forecast, win/loss), as JSON lines."""
    pipeline = s.board_pipeline_id
    parts = [
        floors.stats_rolled(s.org_id) if rolled else floors.stats(s.org_id),
        floors.sources_rolled(s.org_id) if rolled else floors.sources(s.org_id),
        floors.campaigns_rolled(s.org_id) if rolled else floors.campaigns(s.org_id),
        floors.pipeline_rolled(s.org_id, pipeline) if rolled else floors.pipeline(s.org_id, pipeline),
        floors.funnel(s.org_id, pipeline, rolled=rolled),
        sales_floors.forecast(s.org_id, rolled=rolled),
        sales_floors.win_loss(s.org_id, rolled=rolled),
    ]
    return b"\n".join(parts)


def same_json_lines(live: bytes, floor: bytes) -> bool:
    """The dashboard's old way against its floor: each panel's figures equal."""
    return [orjson.loads(line) for line in live.split(b"\n")] == [orjson.loads(line) for line in floor.split(b"\n")]


def shows_the_total(page: bytes, floor: bytes) -> bool:
    total = orjson.loads(floor.split(b"\n")[0])["stats"]["totalLeads"]
    return f'data-stat="totalLeads">{total}<'.encode() in page


def _seen(poll_query: str) -> dict[str, str]:
    """The ``{stage_id: fingerprint}`` a poll sends (``fp=<stage>:<fingerprint>`` pairs)."""
    return dict(pair.removeprefix("fp=").split(":", 1) for pair in poll_query.split("&"))


def _after_a_write(generation: CountCache, s: Scenario, request: Request) -> Request:
    """``request`` as it comes right after a lead write: what the org kept under ``generation`` is gone."""
    generation.bump(s.org_id)
    return request


def _cursor_of_page(s: Scenario, page: int) -> str:
    """The nextCursor the app gives on the page before ``page``: what a client walking by cursor would hold."""
    reply = InProcess(s.token).send(Request("GET", f"/leads/{s.org_id}", f"page={page - 1}&limit=50"))
    return reply.json()["pagination"]["nextCursor"]


def _position(cursor: str) -> tuple:
    """(created_at, id, rows before) of the row a list cursor points after."""
    position = decode_cursor(cursor, floors.NEWEST_FIRST, Lead)
    return position.key, position.pk, position.offset


def _fingerprint_query(s: Scenario) -> str:
    """The poll of a board that is up to date (the common case: nothing changed, 204)."""
    from pipelines.board import selectors

    org = Lead.objects.get(pk=s.detail_lead_id).organization
    pipeline = org.pipeline_set.get(pk=s.board_pipeline_id)
    current = selectors.board_fingerprints(org=org, pipeline=pipeline)
    return "&".join(f"fp={stage_id}:{fp}" for stage_id, fp in current.items())


def run_cases(s: Scenario, *, repeats: int, only: str = "") -> list[tuple[Result, str]]:
    client = InProcess(s.token, s.session_cookie)
    results = []
    for case in build_cases(s):
        if only and only not in case.name:
            continue
        first = client.send(case.request())
        if first.status != case.expect:
            raise RuntimeError(f"{case.name}: answered {first.status}: {first.body[:300]!r}")
        floor_body = case.floor()
        agreement = "same" if case.compare(client.send(case.request()).body, floor_body) else "DIFFERS"
        if case.live is not None and not (case.compare_live or case.compare)(case.live(), floor_body):
            agreement += ", live DIFFERS"
        queries = count_queries(client, case.request(), expect=case.expect)
        floor_queries = statements(case.floor)
        calls = [lambda case=case: client.send(case.request()), case.floor]
        if case.live is not None:
            calls.append(case.live)
        app, floor, *live = time_all(calls, repeats)
        result = Result(
            case.name,
            app,
            floor,
            queries,
            case.target,
            floor_queries=floor_queries,
            live=live[0] if live else None,
            target_ms=case.target_ms,
        )
        results.append((result, agreement))
        old_way = f"   live {live[0].median_ms:8.2f} ms" if live else ""
        print(f"  {case.name:<34} app {app.median_ms:8.2f} ms   floor {floor.median_ms:8.2f} ms{old_way}", flush=True)
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


COLUMNS = (
    ("case", 34),
    ("app median", 10),
    ("app p95", 9),
    ("stmts", 5),
    ("floor median", 12),
    ("floor p95", 9),
    ("stmts", 5),
    ("live (old way)", 14),
    ("ratio", 6),
    ("old ÷ app", 9),
    ("target", 13),
    ("met", 4),
    ("floor = app", 11),
)


def latency_table(results: list[tuple[Result, str]]) -> str:
    """App, floor and (where a case has one) the old way's live SQL; ratio is app ÷ floor."""
    header = "| " + " | ".join(f"{name:<{width}}" if i == 0 else f"{name:>{width}}" for i, (name, width) in
                             enumerate(COLUMNS)) + " |"  # fmt: skip
    lines = [header, "|" + "|".join("-" * (width + 2) for _, width in COLUMNS) + "|"]
    for result, agreement in results:
        target = "—" if result.target == NO_TARGET else f"≤{result.target:g}×"
        if result.target_ms is not None:
            target += f", ≤{result.target_ms:g} ms"
        met = "—" if result.target == NO_TARGET else ("yes" if result.met else "NO")
        live = f"{result.live.median_ms:11.2f} ms" if result.live else "—"
        faster = f"{result.live_ratio:8.1f}×" if result.live_ratio is not None else "—"
        cells = [
            f"{result.name:<34}",
            f"{result.app.median_ms:7.2f} ms",
            f"{result.app.p95_ms:6.2f} ms",
            f"{result.queries:>5}",
            f"{result.floor.median_ms:9.2f} ms",
            f"{result.floor.p95_ms:6.2f} ms",
            f"{result.floor_queries:>5}",
            f"{live:>14}",
            f"{result.ratio:5.2f}×",
            f"{faster:>9}",
            f"{target:>13}",
            f"{met:<4}",
            f"{agreement:<11}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
