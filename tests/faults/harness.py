"""Real services for the fault tests, started by the tests themselves.

Each test gets its own redis-server on a free port (never the machine's shared Redis)
and Celery worker subprocesses on the PostgreSQL test database. Every process started
here is stopped in fixture teardown, whether the test passed or not.

The fault tests run in the service run only (PostgreSQL) and need the redis-server
binary: mark them with SERVICE_RUN_ONLY. (conftest.py makes a missing piece an error
when REQUIRE_INTEGRATION is set.)
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.db import connection
from kombu import pools as kombu_pools

from upskill.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
# Short, so that a message whose worker died becomes visible again within seconds.
VISIBILITY_SECONDS = 3

SERVICE_RUN_ONLY = [
    pytest.mark.integration,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (the service run)"),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, seconds: float, what: str, *, every: float = 0.2, diagnose=None):
    """Poll `check` until it returns something truthy; fail after `seconds`, adding what
    `diagnose()` says (e.g. the workers' logs) to the message."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    details = f"\n{diagnose()}" if diagnose else ""
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}{details}")


class RedisServer:
    """A private redis-server that can be stopped and started again on the same port."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self) -> None:
        assert self.process is None, "already running"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(self.answers, 10, f"redis-server on port {self.port} to answer", every=0.05)
        except AssertionError:
            self.stop()
            raise

    def stop(self) -> None:
        """Terminate the server: every connection to it drops, every queued message is
        gone with it (no persistence), as in a broker outage that loses its data."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def producer(url: str) -> Celery:
    """A bare Celery client on `url` that sends tasks by name and reads their results:
    what beat, or another web process, does."""
    return Celery("fault-producer", broker=url, backend=url, set_as_current=False)


def database_url() -> str:
    """The test database (test_<name>), as the workers' DATABASE_URL."""
    settings = connection.settings_dict
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{quote(settings['USER'], safe='')}{password}@"
        f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )


class Workers:
    """Celery worker subprocesses (`celery -A upskill worker`, as `make worker` runs it)
    on a given broker and the test database. Each logs to its own file.

    The prefork pool, as in production, with one pool process. Not the solo pool: it
    runs a task inside the worker's event loop, which then sends even the early
    acknowledgement of a task without acks_late only once the task has returned, so a
    worker killed mid-task would redeliver it either way and hide a missing acks_late."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[subprocess.Popen] = []

    def start(self, redis_url: str, *, media_root: Path | None = None) -> subprocess.Popen:
        env = os.environ | {
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        }
        env.pop("CELERY_BROKER_URL", None)  # would override REDIS_URL
        env.pop("CELERY_RESULT_BACKEND", None)
        if media_root is not None:
            env["MEDIA_ROOT"] = str(media_root)
        log_path = self.log_dir / f"worker-{len(self.started) + 1}.log"
        with log_path.open("wb") as log:
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "upskill",
                    "worker",
                    "--pool",
                    "prefork",
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
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(worker)
        return worker

    def start_for_redelivery(self, redis_url: str, *, delivered_by: float, **kwargs):
        """Start a replacement worker once the dead worker's message is past its
        visibility timeout (`delivered_by` is a time.monotonic() at or after delivery).

        kombu's Redis transport restores unacknowledged messages older than the timeout
        when a worker starts consuming, and otherwise only on a sweep every
        unacked_restore_interval x unacked_restore_throttle (~100 s): a replacement that
        starts before the timeout has passed waits for that sweep instead."""
        time.sleep(max(0.0, delivered_by + VISIBILITY_SECONDS + 0.5 - time.monotonic()))
        return self.start(redis_url, **kwargs)

    def kill_mid_statement(self, worker: subprocess.Popen, busy, what: str) -> tuple[str, float]:
        """Wait until `busy()` finds the worker's session in the middle of a statement,
        SIGKILL the worker, then wait until PostgreSQL has ended that session (rolling
        back whatever it had not committed). Returns the statement it was caught in and
        a moment by which its message had been delivered."""
        session, statement = wait_for(busy, 60, what, every=0.02, diagnose=self.logs)
        delivered_by = time.monotonic()
        self.kill(worker)
        # The session ends once PostgreSQL notices its client is gone (at the latest
        # when the statement it was running returns).
        wait_for(lambda: not backend_alive(session), 60, "the killed worker's session to end")
        return statement, delivered_by

    @staticmethod
    def kill(worker: subprocess.Popen) -> None:
        """SIGKILL to the worker and its pool process (its process group): no warm
        shutdown, no acknowledgement, no restoring of its messages."""
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)

    def kill_all(self) -> None:
        for worker in self.started:
            try:
                self.kill(worker)
            except (OSError, subprocess.TimeoutExpired):
                worker.kill()  # the group could not be signalled: end the worker itself

    def logs(self) -> str:
        parts = []
        for path in sorted(self.log_dir.glob("worker-*.log")):
            tail = path.read_text(errors="replace")[-3000:]
            parts.append(f"--- {path.name} (last 3000 characters) ---\n{tail}")
        return "\n".join(parts)


def _drop_connections(app: Celery) -> None:
    """Forget the app's pooled broker connections and its result backend, which were
    made for the URL it had: the next send connects to whatever the config says now.

    kombu keeps its pools in a process-wide registry keyed by URL: closing one pool and
    leaving it registered would hand the closed pool to the next user of that URL (the
    eager memory:// transport of every later test: "Acquire on closed pool"). reset()
    closes them all and empties the registry."""
    kombu_pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    vars(app._local).pop("backend", None)


@contextmanager
def web_app_on_broker(url: str):
    """Point this process's Celery app (what the views' services send with) at `url`,
    as a web process started with REDIS_URL=url would be; restore it afterwards."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    _drop_connections(celery_app)
    conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    try:
        yield celery_app
    finally:
        _drop_connections(celery_app)
        conf.update(saved)


def advisory_lock_holders(key: int) -> list[int]:
    """Other sessions on the test database holding the (bigint) advisory lock `key`."""
    with connection.cursor() as cursor:
        # A bigint key is stored as classid (high half), objid (low half), objsubid 1.
        cursor.execute(
            "SELECT l.pid FROM pg_locks l"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            " AND l.classid::bigint = %s AND l.objid::bigint = %s"
            " AND l.pid <> pg_backend_pid()"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [key >> 32, key & 0xFFFF_FFFF],
        )
        return [pid for (pid,) in cursor.fetchall()]


def table_lock_holders(table: str) -> list[int]:
    """Other sessions holding a lock on `table` (a row lock takes one on the table too)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE c.relname = %s AND l.granted AND l.pid <> pg_backend_pid()"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [table],
        )
        return [pid for (pid,) in cursor.fetchall()]


def running_statement(pid: int) -> str | None:
    """The statement session `pid` is running right now, if it is running one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s AND state = 'active'", [pid]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def busy_session(sessions: list[int], *, past: str) -> tuple[int, str] | None:
    """(session, statement) of the first of `sessions` running a statement other than
    the one taking its lock (which contains `past`, in any case): a job caught in the
    middle of its work."""
    for pid in sessions:
        statement = running_statement(pid)
        if statement and past.upper() not in statement.upper():
            return pid, statement
    return None


def backend_alive(pid: int) -> bool:
    """Whether the PostgreSQL session `pid` still exists."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] > 0
