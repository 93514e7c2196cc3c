"""The learner's side, by part: `steps` (my learning, a step and its progress, evidence,
feedback, confidence) and `review` (the reviewer's queue, recognition and the list of
badges, the feedback summary; the badges themselves are pathways/views/badges.py). The
views are re-exported here for pathways/urls.py.

A learner reaches their own records only through their own enrolment (looked up by
pathway slug for the signed-in person), so another person's progress has no URL that
works for them. Reviews are addressed by id and checked with access.can_review.
"""

from pathways.views.learning.review import (
    feedback_summary,
    recognition,
    review,
    review_count,
    review_queue,
)
from pathways.views.learning.steps import (
    PROGRESS_ACTIONS,
    confidence_rate,
    enrol,
    evidence_edit,
    evidence_submit,
    evidence_withdraw,
    my_learning,
    step_detail,
    step_feedback,
    step_progress,
)

__all__ = [
    "PROGRESS_ACTIONS",
    "confidence_rate",
    "enrol",
    "evidence_edit",
    "evidence_submit",
    "evidence_withdraw",
    "feedback_summary",
    "my_learning",
    "recognition",
    "review",
    "review_count",
    "review_queue",
    "step_detail",
    "step_feedback",
    "step_progress",
]
