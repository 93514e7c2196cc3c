"""Evidence waiting for review can be edited or withdrawn by its author, and by nobody
else; once a reviewer has looked at it, neither. The reviewer's queue follows: an edit
shows there (and a review of the version before it is refused), a withdrawal takes the
submission out of the queue and the count."""

import pytest
from django.core.exceptions import ValidationError

from metrics.models import ActivityRecord
from pathways.models import StepProgress
from pathways.selectors import learning as selectors
from pathways.services import learning as services
from tests.factories import PersonFactory, StepFactory
from tests.pathways.factories import a_journey, submitted

pytestmark = pytest.mark.django_db
Status = StepProgress.Status


def edit(journey, evidence="Drafted 14 replies; kept 11.", evidence_url="", person=None):
    return services.evidence_edit(
        person=person or journey.learner,
        enrollment=journey.enrollment,
        step=journey.practise,
        evidence=evidence,
        evidence_url=evidence_url,
    )


def withdraw(journey, person=None):
    return services.evidence_withdraw(
        person=person or journey.learner, enrollment=journey.enrollment, step=journey.practise
    )


def current(progress) -> StepProgress:
    return StepProgress.objects.get(pk=progress.pk)


# --- Editing ------------------------------------------------------------------------------


def test_the_author_edits_evidence_waiting_for_review_and_it_keeps_its_place_in_the_queue():
    journey = a_journey()
    progress = submitted(journey)
    before = current(progress)

    edit(journey, "Drafted 14 replies; kept 11.", "https://example.com/t/2")

    after = current(progress)
    assert (after.status, after.evidence, after.evidence_url) == (
        Status.SUBMITTED,
        "Drafted 14 replies; kept 11.",
        "https://example.com/t/2",
    )
    assert after.submitted_at == before.submitted_at  # same place in the oldest-first queue
    assert after.evidence_edited_at is not None
    assert after.evidence_version != before.evidence_version
    # The practice was recorded once, at submission; an edit records nothing more.
    assert ActivityRecord.objects.filter(kind="practiced").count() == 1


def test_an_edit_that_changes_nothing_keeps_the_version_the_reviewer_read():
    journey = a_journey()
    progress = submitted(journey, evidence="Did it.")

    edit(journey, "  Did it.  ")

    assert current(progress).evidence_edited_at is None


@pytest.mark.parametrize(
    ("evidence", "link", "field", "message"),
    [
        ("", "", "evidence", "evidence cannot be empty"),
        ("x" * 10_001, "", "evidence", "at most 10,000 characters"),
        ("Did it.", "javascript:alert(1)", "evidence_url", "starting with http:// or https://"),
    ],
)
def test_a_bad_edit_is_refused_under_its_field_and_changes_nothing(evidence, link, field, message):
    journey = a_journey()
    progress = submitted(journey, evidence="The first version.")

    with pytest.raises(ValidationError) as refused:
        edit(journey, evidence, link)

    assert message in " ".join(refused.value.message_dict[field])
    after = current(progress)
    assert (after.evidence, after.evidence_edited_at) == ("The first version.", None)


def test_only_the_author_may_edit_or_withdraw():
    journey = a_journey()
    progress = submitted(journey, evidence="Mine.")
    for someone in (journey.manager, PersonFactory(team=journey.learner.team)):
        with pytest.raises(ValidationError, match="Only the person who submitted"):
            edit(journey, "Not yours.", person=someone)
        with pytest.raises(ValidationError, match="Only the person who submitted"):
            withdraw(journey, person=someone)

    after = current(progress)
    assert (after.status, after.evidence) == (Status.SUBMITTED, "Mine.")


def test_approved_evidence_can_be_neither_edited_nor_withdrawn():
    journey = a_journey()
    progress = submitted(journey, evidence="Did it.")
    services.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=3)

    for change in (lambda: edit(journey, "Better."), lambda: withdraw(journey)):
        with pytest.raises(ValidationError, match="reviewed and approved, so it can no longer"):
            change()

    after = current(progress)
    assert (after.status, after.evidence, after.rubric_level) == (Status.APPROVED, "Did it.", 3)


def test_evidence_sent_back_for_changes_is_resubmitted_not_edited_or_withdrawn():
    journey = a_journey()
    progress = submitted(journey, evidence="Did it.")
    services.evidence_request_changes(
        progress=progress, reviewer=journey.manager, comment="Add timings."
    )

    for change in (lambda: edit(journey, "Better."), lambda: withdraw(journey)):
        with pytest.raises(ValidationError, match="asked for changes, so it can no longer"):
            change()
    assert current(progress).status == Status.CHANGES_REQUESTED


