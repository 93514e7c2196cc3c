"""The pathways app's models, one module per part of the domain, re-exported here.

- catalogue: Product, Competency, RoleRubric
- structure: Pathway, Stage, Step (and pathway assignment rules)
- enrolment: Enrollment, StepProgress, StepFeedback, Recognition (and the learner's
  own records)
- badges: BadgeSigningKey, BadgeStatusList, IssuedBadge (verifiable Open Badges 3.0)
"""

from pathways.models.assignment import PathwayAssignment
from pathways.models.badges import (
    STATUS_LIST_LENGTH,
    BadgeSigningKey,
    BadgeStatusList,
    IssuedBadge,
)
from pathways.models.catalogue import RUBRIC_LEVELS, Competency, Product, RoleRubric
from pathways.models.enrolment import (
    ConfidenceRating,
    Enrollment,
    Recognition,
    StepFeedback,
    StepProgress,
)
from pathways.models.structure import Pathway, PathwayQuerySet, Stage, Step

__all__ = [
    "RUBRIC_LEVELS",
    "STATUS_LIST_LENGTH",
    "BadgeSigningKey",
    "BadgeStatusList",
    "Competency",
    "ConfidenceRating",
    "Enrollment",
    "IssuedBadge",
    "Pathway",
    "PathwayAssignment",
    "PathwayQuerySet",
    "Product",
    "Recognition",
    "RoleRubric",
    "Stage",
    "Step",
    "StepFeedback",
    "StepProgress",
]
