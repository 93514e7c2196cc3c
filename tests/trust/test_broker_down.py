"""With the broker down, the app keeps working: an upload is accepted as pending (and
says so), a learner's step completion still saves, and once the broker is back the
periodic resume job processes what was waiting.

The outage here needs no services, so it runs on any database: the app is configured as
REDIS_URL configures it (tasks sent to Redis, results kept there) with nothing listening
at that address, so every connection is refused and the whole client side (kombu,
redis-py, the result store) fails as it would against a Redis server that is down. A
worker is stood in for by eager execution. tests/faults/test_broker_down_real.py stops
and restarts a real redis-server and catches up with a real worker.
"""

import datetime as dt
import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from metrics import services
from metrics.models import ActivityRecord, ImportRun
from pathways.models import StepProgress
from tests.factories import PersonFactory, TeamFactory
from tests.faults.harness import free_port, web_app_on_broker
from tests.metrics.csv_files import activity_csv, activity_file_write
from tests.pathways.factories import a_journey
from upskill import celery as celery_module
from upskill.celery import app as celery_app


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks are sent to a Redis broker (not run eagerly) that refuses every connection."""
    with web_app_on_broker(f"redis://127.0.0.1:{free_port()}/0"):
        monkeypatch.setattr(celery_module, "_broker_down_until", 0.0)
        yield


@pytest.mark.django_db
def test_an_upload_is_accepted_as_pending_then_resumed_when_the_broker_is_back(
    client,
    ld_admin,
    settings,
    tmp_path,
    broker_down,
    django_capture_on_commit_callbacks,
    monkeypatch,
    caplog,
):
    settings.MEDIA_ROOT = tmp_path
    PersonFactory(team=TeamFactory(), user__email="ana@example.com")
    client.force_login(ld_admin)
    body = activity_csv("ana@example.com,2025-03-04,15,practiced,,,lms-1")
    with (
        caplog.at_level(logging.WARNING, "upskill.celery"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("metrics:imports"),
            {"kind": "activity", "file": SimpleUploadedFile("a.csv", body.encode())},
        )
    assert response.status_code == 302
    assert "Could not enqueue metrics.tasks.import_validate" in caplog.text
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.PENDING
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Pending" in page.content.decode()

    # The broker returns (eager here stands for a worker consuming the queue; the
    # broker_down fixture restores the configuration afterwards).
    monkeypatch.undo()
    celery_app.conf.task_always_eager = True
    ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.import_runs_resume() == 1
    run.refresh_from_db()
    assert run.status == ImportRun.Status.VALIDATED
    assert run.rows_valid == 1


@pytest.mark.django_db
def test_a_step_completion_still_saves_with_the_broker_down(
    client, broker_down, django_capture_on_commit_callbacks, caplog
):
    journey = a_journey()
    client.force_login(journey.learner.user)
    url = f"/learning/{journey.pathway.slug}/steps/{journey.learn.key}/done/"
    with (
        caplog.at_level(logging.WARNING, "upskill.celery"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url)
    assert response.status_code in (200, 302)
    assert "Could not enqueue metrics.tasks.rollup_incremental" in caplog.text
    progress = StepProgress.objects.get(enrollment=journey.enrollment, step=journey.learn)
    assert progress.status == StepProgress.Status.APPROVED


@pytest.mark.django_db
def test_runs_not_yet_stuck_are_left_alone():
    ImportRun.objects.create(kind="activity", status=ImportRun.Status.PENDING)
    ImportRun.objects.create(kind="activity", status=ImportRun.Status.DONE)
    assert services.import_runs_resume() == 0


@pytest.mark.django_db
def test_a_check_whose_worker_died_is_resent_once_it_has_clearly_stalled(monkeypatch):
    sent = []
    monkeypatch.setattr("metrics.enqueue.enqueue_after_commit", lambda task, pk: sent.append(pk))
    now = timezone.now()
    live = ImportRun.objects.create(kind="activity", status=ImportRun.Status.VALIDATING)
    dead = ImportRun.objects.create(kind="activity", status=ImportRun.Status.VALIDATING)
    ImportRun.objects.filter(pk=live.pk).update(created_at=now - dt.timedelta(minutes=5))
    ImportRun.objects.filter(pk=dead.pk).update(created_at=now - dt.timedelta(minutes=31))

    assert services.import_runs_resume() == 1
    assert sent == [dead.pk]


@pytest.mark.django_db
def test_the_import_command_succeeds_with_the_broker_down(
    tmp_path, broker_down, django_capture_on_commit_callbacks, caplog
):
    PersonFactory(team=TeamFactory(), user__email="ana@example.com")
    path = activity_file_write(tmp_path / "a.csv", ["ana@example.com,2025-03-04,15,practiced,,,1"])
    out = io.StringIO()
    with (
        caplog.at_level(logging.WARNING, "upskill.celery"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("import_activity", str(path), stdout=out)  # no CommandError
    assert "Imported a.csv: 1 rows, 1 new" in out.getvalue()
    assert "Could not enqueue metrics.tasks.rollup_incremental" in caplog.text
    assert ActivityRecord.objects.count() == 1  # the catch-up job rolls it up later
