"""The learner's writes: unlock rules, start / done / evidence / review, completion,
activity records, confidence, feedback, recognition and self-enrolment."""

import pytest
from django.core.exceptions import ValidationError

from metrics.models import ActivityRecord
from pathways.models import ConfidenceRating, Enrollment, Pathway, Recognition, StepFeedback
from pathways.selectors.learning import pathway_plan
from pathways.services import learning as services
from tests.factories import (
    PathwayFactory,
    PersonFactory,
    StageFactory,
    StepFactory,
)
from tests.pathways.factories import (
    a_journey,
    finish_foundation,
    submitted,
    submitted_as_last_step,
)

pytestmark = pytest.mark.django_db


# --- Unlock rules -------------------------------------------------------------------


def test_in_a_sequential_stage_a_step_unlocks_when_the_previous_live_step_is_done():
    journey = a_journey()

    plan = pathway_plan(journey.enrollment)
    assert not plan.state_of(journey.learn).is_locked
    assert plan.state_of(journey.reflect).blockers == [journey.learn]

    services.step_mark_done(enrollment=journey.enrollment, step=journey.learn)

    assert not pathway_plan(journey.enrollment).state_of(journey.reflect).is_locked


def test_a_locked_step_cannot_be_started_done_or_submitted_and_says_what_unlocks_it():
    journey = a_journey()

    for action in (services.step_start, services.step_mark_done):
        with pytest.raises(ValidationError, match="finish “Learn the basics” first"):
            action(enrollment=journey.enrollment, step=journey.reflect)
    with pytest.raises(ValidationError, match="finish “Draft five real replies” first"):
        services.evidence_submit(
            enrollment=journey.enrollment, step=journey.share, evidence="Did it."
        )
    assert not journey.enrollment.progress.exists()
    assert not ActivityRecord.objects.exists()


def test_archived_steps_are_skipped_by_the_sequence_and_the_count():
    journey = a_journey()
    journey.learn.is_archived = True
    journey.learn.save()

    plan = pathway_plan(journey.enrollment)

    assert not plan.state_of(journey.reflect).is_locked
    assert plan.state_of(journey.learn) is None
    assert plan.total == 3


def test_prerequisites_lock_a_step_in_any_order_stage_until_they_are_done():
    journey = a_journey()
    journey.practice.is_sequential = False
    journey.practice.save()
    journey.share.prerequisites.add(journey.learn)

    plan = pathway_plan(journey.enrollment)
    assert plan.state_of(journey.share).blockers == [journey.learn]
    assert not plan.state_of(journey.practise).is_locked  # any order, no prerequisites

    services.step_mark_done(enrollment=journey.enrollment, step=journey.learn)

    assert not pathway_plan(journey.enrollment).state_of(journey.share).is_locked


def test_an_archived_prerequisite_no_longer_locks_anything():
    journey = a_journey()
    journey.practice.is_sequential = False
    journey.practice.save()
    retired = StepFactory(stage=journey.foundation, position=9, is_archived=True)
    journey.share.prerequisites.add(retired)

    assert not pathway_plan(journey.enrollment).state_of(journey.share).is_locked


def test_the_next_step_is_work_already_under_way_before_a_new_step():
    journey = a_journey()
    assert pathway_plan(journey.enrollment).next_step.step == journey.learn
    finish_foundation(journey)
    services.evidence_submit(
        enrollment=journey.enrollment, step=journey.practise, evidence="Drafted replies."
    )

    # The practice step waits for review and `share` is locked behind it: nothing to do.
    plan = pathway_plan(journey.enrollment)
    assert plan.next_step is None
    assert [s.step for s in plan.waiting_for_review] == [journey.practise]


# --- Start, done, evidence ----------------------------------------------------------


def test_starting_a_step_records_attendance_once():
    journey = a_journey()

    progress = services.step_start(enrollment=journey.enrollment, step=journey.learn)

    assert progress.status == "in_progress"
    assert progress.started_at
    with pytest.raises(ValidationError, match="already started"):
        services.step_start(enrollment=journey.enrollment, step=journey.learn)
    (record,) = ActivityRecord.objects.all()
    assert (record.kind, record.minutes, record.source) == ("attended", 0, "app")
    assert record.source_id == f"progress:{progress.pk}:start"
    assert (record.person, record.pathway, record.step) == (
        journey.learner,
        journey.pathway,
        journey.learn,
    )


def test_marking_a_learn_step_done_approves_it_and_records_its_minutes_once():
    journey = a_journey()

    progress = services.step_mark_done(enrollment=journey.enrollment, step=journey.learn)

    assert progress.status == "approved"
    assert progress.completed_at
    with pytest.raises(ValidationError, match="already done"):
        services.step_mark_done(enrollment=journey.enrollment, step=journey.learn)
    (record,) = ActivityRecord.objects.all()
    assert (record.kind, record.minutes) == ("completed", journey.learn.estimated_minutes)
    assert record.source_id == f"progress:{progress.pk}:completed"


