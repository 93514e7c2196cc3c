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


class ComputedFrom(models.TextChoices):
    """Employee commitments the app can measure itself, per person in the team and period."""

    PRACTICE_SUBMISSIONS = "practice_submissions", "Practice evidence submitted per person"
    KNOWLEDGE_SHARING = "knowledge_sharing", "Knowledge-sharing recognitions per person"


class Commitment(models.Model):
    """A concrete, measurable promise one party makes under a responsibility area."""

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", "At least the target"
        AT_MOST = "at_most", "At most the target"

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
    direction = models.CharField(
        max_length=8,
        choices=Direction.choices,
        default=Direction.AT_LEAST,
        help_text="“At most” for ceilings such as days until sandbox access.",
    )
    teams = models.ManyToManyField(
        Team,
        blank=True,
        related_name="commitments",
        help_text="Empty means the whole organisation.",
    )
    computed_from = models.CharField(
        max_length=32,
        choices=ComputedFrom.choices,
        blank=True,
        help_text="Leave empty when the accountable party records check-ins by hand.",
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

    def fulfilment(self, delivered) -> float | None:
        """Delivered against target as a ratio (1.0 = kept); None without a target.

        For an "at most" commitment, delivering under the ceiling keeps it, and going
        over scores target / delivered."""
        if self.target <= 0:
            return None
        if self.direction == self.Direction.AT_MOST:
            return 1.0 if delivered <= self.target else float(self.target / delivered)
        return float(delivered / self.target)


class CommitmentCheckIn(models.Model):
    """What was delivered against a commitment, for one team and one period, in its unit."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Recorded"
        COMPUTED = "computed", "Computed from activity"

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="check_ins")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="commitment_check_ins")
    period_start = models.DateField()
    value = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    note = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
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
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="open"), name="survey_one_open_at_a_time"
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
