"""A Celery worker killed with SIGKILL in the middle of an import loses nothing and
applies nothing twice once the message is redelivered.

Real services, started by the test itself (tests/faults/harness.py): its own
redis-server on a free port and worker subprocesses on the PostgreSQL test database.
"mid-import" is read from the database, not guessed with a sleep: the worker's session
holds the run's row lock (taken first, kept to the end of the apply's transaction) and
is running one of the apply's statements."""

import pytest

from metrics.models import ActivityRecord, ImportRun
from tests.factories import PersonFactory, TeamFactory
from tests.faults.harness import (
    SERVICE_RUN_ONLY,
    busy_session,
    producer,
    table_lock_holders,
    wait_for,
)
from tests.metrics.csv_files import activity_file_write

pytestmark = SERVICE_RUN_ONLY

ROWS = 150_000


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_import_loses_nothing_and_applies_nothing_twice(
    redis_server, workers, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    people = [
        PersonFactory(team=TeamFactory(), user__email=f"fault{n}@example.com") for n in range(5)
    ]
    (tmp_path / "imports").mkdir()
    activity_file_write(
        tmp_path / "imports" / "fault.csv",
        (
            f"{people[n % 5].user.email},2026-03-{1 + n % 28:02d},{n % 60},attended,,,fault-{n}"
            for n in range(ROWS)
        ),
    )
    run = ImportRun.objects.create(
        kind="activity",
        file="imports/fault.csv",
        original_name="fault.csv",
        status=ImportRun.Status.IMPORTING,
        rows_total=ROWS,
        rows_valid=ROWS,
    )

    first = workers.start(redis_server.url, media_root=tmp_path)
    producer(redis_server.url).send_task("metrics.tasks.import_apply", args=[run.pk])
    # Caught holding its run's row lock (the apply takes it first, to the end of its
    # transaction) and writing; the kill rolls the apply's transaction back: not one
    # row of the import may show, and the run still waits.
    statement, delivered_by = workers.kill_mid_statement(
        first,
        lambda: busy_session(table_lock_holders(ImportRun._meta.db_table), past="FOR UPDATE"),
        "the first worker to be writing the import (holding the run's row lock)",
    )
    assert ActivityRecord.objects.filter(import_run=run).count() == 0, (
        f"the import committed before the kill (caught in {statement[:200]!r})"
    )
    run.refresh_from_db()
    assert run.status == ImportRun.Status.IMPORTING

    # The unacknowledged message becomes visible again and is redelivered.
    workers.start_for_redelivery(redis_server.url, delivered_by=delivered_by, media_root=tmp_path)
    wait_for(
        lambda: ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.DONE,
        120,
        "the redelivered import to finish",
        diagnose=workers.logs,
    )
    assert ActivityRecord.objects.filter(import_run=run).count() == ROWS
    assert ActivityRecord.objects.filter(source_id__startswith="fault-").count() == ROWS
    run.refresh_from_db()
    assert run.rows_inserted == ROWS
