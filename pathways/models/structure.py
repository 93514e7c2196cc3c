"""Pathways and their progressive stages and steps."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from pathways.models.catalogue import RUBRIC_LEVELS, Competency, Product
from upskill.models import JobRole, OutcomeMeasure


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
    # The join table keeps the name it had when metrics owned OutcomeMeasure (moved to
    # upskill with state-only migrations; the columns already were pathway_id and
    # outcomemeasure_id).
    targeted_measures = models.ManyToManyField(
        OutcomeMeasure,
        blank=True,
        related_name="pathways",
        db_table="metrics_outcomemeasure_pathways",
        help_text="Outcome measures this pathway aims to move.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    stages_in_order = models.BooleanField(
        "Stages unlock in order",
        # False for the pathways that existed before the option (their learners keep
        # what is open to them); the builder creates new pathways with it on
        # (services.pathway_create).
        default=False,
        help_text=(
            "Each stage opens once every step of the stage before it is done. Untick to let "
            "learners start practice and coaching before the foundation is finished."
        ),
    )
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
