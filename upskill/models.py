from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Team(models.Model):
    """A team in the organisation tree. Leaders see their teams and every team below."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_teams")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                name="team_not_own_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class JobRole(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """An employee: exactly one team, one job role, optionally a manager (another person)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="members")
    job_role = models.ForeignKey(JobRole, on_delete=models.PROTECT, related_name="people")
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    joined_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=Q(manager__isnull=True) | ~Q(manager=F("pk")),
                name="person_not_own_manager",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def email(self) -> str:
        return self.user.email


class AccessDenial(models.Model):
    """A refused request (HTTP 403): who asked for what. Part of the audit trail that
    L&D admins browse; sign-ins come from django-axes and changes from django-auditlog."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_denials",
    )
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} refused"


class OutcomeMeasure(models.Model):
    """One of the organisation's outcome measures (cycle time, quality, customer
    outcomes, confidence): the shared vocabulary that pathways target and metrics
    observes, so it lives in the app both read.

    The table keeps the name it had when metrics owned the model (moved with a state-only
    migration, no data copied)."""

    class Direction(models.TextChoices):
        LOWER = "lower", "Lower is better"
        HIGHER = "higher", "Higher is better"

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=40, blank=True)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    description = models.TextField(blank=True)

    class Meta:
        db_table = "metrics_outcomemeasure"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
