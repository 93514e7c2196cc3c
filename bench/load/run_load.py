#!/usr/bin/env python
"""Load benchmark: concurrent employees, leaders and L&D admins against gunicorn +
PostgreSQL serving the demo organisation at 5,000 people. Loopback only, bounded in
time. Prints one JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/upskill_load python bench/load/run_load.py

Locust runs from its own virtualenv (.venv-bench, created on first use) so that its
gevent never touches the project's test environment.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_VENV = ROOT / ".venv-bench"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Issue 20's targets: 50 users p95 <= 150 ms and p99 <= 400 ms; 100 users p95 <= 300 ms.
TARGETS_BY_USERS = {
    50: {"errors": 0, "p95_ms": 150, "p99_ms": 400},
    100: {"errors": 0, "p95_ms": 300},
}


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile, as Locust rounds its own."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, int(round(fraction * len(ordered))) - 1)], 1)


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def locust_binary() -> Path:
    binary = BENCH_VENV / "bin" / "locust"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run(
            [str(BENCH_VENV / "bin" / "pip"), "install", "--quiet", "locust>=2.30,<3"],
            check=True,
        )
    return binary


def demo_users(env) -> dict[str, str]:
    """Sign-in names for each kind of user, picked from the seeded database."""
    script = (
        "import json; from django.contrib.auth import get_user_model;"
        "from upskill.models import Person, Team; from pathways.models import Pathway;"
        "leaders=set(Team.leaders.through.objects.values_list('user_id', flat=True));"
        "emp=list(Person.objects.exclude(user_id__in=leaders).order_by('pk')"
        ".values_list('user__username', flat=True)[:400]);"
        "lead=list(get_user_model().objects.filter(pk__in=leaders).order_by('pk')"
        ".values_list('username', flat=True)[:100]);"
        "ids=list(Pathway.objects.order_by('pk').values_list('pk', flat=True)[:10]);"
        "print(json.dumps({'LOAD_EMPLOYEES': ','.join(emp), 'LOAD_LEADERS': ','.join(lead),"
        "'LOAD_ADMINS': 'admin', 'LOAD_PATHWAY_IDS': ','.join(map(str, ids))}))"
    )
    out = run(
        [sys.executable, "manage.py", "shell", "-c", script], env, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server at {url} did not come up in {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=60, help="at most 60")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (one per core)"
    )
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (gthread)")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="CONN_MAX_AGE of the server: 60 keeps each thread's connection (the README's "
        "advice without PgBouncer); 0 opens one per request",
    )
    parser.add_argument(
        "--redis-url",
        default="",
        help="REDIS_URL of the server (e.g. redis://127.0.0.1:6379/9): the figures cache in "
        "Redis; unset, each worker keeps its own in memory",
    )
    args = parser.parse_args()
    seconds = min(args.seconds, 60)  # bounded: this is a benchmark, not a soak test

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (it is created if missing).")
    env = os.environ | {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        # plain HTTP on loopback: cookies must travel without TLS
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "AXES_FAILURE_LIMIT": "1000",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": str(args.conn_max_age),
    }
    if args.redis_url:
        # the figures cache shared by every worker, as in production (nothing is enqueued
        # that a worker must run: the pages only read)
        env["REDIS_URL"] = args.redis_url
    else:
        env.pop("REDIS_URL", None)  # each worker caches figures in its own memory

    name = database_url.rsplit("/", 1)[-1]
    base = database_url.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", base, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["psql", base, "-c", f'CREATE DATABASE "{name}"'], check=True)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    seed_started = time.perf_counter()
    run(
        [sys.executable, "manage.py", "seed_demo", "--people", str(args.people)],
        env,
        capture_output=True,
    )
    seed_seconds = time.perf_counter() - seed_started
    # Re-seeding updates rows in place; where autovacuum is off (this machine's CI
    # cluster) their dead versions pile up run after run and each run measures a more
    # bloated database (p95 250, 340, 500, 700 ms in four runs in a row on 2026-12-02).
    # VACUUM as autovacuum would, so every run starts from the same state.
    subprocess.run(["psql", database_url, "-qc", "VACUUM (ANALYZE)"], check=True)
    # And write back the pages the seed dirtied: otherwise the checkpoint that falls due
    # (checkpoint_timeout, 5 minutes by default) writes them while Locust measures. Needs
    # a superuser (or pg_checkpoint); without one the run goes on and says so.
    checkpointed = (
        subprocess.run(["psql", database_url, "-qc", "CHECKPOINT"], check=False).returncode == 0
    )
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    users = demo_users(env)
    locust = locust_binary()

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "upskill.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            # longer than Locust's pauses between requests, so a reused connection is
            # never closed under it (gthread's default is 2 s)
            "--keep-alive",
            "10",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        wait_until_up(f"{host}/healthz")
        with tempfile.TemporaryDirectory() as tmp:
            prefix = Path(tmp) / "load"
            sign_in_stats = Path(tmp) / "sign_ins.json"
            page_times_path = Path(tmp) / "page_times.json"
            subprocess.run(
                [
                    str(locust),
                    "-f",
                    str(LOCUSTFILE),
                    "--headless",
                    "--host",
                    host,
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(args.spawn_rate),
                    "--run-time",
                    f"{seconds}s",
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                    "--stop-timeout",
                    "5",
                ],
                # The locustfile restarts the figures once every user has signed in
                # and writes the sign-ins' own figures here.
                env=env
                | users
                | {
                    "LOAD_SIGN_IN_STATS": str(sign_in_stats),
                    "LOAD_PAGE_TIMES": str(page_times_path),
                },
                cwd=ROOT,
                check=False,
                timeout=seconds + 60,
                capture_output=True,
            )
            with open(f"{prefix}_stats.csv", newline="") as stats_file:
                rows = {row["Name"]: row for row in csv.DictReader(stats_file)}
            with open(f"{prefix}_failures.csv", newline="") as failures_file:
                failures = [
                    {
                        "request": f"{row['Method']} {row['Name']}",
                        "error": row["Error"],
                        "count": int(row["Occurrences"]),
                    }
                    for row in csv.DictReader(failures_file)
                ]
            page_times = json.loads(page_times_path.read_text()) if page_times_path.exists() else []
            sign_ins = (
                json.loads(sign_in_stats.read_text())
                if sign_in_stats.exists()
                else {"note": "not every user signed in within the run"}
            )
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = rows["Aggregated"]
    per_page = {
        name: {"requests": int(row["Request Count"]), "p95_ms": float(row["95%"])}
        for name, row in rows.items()
        # entries reset with the steady state and not requested since (the sign-in
        # pages) have no percentiles
        if name != "Aggregated" and int(row["Request Count"])
    }
    targets = TARGETS_BY_USERS.get(args.users, {"errors": 0})
    measured = {
        "errors": int(total["Failure Count"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
    }
    result = {
        "users": args.users,
        "seconds": seconds,
        "people": args.people,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "conn_max_age": args.conn_max_age,
        "figures_cache": "redis" if args.redis_url else "each worker's memory",
        "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]),
        "requests_per_second": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        # pages alone, without the fragments each page loads (the bell, the review count,
        # My learning's pulse nudge and commitments panel)
        "pages_only": {
            "requests": len(page_times),
            "p50_ms": percentile(page_times, 0.50),
            "p95_ms": percentile(page_times, 0.95),
            "p99_ms": percentile(page_times, 0.99),
        },
        "per_page": per_page,
        "sign_ins_before_the_steady_state": sign_ins,
        "failures": failures,
        "seed_seconds": round(seed_seconds, 1),
        "checkpoint_after_seed": checkpointed,
        "targets": targets,
        "targets_met": {key: measured[key] <= limit for key, limit in targets.items()},
        "machine": {"cpus": os.cpu_count()},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
