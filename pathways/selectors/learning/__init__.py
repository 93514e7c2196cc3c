"""Reads for learners and their reviewers, by part: `plan` (an enrolment's steps, their
state and the unlock rules), `review` (the review queue, and the feedback summary for L&D
admins) and `recognition` (recognition and badges). Everything public is re-exported
here."""

from pathways.selectors.learning.plan import (
    EVIDENCE_KINDS,
    SELF_COMPLETED_KINDS,
    ConfidenceAsk,
    PathwayPlan,
    StagePlan,
    StepState,
    enrollments_for_person,
    feedback_of,
    own_enrollment,
    pathway_plan,
    pathway_plans,
    rubric_for,
    self_enrol_pathways,
)
from pathways.selectors.learning.recognition import (
    badge_document,
    badge_enrollment,
    completed_enrollments,
    recognition_colleagues,
    recognitions_received,
    team_recognition_feed,
)
from pathways.selectors.learning.review import (
    COMMENTS_PER_PAGE,
    COMMENTS_SHOWN,
    REVIEWS_PER_PAGE,
    StepFeedbackSummary,
    attach_rubrics,
    review_count,
    review_queue,
    step_feedback_comments,
    step_feedback_summary,
    submission_for_review,
)

__all__ = [
    "COMMENTS_PER_PAGE",
    "COMMENTS_SHOWN",
    "REVIEWS_PER_PAGE",
    "EVIDENCE_KINDS",
    "SELF_COMPLETED_KINDS",
    "ConfidenceAsk",
    "PathwayPlan",
    "StagePlan",
    "StepFeedbackSummary",
    "StepState",
    "attach_rubrics",
    "badge_document",
    "badge_enrollment",
    "completed_enrollments",
    "enrollments_for_person",
    "feedback_of",
    "own_enrollment",
    "pathway_plan",
    "pathway_plans",
    "recognition_colleagues",
    "recognitions_received",
    "review_count",
    "review_queue",
    "rubric_for",
    "self_enrol_pathways",
    "step_feedback_comments",
    "step_feedback_summary",
    "submission_for_review",
    "team_recognition_feed",
]