def test_a_practice_step_that_requires_evidence_cannot_be_marked_done():
    journey = a_journey()
    finish_foundation(journey)

    with pytest.raises(ValidationError, match="needs evidence"):
        services.step_mark_done(enrollment=journey.enrollment, step=journey.practise)

    assert pathway_plan(journey.enrollment).state_of(journey.practise).status == "not_started"


def test_a_practice_step_without_required_evidence_can_be_marked_done():
    journey = a_journey()
    journey.practice.is_sequential = False
    journey.practice.save()

    progress = services.step_mark_done(enrollment=journey.enrollment, step=journey.share)

    assert progress.status == "approved"


def test_submitting_evidence_puts_the_step_up_for_review_and_records_practice():
    journey = a_journey()

    progress = submitted(journey, evidence="  Drafted 12 replies; kept 9.  ")

    assert progress.status == "submitted"
    assert progress.evidence == "Drafted 12 replies; kept 9."
    assert progress.submitted_at
    assert progress.started_at
    record = ActivityRecord.objects.get(source_id=f"progress:{progress.pk}:practiced")
    assert (record.kind, record.minutes) == ("practiced", 90)


def test_submitting_again_while_waiting_for_review_is_refused_and_changes_nothing():
    journey = a_journey()
    progress = submitted(journey, evidence="First version.")

    with pytest.raises(ValidationError, match="already waiting for review"):
        services.evidence_submit(
            enrollment=journey.enrollment, step=journey.practise, evidence="Second version."
        )

    progress.refresh_from_db()
    assert progress.evidence == "First version."
    assert ActivityRecord.objects.filter(kind="practiced").count() == 1


@pytest.mark.parametrize(
    ("evidence", "link", "message"),
    [
        ("", "", "cannot be empty"),
        ("   \n ", "", "cannot be empty"),
        ("x" * 10_001, "", "at most 10,000 characters"),
        ("Did it.", "javascript:alert(1)", "http:// or https://"),
        ("Did it.", "ftp://files.example.com/x", "http:// or https://"),
        ("Did it.", "my pull request", "http:// or https://"),
        ("Did it.", "https://" + "a" * 500 + ".com", "at most 500 characters"),
    ],
)
def test_bad_evidence_is_refused_with_a_clear_message_and_changes_nothing(evidence, link, message):
    journey = a_journey()
    finish_foundation(journey)

    with pytest.raises(ValidationError, match=message):
        services.evidence_submit(
            enrollment=journey.enrollment,
            step=journey.practise,
            evidence=evidence,
            evidence_url=link,
        )

    assert pathway_plan(journey.enrollment).state_of(journey.practise).status == "not_started"
    assert not ActivityRecord.objects.filter(kind="practiced").exists()


def test_evidence_of_exactly_10000_characters_and_an_https_link_are_accepted():
    journey = a_journey()
    finish_foundation(journey)

    progress = services.evidence_submit(
        enrollment=journey.enrollment,
        step=journey.practise,
        evidence="x" * 10_000,
        evidence_url="https://git.example.com/pr/42",
    )

    assert progress.evidence_url == "https://git.example.com/pr/42"


def test_a_step_of_another_pathway_is_refused():
    journey = a_journey()
    elsewhere = StepFactory()

    with pytest.raises(ValidationError, match="not part of this pathway"):
        services.step_start(enrollment=journey.enrollment, step=elsewhere)


def test_a_learn_step_takes_no_evidence():
    journey = a_journey()

    with pytest.raises(ValidationError, match="takes no evidence"):
        services.evidence_submit(
            enrollment=journey.enrollment, step=journey.learn, evidence="Read it."
        )


# --- Review ---------------------------------------------------------------------------


def test_approving_evidence_at_a_rubric_level_makes_the_step_done():
    journey = a_journey()
    progress = submitted(journey)

    reviewed = services.evidence_approve(
        progress=progress, reviewer=journey.manager, rubric_level=3, comment="Good checks."
    )

    assert (reviewed.status, reviewed.rubric_level, reviewed.reviewer) == (
        "approved",
        3,
        journey.manager,
    )
    assert reviewed.review_comment == "Good checks."
    assert reviewed.completed_at
    record = ActivityRecord.objects.get(source_id=f"progress:{progress.pk}:completed")
    assert (record.kind, record.minutes) == ("completed", 0)  # minutes counted as practice
    assert not pathway_plan(journey.enrollment).state_of(journey.share).is_locked


