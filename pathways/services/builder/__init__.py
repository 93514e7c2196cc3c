"""Writes for the pathway builder: products, competencies, role rubrics, pathways, their
stages and steps, and assignment rules.

Every function validates fully and changes nothing on error (ValidationError with a
message an L&D admin can act on). Two invariants hold after every call:

- a published pathway keeps satisfying the publishing rules: an edit that would break
  them is refused (the transaction rolls back), so learners never see a half-built one;
- no edit loses an employee's recorded progress: a step with progress is archived
  instead of deleted, and a stage with progress on its steps is never deleted.

A package by part (catalogue, pathways, structure, assignment); everything callers use
is re-exported here, so they import `pathways.services.builder` only.
"""

from pathways.services.builder.assignment import (
    AssignmentResult,
    pathway_assign,
    pathway_assignment_remove,
    pathway_assignments_apply,
)
from pathways.services.builder.catalogue import (
    RUBRIC_FIELDS,
    competency_create,
    product_create,
    product_set_archived,
    product_update,
    role_rubric_set,
)
from pathways.services.builder.pathways import (
    KIND_ORDER,
    pathway_archive,
    pathway_create,
    pathway_duplicate,
    pathway_publish,
    pathway_publishing_problems,
    pathway_update,
)
from pathways.services.builder.structure import (
    PATHWAY_CHANGED,
    StepFields,
    StepRemoval,
    apply_move,
    stage_create,
    stage_delete,
    stage_update,
    stages_reorder,
    step_create,
    step_delete,
    step_restore,
    step_update,
    steps_reorder,
)

__all__ = [
    "KIND_ORDER",
    "PATHWAY_CHANGED",
    "RUBRIC_FIELDS",
    "AssignmentResult",
    "StepFields",
    "StepRemoval",
    "apply_move",
    "competency_create",
    "pathway_archive",
    "pathway_assign",
    "pathway_assignment_remove",
    "pathway_assignments_apply",
    "pathway_create",
    "pathway_duplicate",
    "pathway_publish",
    "pathway_publishing_problems",
    "pathway_update",
    "product_create",
    "product_set_archived",
    "product_update",
    "role_rubric_set",
    "stage_create",
    "stage_delete",
    "stage_update",
    "stages_reorder",
    "step_create",
    "step_delete",
    "step_restore",
    "step_update",
    "steps_reorder",
]
