"""CPU time per request of the pages that read rollup-time figures — the dashboard, the
commitment fulfilment overview, the standoff table and a pulse's results — for the demo's
leader and its L&D admin, computed (a figure input changed just before each request) and
served from the figures cache (upskill/cache.py). Prints ONE JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/upskill_bench \\
        .venv/bin/python bench/page_cpu_bench.py [--requests 20] [--profile dashboard:admin]

Runs on the database as it is (seed it first: `manage.py seed_demo --people 5000`),
in this one process with the Django test Client (DEBUG off), as a web worker would
serve them. CPU is this process's (`time.process_time`: Python, template rendering,
the database driver), not the database server's; wall time includes both. The machine
may be shared, so the load average is printed beside the figures. `--profile PAGE:USER`
also prints the top of a cProfile of one computed request to stderr (`PAGE:USER:cached`
one served from the cache).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USERS = ("leader", "admin")


def pages() -> dict[str, str]:
    from responsibilities.models import AlignmentSurvey

    survey = AlignmentSurvey.objects.exclude(status="draft").order_by("-opens_at").first()
    found = {
        "dashboard": "/dashboard/",
        "fulfilment": "/responsibilities/fulfilment/",
        "standoff": "/responsibilities/standoff/",
    }
    if survey is not None:
        found["pulse_results"] = f"/responsibilities/pulse/{survey.pk}/results/"
    return found


def invalidate() -> None:
    """What any change to a figure input does: the next request computes afresh."""
    try:
        from upskill import cache
    except ImportError:  # before the figures cache: every request computes
        return
    cache.inputs_changed(cache.ORGANISATION)


def measure(client, url: str, requests: int, *, computed: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm: templates, connection, the user's session
    assert response.status_code == 200, (url, response.status_code)
    if computed:
        invalidate()
    # Counted on a request of its own: capturing queries logs each one's SQL, which
    # costs the admin's pages (ids of every team in them) milliseconds of CPU.
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)
    cpu, wall = [], []
    for _ in range(requests):
        if computed:
            invalidate()
        started_cpu, started = time.process_time(), time.perf_counter()
        response = client.get(url)
        cpu.append((time.process_time() - started_cpu) * 1_000)
        wall.append((time.perf_counter() - started) * 1_000)
        assert response.status_code == 200, (url, response.status_code)
    return {
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(statistics.quantiles(cpu, n=20, method="inclusive")[18], 1),
        "wall_median_ms": round(statistics.median(wall), 1),
        "queries": queries,
        "bytes": len(response.content),
    }


def profile(client, url: str, *, computed: bool) -> None:
    client.get(url)
    if computed:
        invalidate()
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
    print(out.getvalue(), file=sys.stderr)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
    print(out.getvalue(), file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument(
        "--profile",
        metavar="PAGE:USER[:cached]",
        help="e.g. dashboard:admin (a computed request) or dashboard:admin:cached",
    )
    parser.add_argument("--profile-only", action="store_true", help="profile, measure nothing")
    parser.add_argument(
        "--pages", help="only these, comma-separated: dashboard,fulfilment,standoff,pulse_results"
    )
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL database holding the demo.")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upskill.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    urls = pages()
    if options.pages:
        urls = {page: url for page, url in urls.items() if page in options.pages.split(",")}
    clients = {}
    for username in USERS:
        clients[username] = Client()
        clients[username].force_login(get_user_model().objects.get(username=username))
    if options.profile:
        page, username, *cached = options.profile.split(":")
        profile(clients[username], urls[page], computed=not cached)
        if options.profile_only:
            return
    load_before = os.getloadavg()
    figures = {
        f"{page}:{username}": {
            "computed": measure(clients[username], url, options.requests, computed=True),
            "cached": measure(clients[username], url, options.requests, computed=False),
        }
        for page, url in urls.items()
        for username in USERS
    }
    print(
        json.dumps(
            {
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load_average_before": [round(n, 2) for n in load_before],
                    "load_average_after": [round(n, 2) for n in os.getloadavg()],
                    "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
                    if getattr(settings, "CACHES", None)
                    else "none",
                },
                "requests": options.requests,
                "figures": figures,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
