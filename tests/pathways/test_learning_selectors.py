"""Reads behind "My learning"."""

import datetime as dt

from django.utils import timezone

from pathways import selectors
from pathways.models import StepProgress
from tests.factories import (
    EnrollmentFactory,
    PathwayFactory,
    PersonFactory,
    StageFactory,
    StepFactory,
    StepProgressFactory,
)


def test_enrolment_progress_counts_approved_live_steps_of_that_person_only(db):
    person, colleague = PersonFactory(), PersonFactory()
    enrollment = EnrollmentFactory(person=person)
    stage = StageFactory(pathway=enrollment.pathway)
    done, submitted, _untouched = (StepFactory(stage=stage) for _ in range(3))
    archived_done = StepFactory(stage=stage, is_archived=True)
    approved = StepProgress.Status.APPROVED
    StepProgressFactory(enrollment=enrollment, step=done, status=approved)
    StepProgressFactory(enrollment=enrollment, step=submitted, status="submitted")
    StepProgressFactory(enrollment=enrollment, step=archived_done, status=approved)
    theirs = EnrollmentFactory(person=colleague, pathway=enrollment.pathway)
    StepProgressFactory(enrollment=theirs, step=submitted, status=approved)

    (mine,) = selectors.enrollments_for_person(person)

    assert (mine.done_steps, mine.total_steps) == (1, 3)


def test_enrolments_are_listed_soonest_due_first_and_undated_ones_last(db):
    person = PersonFactory()
    today = timezone.localdate()
    EnrollmentFactory(person=person, pathway=PathwayFactory(title="Undated"), due_date=None)
    EnrollmentFactory(
        person=person, pathway=PathwayFactory(title="Later"), due_date=today + dt.timedelta(60)
    )
    EnrollmentFactory(
        person=person, pathway=PathwayFactory(title="Soon"), due_date=today + dt.timedelta(7)
    )

    titles = [e.pathway.title for e in selectors.enrollments_for_person(person)]

    # PostgreSQL sorts NULL last and SQLite first unless the query says which.
    assert titles == ["Soon", "Later", "Undated"]


def test_with_stages_in_order_a_later_stage_waits_for_every_step_of_the_one_before(db):
    from pathways.services import learning as learning_services
    from tests.pathways.factories import a_journey

    journey = a_journey(stages_in_order=True)
    plan = selectors.pathway_plan(journey.enrollment)
    practise = plan.state_of(journey.practise)  # the first step of the practice stage
    assert practise.is_locked
    assert practise.blockers == [journey.learn, journey.reflect]
    learning_services.step_mark_done(enrollment=journey.enrollment, step=journey.learn)
    learning_services.step_mark_done(enrollment=journey.enrollment, step=journey.reflect)
    assert not selectors.pathway_plan(journey.enrollment).state_of(journey.practise).is_locked


def test_without_stages_in_order_a_later_stage_is_open_from_the_start(db):
    from tests.pathways.factories import a_journey

    journey = a_journey(stages_in_order=False)
    plan = selectors.pathway_plan(journey.enrollment)
    assert not plan.state_of(journey.practise).is_locked
