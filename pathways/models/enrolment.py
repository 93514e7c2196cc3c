"""People on pathways: enrolments, step progress, feedback and recognition."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from pathways.models.catalogue import RUBRIC_LEVELS
from pathways.models.structure import Pathway, Step
from upskill.models import Person


class EnrollmentQuerySet(models.QuerySet):
    def with_done_steps(self) -> "EnrollmentQuerySet":
        """Annotate `done_steps`: the enrolment's approved live steps (what "steps done"
        means on every page that shows progress)."""
        return self.annotate(
            done_steps=models.Count(
                "progress",
                filter=Q(
                    progress__status=StepProgress.Status.APPROVED,
                    progress__step__is_archived=False,
                ),
                distinct=True,
            )
        )


class Enrollment(models.Model):
    class Source(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        SELF = "self", "Self-enrolled"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrollments")
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="enrollments")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ASSIGNED)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "pathway"], name="enrollment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.pathway}"


class StepProgress(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Done"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="progress")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    evidence = models.TextField(blank=True, max_length=10_000)
    evidence_url = models.URLField(blank=True, max_length=500)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # When the learner last changed evidence still waiting for review (None: unchanged
    # since it was submitted). The reviewer sees it, and a review of an older version
    # is refused (`evidence_version`).
    evidence_edited_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rubric_level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=RUBRIC_LEVELS,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    review_comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "step progress"
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "step"], name="progress_unique_step"),
            models.CheckConstraint(
                condition=Q(rubric_level__isnull=True)
                | Q(rubric_level__gte=1, rubric_level__lte=4),
                name="progress_rubric_level_1_to_4",
            ),
        ]
        indexes = [
            # The review queues and their counts read only evidence waiting for review:
            # a few hundred rows among every step anyone started (164,000 at 50,000
            # people), which they no longer scan.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status="submitted"),
                name="progress_awaiting_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment.person} · {self.step.key}: {self.get_status_display()}"

    @property
    def is_withdrawn(self) -> bool:
        """Evidence its author took back before review: kept as their draft, no longer
        submitted (withdrawing clears submitted_at; submitting always sets it)."""
        return (
            self.status != self.Status.SUBMITTED and not self.submitted_at and bool(self.evidence)
        )

    @property
    def evidence_version(self) -> str:
        """Names the evidence as it is now: a new submission and every edit change it, so
        a review form that carries it can tell the evidence changed under the reviewer."""
        changed = self.evidence_edited_at or self.submitted_at
        return changed.isoformat() if changed else ""


class StepFeedback(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="step_feedback")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="feedback")
    useful = models.BooleanField(help_text="Was this useful for your real work?")
    comment = models.TextField(blank=True, max_length=2_000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "step feedback"
        constraints = [
            models.UniqueConstraint(fields=["person", "step"], name="feedback_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{'Useful' if self.useful else 'Not useful'}: {self.step.key}"


class Recognition(models.Model):
    class Behaviour(models.TextChoices):
        EXPERIMENTATION = "experimentation", "Experimentation"
        KNOWLEDGE_SHARING = "knowledge_sharing", "Knowledge sharing"
        CONTINUOUS_IMPROVEMENT = "continuous_improvement", "Continuous improvement"

    from_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="recognitions_given"
    )
    to_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="recognitions_received"
    )
    behaviour = models.CharField(max_length=32, choices=Behaviour.choices)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_person=F("to_person")), name="recognition_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_person} → {self.to_person}: {self.get_behaviour_display()}"


class ConfidenceRating(models.Model):
    """A learner's 1-5 self-rating of confidence using AI in their work, asked when a
    pathway starts, after each stage and at completion. Metrics roll these up into the
    "confidence" outcome measure per team and week."""

    class Moment(models.TextChoices):
        START = "start", "At the start"
        STAGE = "stage", "After a stage"
        COMPLETION = "completion", "At completion"

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="confidence_ratings"
    )
    moment = models.CharField(max_length=16, choices=Moment.choices)
    stage = models.ForeignKey(
        "pathways.Stage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="confidence_ratings",
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="confidence_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(moment="stage", stage__isnull=False) | ~Q(moment="stage"),
                name="confidence_stage_moment_names_its_stage",
            ),
            # Once per moment: start and completion once per enrolment, a stage once.
            models.UniqueConstraint(
                fields=["enrollment", "moment"],
                condition=Q(stage__isnull=True),
                name="confidence_once_per_moment",
            ),
            models.UniqueConstraint(
                fields=["enrollment", "stage"],
                condition=Q(stage__isnull=False),
                name="confidence_once_per_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"Confidence {self.rating}/5 ({self.get_moment_display()})"
