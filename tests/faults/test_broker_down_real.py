"""With the broker really down, the app keeps working; once it is back, the periodic
jobs catch up with what was left waiting.

Real services, started by the test itself (tests/faults/harness.py): its own
redis-server on a free port, which the test stops (the process terminated, its queue
gone with it) and starts again on the same port, and a Celery worker subprocess on the
PostgreSQL test database. This process's Celery app, which the views' services send
with, is pointed at that redis-server as a web process started with REDIS_URL would be.
tests/trust/test_broker_down.py covers the same story on any database, with a broker
address where nothing listens.
"""

import datetime as dt
import logging
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from metrics.models import ActivityRecord, ImportRun, WeeklyRollup
from pathways.models import StepProgress
from tests.factories import LDAdminFactory, PersonFactory, TeamFactory, UserFactory
from tests.faults.harness import SERVICE_RUN_ONLY, producer, wait_for, web_app_on_broker
from tests.metrics.csv_files import activity_csv
from tests.pathways.factories import a_journey
from upskill import celery as celery_module

pytestmark = SERVICE_RUN_ONLY

WAIT_SECONDS = 60


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_broker_down_pages_uploads_and_completions_work_and_catch_up_after(
    redis_server, workers, client, settings, tmp_path, monkeypatch, caplog
):
    settings.MEDIA_ROOT = tmp_path
    journey = a_journey()
    learner = journey.learner.user
    leader = UserFactory()
    journey.learner.team.leaders.add(leader)
    admin = LDAdminFactory()
    PersonFactory(team=TeamFactory(), user__email="ana@example.com")
    pages = [
        (learner, reverse("pathways:my_learning")),
        (admin, reverse("pathways:list")),
        (leader, reverse("metrics:dashboard")),
        (learner, reverse("responsibilities:matrix")),
        (leader, reverse("responsibilities:matrix")),
        (admin, reverse("metrics:imports")),
    ]

    with web_app_on_broker(redis_server.url), caplog.at_level(logging.INFO, "upskill.celery"):
        # Before the outage the app sends as usual: a completion's rollup is queued (no
        # worker is running yet), and this process now holds connections to the broker.
        client.force_login(learner)
        response = client.post(
            reverse("pathways:step_done", args=[journey.pathway.slug, journey.learn.key])
        )
        assert response.status_code in (200, 302)
        assert "enqueu" not in caplog.text  # neither "Could not enqueue" nor "not enqueuing"

        # The outage: the server goes, and the queued rollup with it.
        redis_server.stop()
        assert not redis_server.answers()
        monkeypatch.setattr(celery_module, "_broker_down_until", 0.0)

        for user, url in pages:
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == 200, f"{url} for {user} with the broker down"

        # The dashboards asked for their impact estimates above, and that failed send
        # started the back-off; start it afresh so the upload's own send is tried.
        monkeypatch.setattr(celery_module, "_broker_down_until", 0.0)
        client.force_login(admin)
        body = activity_csv("ana@example.com,2025-03-04,15,practiced,,,lms-1")
        response = client.post(
            reverse("metrics:imports"),
            {"kind": "activity", "file": SimpleUploadedFile("a.csv", body.encode())},
        )
        assert response.status_code == 302
        run = ImportRun.objects.get()
        assert run.status == ImportRun.Status.PENDING
        page = client.get(response["Location"]).content.decode()
        assert "Pending" in page
        assert "nothing is imported yet" in page
        assert "Could not enqueue metrics.tasks.import_validate" in caplog.text

        # The outage outlasts the web process's back-off after that failed send (30 s):
        # the next completion tries the broker again, and must still just save.
        monkeypatch.setattr(celery_module, "_broker_down_until", 0.0)
        client.force_login(learner)
        response = client.post(
            reverse("pathways:step_done", args=[journey.pathway.slug, journey.reflect.key])
        )
        assert response.status_code in (200, 302)
        progress = StepProgress.objects.get(enrollment=journey.enrollment, step=journey.reflect)
        assert progress.status == StepProgress.Status.APPROVED
        assert "Could not enqueue metrics.tasks.rollup_incremental" in caplog.text

        # The broker is back (empty: what was never sent is not in it), and a worker.
        redis_server.start()
        workers.start(redis_server.url, media_root=tmp_path)
        beat = producer(redis_server.url)
        # Beat's resume job, as it runs two minutes on: the run has been waiting since.
        ImportRun.objects.filter(pk=run.pk).update(
            created_at=timezone.now() - dt.timedelta(minutes=5)
        )
        assert beat.send_task("metrics.tasks.import_runs_resume").get(WAIT_SECONDS) == 1
        wait_for(
            lambda: ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.VALIDATED,
            WAIT_SECONDS,
            "the resumed upload to be checked",
            diagnose=workers.logs,
        )

        # The web process sends again once its back-off after the outage has passed.
        monkeypatch.setattr(celery_module, "_broker_down_until", 0.0)
        caplog.clear()
        client.force_login(admin)
        response = client.post(
            reverse("metrics:import_run_confirm", args=[run.pk]), {"rows_valid": 1}
        )
        assert response.status_code == 302
        wait_for(
            lambda: ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.DONE,
            WAIT_SECONDS,
            "the confirmed upload to be imported",
            diagnose=lambda: f"{caplog.text}\n{workers.logs()}",
        )
        run.refresh_from_db()
        assert run.rows_inserted == 1
        imported = ActivityRecord.objects.get(source_id="lms-1")
        assert (imported.person.user.email, imported.minutes) == ("ana@example.com", 15)

        # Beat's catch-up rolls up both completions: the one whose rollup was lost with
        # the broker, and the one saved while it was down.
        beat.send_task("metrics.tasks.rollup_catch_up").get(WAIT_SECONDS)
        completions = Counter(
            monday_of(timezone.localtime(moment).date())
            for moment in ActivityRecord.objects.filter(
                person=journey.learner, kind=ActivityRecord.Kind.COMPLETED
            ).values_list("occurred_at", flat=True)
        )
        assert sum(completions.values()) == 2
        rolled_up = {
            rollup.week_start: (rollup.value, rollup.people)
            for rollup in WeeklyRollup.objects.filter(
                team=journey.learner.team, pathway=journey.pathway, metric="steps_completed"
            )
        }
        assert rolled_up == {week: (count, 1) for week, count in completions.items()}


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())
