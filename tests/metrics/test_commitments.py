"""Employee commitments measured by the app: per-person rates per team and period."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics import services
from pathways.models import Recognition, Step, StepProgress
from responsibilities import services as responsibility_services
from responsibilities.models import CommitmentCheckIn, ResponsibilityArea
from tests.factories import (
    EnrollmentFactory,
    PersonFactory,
    RecognitionFactory,
    StepFactory,
    StepProgressFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _commitment(computed_from, period="month", teams=()):
    area = ResponsibilityArea.objects.get(key="active-participation")
    return responsibility_services.commitment_create(
        area=area,
        party="employee",
        title=f"Measured: {computed_from}",
        target=Decimal("1"),
        unit="per person",
        period=period,
        computed_from=computed_from,
        teams=teams,
    )


def _submit_practice(person, day):
    enrollment = EnrollmentFactory(person=person)
    step = StepFactory(stage__pathway=enrollment.pathway, kind=Step.Kind.PRACTICE)
    StepProgressFactory(
        enrollment=enrollment,
        step=step,
        status=StepProgress.Status.SUBMITTED,
        submitted_at=_at(day),
    )


def test_practice_submissions_become_a_per_person_rate_for_each_team_and_month():
    team, other = TeamFactory(), TeamFactory()
    people = PersonFactory.create_batch(4, team=team)
    PersonFactory.create_batch(2, team=other)
    commitment = _commitment("practice_submissions")
    _submit_practice(people[0], dt.date(2026, 11, 3))
    _submit_practice(people[1], dt.date(2026, 11, 20))
    _submit_practice(people[1], dt.date(2026, 10, 20))
    # a learn step submission does not count
    learn = StepProgressFactory(
        enrollment__person=people[2], submitted_at=_at(dt.date(2026, 11, 4))
    )
    assert learn.step.kind == Step.Kind.LEARN

    services.commitment_check_ins_compute(today=TODAY, recent=3)

    values = {
        (ci.team_id, ci.period_start): ci.value
        for ci in CommitmentCheckIn.objects.filter(commitment=commitment)
    }
    assert values[(team.pk, dt.date(2026, 11, 1))] == Decimal("0.50")  # 2 of 4 people
    assert values[(team.pk, dt.date(2026, 10, 1))] == Decimal("0.25")
    assert values[(team.pk, dt.date(2026, 9, 1))] == Decimal("0")
    assert values[(other.pk, dt.date(2026, 11, 1))] == Decimal("0")
    assert all(ci.source == "computed" for ci in CommitmentCheckIn.objects.all())


def test_knowledge_sharing_counts_recognitions_received_in_the_week():
    team = TeamFactory()
    people = PersonFactory.create_batch(2, team=team)
    commitment = _commitment("knowledge_sharing", period="week", teams=[team])
    shared = RecognitionFactory(to_person=people[0])
    Recognition.objects.filter(pk=shared.pk).update(created_at=_at(dt.date(2026, 11, 24)))
    experiment = RecognitionFactory(
        to_person=people[1], behaviour=Recognition.Behaviour.EXPERIMENTATION
    )
    Recognition.objects.filter(pk=experiment.pk).update(created_at=_at(dt.date(2026, 11, 24)))

    services.commitment_check_ins_compute(today=TODAY, recent=2)

    this_week = CommitmentCheckIn.objects.get(
        commitment=commitment, team=team, period_start=dt.date(2026, 11, 23)
    )
    assert this_week.value == Decimal("0.50")
    # scoped to `team`: no other team gets a row
    assert set(CommitmentCheckIn.objects.values_list("team_id", flat=True)) == {team.pk}


def test_recomputing_replaces_rather_than_adds():
    team = TeamFactory()
    person = PersonFactory(team=team)
    _commitment("practice_submissions")
    _submit_practice(person, dt.date(2026, 11, 3))
    services.commitment_check_ins_compute(today=TODAY, recent=2)
    first = list(CommitmentCheckIn.objects.order_by("period_start").values_list("value"))
    services.commitment_check_ins_compute(today=TODAY, recent=2)
    again = list(CommitmentCheckIn.objects.order_by("period_start").values_list("value"))
    assert first == again == [(Decimal("0"),), (Decimal("1"),)]


def test_the_celery_task_computes_them_too():
    from metrics.tasks import commitment_check_ins_compute

    team = TeamFactory()
    PersonFactory(team=team)
    _commitment("knowledge_sharing")
    # apply() runs the task in this process whatever the broker settings; the real
    # worker path is covered in tests/integration.
    assert commitment_check_ins_compute.apply().get() == 6