def test_nothing_submitted_means_nothing_to_edit_or_withdraw():
    journey = a_journey()

    for change in (lambda: edit(journey), lambda: withdraw(journey)):
        with pytest.raises(ValidationError, match="No evidence of yours is waiting for review"):
            change()
    assert not StepProgress.objects.filter(step=journey.practise).exists()


def test_a_step_of_another_pathway_is_refused():
    journey = a_journey()
    progress = submitted(journey)
    elsewhere = StepFactory(kind="practice")

    with pytest.raises(ValidationError, match="not part of this pathway"):
        services.evidence_withdraw(
            person=journey.learner, enrollment=journey.enrollment, step=elsewhere
        )
    assert current(progress).status == Status.SUBMITTED


# --- Withdrawing --------------------------------------------------------------------------


def test_withdrawn_evidence_leaves_the_queue_and_the_count_and_stays_the_authors_draft():
    journey = a_journey()
    progress = submitted(journey, evidence="Drafted 12 replies.")
    manager = journey.manager.user
    assert [p.pk for p in selectors.review_queue(manager)] == [progress.pk]
    assert selectors.review_count(manager) == 1

    withdraw(journey)

    after = current(progress)
    assert (after.status, after.submitted_at, after.evidence) == (
        Status.IN_PROGRESS,
        None,
        "Drafted 12 replies.",
    )
    assert after.is_withdrawn
    assert list(selectors.review_queue(manager)) == []
    assert selectors.review_count(manager) == 0
    plan = selectors.pathway_plan(journey.enrollment)
    assert plan.waiting_for_review == []
    assert plan.state_of(journey.practise).can_submit_evidence


def test_a_withdrawn_resubmission_goes_back_to_changes_requested_with_the_comment():
    journey = a_journey()
    progress = submitted(journey, evidence="First try.")
    services.evidence_request_changes(
        progress=progress, reviewer=journey.manager, comment="Add timings."
    )
    services.evidence_submit(
        enrollment=journey.enrollment, step=journey.practise, evidence="Second try."
    )

    withdraw(journey)

    after = current(progress)
    assert (after.status, after.review_comment, after.evidence) == (
        Status.CHANGES_REQUESTED,
        "Add timings.",
        "Second try.",
    )


def test_submitting_again_after_withdrawing_is_a_new_submission_counted_once():
    journey = a_journey()
    progress = submitted(journey, evidence="First.")
    withdraw(journey)

    services.evidence_submit(enrollment=journey.enrollment, step=journey.practise, evidence="Two.")

    after = current(progress)
    assert (after.status, after.evidence, after.is_withdrawn) == (Status.SUBMITTED, "Two.", False)
    assert selectors.review_count(journey.manager.user) == 1
    assert ActivityRecord.objects.filter(kind="practiced").count() == 1


def test_withdrawing_twice_is_refused_and_changes_nothing():
    journey = a_journey()
    progress = submitted(journey)
    withdraw(journey)

    with pytest.raises(ValidationError, match="No evidence of yours is waiting for review"):
        withdraw(journey)
    assert current(progress).status == Status.IN_PROGRESS


# --- The reviewer's side ------------------------------------------------------------------


def test_a_review_of_the_version_before_an_edit_is_refused_and_changes_nothing():
    journey = a_journey()
    progress = submitted(journey, evidence="First.")
    read = current(progress).evidence_version
    edit(journey, "Changed while the reviewer read the first version.")

    with pytest.raises(ValidationError, match="Sam Rivera changed this evidence while you"):
        services.evidence_approve(
            progress=progress, reviewer=journey.manager, rubric_level=3, evidence_version=read
        )
    with pytest.raises(ValidationError, match="changed this evidence"):
        services.evidence_request_changes(
            progress=progress, reviewer=journey.manager, comment="Redo.", evidence_version=read
        )
    assert current(progress).status == Status.SUBMITTED

    approved = services.evidence_approve(
        progress=progress,
        reviewer=journey.manager,
        rubric_level=3,
        evidence_version=current(progress).evidence_version,
    )
    assert approved.status == Status.APPROVED


def test_reviewing_withdrawn_evidence_says_it_was_withdrawn():
    journey = a_journey()
    progress = submitted(journey)
    withdraw(journey)

    with pytest.raises(ValidationError, match="Sam Rivera withdrew this evidence"):
        services.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=2)
    assert current(progress).status == Status.IN_PROGRESS
