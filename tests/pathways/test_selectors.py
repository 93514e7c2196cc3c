import datetime as dt

from django.utils import timezone

from pathways import selectors
from pathways.models import Pathway, StepProgress
from tests.factories import (
    EnrollmentFactory,
    PathwayFactory,
    PersonFactory,
    StageFactory,
    StepFactory,
    StepProgressFactory,
)


def test_pathway_list_counts_stages_live_steps_enrolments_and_completions(db):
    pathway = PathwayFactory(title="Prompting for support")
    first, second = StageFactory(pathway=pathway), StageFactory(pathway=pathway)
    StepFactory(stage=first)
    StepFactory(stage=second)
    StepFactory(stage=second, is_archived=True)
    EnrollmentFactory(pathway=pathway)
    EnrollmentFactory(pathway=pathway, completed_at=timezone.now())
    EnrollmentFactory(pathway=pathway, completed_at=timezone.now())
    PathwayFactory(title="Empty")

    listed = {p.title: p for p in selectors.pathway_list_with_counts()}

    prompting = listed["Prompting for support"]
    assert (prompting.stage_count, prompting.step_count) == (2, 2)
    assert (prompting.enrolled_count, prompting.completed_count) == (3, 2)
    empty = listed["Empty"]
    assert (empty.stage_count, empty.step_count, empty.enrolled_count) == (0, 0, 0)


def test_pathway_list_includes_drafts_and_archived_pathways_by_title(db):
    PathwayFactory(title="B", status=Pathway.Status.DRAFT)
    PathwayFactory(title="C", status=Pathway.Status.ARCHIVED)
    PathwayFactory(title="A")

    assert [p.title for p in selectors.pathway_list_with_counts()] == ["A", "B", "C"]


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
