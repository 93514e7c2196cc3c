"""The organisation: teams, job roles, people, and the outcome measures it judges learning by."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q

# Rows made before provisioning (the demo seed, the Django admin, rows that existed when
# the keys were introduced) carry a placeholder key with this prefix. The first HR sync
# or SCIM create that names the same email (people) or name (teams) adopts the row and
# gives it the real key, so an organisation can start from what is already there
# without a second copy of anyone; a real key is never changed afterwards.
UNKEYED_PREFIX = "unkeyed-"
EXTERNAL_KEY_LENGTH = 64


def unkeyed_id() -> str:
    return UNKEYED_PREFIX + secrets.token_hex(8)


class Team(models.Model):
    """A team in the organisation tree. Leaders see their teams and every team below."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_teams")
    external_id = models.CharField(
        "team id",
        max_length=EXTERNAL_KEY_LENGTH,
        unique=True,
        default=unkeyed_id,
        help_text="The HR system's immutable team id; HR sync and SCIM key teams on it.",
    )
    # Set when a full HR sync no longer lists the team. The row stays (its history and
    # rollups are keyed on it); nobody active may be in it, and it leads nobody.
    removed_on = models.DateField(null=True, blank=True)

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
    employee_id = models.CharField(
        max_length=EXTERNAL_KEY_LENGTH,
        unique=True,
        default=unkeyed_id,
        help_text=(
            "The HR system's immutable employee id; HR sync and SCIM key people on it, "
            "never on email (an email change keeps the same person)."
        ),
    )
    # Set when HR sync or SCIM makes the person a leaver (their user is deactivated;
    # the Person and all their history stay).
    left_on = models.DateField(null=True, blank=True)
    # Set when the identity provider DELETEs the user over SCIM: a leaver whom SCIM no
    # longer lists (the Person and its history stay).
    deprovisioned_at = models.DateTimeField(null=True, blank=True)

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

    @property
    def is_leaver(self) -> bool:
        return self.left_on is not None


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
