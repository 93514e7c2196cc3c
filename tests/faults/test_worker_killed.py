"""A Celery worker killed with SIGKILL in the middle of an import loses nothing and
applies nothing twice once the message is redelivered.

Real services, started by the test itself: its own redis-server on a free port (never
the machine's shared Redis) and worker subprocesses on the PostgreSQL test database.
Runs in the service run only (PostgreSQL); it needs the redis-server binary."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from metrics.models import ActivityRecord, ImportRun
from tests.factories import PersonFactory, TeamFactory

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
ROWS = 150_000
VISIBILITY_SECONDS = 3

if os.environ.get("REQUIRE_INTEGRATION") and not (ON_POSTGRES and shutil.which("redis-server")):
    raise RuntimeError("REQUIRE_INTEGRATION is set but PostgreSQL or redis-server is missing")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (the service run)"),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def private_redis():
    port = _free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    producer = Celery("fault-producer", broker=url, set_as_current=False)

    def up():
        try:
            with producer.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1)
            return True
        except Exception:  # noqa: BLE001 - not up yet
            return False

    _wait_for(up, 10, "redis-server to start")
    yield url, producer
    server.terminate()
    server.wait(timeout=10)


def _start_worker(redis_url: str, media_root: Path) -> subprocess.Popen:
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = os.environ | {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(media_root),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "upskill",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_import_loses_nothing_and_applies_nothing_twice(
    private_redis, settings, tmp_path
):
    redis_url, producer = private_redis
    settings.MEDIA_ROOT = tmp_path
    people = [
        PersonFactory(team=TeamFactory(), user__email=f"fault{n}@example.com") for n in range(5)
    ]
    lines = ["person_email,occurred_at,minutes,kind,pathway,step,source_id"]
    lines += [
        f"{people[n % 5].user.email},2026-03-{1 + n % 28:02d},{n % 60},attended,,,fault-{n}"
        for n in range(ROWS)
    ]
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / "fault.csv").write_text("\n".join(lines) + "\n")
    run = ImportRun.objects.create(
        kind="activity",
        file="imports/fault.csv",
        original_name="fault.csv",
        status=ImportRun.Status.IMPORTING,
        rows_total=ROWS,
        rows_valid=ROWS,
    )

    first = _start_worker(redis_url, tmp_path)
    try:
        producer.send_task("metrics.tasks.import_apply", args=[run.pk])
        # Kill it while its transaction is writing: the apply holds the run's row lock.
        _wait_for(lambda: _apply_in_progress(run.pk), 60, "the first worker to start applying")
        time.sleep(1.0)
        _kill(first)
        assert ActivityRecord.objects.filter(import_run=run).count() == 0
        run.refresh_from_db()
        assert run.status == ImportRun.Status.IMPORTING
    finally:
        _kill(first)

    second = _start_worker(redis_url, tmp_path)
    try:
        # The unacknowledged message becomes visible again and is redelivered.
        _wait_for(
            lambda: ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.DONE,
            # kombu restores unacknowledged messages lazily: about 100 s here
            240,
            "the redelivered import to finish",
        )
    finally:
        _kill(second)
    assert ActivityRecord.objects.filter(import_run=run).count() == ROWS
    assert ActivityRecord.objects.filter(source_id__startswith="fault-").count() == ROWS
    run.refresh_from_db()
    assert run.rows_inserted == ROWS


def _apply_in_progress(run_id: int) -> bool:
    """True while another session holds the run's row lock (the apply transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE c.relname = %s AND l.pid <> pg_backend_pid() AND l.granted"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [ImportRun._meta.db_table],
        )
        return cursor.fetchone()[0] > 0
