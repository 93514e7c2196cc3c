"""A real Celery worker, consuming from Redis, rebuilds the rollups in PostgreSQL.

Runs only in the service run (CI's second pass, or locally):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/upskill_test_dev \\
    REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/pytest -m integration
"""

import os
import threading
import uuid

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.db import connection

from metrics import tasks
from tests.metrics.activity_recount import generate_activity, recount, rollup_rows
from upskill.celery import app as celery_app

SERVICES_CONFIGURED = os.environ.get("DATABASE_URL", "").startswith("postgres") and bool(
    os.environ.get("REDIS_URL")
)

if os.environ.get("REQUIRE_INTEGRATION") and not SERVICES_CONFIGURED:
    # CI's service run sets REQUIRE_INTEGRATION: there, skipping would hide a broken setup.
    raise RuntimeError("REQUIRE_INTEGRATION is set but DATABASE_URL/REDIS_URL are not")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not SERVICES_CONFIGURED,
        reason="needs DATABASE_URL=postgres://... and REDIS_URL=redis://... (the service run)",
    ),
]

WAIT_SECONDS = 30


def other_connections_to_the_test_database() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


@pytest.fixture
def worker_queue():
    """A worker thread consuming a queue of its own, so that another test run using the
    same Redis database can neither take our task nor hand us theirs."""
    queue = f"upskill-test-{uuid.uuid4().hex}"
    connected_before = other_connections_to_the_test_database()
    with start_worker(
        celery_app,
        pool="solo",
        concurrency=1,
        queues=[queue],
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=WAIT_SECONDS,
    ):
        yield queue
    # Remove the queue's bindings from Redis. The Redis transport deletes only the
    # bindings its channel knows, hence declare, then delete.
    with celery_app.connection_for_write() as broker:
        declared = celery_app.amqp.queues[queue].bind(broker.default_channel)
        declared.declare()
        declared.delete()
    # Django's Celery fixup closes the worker's connection after every task; one left
    # behind would make dropping the test database fail at the end of the run.
    assert other_connections_to_the_test_database() <= connected_before


@pytest.fixture
def task_threads():
    """Names of the threads that ran a task while the test ran."""
    names: list[str] = []

    def remember(**kwargs):
        names.append(threading.current_thread().name)

    signals.task_prerun.connect(remember, weak=False)
    yield names
    signals.task_prerun.disconnect(remember)


def test_broker_run_is_not_eager():
    assert celery_app.conf.task_always_eager is False
    assert celery_app.conf.broker_url.startswith(("redis://", "rediss://"))


# The worker thread has its own database connection and only sees committed rows, so no
# wrapping test transaction: every table is flushed afterwards instead. Like every
# transactional test in the suite, it uses serialized_rollback, which restores the
# migrations' seed rows at the start and keeps the flush from re-creating content types
# (which the next test's restore would otherwise collide with).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_consumes_the_catch_up_task_from_redis_and_writes_the_rollups(
    worker_queue, task_threads
):
    records = generate_activity(count=60)

    # delay() with a routing option: the same message, on this test's own queue.
    result = tasks.rollup_catch_up.apply_async(queue=worker_queue)
    outcome = result.get(timeout=WAIT_SECONDS)
    result.forget()

    expected = recount(records)
    # A bucket is a (team, week, pathway or None) cell of the rollup.
    assert outcome == {
        "rows_written": len(expected),
        "buckets": len({key[:3] for key in expected}),
    }
    assert rollup_rows() == expected
    # Proof that the worker, not this thread, ran it.
    assert task_threads
    assert threading.current_thread().name not in task_threads
