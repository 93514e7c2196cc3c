"""What learning is anchored to: real products, competencies and role rubrics."""

from django.core.validators import MaxValueValidator, MinValueValidator  # noqa: F401
from django.db import models

from upskill.models import JobRole

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
