"""upskill's learning-activity port: pathways records its learners' activity through
it, metrics registers the recorder that stores it."""

import pytest
from django.utils import timezone

from metrics.models import ActivityRecord
from metrics.services.app_activity import app_activity_record
from tests.factories import PersonFactory
from upskill import learning_activity


def test_metrics_registers_its_recorder_at_start_up():
    assert learning_activity._recorder is app_activity_record


def test_activity_kinds_are_the_ones_metrics_stores():
    assert learning_activity.ActivityKind is ActivityRecord.Kind


@pytest.mark.django_db
def test_the_port_stores_through_the_registered_recorder():
    person = PersonFactory()

    record, created = learning_activity.learning_activity_record(
        person=person,
        pathway=None,
        step=None,
        kind=learning_activity.ActivityKind.ATTENDED,
        minutes=0,
        source_id="progress:7:start",
        occurred_at=timezone.now(),
    )

    assert created
    assert ActivityRecord.objects.get(source="app", source_id="progress:7:start") == record


def test_recording_without_a_registered_recorder_says_which_app_registers_one(monkeypatch):
    monkeypatch.setattr(learning_activity, "_recorder", None)

    with pytest.raises(RuntimeError, match="MetricsConfig.ready"):
        learning_activity.learning_activity_record(
            person=None,
            pathway=None,
            step=None,
            kind="attended",
            minutes=0,
            source_id="x",
            occurred_at=timezone.now(),
        )
