"""The recorder behind upskill's learning-activity port: the app's own activity is
recorded once per deterministic source_id, and queues its rollup bucket in the same
transaction, so the dashboards see a step completion at the next incremental rollup
(queued after commit)."""

import datetime as dt

import pytest
from django.utils import timezone

from metrics.models import ActivityRecord, RollupDirtyBucket, WeeklyRollup
from metrics.services.app_activity import app_activity_record
from tests.factories import EnrollmentFactory, PersonFactory, StepFactory

pytestmark = pytest.mark.usefixtures("eager_celery")


def test_new_app_activity_queues_its_team_week_and_the_rollup(
    db, django_capture_on_commit_callbacks
):
    person = PersonFactory()
    step = StepFactory()
    moment = dt.datetime(2025, 3, 5, 12, tzinfo=dt.UTC)  # a Wednesday

    completion = {
        "person": person,
        "pathway": step.pathway,
        "step": step,
        "kind": "completed",
        "minutes": 20,
        "source_id": "progress:1:completed",
        "occurred_at": moment,
    }
    with django_capture_on_commit_callbacks() as callbacks:
        app_activity_record(**completion)
        app_activity_record(**completion)  # a repeat: no second marker, no second rollup

    assert list(RollupDirtyBucket.objects.values_list("team_id", "week_start")) == [
        (person.team_id, dt.date(2025, 3, 3))
    ]
    assert len(callbacks) == 1
    callbacks[0]()  # eager Celery: the rollup runs
    assert not RollupDirtyBucket.objects.exists()
    assert WeeklyRollup.objects.filter(
        team=person.team, week_start=dt.date(2025, 3, 3), metric="steps_completed"
    ).exists()


def test_the_same_activity_source_id_is_recorded_once(db):
    person = EnrollmentFactory().person
    kwargs = {
        "person": person,
        "pathway": None,
        "step": None,
        "kind": "completed",
        "minutes": 30,
        "source_id": "progress:1:completed",
        "occurred_at": timezone.now(),
    }

    first, created = app_activity_record(**kwargs)
    again, created_again = app_activity_record(**kwargs)

    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert ActivityRecord.objects.count() == 1
