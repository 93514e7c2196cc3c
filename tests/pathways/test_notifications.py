"""The pathways side's notifications: every event, its key, the overdue cadence and its
stop conditions, time zones, leavers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pathways.notifications import due_dates_notify
from pathways.services import learning
from pathways.services.builder.assignment import pathway_assign
from tests.factories import EnrollmentFactory, PersonFactory, TeamFactory, UserFactory
from tests.pathways.factories import a_journey
from upskill import notifications
from upskill.models import Notification, NotificationPreference

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
Kind = Notification.Kind
NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)  # a Monday


def kinds_of(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_assigning_a_pathway_tells_each_person_with_the_due_date(ld_admin):
    journey = a_journey(status="published")
    team = TeamFactory()
    people = [PersonFactory(team=team, job_role=journey.learner.job_role) for _ in range(3)]
    due = timezone.localdate() + dt.timedelta(days=30)
    pathway_assign(pathway=journey.pathway, assigned_by=ld_admin, team=team, due_date=due)
    for person in people:
        [row] = Notification.objects.filter(recipient=person.user)
        assert row.kind == Kind.ENROLLED
        assert f"due on {due:%-d %B %Y}" in row.body
        assert row.url == "/learning/"
    # Assigning again enrols nobody new and notifies nobody again.
    pathway_assign(pathway=journey.pathway, assigned_by=ld_admin, team=team, due_date=due)
    assert Notification.objects.filter(kind=Kind.ENROLLED).count() == 3


def test_self_enrolment_is_notified():
    journey = a_journey(status="published")
    newcomer = PersonFactory(job_role=journey.learner.job_role)
    learning.enrollment_self_enrol(person=newcomer, pathway=journey.pathway)
    assert kinds_of(newcomer.user) == [Kind.ENROLLED]


def test_submission_goes_to_the_manager_or_else_the_team_leaders():
    journey = a_journey()
    learning.evidence_submit(enrollment=journey.enrollment, step=journey.practise, evidence="x")
    assert kinds_of(journey.manager.user) == [Kind.REVIEW_WAITING]
    # Without a manager: the leaders of the nearest team up the tree that has some.
    parent = TeamFactory()
    leader = UserFactory()
    parent.leaders.add(leader)
    orphan_team = TeamFactory(parent=parent)
    orphan = PersonFactory(team=orphan_team, job_role=journey.learner.job_role)
    enrollment = EnrollmentFactory(person=orphan, pathway=journey.pathway)
    learning.evidence_submit(enrollment=enrollment, step=journey.practise, evidence="y")
    assert kinds_of(leader) == [Kind.REVIEW_WAITING]


def test_review_outcomes_and_recognition_are_notified():
    journey = a_journey()
    progress = learning.evidence_submit(
        enrollment=journey.enrollment, step=journey.practise, evidence="x"
    )
    learning.evidence_request_changes(progress=progress, reviewer=journey.manager, comment="More.")
    progress = learning.evidence_submit(
        enrollment=journey.enrollment, step=journey.practise, evidence="x2"
    )
    learning.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=2)
    outcomes = Notification.objects.filter(kind=Kind.REVIEW_OUTCOME).order_by("pk")
    assert [n.subject for n in outcomes] == [
        "Changes requested: “Draft five real replies”",
        "Approved: “Draft five real replies” at level 2",
    ]
    assert outcomes[0].body == "Your reviewer asks for changes: More."
    # The resubmission was a new event for the reviewer.
    assert kinds_of(journey.manager.user) == [Kind.REVIEW_WAITING] * 2

    learning.recognition_give(
        from_person=journey.manager,
        to_person=journey.learner,
        behaviour="knowledge_sharing",
        message="Shared her prompt library.",
    )
    recognised = Notification.objects.get(kind=Kind.RECOGNISED)
    assert recognised.subject == "Tom Okafor recognised you for knowledge sharing"
    assert "prompt library" not in recognised.body


def enrolment_due(days_from_noon: int):
    return EnrollmentFactory(due_date=NOON.date() + dt.timedelta(days=days_from_noon))


def test_due_in_seven_days_once_and_the_job_twice_changes_nothing():
    enrollment = enrolment_due(7)
    later = enrolment_due(8)
    assert due_dates_notify(NOON) == 1
    assert due_dates_notify(NOON) == 0
    assert due_dates_notify(NOON + dt.timedelta(days=1)) == 1  # the second one's turn
    assert kinds_of(enrollment.person.user) == [Kind.DUE_SOON]
    assert kinds_of(later.person.user) == [Kind.DUE_SOON]


def test_overdue_the_day_after_then_weekly_at_most_three_times():
    enrollment = enrolment_due(-1)
    sent = [due_dates_notify(NOON + dt.timedelta(days=day)) for day in range(0, 40)]
    assert sum(sent) == 3
    assert [day for day, n in enumerate(sent) if n] == [0, 7, 14]
    assert kinds_of(enrollment.person.user) == [Kind.OVERDUE] * 3


def test_overdue_stops_when_done_or_when_the_due_date_moves():
    done = enrolment_due(-1)
    moved = enrolment_due(-1)
    assert due_dates_notify(NOON) == 2
    done.completed_at = NOON
    done.save()
    moved.due_date = NOON.date() + dt.timedelta(days=20)
    moved.save()
    assert due_dates_notify(NOON + dt.timedelta(days=7)) == 0
    assert Notification.objects.filter(kind=Kind.OVERDUE).count() == 2


def test_due_dates_follow_the_persons_time_zone():
    # 12:00 UTC on Monday 2 March is already Tuesday 3 March in Kiritimati (UTC+14).
    far_east = enrolment_due(8)
    at_home = enrolment_due(8)
    NotificationPreference.objects.create(user=far_east.person.user, time_zone="Pacific/Kiritimati")
    assert due_dates_notify(NOON) == 1
    assert kinds_of(far_east.person.user) == [Kind.DUE_SOON]
    assert kinds_of(at_home.person.user) == []


def test_leavers_get_no_due_notifications():
    enrollment = enrolment_due(3)
    enrollment.person.user.is_active = False
    enrollment.person.user.save()
    assert due_dates_notify(NOON) == 0


def test_the_due_job_is_registered_for_the_command():
    assert notifications.due_jobs()["pathways-due-dates"] is due_dates_notify
