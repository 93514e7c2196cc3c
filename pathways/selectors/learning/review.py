"""Reads for reviewers (the queue, one submission with its rubric) and for L&D admins
(what learners said about each step)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from pathways.models import (
    Pathway,
    RoleRubric,
    Step,
    StepFeedback,
    StepProgress,
)
from upskill import access

Status = StepProgress.Status
# Comments newest first, and by text within a moment, so no order leaks who wrote one.
COMMENT_ORDER = [F("created_at").desc(), F("comment").asc()]


# --- Review -------------------------------------------------------------------------------


# How much evidence one page of the review queue shows (a region's head may have
# hundreds waiting at 50,000 people).
REVIEWS_PER_PAGE = 20


def review_queue(user) -> QuerySet[StepProgress]:
    """Submitted evidence the user may review, oldest first, with learner, step and
    product joined in: page it, then `attach_rubrics` to the page (a count, the page and
    its rubrics: three queries plus the ones access needs, however long the queue)."""
    return (
        StepProgress.objects.filter(
            access.reviewable_person_filter(user, through="enrollment__person__"),
            status=Status.SUBMITTED,
        )
        .select_related(
            "enrollment__person__user",
            "enrollment__person__job_role",
            "enrollment__pathway",
            "step__product",
            "step__competency",
        )
        .order_by("submitted_at", "pk")
    )


def review_count(user) -> int:
    """How much submitted evidence waits for this user's review (one count query plus
    the ones access needs)."""
    return StepProgress.objects.filter(
        access.reviewable_person_filter(user, through="enrollment__person__"),
        status=Status.SUBMITTED,
    ).count()


def attach_rubrics(submissions: list[StepProgress]) -> None:
    """Set `rubric` on each submission: the learner's role rubric for the step's
    competency, or None (one query)."""
    pairs = {(p.enrollment.person.job_role_id, p.step.competency_id) for p in submissions}
    competency_ids = {c for _, c in pairs if c is not None}
    rubrics = {}
    if competency_ids:
        rubrics = {
            (r.job_role_id, r.competency_id): r
            for r in RoleRubric.objects.filter(
                competency_id__in=competency_ids,
                job_role_id__in={role for role, _ in pairs},
            )
        }
    for submission in submissions:
        key = (submission.enrollment.person.job_role_id, submission.step.competency_id)
        submission.rubric = rubrics.get(key)


def submission_for_review(pk: int) -> StepProgress | None:
    submission = (
        StepProgress.objects.select_related(
            "enrollment__person__user",
            "enrollment__person__job_role",
            "enrollment__pathway",
            "step__product",
            "step__competency",
            "reviewer__user",
        )
        .filter(pk=pk)
        .first()
    )
    if submission is not None:
        attach_rubrics([submission])
    return submission


# --- Feedback summary (L&D admins) -------------------------------------------------------


# The newest comments the summary shows per step; all of a step's comments are read a
# page at a time (`step_feedback_comments`): at 50,000 people a step has thousands.
COMMENTS_SHOWN = 5
COMMENTS_PER_PAGE = 50


@dataclass(frozen=True)
class StepFeedbackSummary:
    step: Step
    answers: int
    useful: int
    comments: list[str]  # the newest COMMENTS_SHOWN; empty unless enough people answered
    min_group_size: int
    comment_count: int = 0  # all its comments (0 unless enough people answered)

    @property
    def shown(self) -> bool:
        return self.answers >= self.min_group_size

    @property
    def useful_percent(self) -> int | None:
        return round(100 * self.useful / self.answers) if self.shown else None

    @property
    def more_comments(self) -> int:
        return self.comment_count - len(self.comments)


def step_feedback_summary(pathway: Pathway) -> list[StepFeedbackSummary]:
    """Per live step: how many answered, how many found it useful, and its newest
    comments without names (with how many there are) — all of it only when at least
    MIN_GROUP_SIZE people answered. Three queries: steps, counts per step, the newest
    COMMENTS_SHOWN comments of each step that qualifies."""
    minimum = settings.MIN_GROUP_SIZE
    steps = list(
        Step.objects.filter(pathway=pathway, is_archived=False).order_by(
            "stage__position", "position"
        )
    )
    counts = {
        row["step_id"]: row
        for row in StepFeedback.objects.filter(step__in=steps)
        .values("step_id")
        .annotate(
            answers=Count("id"),
            useful=Count("id", filter=Q(useful=True)),
            comments=Count("id", filter=~Q(comment="")),
        )
        .order_by()
    }
    shown_ids = [sid for sid, row in counts.items() if row["answers"] >= minimum]
    comments: dict[int, list[str]] = defaultdict(list)
    newest = Window(RowNumber(), partition_by=[F("step_id")], order_by=COMMENT_ORDER)
    for step_id, comment in (
        StepFeedback.objects.filter(step_id__in=shown_ids)
        .exclude(comment="")
        .annotate(rank=newest)
        .filter(rank__lte=COMMENTS_SHOWN)
        .order_by("step_id", "rank")
        .values_list("step_id", "comment")
    ):
        comments[step_id].append(comment)
    return [
        StepFeedbackSummary(
            step=step,
            answers=counts.get(step.pk, {}).get("answers", 0),
            useful=counts.get(step.pk, {}).get("useful", 0),
            comments=comments.get(step.pk, []),
            min_group_size=minimum,
            comment_count=(
                counts[step.pk]["comments"] if step.pk in counts and step.pk in shown_ids else 0
            ),
        )
        for step in steps
    ]


def step_feedback_comments(summary: StepFeedbackSummary) -> QuerySet[str]:
    """All of one step's comments, newest first, without names, for paging — none unless
    its summary is shown (at least MIN_GROUP_SIZE answered)."""
    if not summary.shown:
        return StepFeedback.objects.none().values_list("comment", flat=True)
    return (
        StepFeedback.objects.filter(step=summary.step)
        .exclude(comment="")
        .order_by(*COMMENT_ORDER)
        .values_list("comment", flat=True)
    )
