"""From the upload page to the dashboard with real services: an L&D admin uploads a CSV,
a real Celery worker (consuming Redis) checks it, the admin confirms, the worker imports
it and runs the rollup it queued, and the dashboard shows the figure.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/upskill_test_dev \\
    REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/pytest -m integration
"""

import os
import time

import pytest
from celery import signals
from celery.result import AsyncResult
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics import tasks
from metrics.models import ImportRun, WeeklyRollup
from tests.factories import LDAdminFactory, PersonFactory, TeamFactory
from tests.integration.test_celery_worker import (  # noqa: F401  (fixtures)
    SERVICES_CONFIGURED,
    WAIT_SECONDS,
    worker_queue,
)
from tests.metrics.csv_files import activity_csv
from upskill.celery import app as celery_app

if os.environ.get("REQUIRE_INTEGRATION") and not SERVICES_CONFIGURED:
    raise RuntimeError("REQUIRE_INTEGRATION is set but DATABASE_URL/REDIS_URL are not")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not SERVICES_CONFIGURED,
        reason="needs DATABASE_URL=postgres://... and REDIS_URL=redis://... (the service run)",
    ),
]


@pytest.fixture
def routed_to(worker_queue):  # noqa: F811
    """The services enqueue with delay_on_commit() and no routing options; sending these
    tasks to the test's own queue keeps another run on the same Redis from taking them."""
    routed = (tasks.import_validate, tasks.import_apply, tasks.rollup_incremental)
    ran: list[str] = []

    def remember(task_id=None, **kwargs):
        ran.append(task_id)

    for task in routed:
        task.queue = worker_queue
        task._exec_options = None  # Celery caches the options it sends with
    signals.task_postrun.connect(remember, weak=False)
    yield worker_queue
    signals.task_postrun.disconnect(remember)
    for task in routed:
        del task.queue
        task._exec_options = None
    for task_id in ran:  # leave no results behind in the shared Redis database
        AsyncResult(task_id, app=celery_app).forget()


def wait_for(check, what: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_csv_uploaded_by_an_admin_reaches_the_dashboard_through_a_real_worker(
    routed_to, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    team = TeamFactory(name="Payments", slug="payments")
    people = [PersonFactory(team=team, user__email=f"learner{n}@example.com") for n in range(6)]
    text = activity_csv(
        *(
            f"{person.user.email},2025-03-04T10:00:00Z,37,practiced,,,up-{n}"
            for n, person in enumerate(people)
        )
    )
    client.force_login(LDAdminFactory())

    response = client.post(
        reverse("metrics:imports"),
        {"kind": "activity", "file": SimpleUploadedFile("march.csv", text.encode())},
    )
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("metrics:import_run", args=[run.pk])

    def settled():
        run.refresh_from_db()
        return not run.is_active

    wait_for(settled, "the worker to check the file")
    assert (run.status, run.rows_valid, run.rows_invalid) == ("validated", 6, 0)
    assert not WeeklyRollup.objects.exists()  # nothing imported before the choice

    client.post(reverse("metrics:import_run_confirm", args=[run.pk]), {"rows_valid": 6})
    wait_for(settled, "the worker to import the file")
    assert (run.status, run.rows_inserted) == ("done", 6)
    wait_for(
        lambda: WeeklyRollup.objects.filter(team=team, metric="learning_minutes").exists(),
        "the rollup the import queued",
    )

    html = client.get("/dashboard/?team=payments&start=2025-02-03&end=2025-03-31").content
    assert b"222" in html  # 6 people x 37 minutes, shown: 6 >= MIN_GROUP_SIZE
