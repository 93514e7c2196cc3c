"""The metrics side's notifications: an import's outcome to its uploader, and the
leaders' weekly digest with MIN_GROUP_SIZE suppression."""

from __future__ import annotations

import pytest
from django.utils import timezone

from metrics.models import ImportRun
from metrics.notifications import import_run_notify, leader_digests_notify
from tests.factories import (
    EnrollmentFactory,
    ImportRunFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)
from upskill import notifications
from upskill.models import Notification, NotificationPreference

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
Kind = Notification.Kind


def test_an_import_outcome_is_notified_once_to_its_uploader(ld_admin):
    run = ImportRunFactory(created_by=ld_admin, status=ImportRun.Status.DONE, rows_inserted=12)
    assert import_run_notify(import_run_id=run.pk) == 1
    assert import_run_notify(import_run_id=run.pk) == 0
    [row] = Notification.objects.filter(recipient=ld_admin)
    assert row.kind == Kind.IMPORT_FINISHED
    assert "12 rows imported" in row.body
    failed = ImportRunFactory(created_by=ld_admin, status=ImportRun.Status.FAILED)
    assert import_run_notify(import_run_id=failed.pk) == 1
    pending = ImportRunFactory(created_by=ld_admin, status=ImportRun.Status.PENDING)
    assert import_run_notify(import_run_id=pending.pk) == 0


def test_the_digest_shows_only_figures_about_enough_people(settings):
    settings.MIN_GROUP_SIZE = 5
    leader = UserFactory()
    parent = TeamFactory(name="Operations")
    big, small = TeamFactory(name="Big", parent=parent), TeamFactory(name="Small", parent=parent)
    parent.leaders.add(leader)
    for _ in range(6):
        EnrollmentFactory(person=PersonFactory(team=big))
    for _ in range(2):
        EnrollmentFactory(person=PersonFactory(team=small))

    assert leader_digests_notify(timezone.now()) == 1
    digest = Notification.objects.get(recipient=leader, kind=Kind.DIGEST)
    assert "Big — people learning: 6" in digest.body
    assert "Small — people learning: fewer than the minimum group" in digest.body
    assert "2" not in digest.body.split("Small")[1].split("\n")[0]
    # Once a week; and not for those who turned it off.
    assert leader_digests_notify(timezone.now()) == 0
    other = UserFactory()
    big.leaders.add(other)
    NotificationPreference.objects.create(user=other, digest=False)
    assert leader_digests_notify(timezone.now()) == 0


def test_every_apps_due_job_is_registered():
    assert set(notifications.due_jobs()) == {
        "pathways-due-dates",
        "responsibilities-commitments",
        "metrics-leader-digests",
    }
