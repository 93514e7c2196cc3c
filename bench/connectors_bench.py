"""Benchmark of the Jira connector on PostgreSQL: a Jira Cloud CSV export of
--rows issues (default 1,000,000 lines) imported through the real pipeline
(`import_source jira FILE`: parse, identity map, COPY into ToolRecord, the weekly
figures recomputed), then imported again (every issue a duplicate). Prints ONE JSON
object with the figures and whether the 60-second target is met; progress on stderr.

    createdb -h 127.0.0.1 -U postgres upskill_bench_connectors
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/upskill_bench_connectors \\
        .venv/bin/python bench/connectors_bench.py [--rows 1000000]

The database is migrated if needed and given, once, 5,000 people in 200 teams, each
with a Jira login; every run first deletes what an earlier run imported.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 60.0
PEOPLE = 5_000
TEAMS = 200


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upskill.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("connectors_bench measures PostgreSQL: set DATABASE_URL to a postgres:// URL")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def organisation_seed() -> None:
    from django.contrib.auth.models import User

    from metrics.models import ToolLogin
    from upskill.models import JobRole, Person, Team

    if Person.objects.filter(employee_id__startswith="BENCH-").count() == PEOPLE:
        return
    log(f"seeding {PEOPLE} people in {TEAMS} teams")
    role, _ = JobRole.objects.get_or_create(name="Engineer")
    teams = Team.objects.bulk_create(
        [Team(name=f"Bench team {n}", slug=f"bench-{n}") for n in range(TEAMS)]
    )
    users = User.objects.bulk_create(
        [User(username=f"bench{n}", email=f"bench{n}@example.com") for n in range(PEOPLE)]
    )
    people = Person.objects.bulk_create(
        [
            Person(user=user, team=teams[n % TEAMS], job_role=role, employee_id=f"BENCH-{n}")
            for n, user in enumerate(users)
        ]
    )
    ToolLogin.objects.bulk_create(
        [
            ToolLogin(
                person=person, system="jira", login=f"acc-{n}", valid_from=dt.date(1900, 1, 1)
            )
            for n, person in enumerate(people)
        ]
    )


HEADER = [
    "Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Priority",
    "Resolution", "Assignee", "Assignee Id", "Reporter", "Created", "Updated", "Resolved",
    "Labels", "Labels", "Sprint",
]  # fmt: skip
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def jira_date(moment: dt.datetime) -> str:
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{moment.day:02d}/{MONTHS[moment.month - 1]}/{moment:%y} {hour}:{moment:%M} {half}"


def export_write(path: Path, rows: int) -> None:
    rng = random.Random(42)
    start = dt.datetime(2024, 1, 1, 9, 0)  # noqa: DTZ001 - Jira writes local time
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(1, rows + 1):
            resolved = start + dt.timedelta(minutes=rng.randrange(60 * 24 * 365))
            created = resolved - dt.timedelta(minutes=rng.randrange(60, 60 * 24 * 30))
            unresolved = rng.random() < 0.05
            writer.writerow([
                f"Issue {number}", f"BEN-{number}", 100000 + number,
                rng.choice(("Story", "Task", "Bug", "Story")), "Done", "BEN", "Medium", "Done",
                "A Person", f"acc-{rng.randrange(PEOPLE + 50)}", "R. Porter", jira_date(created),
                jira_date(resolved), "" if unresolved else jira_date(resolved), "ai", "",
                "Sprint 3",
            ])  # fmt: skip


def backend_cpu_seconds() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine:
    /proc/<pid>/stat, utime + stime), so the server's share can be told from waiting."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def import_once(path: Path) -> tuple[float, object, dict]:
    """What `import_source jira FILE` runs (services.file_import), minus the rollup it
    queues after commit, which is timed on its own. Returns (seconds, run, phases):
    the weekly recompute timed apart from reading + writing the items."""
    from django.db import transaction

    from metrics.models import ImportRun
    from metrics.services import connectors, import_run_record
    from metrics.services.connectors import pipeline

    phases: dict[str, float] = {"recompute_seconds": 0.0}
    recompute = pipeline.observations_recompute

    def timed_recompute(**kwargs):
        began = time.perf_counter()
        try:
            return recompute(**kwargs)
        finally:
            phases["recompute_seconds"] += time.perf_counter() - began

    pipeline.observations_recompute = timed_recompute
    run = ImportRun.objects.create(kind=ImportRun.Kind.JIRA, original_name=path.name)
    server_began = backend_cpu_seconds()
    began = time.perf_counter()
    cpu_began = time.process_time()
    try:
        with transaction.atomic(), path.open("rb") as source:
            report = connectors.connector_file_apply(
                kind=ImportRun.Kind.JIRA, source=source, import_run=run, allow_invalid=False
            )
            import_run_record(import_run=run, report=report, status=ImportRun.Status.DONE)
    finally:
        pipeline.observations_recompute = recompute
    seconds = time.perf_counter() - began
    phases["python_cpu_seconds"] = time.process_time() - cpu_began
    server_ended = backend_cpu_seconds()
    if server_began is not None and server_ended is not None:
        phases["postgres_backend_cpu_seconds"] = server_ended - server_began
    phases["items_seconds"] = seconds - phases["recompute_seconds"]
    return seconds, run, {k: round(v, 2) for k, v in phases.items()}


def recompute_explain() -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the weekly figures' query over the whole year."""
    import datetime as dt

    from django.db import connection

    from metrics.models import ToolRecord
    from upskill.models import Person

    weeks = [dt.date(2023, 12, 25) + dt.timedelta(weeks=n) for n in range(55)]
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) SELECT p.team_id, w.week, count(*),"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY r.hours)"
            f" FROM {ToolRecord._meta.db_table} r JOIN {Person._meta.db_table} p"
            " ON p.id = r.person_id, LATERAL (SELECT date_trunc('week', r.occurred_at"
            " AT TIME ZONE 'UTC')::date AS week) w WHERE r.source = 'jira'"
            " AND w.week = ANY(%s) GROUP BY p.team_id, w.week",
            [weeks],
        )
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django()
    from metrics import services
    from metrics.models import OutcomeObservation, ToolRecord

    organisation_seed()
    ToolRecord.objects.filter(source="jira").delete()
    OutcomeObservation.objects.filter(source="jira").delete()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "jira-export.csv"
        log(f"writing {args.rows:,} issues")
        export_write(path, args.rows)
        size = path.stat().st_size
        log("importing")
        load_before = os.getloadavg()[0]
        first, run, phases = import_once(path)
        log(f"first import {first:.1f} s; the rollup it queues")
        began = time.perf_counter()
        services.rollup_incremental()
        rollup = time.perf_counter() - began
        log(f"rollup {rollup:.1f} s; importing again")
        second, again, _phases = import_once(path)
        explain = recompute_explain()
        log("EXPLAIN of the recompute's query:\n" + explain)
    figures = {
        "rows": args.rows,
        "file_mb": round(size / 2**20, 1),
        "first_import_seconds": round(first, 2),
        "rows_per_second": round(args.rows / first),
        "first_import_phases": phases,
        "load_average_before": load_before,
        "load_average_at_end": os.getloadavg()[0],
        "items_written": run.rows_inserted,
        "unmatched_rows": sum(run.unmatched_logins.values()),
        "skipped_rows": sum(run.rows_skipped.values()),
        "observations": OutcomeObservation.objects.filter(source="jira").count(),
        "rollup_after_import_seconds": round(rollup, 2),
        "reimport_seconds": round(second, 2),
        "reimport_new_rows": again.rows_inserted,
        "target_seconds_max": TARGET_SECONDS,
        "target_met": first < TARGET_SECONDS,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
