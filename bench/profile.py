"""Where a request's time goes, in-process: ``python -m bench.profile`` (pyinstrument, a dev requirement).

Profiles a bare Django view, ``GET /auth/me``, a 20-lead list page, a 50-lead page of one
stage, the lead detail (its 100 newest activities) and the board page on the
benchmark database (``bench/run.py`` makes it), each over many requests so the
sampler sees the fixed cost rather than one request's noise, and prints each
call tree from the WSGI entry down. Options: ``--requests N`` per route,
``--depth`` (frames shown below the entry), ``--html DIR`` (also write HTML trees).
"""

import argparse
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vchata_perf")
os.environ.setdefault("JWT_ACCESS_MINUTES", "600")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--html", default="")
    parser.add_argument("--only", default="", help="only the routes whose label contains this")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from pyinstrument import Profiler

    from bench import org as bench_org

    from .client import InProcess, Request
    from .scenario import Scenario

    found = bench_org.find()
    if found is None:
        print("No benchmark org: run `make bench` first.")
        return 2
    scenario = Scenario.build(found)
    client = InProcess(scenario.token, scenario.session_cookie)
    routes = {
        "bare Django view": Request("GET", "/bench/ceiling"),
        "/auth/me": Request("GET", "/auth/me"),
        "list, 20 leads": Request("GET", f"/leads/{scenario.org_id}", "limit=20"),
        "list by stage, 50 leads": Request(
            "GET", f"/leads/{scenario.org_id}", f"stageId={scenario.stage_ids[1]}&limit=50"
        ),
        "lead detail": Request("GET", f"/leads/{scenario.org_id}/{scenario.detail_lead_id}"),
        "board page": Request("GET", f"/app/{scenario.org_id}/pipelines/{scenario.board_pipeline_id}/"),
    }
    for label, request in routes.items():
        if args.only not in label:
            continue
        for _ in range(50):  # warm: imports, connections, cached totals
            client.send(request)
        total = 0
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.requests):
            total += client.send(request).nanoseconds
        profiler.stop()
        print(f"\n=== {label}: {total / args.requests / 1e6:.2f} ms a request over {args.requests} requests ===")
        print(profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False))
        if args.html:
            path = os.path.join(args.html, label.replace("/", "").replace(" ", "-").replace(",", "") + ".html")
            with open(path, "w") as out:
                out.write(profiler.output_html())
    return 0


if __name__ == "__main__":
    sys.exit(main())
