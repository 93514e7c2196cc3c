"""Writes for learners and their reviewers, by part: `progress` (enrol, start, mark
done, submit, edit or withdraw evidence, review it) and `feedback` (confidence, step
feedback, recognition). Everything public is re-exported here.

Every state change checks the step's state afresh from the database, so a double submit
or a stale page is refused with a message and changes nothing. Each progress change
also records the learner's activity through upskill's port
(upskill/learning_activity.py) with a deterministic source_id, so a repeated request
can never count twice.
"""

from pathways.services.learning.feedback import (
    FEEDBACK_MAX_CHARS,
    RECOGNITION_MAX_CHARS,
    confidence_rate,
    recognition_give,
    step_feedback_give,
)
from pathways.services.learning.progress import (
    EVIDENCE_MAX_CHARS,
    EVIDENCE_URL_MAX_CHARS,
    REVIEW_COMMENT_MAX_CHARS,
    enrollment_self_enrol,
    evidence_approve,
    evidence_edit,
    evidence_request_changes,
    evidence_submit,
    evidence_withdraw,
    step_mark_done,
    step_start,
)

__all__ = [
    "EVIDENCE_MAX_CHARS",
    "EVIDENCE_URL_MAX_CHARS",
    "FEEDBACK_MAX_CHARS",
    "RECOGNITION_MAX_CHARS",
    "REVIEW_COMMENT_MAX_CHARS",
    "confidence_rate",
    "enrollment_self_enrol",
    "evidence_approve",
    "evidence_edit",
    "evidence_request_changes",
    "evidence_submit",
    "evidence_withdraw",
    "recognition_give",
    "step_feedback_give",
    "step_mark_done",
    "step_start",
]
