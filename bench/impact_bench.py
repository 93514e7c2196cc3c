"""Benchmark of the impact job on PostgreSQL: the estimator on the 5,000-person,
200-team, one-year demo panel, the whole job after a rollup, and the dashboard's server
time with the estimates cached. Prints ONE JSON object (figures, targets, machine).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/upskill_impact_bench \\
        .venv/bin/python bench/impact_bench.py [--drop]

The database is created, migrated and seeded once with `seed_demo --people 5000` (as
bench/metrics_bench.py does); later runs reuse it. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import metrics_bench  # noqa: E402  (the database and dashboard helpers)

TARGETS = {"estimate_seconds_max": 5.0, "job_seconds_max": 5.0, "dashboard_p95_ms_max": 100.0}
SEED_PEOPLE = 5_000
REPEATS = 5


def log(message: str) -> None:
    print(f"[impact-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()
    url = metrics_bench.database_url_or_exit()
    created = metrics_bench.database_create_if_missing(url)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upskill.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from metrics import services
    from metrics.models import ImpactEstimate, WeeklyRollup
    from metrics.services import impact_did
    from upskill.models import OutcomeMeasure, Person, Team

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    log(f"database {'created' if created else 'exists'}; migrating")
    call_command("migrate", verbosity=0)
    if not Person.objects.exists():
        log(f"seeding the demo with {SEED_PEOPLE:,} people (its rollup runs the impact job)")
        call_command("seed_demo", people=SEED_PEOPLE, stdout=sys.stderr)
    team_ids = sorted(Team.objects.values_list("id", flat=True))
    measures = list(OutcomeMeasure.objects.order_by("key"))
    figures: dict = {
        "people": Person.objects.count(),
        "teams": len(team_ids),
        "rollup_rows": WeeklyRollup.objects.count(),
    }

    # The panel read (three queries) and the estimator per measure, all teams, any pathway.
    reads, estimates = [], {m.key: [] for m in measures}
    for _ in range(REPEATS):
        started = time.perf_counter()
        panels = services.impact_panels(team_ids, None, measures)
        reads.append(time.perf_counter() - started)
        for measure in measures:
            panel, _weeks = panels[measure.key]
            started = time.perf_counter()
            result = impact_did.estimate(panel)
            estimates[measure.key].append(time.perf_counter() - started)
    panel, weeks = panels["cycle_time_days"]
    figures["panel"] = {
        "teams_in_panel": panel.outcome.shape[0],
        "weeks": len(weeks),
        "treated_teams": int(sum(1 for g in panel.adoption if g != impact_did.NEVER)),
        "bootstrap_draws": impact_did.BOOTSTRAP_DRAWS,
    }
    figures["panel_read_seconds_median"] = round(statistics.median(reads), 3)
    figures["estimate_seconds_median"] = {
        key: round(statistics.median(times), 3) for key, times in estimates.items()
    }
    result = impact_did.estimate(panel)
    figures["cycle_time_estimate"] = {
        "status": result.status,
        "effect": result.effect and round(result.effect, 3),
        "ci95": result.ci95 and [round(x, 3) for x in result.ci95],
        "treated_teams": result.treated_teams,
        "comparison_teams": result.comparison_teams,
    }

    # The whole job after a rollup: every measure x (any pathway + each pathway), all teams.
    jobs = []
    for _ in range(3):
        ImpactEstimate.objects.all().delete()
        started = time.perf_counter()
        written = services.impact_estimates_refresh()
        jobs.append(time.perf_counter() - started)
    figures["job"] = {
        "estimates_written": written,
        "seconds_median": round(statistics.median(jobs), 2),
    }

    log("timing the dashboards (estimates cached)")
    figures["dashboard_leader"] = metrics_bench.dashboard_timings("leader", 50)
    figures["dashboard_ld_admin"] = metrics_bench.dashboard_timings("admin", 50)
    slowest = max(figures["estimate_seconds_median"].values())
    figures["targets"] = {
        "estimate_seconds_max": {"target": 5.0, "measured": slowest, "met": slowest < 5.0},
        "job_seconds_max": {
            "target": 5.0,
            "measured": figures["job"]["seconds_median"],
            "met": figures["job"]["seconds_median"] < 5.0,
        },
        "dashboard_p95_ms_max": {
            "target": 100.0,
            "measured": figures["dashboard_ld_admin"]["p95_ms"],
            "met": figures["dashboard_ld_admin"]["p95_ms"] <= 100.0,
        },
    }
    figures["machine"] = metrics_bench.machine(connection)
    print(json.dumps(figures, indent=2))
    if args.drop:
        connection.close()
        metrics_bench.database_drop(url)


if __name__ == "__main__":
    main()