def test_requesting_changes_needs_a_comment_and_lets_the_learner_resubmit():
    journey = a_journey()
    progress = submitted(journey, evidence="First try.")

    with pytest.raises(ValidationError, match="Say what to change"):
        services.evidence_request_changes(progress=progress, reviewer=journey.manager, comment=" ")
    services.evidence_request_changes(
        progress=progress, reviewer=journey.manager, comment="Add the before/after times."
    )
    again = services.evidence_submit(
        enrollment=journey.enrollment, step=journey.practise, evidence="Second try, with times."
    )

    assert again.status == "submitted"
    assert again.review_comment == "Add the before/after times."  # kept until the next review
    # One practice record per step: a resubmission improves the same practice.
    assert ActivityRecord.objects.filter(kind="practiced").count() == 1


def test_reviewing_an_already_reviewed_submission_changes_nothing():
    journey = a_journey()
    progress = submitted(journey)
    services.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=2)

    with pytest.raises(ValidationError, match="already approved"):
        services.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=4)
    with pytest.raises(ValidationError, match="already approved"):
        services.evidence_request_changes(
            progress=progress, reviewer=journey.manager, comment="Redo it."
        )

    progress.refresh_from_db()
    assert (progress.status, progress.rubric_level, progress.review_comment) == (
        "approved",
        2,
        "",
    )


def test_nobody_reviews_their_own_evidence():
    journey = a_journey()
    progress = submitted(journey)

    with pytest.raises(ValidationError, match="your own evidence"):
        services.evidence_approve(progress=progress, reviewer=journey.learner, rubric_level=4)

    progress.refresh_from_db()
    assert progress.status == "submitted"


@pytest.mark.parametrize("level", [0, 5, None, "3"])
def test_a_rubric_level_outside_1_to_4_is_refused(level):
    journey = a_journey()
    progress = submitted(journey)

    with pytest.raises(ValidationError, match="from 1 to 4"):
        services.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=level)

    progress.refresh_from_db()
    assert progress.status == "submitted"


# --- Completion ------------------------------------------------------------------------


def complete(journey):
    progress = submitted(journey)
    services.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=3)
    services.step_mark_done(enrollment=journey.enrollment, step=journey.share)
    journey.enrollment.refresh_from_db()


def test_the_enrolment_is_completed_when_its_last_live_step_is_done():
    journey = a_journey()
    progress = submitted(journey)
    services.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=3)
    journey.enrollment.refresh_from_db()
    assert journey.enrollment.completed_at is None

    services.step_mark_done(enrollment=journey.enrollment, step=journey.share)

    journey.enrollment.refresh_from_db()
    assert journey.enrollment.completed_at is not None
    assert ActivityRecord.objects.filter(kind="completed").count() == 4


def test_the_enrolment_completes_on_approval_when_the_evidence_step_is_last():
    journey = a_journey()
    progress = submitted_as_last_step(journey)

    services.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=3)

    journey.enrollment.refresh_from_db()
    assert journey.enrollment.completed_at is not None


# --- Confidence ------------------------------------------------------------------------


def test_confidence_is_asked_at_the_start_after_each_stage_and_at_completion():
    journey = a_journey()
    enrollment = journey.enrollment
    assert pathway_plan(enrollment).confidence_due.moment == "start"
    services.confidence_rate(enrollment=enrollment, moment="start", rating=2)
    assert pathway_plan(enrollment).confidence_due is None

    finish_foundation(journey)
    ask = pathway_plan(enrollment).confidence_due
    assert (ask.moment, ask.stage) == ("stage", journey.foundation)
    services.confidence_rate(enrollment=enrollment, moment="stage", stage=ask.stage, rating=3)
    assert pathway_plan(enrollment).confidence_due is None

    progress = services.evidence_submit(
        enrollment=enrollment, step=journey.practise, evidence="Did it."
    )
    services.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=3)
    services.step_mark_done(enrollment=enrollment, step=journey.share)
    enrollment.refresh_from_db()
    assert pathway_plan(enrollment).confidence_due.moment == "completion"
    services.confidence_rate(enrollment=enrollment, moment="completion", rating=4)

    assert pathway_plan(enrollment).confidence_due is None
    assert list(ConfidenceRating.objects.order_by("pk").values_list("moment", "rating")) == [
        ("start", 2),
        ("stage", 3),
        ("completion", 4),
    ]


@pytest.mark.parametrize("rating", [0, 6, -1, "", "three", None, "3.5"])
def test_a_confidence_rating_outside_1_to_5_is_refused(rating):
    journey = a_journey()

    with pytest.raises(ValidationError, match="from 1 .* to 5"):
        services.confidence_rate(enrollment=journey.enrollment, moment="start", rating=rating)

    assert not ConfidenceRating.objects.exists()


