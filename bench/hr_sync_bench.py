"""Benchmark of HR sync on PostgreSQL: a full sync of 50,000 people in 2,000 teams —
plan and apply from an empty organisation, a re-apply of the same files (nothing to
change), and a full sync with 5% movers, 1% joiners, 1% leavers and renamed teams —
with the wall time and the number of SQL queries of each. Also a SCIM list of all users
paged at 100: the queries per page. With --logins the people file also carries
everyone's `jira_login` and `github_login` (the tool-login columns metrics registers),
and the changed files give 5% of people a new Jira login. Prints ONE JSON object;
progress goes to stderr.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/upskill_hr_bench \\
        .venv/bin/python bench/hr_sync_bench.py [--people 50000] [--teams 2000] [--logins] [--drop]

The database is created if missing, emptied of people and teams, and migrated.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
TARGET_APPLY_SECONDS = 60.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def files(
    people: int, teams: int, *, seed: int, change: bool, logins: bool = False
) -> tuple[str, str]:
    rng = random.Random(seed)
    team_lines = ["team_id,name,parent_team_id,leader_employee_ids"]
    for t in range(teams):
        parent = "" if t < 10 else f"T{rng.randrange(0, t)}"
        name = f"Team {t}" + (" (renamed)" if change and t % 50 == 0 else "")
        team_lines.append(f"T{t},{name},{parent},E{t}")
    people_lines = [
        "employee_id,email,first_name,last_name,team_id,job_role,manager_employee_id,status"
        + (",jira_login,github_login" if logins else "")
    ]
    count = people + (people // 100 if change else 0)
    for p in range(count):
        if change and p % 100 == 7 and p >= teams:
            continue  # 1% leave (full sync: missing from the file)
        team = p if p < teams else (p * 7919) % teams
        if change and p % 20 == 3 and p >= teams:
            team = (team + 1) % teams  # 5% move
        manager = "" if p < teams else f"E{team}"
        role = f"Role {p % 40}"
        tool_logins = ""
        if logins:
            jira = f"acc-{p}" + ("-b" if change and p % 20 == 11 else "")  # 5% new
            tool_logins = f",{jira},gh-{p}"
        people_lines.append(
            f"E{p},person{p}@example.com,First{p},Last{p},T{team},{role},{manager},active"
            + tool_logins
        )
    return "\n".join(team_lines) + "\n", "\n".join(people_lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--teams", type=int, default=2_000)
    parser.add_argument("--drop", action="store_true")
    parser.add_argument("--logins", action="store_true", help="with tool-login columns")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is created if missing).")
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    subprocess.run(
        [
            "createdb",
            "-h",
            parsed.hostname or "127.0.0.1",
            "-U",
            parsed.username or "postgres",
            name,
        ],
        capture_output=True,
    )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upskill.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from upskill import services
    from upskill.models import Person

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    log("emptying people and teams")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE upskill_person, upskill_team, upskill_team_leaders, upskill_jobrole, "
            "auth_user, auth_user_groups RESTART IDENTITY CASCADE"
        )

    figures: dict = {
        "people": options.people,
        "teams": options.teams,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }

    @contextmanager
    def measured(key: str):
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        start = time.perf_counter()
        with connection.execute_wrapper(count):
            yield
        figures[key] = {"seconds": round(time.perf_counter() - start, 2), "queries": len(queries)}
        log(f"{key}: {figures[key]}")

    figures["logins"] = options.logins
    teams, people = files(
        options.people, options.teams, seed=1, change=False, logins=options.logins
    )
    with measured("plan_from_empty"):
        plan = services.hr_sync_plan(teams_file=teams, people_file=people, full=True)
    figures["plan_from_empty"]["joiners"] = len(plan.joiners)
    with measured("apply_from_empty"):
        services.hr_sync_apply(teams_file=teams, people_file=people, full=True)
    assert Person.objects.count() == options.people
    with measured("reapply_same_files"):
        plan = services.hr_sync_apply(teams_file=teams, people_file=people, full=True)
    assert plan.is_empty
    teams2, people2 = files(
        options.people, options.teams, seed=1, change=True, logins=options.logins
    )
    with measured("plan_with_changes"):
        plan = services.hr_sync_plan(teams_file=teams2, people_file=people2, full=True)
    figures["plan_with_changes"]["counts"] = {k: v for k, v in plan.counts.items() if v}
    with measured("apply_with_changes"):
        services.hr_sync_apply(teams_file=teams2, people_file=people2, full=True)
    figures["target_apply_seconds_max"] = TARGET_APPLY_SECONDS
    figures["target_met"] = all(
        figures[key]["seconds"] < TARGET_APPLY_SECONDS
        for key in ("apply_from_empty", "apply_with_changes")
    )

    try:
        from upskill.services import scim_connection_create
    except ImportError:
        scim_connection_create = None
    if scim_connection_create is not None:
        created = scim_connection_create(name="bench", created_by=None)
        client = Client()
        headers = {"Authorization": f"Bearer {created.token}"}
        page_queries = []
        total = Person.objects.count()
        start_index, slowest = 1, 0.0
        while start_index <= total:
            queries = []

            def count(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            start = time.perf_counter()
            with connection.execute_wrapper(count):
                response = client.get(
                    f"/scim/v2/Users?startIndex={start_index}&count=100", headers=headers
                )
            slowest = max(slowest, time.perf_counter() - start)
            assert response.status_code == 200, response.content[:200]
            page_queries.append(len(queries))
            start_index += 100
        figures["scim_list_pages"] = {
            "pages": len(page_queries),
            "queries_per_page": sorted(set(page_queries)),
            "slowest_page_seconds": round(slowest, 3),
        }
        log(f"scim: {figures['scim_list_pages']}")
    print(json.dumps(figures))
    if options.drop:
        connection.close()
        subprocess.run(["dropdb", "-h", parsed.hostname or "127.0.0.1", "-U", "postgres", name])


if __name__ == "__main__":
    main()
