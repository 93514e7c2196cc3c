from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from upskill.models import Person, Team


class Party(models.TextChoices):
    """Who can hold a responsibility or make a commitment."""

    LEADERSHIP = "leadership", "Leadership"
    LD = "ld", "L&D"
    MANAGER = "manager", "Manager"
    EMPLOYEE = "employee", "Employee"


class OwnerSide(models.TextChoices):
    EMPLOYER = "employer", "Employer"
    SHARED = "shared", "Shared"
    EMPLOYEE = "employee", "Employee"


class ResponsibilityArea(models.Model):
    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    owner_side = models.CharField(max_length=16, choices=OwnerSide.choices)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class RaciAssignment(models.Model):
    class Letter(models.TextChoices):
        RESPONSIBLE = "R", "Responsible"
        ACCOUNTABLE = "A", "Accountable"
        CONSULTED = "C", "Consulted"
        INFORMED = "I", "Informed"

    area = models.ForeignKey(
        ResponsibilityArea, on_delete=models.CASCADE, related_name="raci_assignments"
    )
    party = models.CharField(max_length=16, choices=Party.choices)
    letter = models.CharField(max_length=1, choices=Letter.choices)

    class Meta:
        ordering = ["area", "party"]
        verbose_name = "RACI assignment"
        constraints = [
            models.UniqueConstraint(fields=["area", "party"], name="raci_one_letter_per_party"),
            # At most one Accountable per area in the database; "at least one A and one R"
            # spans rows, so the matrix service checks it before committing.
            models.UniqueConstraint(
                fields=["area"], condition=Q(letter="A"), name="raci_one_accountable_per_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_party_display()} = {self.letter}"


class Commitment(models.Model):
    """A concrete, measurable promise one party makes under a responsibility area."""

    class Period(models.TextChoices):
        WEEK = "week", "per week"
        MONTH = "month", "per month"
        QUARTER = "quarter", "per quarter"

    area = models.ForeignKey(
        ResponsibilityArea, on_delete=models.PROTECT, related_name="commitments"
    )
    party = models.CharField(max_length=16, choices=Party.choices)
    title = models.CharField(max_length=200, help_text="What is promised, in plain words.")
    description = models.TextField(blank=True)
    target = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    unit = models.CharField(max_length=60, help_text="e.g. hours per person, sessions, days")
    period = models.CharField(max_length=16, choices=Period.choices, default=Period.MONTH)
    teams = models.ManyToManyField(
        Team,
        blank=True,
        related_name="commitments",
        help_text="Empty means the whole organisation.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area__position", "party", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target__gte=0), name="commitment_target_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CommitmentCheckIn(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="check_ins")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="commitment_check_ins")
    period_start = models.DateField()
    value = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = "commitment check-in"
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "team", "period_start"], name="check_in_once_per_period"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="check_in_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} · {self.team} · {self.period_start}: {self.value}"


class AlignmentSurvey(models.Model):
    """The alignment pulse: who people believe owns each area, and how well it goes."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=160)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AlignmentAnswer(models.Model):
    survey = models.ForeignKey(AlignmentSurvey, on_delete=models.CASCADE, related_name="answers")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="alignment_answers")
    area = models.ForeignKey(ResponsibilityArea, on_delete=models.CASCADE, related_name="answers")
    believed_owner = models.CharField(max_length=16, choices=OwnerSide.choices)
    rating = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How well it is going, 1-5.",
    )
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person", "area"], name="answer_once_per_area"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="answer_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        # Never the person's name: answers are only ever shown in aggregate.
        return f"Answer #{self.pk} to {self.survey} on {self.area}"
