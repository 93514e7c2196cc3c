"""Writes for learners and their reviewers: enrol, start, mark done, submit evidence
(and edit or withdraw it until it is reviewed), review it.

Every state change checks the step's state afresh from the database (`pathway_plan`),
so a double submit or a stale page is refused with a message and changes nothing.
Each progress change also records the learner's activity through upskill's port
(upskill/learning_activity.py) with a deterministic source_id, so a repeated request
can never count twice.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from pathways import notifications as pathway_notifications
from pathways.models import (
    Enrollment,
    Pathway,
    Step,
    StepProgress,
)
from pathways.selectors.learning import PathwayPlan, StepState, pathway_plan
from pathways.services.badges import badge_issue
from upskill.learning_activity import ActivityKind, learning_activity_record
from upskill.models import Person

Status = StepProgress.Status
# Limits come from the model fields, so the form's help text, the service's message and
# the column agree.
EVIDENCE_MAX_CHARS = StepProgress._meta.get_field("evidence").max_length
EVIDENCE_URL_MAX_CHARS = StepProgress._meta.get_field("evidence_url").max_length
REVIEW_COMMENT_MAX_CHARS = 4_000  # review_comment is an unbounded TextField


# --- Enrolment ----------------------------------------------------------------------------


def enrollment_self_enrol(*, person: Person, pathway: Pathway) -> Enrollment:
    if pathway.status != Pathway.Status.PUBLISHED:
        raise ValidationError("This pathway is not open for enrolment.")
    if not pathway.target_roles.filter(pk=person.job_role_id).exists():
        raise ValidationError(
            f"“{pathway.title}” is not aimed at your role ({person.job_role}); "
            "ask your manager or L&D to assign it to you."
        )
    if Enrollment.objects.filter(person=person, pathway=pathway).exists():
        raise ValidationError(f"You are already enrolled in “{pathway.title}”.")
    enrollment = Enrollment(person=person, pathway=pathway, source=Enrollment.Source.SELF)
    enrollment.full_clean()
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as exc:  # a double submit that raced the check above
        raise ValidationError(f"You are already enrolled in “{pathway.title}”.") from exc
    pathway_notifications.enrolments_notify(pathway_id=pathway.pk, person_ids=[person.pk])
    return enrollment


# --- Progress -----------------------------------------------------------------------------


def _state(enrollment: Enrollment, step: Step) -> tuple[PathwayPlan, StepState]:
    if step.pathway_id != enrollment.pathway_id:
        raise ValidationError("That step is not part of this pathway.")
    if step.is_archived:
        raise ValidationError("This step has been retired from the pathway; nothing to do here.")
    plan = pathway_plan(enrollment)
    state = plan.state_of(step)
    if state is None:  # pragma: no cover - a live step of the pathway is always planned
        raise ValidationError("That step is not part of this pathway.")
    if state.is_locked:
        names = ", ".join(f"“{b.title}”" for b in state.blockers)
        raise ValidationError(f"This step is locked: finish {names} first.")
    return plan, state


def _locked_progress(enrollment: Enrollment, step: Step) -> StepProgress:
    """The progress row, created if missing, locked for the rest of the transaction so
    two simultaneous requests are applied one after the other."""
    progress, _ = StepProgress.objects.get_or_create(enrollment=enrollment, step=step)
    progress = StepProgress.objects.select_for_update().get(pk=progress.pk)
    progress.enrollment, progress.step = enrollment, step  # already loaded: no lazy loads
    return progress


def _save(progress: StepProgress) -> None:
    # The enrolment and step were just loaded and the row exists, so only the row's own
    # fields and check constraints need validating.
    progress.full_clean(exclude=["enrollment", "step", "reviewer"], validate_unique=False)
    progress.save()


def _refuse_if_finished(progress: StepProgress) -> None:
    if progress.status == Status.APPROVED:
        raise ValidationError("This step is already done; nothing was changed.")
    if progress.status == Status.SUBMITTED:
        raise ValidationError(
            "Your evidence is already waiting for review; nothing was changed. "
            "You can edit or withdraw it until it is reviewed."
        )


def _record(progress: StepProgress, event: str, kind: str, minutes: int) -> None:
    enrollment = progress.enrollment
    # Through upskill's port (upskill/learning_activity.py): same transaction as the
    # progress, and the deterministic source_id makes a repeat record nothing.
    learning_activity_record(
        person=enrollment.person,
        pathway=enrollment.pathway,
        step=progress.step,
        kind=kind,
        minutes=minutes,
        source_id=f"progress:{progress.pk}:{event}",
        occurred_at=timezone.now(),
    )


def _complete_enrollment_if_done(
    enrollment: Enrollment, *, plan: PathwayPlan | None = None, now_done: Step | None = None
) -> bool:
    """Set completed_at once the last live step is done, and issue the pathway's badge in
    the same transaction (a completion without its badge, or a badge without its
    completion, is never committed). Returns True when completed_at was set.
    `plan` (read before `now_done` was approved) saves reading the plan again.

    Enrolments completed before badges were issued here get theirs the first time the
    owner opens it (the badge views call badge_issue too, which is idempotent)."""
    if enrollment.completed_at is not None:
        return False
    if plan is None:
        plan = pathway_plan(enrollment)
    done_ids = {s.step.pk for s in plan.steps if s.is_done} | ({now_done.pk} if now_done else set())
    if not plan.total or len(done_ids & {s.step.pk for s in plan.steps}) < plan.total:
        return False
    enrollment.completed_at = timezone.now()
    enrollment.save(update_fields=["completed_at"])
    badge_issue(enrollment=enrollment)
    return True


@transaction.atomic
def step_start(*, enrollment: Enrollment, step: Step) -> StepProgress:
    """Begin a step. Starting records attendance (coaching: coached) with no minutes:
    the time is counted when the step is done or practised."""
    _state(enrollment, step)
    progress = _locked_progress(enrollment, step)
    if progress.status != Status.NOT_STARTED:
        raise ValidationError("You have already started this step; nothing was changed.")
    progress.status = Status.IN_PROGRESS
    progress.started_at = timezone.now()
    _save(progress)
    kind = ActivityKind.COACHED if step.kind == Step.Kind.COACHING else ActivityKind.ATTENDED
    _record(progress, "start", kind, 0)
    return progress


@transaction.atomic
def step_mark_done(*, enrollment: Enrollment, step: Step) -> StepProgress:
    """Learn and reflect steps, and practice or coaching steps that need no evidence,
    are done when the learner says so."""
    plan, _ = _state(enrollment, step)
    if step.evidence_required and step.kind not in (Step.Kind.LEARN, Step.Kind.REFLECT):
        raise ValidationError(
            "This step needs evidence of practice on real work: submit it for review "
            "instead of marking the step done."
        )
    progress = _locked_progress(enrollment, step)
    _refuse_if_finished(progress)
    now = timezone.now()
    progress.status = Status.APPROVED
    progress.started_at = progress.started_at or now
    progress.completed_at = now
    _save(progress)
    _record(progress, "completed", ActivityKind.COMPLETED, step.estimated_minutes)
    _complete_enrollment_if_done(enrollment, plan=plan, now_done=step)
    return progress


def _clean_evidence(evidence: str, evidence_url: str) -> tuple[str, str]:
    evidence = (evidence or "").strip()
    evidence_url = (evidence_url or "").strip()
    errors: dict[str, list[str]] = {}
    if not evidence:
        errors["evidence"] = [
            "Describe what you did on real work and what came of it; evidence cannot be empty."
        ]
    elif len(evidence) > EVIDENCE_MAX_CHARS:
        errors["evidence"] = [
            f"Evidence can be at most {EVIDENCE_MAX_CHARS:,} characters (it has "
            f"{len(evidence):,}); shorten it or link to the full write-up."
        ]
    if evidence_url:
        if len(evidence_url) > EVIDENCE_URL_MAX_CHARS:
            errors["evidence_url"] = [
                f"The link can be at most {EVIDENCE_URL_MAX_CHARS} characters long."
            ]
        else:
            try:
                URLValidator(schemes=["http", "https"])(evidence_url)
            except ValidationError:
                errors["evidence_url"] = [
                    "Give a web link starting with http:// or https:// (or leave it empty)."
                ]
    if errors:
        raise ValidationError(errors)
    return evidence, evidence_url


@transaction.atomic
def evidence_submit(
    *, enrollment: Enrollment, step: Step, evidence: str, evidence_url: str = ""
) -> StepProgress:
    """Submit (or, after changes were requested, resubmit) evidence for review."""
    evidence, evidence_url = _clean_evidence(evidence, evidence_url)
    _, state = _state(enrollment, step)
    if not state.takes_evidence:
        raise ValidationError("This step takes no evidence; mark it done when you have finished.")
    progress = _locked_progress(enrollment, step)
    _refuse_if_finished(progress)
    now = timezone.now()
    progress.status = Status.SUBMITTED
    progress.evidence = evidence
    progress.evidence_url = evidence_url
    progress.started_at = progress.started_at or now
    progress.submitted_at = now
    progress.evidence_edited_at = None
    _save(progress)
    # One practice record per step: a resubmission improves the same practice.
    _record(progress, "practiced", ActivityKind.PRACTICED, step.estimated_minutes)
    pathway_notifications.evidence_submitted_notify(progress=progress)
    return progress


def _locked_own_submission(*, person: Person, enrollment: Enrollment, step: Step) -> StepProgress:
    """The author's evidence that still waits for review, locked for the transaction (so
    an edit and a review arriving together are applied one after the other); refused
    with a message for anyone else, or once it has been reviewed."""
    if enrollment.person_id != person.pk:
        raise ValidationError("Only the person who submitted this evidence can change it.")
    if step.pathway_id != enrollment.pathway_id:
        raise ValidationError("That step is not part of this pathway.")
    if step.is_archived:
        raise ValidationError("This step has been retired from the pathway; nothing to do here.")
    progress = (
        StepProgress.objects.select_for_update().filter(enrollment=enrollment, step=step).first()
    )
    status = progress.status if progress else Status.NOT_STARTED
    if status == Status.APPROVED:
        raise ValidationError(
            "Your evidence has been reviewed and approved, so it can no longer be edited "
            "or withdrawn; nothing was changed."
        )
    if status == Status.CHANGES_REQUESTED:
        raise ValidationError(
            "Your reviewer has already reviewed this evidence and asked for changes, so it "
            "can no longer be edited or withdrawn; improve it and submit it again."
        )
    if status != Status.SUBMITTED:
        raise ValidationError(
            "No evidence of yours is waiting for review here; nothing was changed."
        )
    progress.enrollment, progress.step = enrollment, step  # already loaded: no lazy loads
    return progress


@transaction.atomic
def evidence_edit(
    *, person: Person, enrollment: Enrollment, step: Step, evidence: str, evidence_url: str = ""
) -> StepProgress:
    """Change evidence while it waits for review. It keeps its place in the reviewer's
    queue (submitted_at stays); the queue shows when it was edited, and a review of the
    version before the edit is refused (`StepProgress.evidence_version`)."""
    evidence, evidence_url = _clean_evidence(evidence, evidence_url)
    progress = _locked_own_submission(person=person, enrollment=enrollment, step=step)
    if (progress.evidence, progress.evidence_url) == (evidence, evidence_url):
        return progress  # nothing changed: the reviewer's version stays current
    progress.evidence = evidence
    progress.evidence_url = evidence_url
    progress.evidence_edited_at = timezone.now()
    _save(progress)
    return progress


@transaction.atomic
def evidence_withdraw(*, person: Person, enrollment: Enrollment, step: Step) -> StepProgress:
    """Take evidence back before it is reviewed: it leaves the reviewer's queue and the
    step returns to where it was before the submission — in progress, or, for a
    resubmission, changes requested (the reviewer's comment still applies). The text
    stays with the learner as a draft to improve and submit again; reviewers no longer
    see it (submitted_at is cleared).

    The practice recorded at submission stays: the work on real tasks was done, and a
    later resubmission records nothing more (its source_id is the same)."""
    progress = _locked_own_submission(person=person, enrollment=enrollment, step=step)
    progress.status = Status.CHANGES_REQUESTED if progress.reviewed_at else Status.IN_PROGRESS
    progress.submitted_at = None
    progress.evidence_edited_at = None
    _save(progress)
    return progress


# --- Review -------------------------------------------------------------------------------


def _locked_submission(
    progress: StepProgress, reviewer: Person | None, evidence_version: str | None
) -> StepProgress:
    if reviewer is not None and reviewer.pk == progress.enrollment.person_id:
        raise ValidationError("You cannot review your own evidence.")
    current = (
        StepProgress.objects.select_for_update()
        .select_related("enrollment__person__user", "enrollment__pathway", "step")
        .get(pk=progress.pk)
    )
    if current.is_withdrawn:
        raise ValidationError(
            f"{current.enrollment.person.display_name} withdrew this evidence; it is no "
            "longer waiting for review and nothing was changed."
        )
    if current.status != Status.SUBMITTED:
        if current.status == Status.APPROVED:
            outcome = "already approved"
        elif current.status == Status.CHANGES_REQUESTED:
            outcome = "already sent back for changes"
        else:
            outcome = "no longer waiting for review"
        raise ValidationError(
            f"This evidence was {outcome} (perhaps in another tab or by another "
            "reviewer); nothing was changed."
        )
    if evidence_version is not None and evidence_version != current.evidence_version:
        raise ValidationError(
            f"{current.enrollment.person.display_name} changed this evidence while you were "
            "reviewing it; nothing was saved. Read the new version and review it again."
        )
    return current


@transaction.atomic
def evidence_approve(
    *,
    progress: StepProgress,
    reviewer: Person | None,
    rubric_level: int,
    comment: str = "",
    evidence_version: str | None = None,
) -> StepProgress:
    """Approve evidence at a level of the learner's role rubric (1-4); the step is done.
    With `evidence_version` (what the reviewer read), evidence the learner has edited
    since is refused rather than approved unread."""
    if rubric_level not in (1, 2, 3, 4):
        raise ValidationError({"rubric_level": ["Choose a rubric level from 1 to 4."]})
    comment = (comment or "").strip()
    if len(comment) > REVIEW_COMMENT_MAX_CHARS:
        raise ValidationError(
            {"comment": [f"A comment can be at most {REVIEW_COMMENT_MAX_CHARS:,} characters."]}
        )
    current = _locked_submission(progress, reviewer, evidence_version)
    now = timezone.now()
    current.status = Status.APPROVED
    current.rubric_level = rubric_level
    current.review_comment = comment
    current.reviewer = reviewer
    current.reviewed_at = now
    current.completed_at = now
    _save(current)
    # The practice minutes were counted at submission; completion adds none.
    _record(current, "completed", ActivityKind.COMPLETED, 0)
    _complete_enrollment_if_done(current.enrollment)
    pathway_notifications.evidence_reviewed_notify(progress=current)
    return current


@transaction.atomic
def evidence_request_changes(
    *,
    progress: StepProgress,
    reviewer: Person | None,
    comment: str,
    evidence_version: str | None = None,
) -> StepProgress:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": ["Say what to change, so the learner knows how to improve it."]}
        )
    if len(comment) > REVIEW_COMMENT_MAX_CHARS:
        raise ValidationError(
            {"comment": [f"A comment can be at most {REVIEW_COMMENT_MAX_CHARS:,} characters."]}
        )
    current = _locked_submission(progress, reviewer, evidence_version)
    current.status = Status.CHANGES_REQUESTED
    current.rubric_level = None
    current.review_comment = comment
    current.reviewer = reviewer
    current.reviewed_at = timezone.now()
    _save(current)
    pathway_notifications.evidence_reviewed_notify(progress=current)
    return current
