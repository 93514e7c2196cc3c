"""The recorder behind upskill's learning-activity port: the app's own activity is
recorded once per deterministic source_id."""

import pytest
from django.utils import timezone

from metrics.models import ActivityRecord
from metrics.services.app_activity import app_activity_record
from tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def test_the_same_activity_source_id_is_recorded_once():
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
