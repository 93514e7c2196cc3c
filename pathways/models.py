from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from upskill.models import JobRole, Person

RUBRIC_LEVELS = [(1, "1 — Aware"), (2, "2 — Practising"), (3, "3 — Proficient"), (4, "4 — Leading")]


class Product(models.Model):
    """A real product, service or internal process that practice is anchored to."""

    class Kind(models.TextChoices):
        PRODUCT = "product", "Product"
        SERVICE = "service", "Service"
        PROCESS = "process", "Internal process"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PRODUCT)
    description = models.TextField(blank=True)
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Competency(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return self.name


class RoleRubric(models.Model):
    """What good looks like for one job role in one competency, at levels 1-4."""

    job_role = models.ForeignKey(JobRole, on_delete=models.CASCADE, related_name="rubrics")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="rubrics")
    level_1 = models.TextField("level 1 — aware", blank=True)
    level_2 = models.TextField("level 2 — practising", blank=True)
    level_3 = models.TextField("level 3 — proficient", blank=True)
    level_4 = models.TextField("level 4 — leading", blank=True)
    ethical_considerations = models.TextField(blank=True)
    decision_boundaries = models.TextField(
        blank=True, help_text="What AI may do on its own and where a person decides."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["job_role__name", "competency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["job_role", "competency"], name="rubric_unique_role_competency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job_role} × {self.competency}"

    def descriptor(self, level: int) -> str:
        return getattr(self, f"level_{level}", "")


class PathwayQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Pathway.Status.PUBLISHED)


class Pathway(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(blank=True)
    products = models.ManyToManyField(Product, blank=True, related_name="pathways")
    target_roles = models.ManyToManyField(JobRole, blank=True, related_name="pathways")
    # Targeted outcome measures live on metrics.OutcomeMeasure.pathways (related name
    # "targeted_measures") so that this app never imports metrics.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = PathwayQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Stage(models.Model):
    """A stage of a pathway: foundation, then hands-on practice, then coaching."""

    class Kind(models.TextChoices):
        FOUNDATION = "foundation", "Foundation"
        PRACTICE = "practice", "Hands-on practice"
        COACHING = "coaching", "Coaching"

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="stages")
    title = models.CharField(max_length=160)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    position = models.PositiveIntegerField()
    is_sequential = models.BooleanField(
        default=True, help_text="Steps unlock in order; otherwise they can be done in any order."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["pathway", "position"]
        constraints = [
            # Reorders must move rows through free positions (two-phase update), since
            # SQLite has no deferrable unique constraints.
            models.UniqueConstraint(fields=["pathway", "position"], name="stage_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.pathway}: {self.title}"


class Step(models.Model):
    class Kind(models.TextChoices):
        LEARN = "learn", "Learn"
        PRACTICE = "practice", "Practice on real work"
        COACHING = "coaching", "Coaching"
        REFLECT = "reflect", "Reflect"

    # The pathway is stored alongside the stage so that keys are unique per pathway in
    # the database; services keep it equal to stage.pathway.
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="steps")
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=160)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    position = models.PositiveIntegerField()
    instructions = models.TextField(blank=True)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="steps"
    )
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="steps"
    )
    target_level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=RUBRIC_LEVELS,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    estimated_minutes = models.PositiveIntegerField(default=30)
    evidence_required = models.BooleanField(default=False)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="unlocks"
    )
    is_archived = models.BooleanField(
        default=False, help_text="Archived instead of deleted when someone has progress on it."
    )

    class Meta:
        ordering = ["stage__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "key"], name="step_unique_key_in_pathway"),
            models.UniqueConstraint(fields=["stage", "position"], name="step_unique_position"),
            models.CheckConstraint(
                condition=Q(target_level__isnull=True)
                | Q(target_level__gte=1, target_level__lte=4),
                name="step_target_level_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"


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

    def __str__(self) -> str:
        return f"{self.enrollment.person} · {self.step.key}: {self.get_status_display()}"


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
