"""Forms for pathways, by area: `builder` (L&D admins) and `learning` (employees and
their reviewers). They parse and check input; the services decide and write. Every
form is re-exported here."""

from pathways.forms.badges import (
    BadgeRevokeForm,
    BadgeSharingForm,
)
from pathways.forms.builder import (
    AssignForm,
    CompetencyForm,
    PathwayForm,
    ProductForm,
    RubricForm,
    StageForm,
    StepForm,
)
from pathways.forms.learning import (
    ConfidenceForm,
    EvidenceForm,
    FeedbackForm,
    RecognitionForm,
    ReviewForm,
)

__all__ = [
    "AssignForm",
    "BadgeRevokeForm",
    "BadgeSharingForm",
    "CompetencyForm",
    "ConfidenceForm",
    "EvidenceForm",
    "FeedbackForm",
    "PathwayForm",
    "ProductForm",
    "RecognitionForm",
    "ReviewForm",
    "RubricForm",
    "StageForm",
    "StepForm",
]
