"""Writes for what learners say: their confidence at a moment, feedback on a step,
recognition of a colleague's learning behaviour."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pathways import notifications as pathway_notifications
from pathways.models import ConfidenceRating, Enrollment, Recognition, Stage, Step, StepFeedback
from pathways.selectors.learning import pathway_plan
from upskill.models import Person

# Limits come from the model fields (one place).
FEEDBACK_MAX_CHARS = StepFeedback._meta.get_field("comment").max_length
RECOGNITION_MAX_CHARS = Recognition._meta.get_field("message").max_length


# --- Confidence, feedback, recognition ----------------------------------------------------


def _clean_rating(rating) -> int:
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if str(rating).strip() != str(value) or not 1 <= value <= 5:
        raise ValidationError({"rating": ["Choose a rating from 1 (not at all) to 5 (very)."]})
    return value


@transaction.atomic
def confidence_rate(
    *, enrollment: Enrollment, moment: str, rating: int, stage: Stage | None = None
) -> ConfidenceRating:
    """Record the learner's confidence at one moment; each moment is rated once."""
    value = _clean_rating(rating)
    if moment not in ConfidenceRating.Moment.values:
        raise ValidationError("Unknown moment for a confidence rating.")
    plan = pathway_plan(enrollment)
    if moment == ConfidenceRating.Moment.STAGE:
        stage_plan = plan.stage_plan(stage.pk) if stage is not None else None
        if stage_plan is None:
            raise ValidationError("That stage is not part of this pathway.")
        if not stage_plan.is_done:
            raise ValidationError("Rate your confidence for a stage once you have finished it.")
        existing = ConfidenceRating.objects.filter(enrollment=enrollment, stage=stage)
    else:
        stage = None
        if moment == ConfidenceRating.Moment.COMPLETION and enrollment.completed_at is None:
            raise ValidationError("Rate your confidence at completion once the pathway is done.")
        existing = ConfidenceRating.objects.filter(
            enrollment=enrollment, moment=moment, stage__isnull=True
        )
    if existing.exists():
        raise ValidationError("You have already rated your confidence at this point; thank you.")
    confidence = ConfidenceRating(enrollment=enrollment, moment=moment, stage=stage, rating=value)
    confidence.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            confidence.save()
    except IntegrityError as exc:  # a double submit that raced the check above
        raise ValidationError(
            "You have already rated your confidence at this point; thank you."
        ) from exc
    return confidence


def step_feedback_give(
    *, person: Person, step: Step, useful: bool, comment: str = ""
) -> StepFeedback:
    """Was this step useful for your real work? Answering again updates the answer."""
    if not isinstance(useful, bool):
        raise ValidationError({"useful": ["Answer yes or no."]})
    comment = (comment or "").strip()
    if len(comment) > FEEDBACK_MAX_CHARS:
        raise ValidationError(
            {
                "comment": [
                    f"A comment can be at most {FEEDBACK_MAX_CHARS:,} characters "
                    f"(it has {len(comment):,})."
                ]
            }
        )
    if (
        step.is_archived
        or not Enrollment.objects.filter(person=person, pathway_id=step.pathway_id).exists()
    ):
        raise ValidationError("You can give feedback on steps of your own pathways only.")
    feedback, _ = StepFeedback.objects.update_or_create(
        person=person, step=step, defaults={"useful": useful, "comment": comment}
    )
    return feedback


def recognition_give(
    *, from_person: Person, to_person: Person, behaviour: str, message: str
) -> Recognition:
    message = (message or "").strip()
    errors: dict[str, list[str]] = {}
    if to_person.pk == from_person.pk:
        errors["to_person"] = ["Recognise a colleague — you cannot recognise yourself."]
    if behaviour not in Recognition.Behaviour.values:
        errors["behaviour"] = [
            "Choose the behaviour: experimentation, knowledge sharing or continuous improvement."
        ]
    if not message:
        errors["message"] = ["Say what they did, in a sentence or two."]
    elif len(message) > RECOGNITION_MAX_CHARS:
        errors["message"] = [
            f"Keep it to {RECOGNITION_MAX_CHARS} characters (it has {len(message):,})."
        ]
    if errors:
        raise ValidationError(errors)
    recognition = Recognition(
        from_person=from_person, to_person=to_person, behaviour=behaviour, message=message
    )
    recognition.full_clean()
    recognition.save()
    pathway_notifications.recognition_notify(recognition=recognition)
    return recognition
