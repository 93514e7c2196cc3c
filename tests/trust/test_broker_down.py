"""With the broker down, the app keeps working: an upload is accepted as pending (and
says so), a learner's step completion still saves, and once the broker is back the
periodic resume job processes what was waiting."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from metrics import services, tasks
from metrics.models import ImportRun
from pathways.models import StepProgress
from tests.factories import PersonFactory, TeamFactory
from tests.pathways.learning_factories import a_journey
from upskill import celery as celery_module
from upskill.celery import app as celery_app

HEADER = "person_email,occurred_at,minutes,kind,pathway,step,source_id\n"


SENT_AFTER_COMMIT = (tasks.import_validate, tasks.import_apply, tasks.rollup_incremental)


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks are sent to a broker (not run eagerly), and every send fails."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    monkeypatch.setattr(celery_module, "_broker_down_until", 0.0)

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis. Connection refused.")

    for task in SENT_AFTER_COMMIT:
        # shared_task gives a proxy; patch the task object behind it
        monkeypatch.setattr(task._get_current_object(), "apply_async", refuse)
    yield
    celery_app.conf.task_always_eager = previous


@pytest.mark.django_db
def test_an_upload_is_accepted_as_pending_then_resumed_when_the_broker_is_back(
    client,
    ld_admin,
    settings,
    tmp_path,
    broker_down,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    settings.MEDIA_ROOT = tmp_path
    PersonFactory(team=TeamFactory(), user__email="ana@example.com")
    client.force_login(ld_admin)
    body = HEADER + "ana@example.com,2025-03-04,15,practiced,,,lms-1\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("metrics:imports"),
            {"kind": "activity", "file": SimpleUploadedFile("a.csv", body.encode())},
        )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.PENDING
    page = client.get(response["Location"])
    assert page.status_code == 200

    # The broker returns (eager here stands for a worker consuming the queue).
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
    client, broker_down, django_capture_on_commit_callbacks
):
    journey = a_journey()
    client.force_login(journey.learner.user)
    url = f"/learning/{journey.pathway.slug}/steps/{journey.learn.key}/done/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code in (200, 302)
    progress = StepProgress.objects.get(enrollment=journey.enrollment, step=journey.learn)
    assert progress.status == StepProgress.Status.APPROVED


@pytest.mark.django_db
def test_runs_not_yet_stuck_are_left_alone():
    ImportRun.objects.create(kind="activity", status=ImportRun.Status.PENDING)
    ImportRun.objects.create(kind="activity", status=ImportRun.Status.DONE)
    assert services.import_runs_resume() == 0
