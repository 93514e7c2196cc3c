"""What the builder's destructive one-click actions ask before they act, by URL name:
registered with upskill's confirmation port in PathwaysConfig.ready(), asked in the
page's dialog and, without JavaScript, on the server's confirmation page."""

from __future__ import annotations

from upskill.confirmation import Confirmation


def _assignment_remove(assignment) -> Confirmation:
    who = assignment.team.name if assignment.team_id else f"the role {assignment.job_role.name}"
    return Confirmation(
        "Stop this rule?",
        f"People who join {who} later will no longer be enrolled; existing enrolments stay.",
        "Stop the rule",
    )


CONFIRMATIONS = {
    "pathways:archive": lambda pathway: Confirmation(
        f"Archive “{pathway.title}”?",
        "Learners keep their progress, but nobody new can enrol.",
        "Archive the pathway",
    ),
    "pathways:product_archive": lambda product: Confirmation(
        f"Archive “{product.name}”?",
        "New practice steps can no longer name it.",
        "Archive the product",
    ),
    "pathways:assignment_remove": _assignment_remove,
    "pathways:stage_delete": lambda stage: Confirmation(
        f"Delete the stage “{stage.title}” and its steps?",
        "If anyone has progress on its steps, nothing is deleted.",
        "Delete the stage",
    ),
    "pathways:step_delete": lambda step: Confirmation(
        f"Delete the step “{step.title}”?",
        "If anyone has progress on it, it is archived instead.",
        "Delete the step",
    ),
}