def test_rating_the_same_moment_twice_is_refused_and_keeps_the_first():
    journey = a_journey()
    services.confidence_rate(enrollment=journey.enrollment, moment="start", rating=2)

    with pytest.raises(ValidationError, match="already rated"):
        services.confidence_rate(enrollment=journey.enrollment, moment="start", rating=5)

    assert list(ConfidenceRating.objects.values_list("rating", flat=True)) == [2]


def test_a_stage_or_completion_rating_before_that_moment_is_refused():
    journey = a_journey()

    with pytest.raises(ValidationError, match="once you have finished it"):
        services.confidence_rate(
            enrollment=journey.enrollment, moment="stage", stage=journey.foundation, rating=3
        )
    with pytest.raises(ValidationError, match="once the pathway is done"):
        services.confidence_rate(enrollment=journey.enrollment, moment="completion", rating=3)
    with pytest.raises(ValidationError, match="not part of this pathway"):
        services.confidence_rate(
            enrollment=journey.enrollment, moment="stage", stage=StageFactory(), rating=3
        )
    with pytest.raises(ValidationError, match="Unknown moment"):
        services.confidence_rate(enrollment=journey.enrollment, moment="whenever", rating=3)
    assert not ConfidenceRating.objects.exists()


# --- Feedback --------------------------------------------------------------------------


def test_answering_feedback_again_updates_the_one_answer():
    journey = a_journey()

    services.step_feedback_give(person=journey.learner, step=journey.learn, useful=True)
    services.step_feedback_give(
        person=journey.learner, step=journey.learn, useful=False, comment="Too generic."
    )

    (feedback,) = StepFeedback.objects.all()
    assert (feedback.useful, feedback.comment) == (False, "Too generic.")


def test_feedback_comments_over_2000_characters_are_refused():
    journey = a_journey()

    with pytest.raises(ValidationError, match="at most 2,000 characters"):
        services.step_feedback_give(
            person=journey.learner, step=journey.learn, useful=True, comment="x" * 2_001
        )

    assert not StepFeedback.objects.exists()


def test_feedback_is_only_for_steps_of_ones_own_pathways():
    journey = a_journey()

    with pytest.raises(ValidationError, match="your own pathways"):
        services.step_feedback_give(person=PersonFactory(), step=journey.learn, useful=True)


# --- Recognition -----------------------------------------------------------------------


def test_recognising_a_colleague_saves_the_message():
    journey = a_journey()

    recognition = services.recognition_give(
        from_person=journey.learner,
        to_person=journey.manager,
        behaviour="knowledge_sharing",
        message="  Showed us his prompt library.  ",
    )

    assert recognition.message == "Showed us his prompt library."
    assert Recognition.objects.count() == 1


@pytest.mark.parametrize(
    ("to_self", "behaviour", "message", "expected"),
    [
        (True, "experimentation", "Me!", "cannot recognise yourself"),
        (False, "attendance", "Came to the workshop.", "Choose the behaviour"),
        (False, "experimentation", "   ", "Say what they did"),
        (False, "experimentation", "x" * 501, "500 characters"),
    ],
)
def test_bad_recognition_is_refused_with_a_clear_message(to_self, behaviour, message, expected):
    journey = a_journey()

    with pytest.raises(ValidationError, match=expected):
        services.recognition_give(
            from_person=journey.learner,
            to_person=journey.learner if to_self else journey.manager,
            behaviour=behaviour,
            message=message,
        )

    assert not Recognition.objects.exists()


# --- Self-enrolment --------------------------------------------------------------------


def test_a_person_self_enrols_in_a_published_pathway_for_their_role_once():
    person = PersonFactory()
    pathway = PathwayFactory(target_roles=[person.job_role])

    enrollment = services.enrollment_self_enrol(person=person, pathway=pathway)

    assert enrollment.source == Enrollment.Source.SELF
    with pytest.raises(ValidationError, match="already enrolled"):
        services.enrollment_self_enrol(person=person, pathway=pathway)


def test_self_enrolment_is_refused_for_other_roles_and_unpublished_pathways():
    person = PersonFactory()
    other_role = PathwayFactory(target_roles=[PersonFactory().job_role])
    draft = PathwayFactory(target_roles=[person.job_role], status=Pathway.Status.DRAFT)

    with pytest.raises(ValidationError, match="not aimed at your role"):
        services.enrollment_self_enrol(person=person, pathway=other_role)
    with pytest.raises(ValidationError, match="not open for enrolment"):
        services.enrollment_self_enrol(person=person, pathway=draft)
    assert not Enrollment.objects.exists()
